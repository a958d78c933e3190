//! A secret string: redacted when printed, never serialised, wiped when dropped. Passwords, tokens
//! and codes travel in it from the sign-in form to the request that needs them.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string. Debug and Display print `[redacted]`; it has no `Serialize`, so it cannot leak into
/// JSON, IPC or logs by accident. Read it with [`Secret::expose`] at the one place that needs it.
/// Its buffer is overwritten with zeros when it is dropped (every clone is a `Secret` too), so a
/// password or token does not linger in freed memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Secret {}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("eyJhbGciOi.token");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "eyJhbGciOi.token");
    }

    #[test]
    fn a_secret_is_wiped_when_dropped() {
        fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}
        let mut secret = Secret::new("correct horse battery staple");
        wiped_on_drop(&secret);
        wiped_on_drop(&secret.clone());
        // What the drop runs: the buffer is overwritten, then emptied.
        secret.zeroize();
        assert_eq!(secret.expose(), "");
    }
}
