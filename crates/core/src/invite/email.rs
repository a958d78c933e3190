//! Email addresses typed, pasted (Outlook lists included) or imported.
//!
//! Syntax is checked by the `email_address` crate (RFC 5322) with our stricter rules on top, each
//! with its own sentence:
//! - a real internet domain: at least one dot, letters/digits/hyphens per label, a top-level label
//!   of 2+ characters that is not all digits (no `user@localhost`, IP literals or `x_y.com`);
//! - no spaces, quotes, `<`/`>` or display text inside the address itself;
//! - an ASCII local part (few mail systems deliver SMTPUTF8); internationalised domains are fine
//!   and are stored in their ASCII (punycode) form, which every mail server accepts;
//! - normalised: trimmed, `mailto:` dropped, domain lower-cased; the local part keeps its case but
//!   addresses are compared case-insensitively (see [`address_key`]).

use std::collections::HashSet;

use email_address::{EmailAddress, Options};

use super::sms_text::{collapse_whitespace, describe_char};
use super::types::EmailChip;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("The email address is empty.")]
    Empty,
    #[error("The email address is missing an @.")]
    MissingAt,
    #[error("The email address has more than one @.")]
    MoreThanOneAt,
    #[error("The email address contains a space.")]
    Space,
    #[error("The email address contains < or >.")]
    AngleBracket,
    #[error("The email address contains quotes.")]
    Quote,
    #[error("The email address contains {0}, which is not allowed.")]
    Character(String),
    #[error("The part before @ is empty.")]
    LocalEmpty,
    #[error("The part after @ is empty.")]
    DomainEmpty,
    #[error("The part after @ is not a domain.")]
    NotADomain,
    #[error("The email address has two dots in a row.")]
    ConsecutiveDots,
    #[error("The part {0} @ starts or ends with a dot.")]
    EdgeDot(&'static str),
    #[error("The email address is too long.")]
    TooLong,
    #[error("The email address is not valid.")]
    Invalid,
}

const LOCAL_MAX: usize = 64;
const ADDRESS_MAX: usize = 254;
/// RFC 5322 `atext` punctuation allowed unquoted in a local part.
const LOCAL_PUNCTUATION: &str = "!#$%&'*+-/=?^_`{|}~.";

/// Checks one address and returns it normalised.
pub fn validate_email(s: &str) -> Result<String, EmailError> {
    let s = s.trim();
    let s = strip_prefix_ignore_case(s, "mailto:").unwrap_or(s);
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    if !s.contains('@') {
        return Err(EmailError::MissingAt);
    }
    if s.contains(['<', '>']) {
        return Err(EmailError::AngleBracket);
    }
    if s.contains(char::is_whitespace) {
        return Err(EmailError::Space);
    }
    if s.contains('"') {
        return Err(EmailError::Quote);
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(EmailError::MissingAt);
    };
    if domain.contains('@') {
        return Err(EmailError::MoreThanOneAt);
    }
    check_local(local)?;
    let domain = normalise_domain(domain)?;
    let address = format!("{local}@{domain}");
    if address.len() > ADDRESS_MAX {
        return Err(EmailError::TooLong);
    }
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    EmailAddress::parse_with_options(&address, options).map_err(|_| EmailError::Invalid)?;
    Ok(address)
}

/// The key two addresses are compared by: the same mailbox whatever the case.
pub fn address_key(address: &str) -> String {
    address.to_lowercase()
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn check_local(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::LocalEmpty);
    }
    if let Some(c) = local
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !LOCAL_PUNCTUATION.contains(*c))
    {
        return Err(EmailError::Character(describe_char(c)));
    }
    check_dots(local, "before")?;
    if local.len() > LOCAL_MAX {
        return Err(EmailError::TooLong);
    }
    Ok(())
}

fn check_dots(part: &str, which: &'static str) -> Result<(), EmailError> {
    if part.contains("..") {
        Err(EmailError::ConsecutiveDots)
    } else if part.starts_with('.') || part.ends_with('.') {
        Err(EmailError::EdgeDot(which))
    } else {
        Ok(())
    }
}

/// The domain in lower-case ASCII (IDNA for internationalised names), or why it is not one.
fn normalise_domain(domain: &str) -> Result<String, EmailError> {
    if domain.is_empty() {
        return Err(EmailError::DomainEmpty);
    }
    check_dots(domain, "after")?;
    let ascii = if domain.is_ascii() {
        domain.to_ascii_lowercase()
    } else {
        match url::Host::parse(domain) {
            Ok(url::Host::Domain(ascii)) => ascii,
            _ => return Err(EmailError::NotADomain),
        }
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && !t.bytes().all(|b| b.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(EmailError::NotADomain);
    }
    Ok(ascii)
}

/// Splits what was typed or pasted into chips: on commas, semicolons, line breaks and tabs, but
/// not inside quotes or `<…>`. Understands `Name <addr>`, `"Last, First" <addr>` and `<addr>`.
/// Duplicates (compared case-insensitively) are merged; the first one wins.
pub fn parse_recipients(text: &str) -> Vec<EmailChip> {
    let mut seen = HashSet::new();
    let mut chips = Vec::new();
    for token in merge_outlook_names(split_tokens(text)) {
        let chip = chip(&token);
        if let Some(address) = &chip.address {
            if !seen.insert(address_key(address)) {
                continue;
            }
        }
        chips.push(chip);
    }
    chips
}

/// Tokens and whether a comma ended each. An unbalanced quote or `<` would swallow the rest of the
/// paste, so then the text is split again ignoring them.
fn split_tokens(text: &str) -> Vec<(String, bool)> {
    split_tokens_with(text, true)
        .unwrap_or_else(|| split_tokens_with(text, false).unwrap_or_default())
}

fn split_tokens_with(text: &str, respect_quotes: bool) -> Option<Vec<(String, bool)>> {
    let mut tokens = Vec::new();
    let (mut current, mut in_quotes, mut in_angle) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' if respect_quotes && !in_angle => in_quotes = !in_quotes,
            '<' if respect_quotes && !in_quotes => in_angle = true,
            '>' if respect_quotes && !in_quotes => in_angle = false,
            ',' | ';' | '\n' | '\r' | '\t' if !in_quotes && !in_angle => {
                tokens.push((std::mem::take(&mut current), c == ','));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if in_quotes || in_angle {
        return None;
    }
    tokens.push((current, false));
    let tokens = tokens
        .into_iter()
        .map(|(t, comma)| (t.trim().to_owned(), comma))
        .filter(|(t, _)| !t.is_empty())
        .collect();
    Some(tokens)
}

/// Outlook can paste `Hart, Amelia <amelia@example.com>` without quotes: a comma-ended fragment with
/// no address, followed by a `Name <addr>` token, is the first half of that name.
fn merge_outlook_names(tokens: Vec<(String, bool)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    for (token, ended_by_comma) in tokens {
        let token = match pending.take() {
            Some(first) if is_name_and_address(&token) => format!("{first}, {token}"),
            Some(first) => {
                out.push(first);
                token
            }
            None => token,
        };
        if ended_by_comma && !token.contains(['@', '<']) {
            pending = Some(token);
        } else {
            out.push(token);
        }
    }
    out.extend(pending);
    out
}

fn is_name_and_address(token: &str) -> bool {
    token.ends_with('>') && token.find('<').is_some_and(|i| i > 0)
}

fn chip(token: &str) -> EmailChip {
    let (name, address) = match token.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
        Some((name, address)) => (display_name(name), address),
        None => (None, token),
    };
    let (address, error) = match validate_email(address) {
        Ok(a) => (Some(a), None),
        Err(e) => (None, Some(e.to_string())),
    };
    // A name that is only the address again adds nothing.
    let name = name.filter(|n| Some(address_key(n)) != address.as_deref().map(address_key));
    EmailChip {
        input: token.to_owned(),
        address,
        name,
        error,
    }
}

/// The display text of `Name <addr>`, unquoted; markup in it is junk, not a name.
fn display_name(raw: &str) -> Option<String> {
    let unquoted = raw.trim().trim_matches(['"', '\'']).replace("\\\"", "\"");
    Some(collapse_whitespace(&unquoted)).filter(|n| !n.is_empty() && !n.contains(['<', '>']))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn validation_table() {
        use EmailError::*;
        let ok = [
            ("sam@example.com", "sam@example.com"),
            ("  Sam.Patel@Example.COM ", "Sam.Patel@example.com"),
            ("mailto:sam@example.com", "sam@example.com"),
            ("MAILTO:sam@example.com", "sam@example.com"),
            ("sam+huma@example.co.uk", "sam+huma@example.co.uk"),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("sam@mail-1.example.com", "sam@mail-1.example.com"),
            ("sam@müller.example", "sam@xn--mller-kva.example"),
            ("sam@xn--mller-kva.example", "sam@xn--mller-kva.example"),
            ("sam@bücher.DE", "sam@xn--bcher-kva.de"),
        ];
        for (input, want) in ok {
            assert_eq!(validate_email(input).as_deref(), Ok(want), "{input:?}");
        }
        let refused = [
            ("", Empty),
            ("   ", Empty),
            ("sam.example.com", MissingAt),
            ("Sam Patel", MissingAt),
            ("sam@@example.com", MoreThanOneAt),
            ("sam@example@com", MoreThanOneAt),
            ("sam patel@example.com", Space),
            ("sam@exam ple.com", Space),
            ("<script>@x.com", AngleBracket),
            ("sam@example.com>", AngleBracket),
            ("\"sam\"@example.com", Quote),
            ("sam,patel@example.com", Character("“,”".into())),
            ("jörg@example.de", Character("“ö”".into())),
            ("@example.com", LocalEmpty),
            ("sam@", DomainEmpty),
            ("user@localhost", NotADomain),
            ("sam@[127.0.0.1]", NotADomain),
            ("sam@127.0.0.1", NotADomain),
            ("sam@x_y.com", NotADomain),
            ("sam@-example.com", NotADomain),
            ("sam@example.c", NotADomain),
            ("sam..patel@example.com", ConsecutiveDots),
            ("sam@example..com", ConsecutiveDots),
            (".sam@example.com", EdgeDot("before")),
            ("sam.@example.com", EdgeDot("before")),
            ("sam@example.com.", EdgeDot("after")),
            ("sam@.example.com", EdgeDot("after")),
        ];
        for (input, want) in refused {
            assert_eq!(validate_email(input), Err(want), "{input:?}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(validate_email(&long_local), Err(TooLong));
        let long = format!("sam@{}.com", vec!["a".repeat(60); 5].join("."));
        assert_eq!(validate_email(&long), Err(TooLong));
        assert_eq!(
            EdgeDot("after").to_string(),
            "The part after @ starts or ends with a dot."
        );
    }

    fn summary(chips: &[EmailChip]) -> Vec<(Option<&str>, Option<&str>, Option<&str>)> {
        chips
            .iter()
            .map(|c| (c.address.as_deref(), c.name.as_deref(), c.error.as_deref()))
            .collect()
    }

    #[test]
    fn outlook_paste_with_quoted_and_unquoted_last_first_names() {
        let pasted = "\"Hart, Amelia\" <Amelia.Hart@Example.com>; Sam Patel <sam@example.com>; \
                      Okafor, Chidi <chidi@example.org>;<bare@example.net>";
        let chips = parse_recipients(pasted);
        assert_eq!(
            summary(&chips),
            vec![
                (Some("Amelia.Hart@example.com"), Some("Hart, Amelia"), None),
                (Some("sam@example.com"), Some("Sam Patel"), None),
                (Some("chidi@example.org"), Some("Okafor, Chidi"), None),
                (Some("bare@example.net"), None, None),
            ]
        );
        assert_eq!(chips[0].input, "\"Hart, Amelia\" <Amelia.Hart@Example.com>");
    }

    #[test]
    fn separators_duplicates_and_errors() {
        let text = "a@example.com, b@example.com;c@example.com\nd@example.com\te@example.com\r\n\
                    A@EXAMPLE.COM, B@example.com,, ;\n  Sam Patel, sam@nowhere, <script>@x.com";
        let chips = parse_recipients(text);
        assert_eq!(
            summary(&chips),
            vec![
                (Some("a@example.com"), None, None),
                (Some("b@example.com"), None, None),
                (Some("c@example.com"), None, None),
                (Some("d@example.com"), None, None),
                (Some("e@example.com"), None, None),
                (None, None, Some("The email address is missing an @.")),
                (None, None, Some("The part after @ is not a domain.")),
                (None, None, Some("The email address contains < or >.")),
            ]
        );
        assert_eq!(chips[5].input, "Sam Patel");
    }

    #[test]
    fn names_that_repeat_the_address_are_dropped_and_bad_addresses_keep_their_name() {
        let chips = parse_recipients(
            "sam@example.com <sam@example.com>; Sam <sam@example>; <b>Bo</b> <bo@example.com>",
        );
        assert_eq!(
            summary(&chips),
            vec![
                (Some("sam@example.com"), None, None),
                (None, Some("Sam"), Some("The part after @ is not a domain.")),
                (Some("bo@example.com"), None, None),
            ]
        );
        assert!(parse_recipients(" ,;\n\t ").is_empty());
        // An unbalanced quote does not swallow the rest of the paste.
        let chips = parse_recipients("sam\"@example.com, b@example.com");
        assert_eq!(chips.len(), 2);
        assert_eq!(chips[1].address.as_deref(), Some("b@example.com"));
    }
}
