//! From what the clinician typed or imported to outbox rows: every field checked at once, the SMS
//! preview, email addresses merged, and each invite's recipient.

use std::collections::HashSet;

use crate::error::{AppError, AppResult};
use crate::invite::email::{address_key, validate_email};
use crate::invite::phone::parse_mobile;
use crate::invite::sms_text::{
    invite_text, preview_text, segments, validate_name, DEFAULT_LINK_LEN, LINK_PLACEHOLDER,
};
use crate::invite::types::{Channel, FieldError, Invitee, SmsInviteDraft, SmsPreview};
use crate::store::NewInvite;

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
            invites.push(NewInvite::email(address));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invite::language::Language;

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
