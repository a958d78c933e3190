//! The account's database key, wrapped by the clinician's password, so the app can open the
//! database offline (and with a dead keyring) from the password alone.
//!
//! Format (`store.key` beside the database, JSON): Argon2id (RFC 9106's second recommended setting:
//! 64 MiB, 3 passes, 4 lanes, 16-byte random salt) derives a 256-bit key from the password; that key
//! seals the random database key and the clinician's profile with XChaCha20-Poly1305 under a random
//! 24-byte nonce. The associated data binds the format version, the KDF settings and the account
//! folder's name, so a blob copied to another account, or with its settings edited, does not open.
//! A wrong password and a tampered blob are the same failure: the AEAD tag does not verify.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::secrets::Secret;
use crate::ui_types::Clinician;

const FORMAT_VERSION: u32 = 1;
const KDF_ALGORITHM: &str = "argon2id";
const AEAD_ALGORITHM: &str = "xchacha20poly1305";

/// Argon2id cost for new blobs: RFC 9106 §4, second recommended option (64 MiB, t = 3, p = 4).
/// About a quarter of a second on a clinic laptop; an attacker with the disk pays it per guess.
pub const KDF_MEMORY_KIB: u32 = 64 * 1024;
pub const KDF_ITERATIONS: u32 = 3;
pub const KDF_PARALLELISM: u32 = 4;

/// A blob asking for more than this is refused rather than run (a tampered file must not be able
/// to make sign-in allocate gigabytes or spin for minutes).
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 16;
const MAX_PARALLELISM: u32 = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyWrapError {
    /// The password does not open the blob (or the blob was altered: the two look the same).
    #[error("the password does not open the saved key")]
    WrongPassword,
    /// The file is not a wrapped key this version can read.
    #[error("the saved key file cannot be read: {0}")]
    Unreadable(String),
}

/// The KDF settings and salt, stored in clear beside the sealed key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfSpec {
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hex.
    pub salt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WrappedKey {
    pub version: u32,
    pub kdf: KdfSpec,
    pub aead: String,
    /// Hex.
    pub nonce: String,
    /// Hex: the sealed [`KeyContents`] and the 16-byte tag.
    pub ciphertext: String,
}

/// What the password protects: the database key and who the account belongs to (shown offline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyContents {
    pub store_key: Secret,
    pub clinician: Clinician,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sealed {
    store_key: String,
    clinician: Clinician,
}

/// Seals `contents` under `password` for the account folder `account`, with a fresh salt and nonce.
pub fn wrap(
    password: &Secret,
    account: &str,
    contents: &KeyContents,
) -> Result<WrappedKey, KeyWrapError> {
    let kdf = KdfSpec {
        algorithm: KDF_ALGORITHM.into(),
        memory_kib: KDF_MEMORY_KIB,
        iterations: KDF_ITERATIONS,
        parallelism: KDF_PARALLELISM,
        salt: hex::encode(rand::random::<[u8; 16]>()),
    };
    let nonce = rand::random::<[u8; 24]>();
    let cipher = cipher(password, &kdf)?;
    let plain = serde_json::to_vec(&Sealed {
        store_key: contents.store_key.expose().to_owned(),
        clinician: contents.clinician.clone(),
    })
    .map_err(|e| KeyWrapError::Unreadable(e.to_string()))?;
    let aad = associated_data(FORMAT_VERSION, &kdf, account);
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| KeyWrapError::Unreadable("sealing failed".into()))?;
    Ok(WrappedKey {
        version: FORMAT_VERSION,
        kdf,
        aead: AEAD_ALGORITHM.into(),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    })
}

/// Opens a blob made by [`wrap`] for the same account folder.
pub fn unwrap(
    password: &Secret,
    account: &str,
    wrapped: &WrappedKey,
) -> Result<KeyContents, KeyWrapError> {
    if wrapped.version != FORMAT_VERSION || wrapped.aead != AEAD_ALGORITHM {
        return Err(KeyWrapError::Unreadable(format!(
            "unsupported format {} / {}",
            wrapped.version, wrapped.aead
        )));
    }
    let nonce = hex::decode(&wrapped.nonce)
        .ok()
        .filter(|n| n.len() == 24)
        .ok_or_else(|| KeyWrapError::Unreadable("bad nonce".into()))?;
    let ciphertext = hex::decode(&wrapped.ciphertext)
        .map_err(|_| KeyWrapError::Unreadable("bad ciphertext encoding".into()))?;
    let cipher = cipher(password, &wrapped.kdf)?;
    let aad = associated_data(wrapped.version, &wrapped.kdf, account);
    let plain = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| KeyWrapError::WrongPassword)?;
    // Authentic from here on: a parse failure means a bug, not an attacker.
    let sealed: Sealed =
        serde_json::from_slice(&plain).map_err(|e| KeyWrapError::Unreadable(e.to_string()))?;
    Ok(KeyContents {
        store_key: Secret::new(sealed.store_key),
        clinician: sealed.clinician,
    })
}

/// Spends the time of one unwrap, so an unknown email answers as slowly as a wrong password.
pub fn spend_equal_time(password: &Secret) {
    let kdf = KdfSpec {
        algorithm: KDF_ALGORITHM.into(),
        memory_kib: KDF_MEMORY_KIB,
        iterations: KDF_ITERATIONS,
        parallelism: KDF_PARALLELISM,
        salt: hex::encode([0u8; 16]),
    };
    let _ = cipher(password, &kdf);
}

fn cipher(password: &Secret, kdf: &KdfSpec) -> Result<XChaCha20Poly1305, KeyWrapError> {
    if kdf.algorithm != KDF_ALGORITHM
        || kdf.memory_kib > MAX_MEMORY_KIB
        || kdf.iterations > MAX_ITERATIONS
        || kdf.parallelism > MAX_PARALLELISM
    {
        return Err(KeyWrapError::Unreadable(
            "unsupported key derivation settings".into(),
        ));
    }
    let salt = hex::decode(&kdf.salt)
        .ok()
        .filter(|s| s.len() >= 16)
        .ok_or_else(|| KeyWrapError::Unreadable("bad salt".into()))?;
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| KeyWrapError::Unreadable(e.to_string()))?;
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.expose().as_bytes(), &salt, &mut key)
        .map_err(|e| KeyWrapError::Unreadable(e.to_string()))?;
    let cipher = XChaCha20Poly1305::new_from_slice(&key)
        .map_err(|_| KeyWrapError::Unreadable("bad key length".into()));
    key.fill(0);
    cipher
}

fn associated_data(version: u32, kdf: &KdfSpec, account: &str) -> String {
    format!(
        "huma-clinician wrapped store key v{version}|{account}|{}|{}|{}|{}|{}",
        kdf.algorithm, kdf.memory_kib, kdf.iterations, kdf.parallelism, kdf.salt
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents() -> KeyContents {
        KeyContents {
            store_key: Secret::new("ab".repeat(32)),
            clinician: Clinician {
                id: "uid-1".into(),
                given_name: "Amelia".into(),
                family_name: "Hart".into(),
                email: "amelia@example.com".into(),
            },
        }
    }

    #[test]
    fn the_right_password_opens_the_key_and_a_wrong_one_does_not() {
        let password = Secret::new("correct horse");
        let wrapped = wrap(&password, "acct", &contents()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(unwrap(&password, "acct", &wrapped), Ok(contents()));
        assert_eq!(
            unwrap(&Secret::new("Correct horse"), "acct", &wrapped),
            Err(KeyWrapError::WrongPassword)
        );
        // Nothing of the key or the clinician is readable in the file.
        let json = serde_json::to_string(&wrapped).unwrap_or_default();
        assert!(!json.contains(&"ab".repeat(32)) && !json.contains("Amelia"));
        assert!(!json.contains("amelia@example.com"));
    }

    #[test]
    fn a_tampered_blob_or_one_from_another_account_is_refused() {
        let password = Secret::new("pw");
        let wrapped = wrap(&password, "acct", &contents()).unwrap_or_else(|e| panic!("{e}"));

        let mut flipped = wrapped.clone();
        let mut bytes = hex::decode(&flipped.ciphertext).unwrap_or_default();
        bytes[3] ^= 1;
        flipped.ciphertext = hex::encode(bytes);
        assert_eq!(
            unwrap(&password, "acct", &flipped),
            Err(KeyWrapError::WrongPassword)
        );

        let mut weaker = wrapped.clone();
        weaker.kdf.iterations = 1;
        assert_eq!(
            unwrap(&password, "acct", &weaker),
            Err(KeyWrapError::WrongPassword)
        );

        assert_eq!(
            unwrap(&password, "other-acct", &wrapped),
            Err(KeyWrapError::WrongPassword)
        );

        let mut greedy = wrapped.clone();
        greedy.kdf.memory_kib = u32::MAX;
        assert!(matches!(
            unwrap(&password, "acct", &greedy),
            Err(KeyWrapError::Unreadable(_))
        ));

        let mut truncated = wrapped;
        truncated.nonce.truncate(10);
        assert!(matches!(
            unwrap(&password, "acct", &truncated),
            Err(KeyWrapError::Unreadable(_))
        ));
    }

    #[test]
    fn each_wrap_uses_a_fresh_salt_and_nonce() {
        let password = Secret::new("pw");
        let a = wrap(&password, "acct", &contents()).unwrap_or_else(|e| panic!("{e}"));
        let b = wrap(&password, "acct", &contents()).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a.kdf.salt, b.kdf.salt);
        assert_ne!(a.nonce, b.nonce);
        assert_eq!(a.kdf.memory_kib, 65_536);
    }
}
