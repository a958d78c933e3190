//! A real round trip through the OS keyring (Secret Service on Linux, under `dbus-run-session` with
//! gnome-keyring in the test command). Ignored by a plain `cargo test` because it needs that service;
//! `scripts/test.sh` runs it with `--ignored`.

use huma_core::secrets::{KeyringStore, Secret, SecretStore};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A per-run service name, so runs never see each other's entries.
fn service() -> String {
    format!("Huma Clinician (keyring test {})", uuid::Uuid::new_v4())
}

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh runs it"]
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

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh runs it"]
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
