// The app's IPC commands, listed once; a new command is its function and a line here. From this
// list `build.rs` generates the permissions (`allow-<command>`) and the window's grant of exactly
// these (`capabilities/commands.json`), `lib.rs` makes the invoke handler, and a test writes the
// UI's typed bindings (`ui/src/lib/backend/bindings/BackendMethods.ts`, from each function's
// signature and doc comment; see `ui_bindings.rs`).

/// Calls `$then!` with every command as `module::function`.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            commands::app_info,
            commands::resume_session,
            commands::sign_in,
            commands::submit_code,
            commands::sign_out,
            commands::lock,
            commands::unlock,
            commands::patient_lists,
            commands::search_patients,
            commands::preferences,
            commands::set_last_list,
            settings_commands::settings,
            settings_commands::set_setting,
            invite_commands::invite_languages,
            invite_commands::prepare_sms_invite,
            invite_commands::send_sms_invite,
            invite_commands::parse_email_recipients,
            invite_commands::check_email_invites,
            invite_commands::send_email_invites,
            invite_commands::pick_csv,
            invite_commands::import_csv,
            invite_commands::cancel_csv_import,
            invite_commands::save_csv_rejects,
            invite_commands::send_import,
            invite_commands::await_batch,
            invite_commands::outbox_status,
            outbox_commands::outbox_entries,
            outbox_commands::retry_outbox,
            outbox_commands::send_outbox_now,
            outbox_commands::send_batch_now,
            outbox_commands::discard_outbox,
            outbox_commands::discard_unsent,
            outbox_commands::pause_sending,
            outbox_commands::resume_sending,
            outbox_commands::sync_now,
            pending_commands::pending_invites,
            pending_commands::invited_patients,
            pending_commands::resend_invites,
            pending_commands::revoke_invites,
            pending_commands::sign_up_code,
            pending_commands::export_pending,
            pending_commands::support_diagnostics,
            pending_commands::contact_support,
        }
    };
}

/// The commands' names, as the permissions and the UI know them.
#[allow(unused_macros)] // used by build.rs, not by the app itself
macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// Every command as `(module, function)`, for the UI's bindings (`ui_bindings.rs`).
#[cfg(test)]
macro_rules! command_paths {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$((stringify!($module), stringify!($command))),*]
    };
}
