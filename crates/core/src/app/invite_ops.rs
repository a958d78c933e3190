//! Invites: validate, confirm, queue (the sync task sends them).

use super::*;
use crate::store::Holds;

impl ClinicianApp {
    async fn list_name(&self, store: &AccountStore, list_id: &str) -> AppResult<String> {
        store
            .lists()?
            .into_iter()
            .find(|l| l.id == list_id)
            .map(|l| l.name)
            .ok_or_else(|| AppError::invalid_input("Choose one of your patient lists first."))
    }

    async fn clinician_name(&self) -> AppResult<String> {
        let clinician = self
            .auth()?
            .clinician()
            .await
            .ok_or_else(AppError::not_signed_in)?;
        Ok(
            format!("{} {}", clinician.given_name, clinician.family_name)
                .trim()
                .to_owned(),
        )
    }

    /// The languages the SMS invite form offers (those we have a text for).
    pub fn invite_languages(&self) -> Vec<LanguageOption> {
        Language::options()
    }

    /// The SMS invite form's Confirm: field errors, or the confirmation screen.
    pub async fn prepare_sms_invite(&self, draft: &SmsInviteDraft) -> AppResult<SmsCheck> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, &draft.list_id).await?;
        let clinician = self.clinician_name().await?;
        match drafts::check_sms(draft, &self.phone_region(), &clinician, &list_name) {
            Ok((invite, mut preview)) => {
                let recipient = drafts::recipient_of(&invite).to_owned();
                preview.warnings =
                    warnings::about(self.auth()?, &store, &draft.list_id, &[&recipient]).await?;
                Ok(SmsCheck::Ready { preview })
            }
            Err(errors) => Ok(SmsCheck::Invalid { errors }),
        }
    }

    /// Send SMS invite: validated again (the UI is not trusted), queued, returns at once.
    pub async fn send_sms_invite(&self, draft: &SmsInviteDraft) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, &draft.list_id).await?;
        let clinician = self.clinician_name().await?;
        let (invite, _) = drafts::check_sms(draft, &self.phone_region(), &clinician, &list_name)
            .map_err(|errors| {
                let first = errors
                    .into_iter()
                    .next()
                    .map(|e| e.message)
                    .unwrap_or_default();
                AppError::invalid_input(first)
            })?;
        self.enqueue(&store, &draft.list_id, &[invite]).await
    }

    pub async fn check_email_invites(
        &self,
        list_id: &str,
        addresses: &[String],
    ) -> AppResult<Vec<RecipientWarning>> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        let invites = drafts::email_invites(addresses)?;
        let recipients: Vec<&str> = invites.iter().map(drafts::recipient_of).collect();
        warnings::about(self.auth()?, &store, list_id, &recipients).await
    }

    pub async fn send_email_invites(
        &self,
        list_id: &str,
        addresses: &[String],
    ) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        let invites = drafts::email_invites(addresses)?;
        self.enqueue(&store, list_id, &invites).await
    }

    /// Reads a CSV file for import (off the async threads: it may be large) and keeps it for Send.
    pub async fn import_csv(
        &self,
        list_id: &str,
        path: PathBuf,
        progress: impl FnMut(CsvProgress) + Send + 'static,
    ) -> AppResult<CsvPreview> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        // The path comes from the UI (a dropped file): read only what can be a patient list.
        if !has_csv_extension(&path) {
            return Err(AppError::invalid_input(
                "Choose a CSV file (.csv, .tsv or .txt). Save spreadsheets as CSV first.",
            ));
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut progress = progress;
        let region = self.phone_region();
        let cancel = self.imports.begin_read();
        let flag = Arc::clone(&cancel);
        let read = tokio::task::spawn_blocking(move || {
            csv_import::read_csv_file(&path, &region, &mut progress, &flag)
        })
        .await;
        self.imports.end_read(&cancel);
        let read = read
            .map_err(|e| AppError::internal(format!("The import stopped unexpectedly: {e}")))?
            .map_err(|e| match e {
                csv_import::CsvError::Cancelled => {
                    AppError::new(ErrorCode::Cancelled, e.to_string())
                }
                e => AppError::new(ErrorCode::InvalidInput, e.to_string()),
            })?;
        let recipients: Vec<String> = read
            .accepted
            .iter()
            .map(|row| import_recipient(row).to_owned())
            .collect();
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        let warnings = warnings::about(self.auth()?, &store, list_id, &refs).await?;
        let import_id = uuid::Uuid::now_v7().to_string();
        let preview = CsvPreview {
            import_id: import_id.clone(),
            file_name,
            encoding: read.encoding.clone(),
            delimiter: read.delimiter.to_string(),
            has_header: read.has_header,
            accepted_count: read.accepted.len() as u32,
            rejected_count: read.rejected.len() as u32,
            accepted: read
                .accepted
                .iter()
                .take(PREVIEW_ROWS)
                .map(PreviewRow::from)
                .collect(),
            rejected: read.rejected.iter().take(PREVIEW_ROWS).cloned().collect(),
            warnings,
        };
        self.imports.keep(import_id, read);
        Ok(preview)
    }

    /// "Cancel" while a CSV file is read: the read stops within a chunk of rows and `import_csv`
    /// answers `Cancelled`; nothing was queued, nothing is kept. Whether a read was under way.
    pub fn cancel_csv_import(&self) -> bool {
        self.imports.cancel_read()
    }

    fn with_import<T>(&self, import_id: &str, f: impl FnOnce(&CsvRead) -> T) -> AppResult<T> {
        // Imported rows are patient data.
        self.ensure_unlocked()?;
        self.imports.with(import_id, f).ok_or_else(|| {
            AppError::invalid_input("That import has expired. Choose the file again.")
        })
    }

    /// The rejected rows of an import as CSV, safe to open in a spreadsheet.
    pub fn csv_rejects(&self, import_id: &str) -> AppResult<String> {
        self.with_import(import_id, |read| csv_import::rejects_to_csv(&read.rejected))
    }

    /// Queues every accepted row of an import but those the clinician chose to skip.
    pub async fn send_import(
        &self,
        list_id: &str,
        import_id: &str,
        skip: &[String],
    ) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, list_id).await?;
        let clinician = self.clinician_name().await?;
        let skip: HashSet<String> = skip.iter().map(|s| address_key(s)).collect();
        let invites = self.with_import(import_id, |read| {
            read.accepted
                .iter()
                .filter(|row| !skip.contains(&address_key(import_recipient(row))))
                .map(|row| {
                    // An SMS is always written in some language (English unless the file says);
                    // an email carries one only when the file names it.
                    let sms = row.channel == Channel::Sms;
                    let language = if sms {
                        Some(row.language.unwrap_or_default())
                    } else {
                        row.language
                    };
                    NewInvite {
                        channel: row.channel,
                        invitee: row.invitee.clone(),
                        text: language.filter(|_| sms).map(|language| {
                            invite_text(language, &row.invitee.given_name, &clinician, &list_name)
                        }),
                        language,
                    }
                })
                .collect::<Vec<_>>()
        })?;
        if invites.is_empty() {
            return Err(AppError::invalid_input(
                "There is nobody left to invite in this file.",
            ));
        }
        self.enqueue(&store, list_id, &invites).await
    }

    pub(super) async fn enqueue(
        &self,
        store: &AccountStore,
        list_id: &str,
        invites: &[NewInvite],
    ) -> AppResult<SendReceipt> {
        let now = self.clock.now();
        let hours = self.sending_hours();
        let holds = Holds {
            sms: hours.hold_until(Channel::Sms, now),
            email: hours.hold_until(Channel::Email, now),
        };
        let receipt = store.enqueue_held(list_id, invites, holds, now)?;
        let held = invites
            .iter()
            .filter(|i| holds.of(i.channel).is_some())
            .count();
        tracing::info!(count = receipt.queued, held, "invites queued");
        self.publish_outbox().await;
        self.sync.wake();
        Ok(receipt)
    }
}

/// How many accepted CSV rows and rejects the preview shows (all of them are sent).
const PREVIEW_ROWS: usize = 200;

fn has_csv_extension(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["csv", "tsv", "txt"]
            .iter()
            .any(|ok| e.eq_ignore_ascii_case(ok))
    })
}

fn import_recipient(row: &ImportRow) -> &str {
    match row.channel {
        Channel::Sms => row.invitee.phone.as_deref().unwrap_or_default(),
        Channel::Email => row.invitee.email.as_deref().unwrap_or_default(),
    }
}
