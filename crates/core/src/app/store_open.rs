//! Opening an account's encrypted database. Its random key is kept, wrapped by the clinician's
//! password, in the account's folder, and while the clinician may be resumed at start-up, in the
//! keyring too; either opens it. There is no plain-file key and no in-memory fallback: every sign-in
//! has the password, so the wrapped copy can always be made.
//!
//! Where the password is checked here and not by the server (offline sign-in, the lock screen),
//! wrong ones are counted on disk and make the next try wait ([`crate::store::attempts`]).

use std::convert::Infallible;
use std::path::Path;

use chrono::Duration;

use super::*;
use crate::store::accounts::{AccountDir, AccountIndex};
use crate::store::attempts::{describe_wait, Attempts};
use crate::store::keywrap::{self, KeyContents, KeyWrapError};
use crate::ui_types::Clinician;

/// The account whose database is open in this run, and its key.
#[derive(Clone)]
pub(super) struct OpenAccount {
    pub dir: AccountDir,
    pub key: Secret,
}

/// What opening needs: where, for whom, and which keys may open it.
pub(super) struct OpenRequest {
    pub secrets: Arc<dyn SecretStore>,
    pub data_dir: PathBuf,
    pub partition: String,
    pub clinician: Clinician,
    /// Typed at this sign-in: the key is (re)wrapped with the password, and the email indexed.
    pub typed: Option<crate::session::Typed>,
    /// The key of this account's database if it is already open in this run.
    pub open_key: Option<Secret>,
    /// Keep the key in the keyring, so a restart can open the database before the password is
    /// typed (false when policy turns resuming off).
    pub keep_key: bool,
    /// Names what is set aside.
    pub clock: Arc<dyn Clock>,
}

/// The lock screen's answer to a wrong password.
pub(super) fn wrong_password() -> AppError {
    AppError::new(
        ErrorCode::BadCredentials,
        "That password is not right. Enter the password you sign in to Huma with.",
    )
}

/// The offline sign-in's answer to a wrong password AND to an email never used here: one answer,
/// so nobody learns whether an email has an account on this computer. It starts with the server's
/// sentence and says why only some clinicians can sign in now.
pub(super) fn wrong_credentials_offline() -> AppError {
    AppError::new(
        ErrorCode::BadCredentials,
        "The email address or password is not right. The Huma server cannot be reached, so only a clinician who has signed in on this computer before can sign in now.",
    )
}

/// The keyring entry of an account's database key.
pub(super) fn store_key_entry(account: &str) -> String {
    format!("store-key:{account}")
}

fn keyring_name(dir: &AccountDir) -> String {
    store_key_entry(dir.name())
}

/// Where a run of wrong passwords is counted.
trait AttemptsRecord {
    fn load(&self) -> Result<Attempts, StoreError>;
    fn save(&self, attempts: &Attempts) -> Result<(), StoreError>;
}

impl AttemptsRecord for AccountDir {
    fn load(&self) -> Result<Attempts, StoreError> {
        self.read_attempts()
    }

    fn save(&self, attempts: &Attempts) -> Result<(), StoreError> {
        self.write_attempts(attempts)
    }
}

/// An email no account here has: counted in the index, by the email's hash, exactly as an account
/// would be, so the answers do not tell which emails have an account on this computer.
struct UnknownEmail<'a> {
    index: &'a AccountIndex<'a>,
    partition: &'a str,
    email: &'a str,
}

impl AttemptsRecord for UnknownEmail<'_> {
    fn load(&self) -> Result<Attempts, StoreError> {
        self.index.unknown_attempts(self.partition, self.email)
    }

    fn save(&self, attempts: &Attempts) -> Result<(), StoreError> {
        self.index
            .record_unknown_attempts(self.partition, self.email, attempts)
    }
}

/// A password checked on this computer.
pub(super) enum Checked<T> {
    Right(T),
    /// Wrong: how many in a row now, and the wait this one started.
    Wrong {
        failures: u32,
        wait: Option<Duration>,
    },
}

/// Runs `check` (`Some` when the password is right) unless an earlier wrong password's wait is
/// still running, which is refused unrun. The outcome is recorded before it is returned; a wait
/// starts when the check ends (Argon2 takes a while).
fn check_password<T>(
    record: &dyn AttemptsRecord,
    clock: &dyn Clock,
    check: impl FnOnce() -> AppResult<Option<T>>,
) -> AppResult<Checked<T>> {
    let mut attempts = record.load()?;
    if let Some(wait) = attempts.wait(clock.now()) {
        return Err(AppError::new(
            ErrorCode::TooManyAttempts,
            format!(
                "Too many wrong passwords. Wait {} before you try again.",
                describe_wait(wait)
            ),
        ));
    }
    match check()? {
        Some(value) => {
            if !attempts.is_clear() {
                record.save(&Attempts::default())?;
            }
            Ok(Checked::Right(value))
        }
        None => {
            let wait = attempts.failed(clock.now());
            record.save(&attempts)?;
            Ok(Checked::Wrong {
                failures: attempts.failures,
                wait,
            })
        }
    }
}

/// A wrong password's answer, saying how long the next try must wait.
pub(super) fn with_wait(mut error: AppError, wait: Option<Duration>) -> AppError {
    if let Some(wait) = wait {
        error.message.push_str(&format!(
            " Wait {} before you try again.",
            describe_wait(wait)
        ));
    }
    error
}

/// After the server accepted the clinician (or a resume from the keyring, with no password).
pub(super) fn open_signed_in(request: OpenRequest) -> AppResult<(AccountStore, OpenAccount)> {
    let dir = AccountDir::for_user(&request.data_dir, &request.partition, &request.clinician.id);
    let secrets = request.secrets.as_ref();
    let clock = request.clock.as_ref();
    let password = request.typed.as_ref().map(|t| &t.password);
    let from_keyring = match secrets.get(&keyring_name(&dir)) {
        Ok(key) => key,
        Err(e) => {
            tracing::warn!(error = %e, "keyring unavailable; using the password-wrapped key");
            None
        }
    };
    // Tried in this order; the wrapped copy is unwrapped only if the others fail.
    let mut candidates: Vec<Secret> = request.open_key.into_iter().chain(from_keyring).collect();
    candidates.dedup();
    let unwrapped = || -> Result<Option<Secret>, StoreError> {
        let (Some(password), Some(wrapped)) = (password, dir.read_wrapped_key(clock)?) else {
            return Ok(None);
        };
        Ok(keywrap::unwrap(password, dir.name(), &wrapped)
            .ok()
            .map(|c| c.store_key))
    };

    let clinician = &request.clinician;
    let existing = if dir.database().exists() {
        match open_with_any(&dir, &candidates, clock)? {
            Some(found) => Some(found),
            None => match unwrapped()? {
                Some(key) => open_with_any(&dir, std::slice::from_ref(&key), clock)?,
                None => None,
            },
        }
    } else {
        None
    };
    // A database created now has its key wrapped already.
    let (store, key, wrapped_now) = match existing {
        Some((store, key)) => (store, key, false),
        None if dir.database().exists() => {
            let (store, key) = start_afresh(&dir, password, clinician, clock)?;
            (store, key, true)
        }
        None => {
            let key = match candidates.into_iter().next() {
                Some(key) => key,
                None => unwrapped()?.unwrap_or_else(store::new_key),
            };
            let (store, key) = create(&dir, &key, password, clinician, clock)?;
            (store, key, password.is_some())
        }
    };

    if !request.keep_key {
        // Kept before the policy said no: only the password opens the database now.
        let _ = secrets.delete(&keyring_name(&dir));
    } else if let Err(e) = secrets.set(&keyring_name(&dir), &key) {
        tracing::warn!(error = %e, "database key not saved in the keyring; the password-wrapped copy is kept");
    }
    if let Some(typed) = &request.typed {
        // The password just worked on the server: wrap with it (it may have changed since), and
        // wrong ones typed here before no longer count.
        if !wrapped_now {
            rewrap(&dir, &key, &typed.password, clinician)?;
        }
        AccountIndex::new(&request.data_dir, clock).record(
            &request.partition,
            &typed.email,
            &dir,
        )?;
        if !dir.read_attempts()?.is_clear() {
            dir.write_attempts(&Attempts::default())?;
        }
    }
    Ok((store, OpenAccount { dir, key }))
}

/// The key could not be reached without the password (no keyring copy): sign in again.
fn password_needed() -> AppError {
    AppError::new(
        ErrorCode::SessionExpired,
        "Sign in with your password to open your data on this computer.",
    )
}

/// No key opens the database. With the password, set it aside (never delete it) and start a new
/// one under a new key; without it, ask for it.
fn start_afresh(
    dir: &AccountDir,
    password: Option<&Secret>,
    clinician: &Clinician,
    clock: &dyn Clock,
) -> AppResult<(AccountStore, Secret)> {
    let Some(password) = password else {
        return Err(password_needed());
    };
    tracing::warn!("local database unreadable with every saved key; setting it aside");
    dir.set_aside("unreadable", true, clock)?;
    create(dir, &store::new_key(), Some(password), clinician, clock)
}

/// A new database: its wrapped key is written first, so a database never exists that only a
/// lost keyring entry could open.
fn create(
    dir: &AccountDir,
    key: &Secret,
    password: Option<&Secret>,
    clinician: &Clinician,
    clock: &dyn Clock,
) -> AppResult<(AccountStore, Secret)> {
    if let Some(password) = password {
        rewrap(dir, key, password, clinician)?;
    }
    let store = open_checked(dir, key, clock)?
        .ok_or_else(|| AppError::from(StoreError::WrongKeyOrCorrupt))?;
    Ok((store, key.clone()))
}

fn rewrap(
    dir: &AccountDir,
    key: &Secret,
    password: &Secret,
    clinician: &Clinician,
) -> AppResult<()> {
    let contents = KeyContents {
        store_key: key.clone(),
        clinician: clinician.clone(),
    };
    let wrapped = keywrap::wrap(password, dir.name(), &contents)
        .map_err(|e| AppError::internal(format!("The key could not be protected: {e}.")))?;
    dir.write_wrapped_key(&wrapped)?;
    Ok(())
}

fn open_with_any(
    dir: &AccountDir,
    keys: &[Secret],
    clock: &dyn Clock,
) -> AppResult<Option<(AccountStore, Secret)>> {
    for key in keys {
        if let Some(store) = open_checked(dir, key, clock)? {
            return Ok(Some((store, key.clone())));
        }
    }
    Ok(None)
}

/// Opens with `key`: `None` if the key does not fit. A failed integrity check sets the files aside
/// (the key stays: the set-aside copy still opens with it) and is reported.
fn open_checked(
    dir: &AccountDir,
    key: &Secret,
    clock: &dyn Clock,
) -> AppResult<Option<AccountStore>> {
    match AccountStore::open(&dir.database(), key) {
        Ok(store) => Ok(Some(store)),
        Err(StoreError::WrongKeyOrCorrupt) => Ok(None),
        Err(StoreError::Damaged) => {
            dir.set_aside("damaged", false, clock)?;
            Err(StoreError::Damaged.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Offline sign-in: the index finds the account by email, the password unwraps its key. An unknown
/// email costs the same time, waits the same and gets the same answer as a wrong password.
pub(super) fn open_offline(
    data_dir: &Path,
    partition: &str,
    email: &str,
    password: &Secret,
    clock: &dyn Clock,
) -> AppResult<(AccountStore, OpenAccount, Clinician)> {
    let index = AccountIndex::new(data_dir, clock);
    let found = index.lookup(partition, email)?;
    let wrapped = match &found {
        Some(dir) => dir.read_wrapped_key(clock)?,
        None => None,
    };
    let (Some(dir), Some(wrapped)) = (found, wrapped) else {
        let unknown = UnknownEmail {
            index: &index,
            partition,
            email,
        };
        let checked = check_password(&unknown, clock, || {
            keywrap::spend_equal_time(password);
            Ok(None::<Infallible>)
        })?;
        return match checked {
            Checked::Right(never) => match never {},
            Checked::Wrong { wait, .. } => Err(with_wait(wrong_credentials_offline(), wait)),
        };
    };
    let checked = check_password(&dir, clock, || {
        Ok(match keywrap::unwrap(password, dir.name(), &wrapped) {
            Ok(contents) => Some(contents),
            Err(KeyWrapError::WrongPassword) => None,
            Err(e @ KeyWrapError::Unreadable(_)) => {
                tracing::warn!(error = %e, "saved key unreadable; offline sign-in impossible");
                None
            }
        })
    })?;
    let contents = match checked {
        Checked::Right(contents) => contents,
        Checked::Wrong { wait, .. } => return Err(with_wait(wrong_credentials_offline(), wait)),
    };
    if AccountDir::for_user(data_dir, partition, &contents.clinician.id) != dir {
        tracing::warn!("saved key belongs to another account folder; refused");
        return Err(wrong_credentials_offline());
    }
    let key = contents.store_key;
    let store = match open_checked(&dir, &key, clock)? {
        Some(store) => store,
        None => {
            return Err(AppError::new(
                ErrorCode::Storage,
                "Your data on this computer cannot be opened offline. Connect to the internet and sign in again.",
            ))
        }
    };
    Ok((store, OpenAccount { dir, key }, contents.clinician))
}

/// The lock screen: does `password` open the wrapped key of the account open now?
pub(super) fn check_unlock(
    account: &OpenAccount,
    password: &Secret,
    clock: &dyn Clock,
) -> AppResult<Checked<()>> {
    let Some(wrapped) = account.dir.read_wrapped_key(clock)? else {
        return Err(password_needed());
    };
    check_password(&account.dir, clock, || {
        Ok(
            match keywrap::unwrap(password, account.dir.name(), &wrapped) {
                Ok(contents) => (contents.store_key == account.key).then_some(()),
                Err(_) => None,
            },
        )
    })
}
