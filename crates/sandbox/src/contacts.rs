//! The contact checks Huma's validation makes on invitees and sign-ups: E.164 phone numbers and
//! emails of a plausible shape. Deliberately simple: the app validates properly before sending.

/// `+` then 8 to 15 digits, the first not 0 (no spaces or other formatting).
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// `local@domain.tld`: one `@`, no spaces or control characters, a local part of at most 64
/// characters without leading, trailing or doubled dots, and a domain of at least two labels
/// (letters, digits, hyphens not at either end; non-ASCII allowed) whose last has two or more
/// characters. At most 254 characters in all.
pub fn is_plausible_email(email: &str) -> bool {
    if email.chars().count() > 254 {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| {
                    c.is_alphanumeric() || c == '-' || (!c.is_ascii() && !c.is_whitespace())
                })
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        for ok in ["+447700900123", "+12025550123", "+61491570156", "+35312345"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "447700900123",
            "+44 7700 900123",
            "+4412345",
            "+1234567890123456",
            "+047700900123",
            "+44770090012a",
            "",
            "+",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            "zoe.o'brien@example.com",
            "first+tag@sub.example.org",
            "siân@exämple.cymru",
        ] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a b@example.com",
            "a@@example.com",
            "a@exa mple.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "<a@example.com>",
            "Name <a@example.com>",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        assert!(!is_plausible_email(&format!(
            "{}@example.com",
            "a".repeat(65)
        )));
    }
}
