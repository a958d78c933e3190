//! Inviting patients: turning what the clinician typed or imported into outbox rows, the warnings to
//! confirm before sending, and the notification sentence once a batch has gone out.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult};
use crate::invite::email::{address_key, validate_email};
#[cfg(test)]
use crate::invite::language::Language;
use crate::invite::phone::parse_mobile;
use crate::invite::sms_text::{
    invite_text, preview_text, segments, validate_name, DEFAULT_LINK_LEN, LINK_PLACEHOLDER,
};
use crate::invite::types::{
    BatchOutcome, Channel, FieldError, Invitee, RecipientWarning, Rejection, SmsInviteDraft,
    SmsPreview, WarningKind,
};
use crate::pending::sign_up_code::{self, SignUpCodeOffer};
use crate::sending_hours::SendingHours;
use crate::session::{Auth, CallError};
use crate::store::{AccountStore, NewInvite, OutboxRow, OutboxState};
use crate::sync::plan::ADDED_NOTE;

/// Checks an SMS invite form: every field's problem at once, or the invite and its preview.
pub fn check_sms(
    draft: &SmsInviteDraft,
    region: &str,
    clinician_name: &str,
    list_name: &str,
) -> Result<(NewInvite, SmsPreview), Vec<FieldError>> {
    let mut errors = Vec::new();
    let given = field(
        &mut errors,
        "givenName",
        validate_name("First name", &draft.given_name),
    );
    let family = field(
        &mut errors,
        "familyName",
        validate_name("Last name", &draft.family_name),
    );
    let phone = field(
        &mut errors,
        "phone",
        parse_mobile(&draft.phone, region).map_err(|e| e.to_string()),
    );
    let (Some(given), Some(family), Some(phone)) = (given, family, phone) else {
        return Err(errors);
    };
    let text = invite_text(draft.language, &given, clinician_name, list_name);
    let (segments, encoding) = segments(&text, DEFAULT_LINK_LEN);
    let invitee = Invitee {
        given_name: given,
        family_name: family,
        email: None,
        phone: Some(phone.e164),
    };
    let preview = SmsPreview {
        invitee: invitee.clone(),
        phone_display: phone.international,
        text: preview_text(&text),
        link_placeholder: LINK_PLACEHOLDER.into(),
        segments,
        encoding,
        language: draft.language,
        warnings: Vec::new(),
    };
    let invite = NewInvite {
        channel: Channel::Sms,
        invitee,
        text: Some(text),
        language: Some(draft.language),
    };
    Ok((invite, preview))
}

/// The value, or its message noted against the form field.
fn field<T>(errors: &mut Vec<FieldError>, name: &str, result: Result<T, String>) -> Option<T> {
    result
        .map_err(|message| {
            errors.push(FieldError {
                field: name.into(),
                message,
            })
        })
        .ok()
}

/// Email invites for a list of addresses; any invalid address refuses the whole send, naming it.
pub fn email_invites(addresses: &[String]) -> AppResult<Vec<NewInvite>> {
    let mut seen = HashSet::new();
    let mut invites = Vec::new();
    for raw in addresses {
        let address = validate_email(raw).map_err(|e| {
            AppError::invalid_input(format!("“{raw}” is not a valid email address: {e}"))
        })?;
        if seen.insert(address_key(&address)) {
            invites.push(NewInvite {
                channel: Channel::Email,
                invitee: Invitee {
                    given_name: String::new(),
                    family_name: String::new(),
                    email: Some(address),
                    phone: None,
                },
                text: None,
                language: None,
            });
        }
    }
    if invites.is_empty() {
        return Err(AppError::invalid_input("Add at least one email address."));
    }
    Ok(invites)
}

/// The recipient of an invite as warnings and skip lists name it.
pub fn recipient_of(invite: &NewInvite) -> &str {
    match invite.channel {
        Channel::Sms => invite.invitee.phone.as_deref().unwrap_or_default(),
        Channel::Email => invite.invitee.email.as_deref().unwrap_or_default(),
    }
}

/// Recipients who already have a pending invitation on the list (from the server) or are already
/// patients on it (from this computer's copy of the list). Offline, the first check is skipped.
pub async fn warnings(
    auth: &Auth,
    store: &AccountStore,
    list_id: &str,
    recipients: &[&str],
) -> AppResult<Vec<RecipientWarning>> {
    let pending = pending_recipients(auth, list_id).await.unwrap_or_default();
    let patients = store.patient_contacts(list_id)?;
    let mut out = Vec::new();
    for recipient in recipients {
        let key = address_key(recipient);
        if patients.contains(&key) {
            out.push(RecipientWarning {
                recipient: (*recipient).to_owned(),
                kind: WarningKind::AlreadyPatient,
                message: format!("{recipient} is already a patient on this list."),
            });
        } else if pending.contains(&key) {
            out.push(RecipientWarning {
                recipient: (*recipient).to_owned(),
                kind: WarningKind::PendingInvite,
                message: format!("{recipient} already has a pending invitation to this list."),
            });
        }
    }
    Ok(out)
}

/// Lower-cased emails and phone numbers of the list's pending invitations.
async fn pending_recipients(auth: &Auth, list_id: &str) -> Result<HashSet<String>, CallError> {
    let mut keys = HashSet::new();
    for inv in crate::pending::api::list_all(auth, list_id).await? {
        keys.extend(inv.email.as_deref().map(address_key));
        keys.extend(inv.phone_number);
    }
    Ok(keys)
}

/// The notification for a batch: what went out, what waits (and until when, outside the sending
/// hours), what the server refused and why.
pub fn outcome(
    batch_id: &str,
    rows: &[OutboxRow],
    hours: &SendingHours,
    now: DateTime<Utc>,
) -> BatchOutcome {
    let count = |state| rows.iter().filter(|r| r.state == state).count() as u32;
    let sent = count(OutboxState::Sent);
    let queued = count(OutboxState::Queued) + count(OutboxState::Sending);
    let first_hold = rows.iter().filter_map(|r| r.held_until(now)).min();
    let held = rows.iter().filter(|r| r.held_until(now).is_some()).count() as u32;
    let rejected: Vec<Rejection> = rows
        .iter()
        .filter(|r| matches!(r.state, OutboxState::Rejected | OutboxState::NeedsAttention))
        .map(|r| Rejection {
            recipient: display_recipient(r),
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect();
    let summary = match first_hold {
        Some(at) => held_summary(
            rows,
            sent,
            queued,
            held,
            rejected.len(),
            hours.will_send(at, now),
        ),
        None => settled_summary(rows, sent, queued, rejected.len()),
    };
    BatchOutcome {
        batch_id: batch_id.to_owned(),
        sent,
        queued,
        held,
        rejected,
        summary,
        sign_up_code: sign_up_code_offer(rows),
    }
}

/// "Invite SMS to +44 … waits for sending hours. Will send tomorrow at 08:00", or, when only part
/// of the batch waits, each part in turn.
fn held_summary(
    rows: &[OutboxRow],
    sent: u32,
    queued: u32,
    held: u32,
    rejected: usize,
    will_send: String,
) -> String {
    if held as usize == rows.len() {
        return match rows {
            [one] => format!(
                "Invite {} to {} waits for sending hours. {will_send}",
                channel_word(one.channel),
                display_recipient(one)
            ),
            _ => format!("{held} invites wait for sending hours. {will_send}"),
        };
    }
    let mut parts = Vec::new();
    if sent > 0 {
        parts.push(format!("{sent} sent"));
    }
    parts.push(format!(
        "{held} wait for sending hours ({})",
        will_send.to_lowercase()
    ));
    if queued > held {
        parts.push(format!(
            "{} queued — they will be sent when you're back online",
            queued - held
        ));
    }
    if rejected > 0 {
        parts.push(format!("{rejected} not sent"));
    }
    parts.join("; ")
}

fn channel_word(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "SMS",
        Channel::Email => "email",
    }
}

fn settled_summary(rows: &[OutboxRow], sent: u32, queued: u32, rejected: usize) -> String {
    match (sent, queued, rejected) {
        (1, 0, 0) if rows.len() == 1 => format!(
            "Invite {} sent to {}",
            channel_word(rows[0].channel),
            display_recipient(&rows[0])
        ),
        (s, 0, 0) => format!("{s} invites sent"),
        (0, q, 0) if q == rows.len() as u32 => {
            "Queued — will be sent when you're back online".to_owned()
        }
        (s, 0, r) => format!("{s} of {} invites sent; {r} not sent", s + r as u32),
        (s, q, r) => {
            let mut parts = vec![
                format!("{s} sent"),
                format!("{q} queued — they will be sent when you're back online"),
            ];
            if r > 0 {
                parts.push(format!("{r} not sent"));
            }
            parts.join("; ")
        }
    }
}

/// For a send to one patient: whether the notice can offer their sign-up code, or why not.
fn sign_up_code_offer(rows: &[OutboxRow]) -> Option<SignUpCodeOffer> {
    let [row] = rows else { return None };
    let reason = match (row.state, &row.server_id) {
        (OutboxState::Sent, Some(id)) => {
            return Some(SignUpCodeOffer::Ready {
                list_id: row.list_id.clone(),
                invitation_id: id.clone(),
            })
        }
        (OutboxState::Sent, None) if row.reason.as_deref() == Some(ADDED_NOTE) => {
            sign_up_code::ALREADY_A_USER
        }
        (OutboxState::Queued | OutboxState::Sending, _) => sign_up_code::NOT_SENT_YET,
        _ => return None,
    };
    Some(SignUpCodeOffer::Unavailable {
        reason: reason.to_owned(),
    })
}

/// Phone numbers in international format for people; emails as they are.
fn display_recipient(row: &OutboxRow) -> String {
    let recipient = row.recipient();
    match row.channel {
        Channel::Sms => parse_mobile(recipient, "GB")
            .map(|p| p.international)
            .unwrap_or_else(|_| recipient.to_owned()),
        Channel::Email => recipient.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(given: &str, family: &str, phone: &str) -> SmsInviteDraft {
        SmsInviteDraft {
            list_id: "L".into(),
            given_name: given.into(),
            family_name: family.into(),
            phone: phone.into(),
            language: Language::English,
        }
    }

    #[test]
    fn a_valid_sms_form_gives_the_exact_text_and_a_formatted_number() {
        let (invite, preview) = check_sms(
            &draft(" Sam ", "Okafor", "07700 900123"),
            "GB",
            "Amelia Hart",
            "Cardiology",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(invite.invitee.phone.as_deref(), Some("+447700900123"));
        assert_eq!(preview.phone_display, "+44 7700 900123");
        assert_eq!(invite.invitee.given_name, "Sam");
        let text = invite.text.unwrap_or_default();
        assert!(text.contains("Sam"));
        assert_eq!(preview.text, format!("{text} {LINK_PLACEHOLDER}"));
        assert!(preview.segments >= 1);
        assert_eq!(invite.language, Some(Language::English));
    }

    #[test]
    fn a_welsh_sms_form_queues_welsh_text_and_says_it_is_ucs_2() {
        let mut welsh = draft("Sam", "Okafor", "07700 900123");
        welsh.language = Language::Welsh;
        let (invite, preview) = check_sms(&welsh, "GB", "Amelia Hart", "Cardiology")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let text = invite.text.unwrap_or_default();
        assert!(text.starts_with("Helo Sam,"), "{text}");
        assert_eq!(preview.text, format!("{text} {LINK_PLACEHOLDER}"));
        assert_eq!(preview.language, Language::Welsh);
        assert_eq!(invite.language, Some(Language::Welsh));
        assert_eq!(
            (preview.segments, preview.encoding),
            segments(&text, DEFAULT_LINK_LEN)
        );
        assert_eq!(preview.encoding, crate::invite::types::SmsEncoding::Ucs2);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = check_sms(&draft("", "<b>x</b>", "12ab"), "GB", "A", "L")
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["givenName", "familyName", "phone"]);
    }

    #[test]
    fn email_invites_merge_duplicates_and_name_a_bad_address() {
        let ok =
            email_invites(&["a@example.com".into(), "A@EXAMPLE.com".into()]).unwrap_or_default();
        assert_eq!(ok.len(), 1);
        let err = email_invites(&["a@example.com".into(), "nope".into()]).err();
        assert!(err.is_some_and(|e| e.message.contains("“nope”")));
        assert!(email_invites(&[]).is_err());
    }
}
