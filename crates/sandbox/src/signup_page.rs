//! The HTML of the patient sign-up pages: plain forms that work without script, labelled fields,
//! errors announced in words, everything interpolated escaped, and only inline styles. The pages
//! take plain values and use nothing of `signup` (which calls them), so the two depend one way.

use crate::text::html_escape;

/// What the form page says about the invitation.
pub struct FormPage {
    pub shortened_code: String,
    pub invited_by: String,
    pub deployment_name: String,
    /// Email invitations must sign up with the address they were sent to.
    pub email_invite: bool,
    /// For people: "3 December 2026 at 18:22 UTC".
    pub expires_at: String,
    /// The shortest password the sign-up accepts, for the hint and the field's `minlength`.
    pub min_password_chars: usize,
}

/// The values to show in the form (never the password).
#[derive(Default)]
pub struct FormValues {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub date_of_birth: String,
}

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f6f7f9; line-height: 1.5; }
main { max-width: 32rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: .5rem; }
h1 { font-size: 1.6rem; margin-top: 0; }
label { display: block; font-weight: 600; margin-top: 1rem; }
.hint { display: block; color: #4a4a4a; font-size: .9rem; margin-top: .1rem; }
input { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; margin-top: .25rem; border: 2px solid #5a5a5a; border-radius: .25rem; }
input:focus, button:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
button { margin-top: 1.5rem; font: inherit; font-weight: 600; padding: .6rem 1.2rem; color: #fff; background: #005ea5; border: 0; border-radius: .25rem; cursor: pointer; }
.error { border-left: 5px solid #b10e1e; padding: .5rem 1rem; background: #fdf2f2; }
.error h2 { font-size: 1.1rem; margin: 0 0 .25rem; color: #b10e1e; }
.note { color: #4a4a4a; font-size: .9rem; }
";

fn document(title: &str, main: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{main}
<p class="note">Huma sandbox: a local test server. Nothing here reaches a real service.</p>
</main>
</body>
</html>
"#,
        title = html_escape(title),
    )
}

/// The sign-up form, with an error summary when `error` is given.
pub fn form(about: &FormPage, values: &FormValues, error: Option<&str>) -> String {
    let summary = error
        .map(|words| {
            format!(
                "<div class=\"error\" role=\"alert\" id=\"problem\"><h2>There is a problem</h2>\
                 <p>{}</p></div>\n",
                html_escape(words)
            )
        })
        .unwrap_or_default();
    let (email_required, email_hint) = if about.email_invite {
        (
            " required",
            "Required. Use the address this invitation was sent to.",
        )
    } else {
        ("", "Optional.")
    };
    let main = format!(
        r#"<h1>Join Huma</h1>
<p>{invited_by} has invited you to join the patient list <strong>{list}</strong> on Huma.</p>
<p class="note">This invitation expires on {expires}.</p>
{summary}<form method="post" action="/sandbox/signup/{code}">
<label for="givenName">Given name</label>
<input id="givenName" name="givenName" autocomplete="given-name" required maxlength="100" value="{given}">
<label for="familyName">Family name</label>
<input id="familyName" name="familyName" autocomplete="family-name" required maxlength="100" value="{family}">
<label for="email">Email address</label>
<span class="hint" id="email-hint">{email_hint}</span>
<input id="email" name="email" type="email" autocomplete="email" aria-describedby="email-hint"{email_required} value="{email}">
<label for="dateOfBirth">Date of birth</label>
<span class="hint" id="dob-hint">Optional. For example 1980-04-23.</span>
<input id="dateOfBirth" name="dateOfBirth" type="date" autocomplete="bday" aria-describedby="dob-hint" value="{dob}">
<label for="password">Password</label>
<span class="hint" id="password-hint">At least {min} characters.</span>
<input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint" required minlength="{min}">
<button type="submit">Create account</button>
</form>"#,
        invited_by = html_escape(&about.invited_by),
        list = html_escape(&about.deployment_name),
        expires = html_escape(&about.expires_at),
        code = html_escape(&about.shortened_code),
        given = html_escape(&values.given_name),
        family = html_escape(&values.family_name),
        email = html_escape(&values.email),
        dob = html_escape(&values.date_of_birth),
        min = about.min_password_chars,
    );
    let title = if error.is_none() {
        "Join Huma"
    } else {
        "Error: Join Huma"
    };
    document(title, &main)
}

/// The invitation cannot be used (unknown, used or expired).
pub fn unavailable(words: &str) -> String {
    let main = format!(
        "<h1>This invitation cannot be used</h1>\n<p role=\"alert\">{}</p>",
        html_escape(words)
    );
    document("Invitation not valid", &main)
}

/// The sandbox itself failed.
pub fn failed(words: &str) -> String {
    let main = format!(
        "<h1>Something went wrong</h1>\n<p role=\"alert\">{}</p>",
        html_escape(words)
    );
    document("Something went wrong", &main)
}

/// The account was created on `deployment_name`; `sign_in_with` is the email or phone number the
/// patient signs in with.
pub fn done(deployment_name: &str, sign_in_with: Option<&str>) -> String {
    let contact = sign_in_with
        .map(|c| format!(" You can sign in to the Huma app with {}.", html_escape(c)))
        .unwrap_or_default();
    let main = format!(
        "<h1>Your account is ready</h1>\n<p role=\"status\">You have joined the patient list \
         <strong>{}</strong>.{contact}</p>",
        html_escape(deployment_name)
    );
    document("Your account is ready", &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        let about = FormPage {
            shortened_code: "\"><script>".into(),
            invited_by: "<script>alert(1)</script>".into(),
            deployment_name: "A & B's \"list\"".into(),
            email_invite: true,
            expires_at: "<b>".into(),
            min_password_chars: 8,
        };
        let values = FormValues {
            given_name: "<script>x</script>".into(),
            family_name: "\"onfocus=\"x".into(),
            email: "'><img>".into(),
            date_of_birth: "<i>".into(),
        };
        let page = form(&about, &values, Some("<em>bad</em>"));
        for raw in ["<script>", "<img>", "<b>", "<i>", "<em>", "\"onfocus"] {
            assert!(!page.contains(raw), "{raw} leaked");
        }
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("A &amp; B&#39;s &quot;list&quot;"));
        assert!(page.contains("role=\"alert\""));
        assert!(page.contains("<title>Error: Join Huma</title>"));
        assert!(page.contains(" required value=\"&#39;&gt;&lt;img&gt;\""));
        let page = done("<script>", Some("<a@b.co>"));
        assert!(!page.contains("<script>") && !page.contains("<a@"));
        assert!(!unavailable("<script>").contains("<script>"));
        assert!(!failed("<script>").contains("<script>"));
    }

    #[test]
    fn sms_invites_make_email_optional() {
        let about = FormPage {
            shortened_code: "abc".into(),
            invited_by: "Amelia Hart".into(),
            deployment_name: "List".into(),
            email_invite: false,
            expires_at: "2026-01-01T00:00:00.000000Z".into(),
            min_password_chars: 8,
        };
        let page = form(&about, &FormValues::default(), None);
        assert!(page.contains("Optional."));
        assert!(!page.contains("autocomplete=\"email\" aria-describedby=\"email-hint\" required"));
        assert!(!page.contains("role=\"alert\""));
        assert!(page.contains("<title>Join Huma</title>"));
        assert!(page.contains("action=\"/sandbox/signup/abc\""));
        assert!(page.contains(">Create account</button>"));
    }
}
