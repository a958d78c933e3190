//! A real round trip through the OS keyring: Secret Service on Linux (under `dbus-run-session` with
//! gnome-keyring in the test command), Credential Manager on Windows (under Wine in
//! `scripts/windows_tests.sh`). Ignored by a plain `cargo test` because it needs that service;
//! the test command runs it with `--include-ignored`.

use huma_core::secrets::{KeyringStore, Secret, SecretStore};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A per-run service name, so runs never see each other's entries.
fn service() -> String {
    format!("Huma Clinician (keyring test {})", uuid::Uuid::new_v4())
}

#[test]
#[ignore = "needs the OS keyring; the test command runs it"]
fn secret_round_trips_through_the_os_keyring() -> TestResult {
    let service = service();
    let keyring = KeyringStore::new(service.clone());
    assert_eq!(keyring.get("session:x")?, None);
    keyring.set("session:x", &Secret::new("refresh-token-value"))?;
    // A second handle reads what the first wrote: it is in the OS store, not in this object.
    let other = KeyringStore::new(service);
    assert_eq!(
        other.get("session:x")?,
        Some(Secret::new("refresh-token-value"))
    );
    keyring.delete("session:x")?;
    assert_eq!(other.get("session:x")?, None);
    Ok(())
}

/// Real tokens are ASCII (JWTs), one byte a character in UTF-8 but two in the UTF-16 Windows stores:
/// a part cut at 2,000 UTF-8 bytes is 4,000 bytes to Credential Manager, over its 2,560 limit.
#[test]
#[ignore = "needs the OS keyring; the test command runs it"]
fn ascii_tokens_of_every_real_size_round_trip() -> TestResult {
    let keyring = KeyringStore::new(service());
    for length in [500, 1_300, 3_000, 10_000] {
        let token: String = (0..length)
            .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789-_."[i % 39]))
            .collect();
        keyring
            .set("session:token", &Secret::new(token.clone()))
            .map_err(|e| format!("a token of {length} characters: {e}"))?;
        assert_eq!(
            keyring.get("session:token")?.map(|s| s.expose().to_owned()),
            Some(token),
            "a token of {length} characters"
        );
    }
    keyring.delete("session:token")?;
    assert_eq!(keyring.get("session:token")?, None);
    assert_eq!(
        keyring.get("session:token#0")?,
        None,
        "a part was left behind"
    );
    Ok(())
}

#[test]
#[ignore = "needs the OS keyring; the test command runs it"]
fn a_token_longer_than_windows_allows_is_split_and_rejoined() -> TestResult {
    let keyring = KeyringStore::new(service());
    let long = "é".repeat(3_000) + "end";
    keyring.set("session:long", &Secret::new(long.clone()))?;
    assert_eq!(
        keyring.get("session:long")?.map(|s| s.expose().to_owned()),
        Some(long)
    );
    // Overwriting with a short value removes the old parts.
    keyring.set("session:long", &Secret::new("short"))?;
    assert_eq!(keyring.get("session:long")?, Some(Secret::new("short")));
    assert_eq!(keyring.get("session:long#0")?, None);
    keyring.delete("session:long")?;
    Ok(())
}
