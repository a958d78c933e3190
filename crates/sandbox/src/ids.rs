//! Huma's ids are MongoDB ObjectIds: 24 lowercase hex digits (the published spec's path pattern
//! `^[a-f0-9]{24}$`). Every id the sandbox makes has that shape, and an id it is given must too:
//! anything else is a validation error (403 `100050`), as Huma's `validate_object_id` answers.

/// A fresh ObjectId-shaped id: the seconds of `now_micros`, then random bytes.
pub fn object_id(now_micros: i64) -> String {
    let seconds = u32::try_from(now_micros.div_euclid(1_000_000)).unwrap_or(u32::MAX);
    format!("{seconds:08x}{}", hex::encode(rand::random::<[u8; 8]>()))
}

pub fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_object_id_shape() {
        let id = object_id(1_700_000_000_000_000);
        assert!(id.starts_with("6553f100"));
        assert!(is_object_id(&id));
        assert!(is_object_id("0123456789abcdef01234567"));
        for bad in [
            "0123456789ABCDEF01234567",
            "0123456789abcdef0123456",
            "0123456789abcdef012345678",
            "0123456789abcdef0123456g",
            "",
        ] {
            assert!(!is_object_id(bad), "{bad}");
        }
    }
}
