//! The patient's own sign-up link as a QR code, for a patient sitting with the clinician.
//!
//! The link is built as Huma's server builds it (`GetInvitationLinkUseCase._build_link`:
//! `{client.deepLinkBaseUrl}/signup?shortenedCode={code}`) from the invitation's own short code,
//! never from a reusable deployment-wide link. The code is a secret: it is fetched from the server
//! when the clinician asks, turned into modules here, and neither logged nor written to disk. The
//! link itself never leaves this module; the UI gets the modules to draw.

use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;
use ts_rs::TS;
use url::Url;

use crate::error::{AppError, AppResult};

/// How long the code stays on screen before it hides itself.
pub const SHOWN_FOR_SECONDS: u32 = 120;
/// Light modules around the code, as the QR standard asks, so phones find its edges.
const QUIET_ZONE: u32 = 4;

/// What the sign-up code dialog shows.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignUpCode {
    /// "Given Family", or the email when the invitation has no name.
    pub patient_name: String,
    /// Width and height in modules, quiet zone included (the SVG viewBox).
    pub size: u32,
    /// SVG path data drawing every dark module as a 1×1 square.
    pub path: String,
    /// The dialog hides the code after this many seconds.
    pub shown_for_seconds: u32,
}

/// The path data is the sign-up link in another form: keep it out of debug output.
impl std::fmt::Debug for SignUpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpCode")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Whether the notice after a send can offer the code for the one patient it was sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
#[ts(export)]
pub enum SignUpCodeOffer {
    /// The invitation exists on the server: the code can be shown.
    Ready {
        list_id: String,
        invitation_id: String,
    },
    /// Not (yet): the sentence says why.
    Unavailable { reason: String },
}

/// Said when an invite is still on this computer.
pub const NOT_SENT_YET: &str = "The sign-up code can be shown once the invite has gone out.";
/// Said when the server added an existing Huma user to the list instead of inviting them.
pub const ALREADY_A_USER: &str = "This patient already has a Huma account and was added to the \
     list: there is no sign-up code.";
/// Said when no sign-up address is configured (policy `signUpLinkBase`).
pub const NO_LINK_BASE: &str = "This computer does not know the address patients sign up at, so \
     it cannot show a sign-up code. Ask your IT team to set “Patient sign-up address” \
     (signUpLinkBase).";

/// The patient's personal sign-up link.
pub fn personal_link(base: &Url, shortened_code: &str) -> Url {
    let mut link = base.clone();
    let path = format!("{}/signup", base.path().trim_end_matches('/'));
    link.set_path(&path);
    link.set_query(None);
    link.query_pairs_mut()
        .append_pair("shortenedCode", shortened_code);
    link
}

/// The code the dialog shows for `link`.
pub fn sign_up_code(patient_name: String, link: &Url) -> AppResult<SignUpCode> {
    // Medium error correction: a phone reads it off a glossy, fingerprinted laptop screen.
    let code = QrCode::with_error_correction_level(link.as_str(), EcLevel::M)
        .map_err(|_| AppError::internal("The sign-up link is too long for a QR code."))?;
    let width = code.width() as u32;
    let mut path = String::new();
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let x = index as u32 % width + QUIET_ZONE;
            let y = index as u32 / width + QUIET_ZONE;
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok(SignUpCode {
        patient_name,
        size: width + 2 * QUIET_ZONE,
        path,
        shown_for_seconds: SHOWN_FOR_SECONDS,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_built_as_humas_server_builds_it() {
        let base = Url::parse("https://app.example.com").unwrap();
        assert_eq!(
            personal_link(&base, "Ab-3_x").as_str(),
            "https://app.example.com/signup?shortenedCode=Ab-3_x"
        );
        let nested = Url::parse("http://127.0.0.1:9/sandbox/").unwrap();
        assert_eq!(
            personal_link(&nested, "a b&c").as_str(),
            "http://127.0.0.1:9/sandbox/signup?shortenedCode=a+b%26c"
        );
    }

    #[test]
    fn the_code_is_a_square_of_modules_inside_a_quiet_zone() {
        let link =
            Url::parse("https://app.example.com/signup?shortenedCode=abcdefghijklmnop").unwrap();
        let code = sign_up_code("Sam Okafor".into(), &link).unwrap();
        // 62 characters need a version 4 code at level M: 33 modules, plus the zone.
        assert_eq!(code.size, 33 + 2 * QUIET_ZONE);
        // The finder pattern's top-left corner is the first dark module, just inside the zone.
        assert!(code.path.starts_with("M4 4h1v1h-1z"));
        assert_eq!(code.shown_for_seconds, 120);
        // Another code draws another picture.
        let other =
            Url::parse("https://app.example.com/signup?shortenedCode=bcdefghijklmnopq").unwrap();
        assert_ne!(sign_up_code("Sam".into(), &other).unwrap().path, code.path);
    }

    #[test]
    fn debug_output_leaves_the_code_out() {
        let link = Url::parse("https://app.example.com/signup?shortenedCode=abc").unwrap();
        let code = sign_up_code("Sam Okafor".into(), &link).unwrap();
        let shown = format!("{code:?}");
        assert!(!shown.contains("Sam") && !shown.contains('M'), "{shown}");
    }
}
