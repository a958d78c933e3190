//! ISO-8601 durations as Huma's `expiresIn` takes them (`P1W`, `P3D`, `PT12H`, `P1DT30M`, …).

/// The longest invitation the sandbox accepts: one year (a sandbox choice; keeps instants sane).
pub const MAX_SECS: i64 = 366 * 24 * 60 * 60;

/// Seconds in `P[nW][nD][T[nH][nM][nS]]`: whole numbers, designators upper case and in that order,
/// at least one component, `T` only when a time component follows. Zero, or more than `MAX_SECS`,
/// is `None`, as is anything else (months and years have no fixed length: not accepted).
pub fn parse_seconds(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((_, "")) => return None,
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut components = 0;
    for (part, units) in [
        (date, &[('W', 7 * 86_400), ('D', 86_400)][..]),
        (time.unwrap_or(""), &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut rest = part;
        let mut next_unit = 0;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            let value: i64 = rest[..digits].parse().ok()?;
            let designator = rest[digits..].chars().next()?;
            let offset = units[next_unit..]
                .iter()
                .position(|(unit, _)| *unit == designator)?;
            let (_, scale) = units[next_unit + offset];
            next_unit += offset + 1;
            total = total.checked_add(value.checked_mul(scale)?)?;
            components += 1;
            rest = &rest[digits + designator.len_utf8()..];
        }
    }
    (components > 0 && total > 0 && total <= MAX_SECS).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        assert_eq!(parse_seconds("P1W"), Some(604_800));
        assert_eq!(parse_seconds("P3D"), Some(259_200));
        assert_eq!(parse_seconds("PT12H"), Some(43_200));
        assert_eq!(parse_seconds("PT90M"), Some(5_400));
        assert_eq!(parse_seconds("PT45S"), Some(45));
        assert_eq!(parse_seconds("P1W2D"), Some(777_600));
        assert_eq!(parse_seconds("P1DT1H1M1S"), Some(90_061));
        assert_eq!(parse_seconds("PT1H30S"), Some(3_630));
        assert_eq!(parse_seconds("P366D"), Some(MAX_SECS));
    }

    #[test]
    fn rejected_forms() {
        for bad in [
            "",
            "P",
            "PT",
            "P1",
            "1W",
            "p1w",
            "P1w",
            "P0D",
            "PT0S",
            "P1M",
            "P1Y",
            "P1D2W",
            "PT1S1H",
            "P1DT",
            "P1.5D",
            "P-1D",
            "P+1D",
            "P1W1W",
            "P367D",
            "P9999999999D",
            " P1W",
            "P1W ",
            "P1H",
            "PT1D",
            "P１D",
        ] {
            assert_eq!(parse_seconds(bad), None, "{bad:?}");
        }
    }
}
