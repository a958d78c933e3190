/// The app's own commands. Each gets a generated `allow-<command>` permission, and the window's
/// capability file grants exactly these: a command missing there cannot be called from the UI.
const COMMANDS: &[&str] = &[
    "app_info",
    "resume_session",
    "sign_in",
    "submit_code",
    "sign_out",
    "lock",
    "unlock",
    "patient_lists",
    "search_patients",
    "preferences",
    "set_last_list",
    "settings",
    "set_setting",
    "invite_languages",
    "prepare_sms_invite",
    "send_sms_invite",
    "parse_email_recipients",
    "check_email_invites",
    "send_email_invites",
    "pick_csv",
    "import_csv",
    "save_csv_rejects",
    "send_import",
    "await_batch",
    "outbox_status",
    "outbox_entries",
    "retry_outbox",
    "send_outbox_now",
    "send_batch_now",
    "discard_outbox",
    "discard_unsent",
    "sync_now",
    "pending_invites",
    "invited_patients",
    "resend_invites",
    "revoke_invites",
    "sign_up_code",
    "export_pending",
    "support_diagnostics",
    "contact_support",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
