//! NHS numbers: ten digits, the last a modulus-11 check digit over the first nine (weights 10 down to 2).
//! The sandbox only issues numbers from the `999` test range, which is never allocated to a person.

/// The check digit for the first nine digits (each 0–9), or `None` when the remainder makes the
/// number unusable (a check value of 10: no valid NHS number starts with those nine digits).
pub fn check_digit(first_nine: [u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&digit, weight)| u32::from(digit) * weight)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => u8::try_from(check).ok(),
    }
}

/// Whether `number` (spaces allowed anywhere, e.g. `943 476 5919`) is a valid NHS number.
pub fn is_valid(number: &str) -> bool {
    let Some(digits) = digits_of(number) else {
        return false;
    };
    let mut first_nine = [0u8; 9];
    first_nine.copy_from_slice(&digits[..9]);
    check_digit(first_nine) == Some(digits[9])
}

/// The usual display form `999 123 4567`, or `None` when `number` is not ten digits.
pub fn format_spaced(number: &str) -> Option<String> {
    let digits = digits_of(number)?;
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    Some(format!("{} {} {}", &text[..3], &text[3..6], &text[6..]))
}

/// Ten digits with any spaces removed; `None` for anything else.
fn digits_of(number: &str) -> Option<[u8; 10]> {
    let mut out = [0u8; 10];
    let mut len = 0;
    for c in number.chars().filter(|c| *c != ' ') {
        let digit = c.to_digit(10)?;
        *out.get_mut(len)? = u8::try_from(digit).ok()?;
        len += 1;
    }
    (len == 10).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_numbers_pass() {
        for number in ["943 476 5919", "9434765919", "401 023 2137", "999 999 9999"] {
            assert!(is_valid(number), "{number} should be valid");
        }
    }

    #[test]
    fn check_digit_matches_worked_example() {
        // 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
        assert_eq!(check_digit([9, 4, 3, 4, 7, 6, 5, 9, 1]), Some(9));
        // Remainder 0 gives check 11, written as 0.
        assert_eq!(check_digit([0; 9]), Some(0));
    }

    #[test]
    fn a_remainder_of_one_has_no_check_digit() {
        // 1*10 + 1*2 = 12; 12 % 11 = 1; 11 - 1 = 10, which no single digit can hold.
        assert_eq!(check_digit([1, 0, 0, 0, 0, 0, 0, 0, 1]), None);
    }

    #[test]
    fn invalid_numbers_fail() {
        for number in [
            "943 476 5918",
            "943476591",
            "94347659190",
            "943-476-5919",
            "",
            "abcdefghij",
            "１２３４５６７８９０",
        ] {
            assert!(!is_valid(number), "{number:?} should be invalid");
        }
    }

    #[test]
    fn formats_with_spaces() {
        assert_eq!(format_spaced("9434765919").as_deref(), Some("943 476 5919"));
        assert_eq!(format_spaced("94347"), None);
    }
}
