//! Property: whatever the schedule of server faults, restarts and lapsed sessions, every queued
//! invite ends on the server exactly once, or is rejected / needs attention with a reason. None lost,
//! none doubled. Runs the real sync engine and store against the real sandbox on 127.0.0.1.
//! Batches mix new patients with people who already have an account (users without a role, whom
//! Huma adds to the list with no invitation and no id, and patients already on the list), so the
//! server's ids are fewer than the invitees and must be matched by recipient. SMS invites may be
//! held for the clinic's sending hours (and released early by "Send now"): a held row is never
//! attempted before its instant, and still goes out exactly once.
//!
//! 1,000 cases by default; `PROPTEST_CASES=10000 cargo test -p huma-core --release --test
//! outbox_property -- --nocapture` for a 10,000-case run.

use crate::common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::Duration;
use common::ManualClock;
use huma_core::clock::Clock;
use huma_core::huma::wire::InvitationItemDto;
use huma_core::huma::{ClientConfig, HumaClient};
use huma_core::invite::types::{Channel, Invitee};
use huma_core::pending;
use huma_core::pending::api::Scan;
use huma_core::secrets::{MemoryStore, Secret, SecretStore};
use huma_core::session::Auth;
use huma_core::store::accounts::account_name;
use huma_core::store::{self, AccountStore, Holds, NewInvite, OutboxState};
use huma_core::sync::{self, plan, DrainEnd};
use huma_core::ui_types::SignInStep;
use huma_sandbox::{Sandbox, SandboxConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

#[derive(Debug, Clone)]
enum Step {
    /// Queue emails and SMS invites (with, optionally, one the server refuses, a second invite
    /// to a number invited earlier in the case, and someone who already has a Huma account). The
    /// SMS invites may be held for `hold` minutes, as outside the sending hours.
    Enqueue {
        emails: u8,
        sms: u8,
        bad: bool,
        again: bool,
        existing: bool,
        hold: Option<i64>,
    },
    /// "Send now" on every held row.
    SendNow,
    Faults {
        error: f64,
        too_many: f64,
        drop_before: f64,
        drop_after: f64,
    },
    Drain,
    /// The app quits and starts again: store and session rebuilt from disk and keyring.
    Restart,
    /// The session is revoked on the server: the next call gets 401, the refresh fails.
    Expire,
    SignIn,
    Advance(i64),
    /// Past the 72-hour give-up deadline.
    Deadline,
}

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(0.3), Just(0.6), Just(1.0)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (
            0u8..4,
            0u8..3,
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.3),
            proptest::option::weighted(0.3, 1i64..600),
        )
            .prop_map(|(emails, sms, bad, again, existing, hold)| Step::Enqueue {
                emails,
                sms,
                bad,
                again,
                existing,
                hold,
            }),
        1 => Just(Step::SendNow),
        3 => (probability(), probability(), probability(), probability()).prop_map(
            |(error, too_many, drop_before, drop_after)| Step::Faults {
                error,
                too_many,
                drop_before,
                drop_after,
            }
        ),
        4 => Just(Step::Drain),
        1 => Just(Step::Restart),
        1 => Just(Step::Expire),
        1 => Just(Step::SignIn),
        2 => (1i64..20).prop_map(Step::Advance),
        1 => Just(Step::Deadline),
    ]
}

/// One sandbox with its list, and a clock moved in step with the sandbox's.
struct Server {
    sandbox: Sandbox,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    list: String,
    /// Invites queued so far to users who already have an account.
    existing: AtomicU32,
}

/// The sandbox's seeded users without a role (its README lists them): the first invite to one
/// gives them the role with no invitation; later ones are answered "already signed up".
const EXISTING_USERS: [(Option<&str>, Option<&str>); 4] = [
    (Some("former.bronwen.pritchard@example.org"), None),
    (None, Some("+12125550191")),
    (Some("former.niamh.gallagher@example.org"), None),
    (None, Some("+12125550193")),
];

impl Server {
    async fn start() -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            patients: 50,
            ..SandboxConfig::default()
        })
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
        let list = sandbox.demo().deployment_ids[0].clone();
        Self {
            sandbox,
            clock: Arc::new(ManualClock::default()),
            http: reqwest::Client::new(),
            list,
            existing: AtomicU32::new(0),
        }
    }

    /// Whether every user without a role has been invited (and so now has one).
    fn used_up(&self) -> bool {
        self.existing.load(Ordering::SeqCst) as usize >= EXISTING_USERS.len()
    }

    /// The next of the users who already have an account, in turn.
    fn existing_user(&self) -> (Option<&'static str>, Option<&'static str>) {
        let n = self.existing.fetch_add(1, Ordering::SeqCst) as usize;
        EXISTING_USERS[n % EXISTING_USERS.len()]
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<(), String> {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Moves the sandbox's clock and ours together (reconciliation compares their times).
    async fn advance(&self, by: Duration) -> Result<(), String> {
        self.post(
            "/sandbox/clock",
            serde_json::json!({ "advanceSeconds": by.num_seconds() }),
        )
        .await?;
        self.clock.advance(by);
        Ok(())
    }

    fn auth(&self, secrets: &Arc<MemoryStore>, partition: &str) -> Auth {
        let mut config = ClientConfig::new(
            self.sandbox
                .base_url()
                .parse()
                .unwrap_or_else(|_| unreachable!("the sandbox URL parses")),
        );
        config.request_timeout = std::time::Duration::from_secs(5);
        let client = HumaClient::new(config).unwrap_or_else(|_| unreachable!("client builds"));
        Auth::new(
            client,
            secrets.clone(),
            self.clock.clone() as Arc<dyn Clock>,
            partition,
        )
    }
}

struct Shared {
    /// Cases share a sandbox (its list fills up with their invitations) until its users without
    /// a role are used up; the next case starts a new one.
    server: std::sync::Mutex<Arc<Server>>,
    secrets: Arc<MemoryStore>,
    data: tempfile::TempDir,
    cases: AtomicU32,
    sandboxes: AtomicU32,
    checked_invites: AtomicU32,
    /// Checked rows by outcome: an invitation recorded, added to the list without one (an
    /// existing user without a role), rejected or needing attention.
    invited: AtomicU32,
    added: AtomicU32,
    refused: AtomicU32,
    lost: AtomicU32,
    doubled: AtomicU32,
    /// Recipients are numbered across all cases: cases share a sandbox and its list, and an
    /// email address may be invited twice there (only numbers are refused as already invited).
    recipients: AtomicU32,
}

impl Shared {
    fn new(server: Server) -> Self {
        Self {
            server: std::sync::Mutex::new(Arc::new(server)),
            secrets: Arc::new(MemoryStore::default()),
            data: scratch_dir(),
            cases: AtomicU32::new(0),
            sandboxes: AtomicU32::new(1),
            checked_invites: AtomicU32::new(0),
            invited: AtomicU32::new(0),
            added: AtomicU32::new(0),
            refused: AtomicU32::new(0),
            lost: AtomicU32::new(0),
            doubled: AtomicU32::new(0),
            recipients: AtomicU32::new(0),
        }
    }

    fn current(&self) -> Arc<Server> {
        self.server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The sandbox for the next case: a new one once the current one's users without a role all
    /// have one (cases run one at a time, so nothing else holds the old one).
    async fn server_for_case(&self) -> Arc<Server> {
        let current = self.current();
        if !current.used_up() {
            return current;
        }
        let fresh = Arc::new(Server::start().await);
        let old = std::mem::replace(
            &mut *self
                .server
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            fresh.clone(),
        );
        drop(current);
        if let Ok(old) = Arc::try_unwrap(old) {
            old.sandbox.shutdown().await;
        }
        self.sandboxes.fetch_add(1, Ordering::SeqCst);
        fresh
    }
}

struct Case<'a> {
    shared: &'a Shared,
    server: Arc<Server>,
    partition: String,
    /// The signed-in clinician's account (names their saved session), once known.
    account: std::sync::OnceLock<String>,
    path: std::path::PathBuf,
    key: Secret,
    auth: Auth,
    store: AccountStore,
    first_phone: Option<String>,
    advanced: Duration,
    started: chrono::DateTime<chrono::Utc>,
}

impl Case<'_> {
    async fn sign_in(&self) -> Result<(), String> {
        let step = self
            .auth
            .sign_in(
                huma_sandbox::NO_MFA_EMAIL,
                &Secret::new(huma_sandbox::DEMO_PASSWORD),
            )
            .await
            .map_err(|e| format!("sign-in: {e}"))?;
        if let SignInStep::SignedIn { session } = step {
            self.account
                .get_or_init(|| account_name(&self.partition, &session.clinician.id));
        }
        Ok(())
    }

    /// The keyring entry of the clinician's saved session.
    fn saved_session(&self) -> Option<String> {
        self.account.get().map(|a| format!("session:{a}"))
    }

    fn enqueue(&mut self, step: &Step) -> Result<(), String> {
        let &Step::Enqueue {
            emails,
            sms,
            bad,
            again,
            existing,
            hold,
        } = step
        else {
            return Ok(());
        };
        let mut invites = Vec::new();
        let id = || self.shared.recipients.fetch_add(1, Ordering::SeqCst) + 1;
        for _ in 0..emails {
            invites.push(email(&format!("pt{}@example.org", id())));
        }
        // Between new invitees, so the answer's ids are fewer than the invitees and not theirs
        // by position.
        let existing = existing.then(|| self.server.existing_user());
        if let Some((Some(address), _)) = existing {
            invites.insert(invites.len() / 2, email(address));
        }
        if bad {
            invites.push(email(&format!("bad{}@", id())));
        }
        let mut sms_invites = Vec::new();
        for _ in 0..sms {
            sms_invites.push(sms_invite(&format!("+447911{:06}", id()), "Ann"));
        }
        if let Some((None, Some(phone))) = existing {
            sms_invites.insert(sms_invites.len() / 2, sms_invite(phone, "Ann"));
        }
        if again {
            if let Some(phone) = &self.first_phone {
                sms_invites.push(sms_invite(phone, "Bea"));
            }
        }
        if self.first_phone.is_none() {
            self.first_phone = sms_invites
                .first()
                .and_then(|i: &NewInvite| i.invitee.phone.clone());
        }
        invites.extend(sms_invites);
        if invites.is_empty() {
            return Ok(());
        }
        let now = self.server.clock.now();
        let holds = Holds {
            sms: hold.map(|minutes| now + Duration::minutes(minutes)),
            email: None,
        };
        self.store
            .enqueue_held(&self.server.list, &invites, holds, now)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn send_now(&self) -> Result<(), String> {
        let held: Vec<String> = self
            .store
            .active_rows()
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|r| r.send_after.is_some())
            .map(|r| r.id)
            .collect();
        self.store
            .release_holds(&held, self.server.clock.now())
            .map(drop)
            .map_err(|e| e.to_string())
    }

    async fn drain(&self) -> Result<DrainEnd, String> {
        sync::drain(&self.auth, &self.store, self.server.clock.as_ref())
            .await
            .map(|r| r.end)
            .map_err(|e| e.to_string())
    }

    async fn restart(&mut self) -> Result<(), String> {
        self.auth = self.server.auth(&self.shared.secrets, &self.partition);
        self.store = AccountStore::open(&self.path, &self.key).map_err(|e| e.to_string())?;
        // A session that cannot be resumed is fine: the settle phase signs in again.
        if let Some(account) = self.account.get() {
            let _ = self.auth.resume(account).await;
        }
        Ok(())
    }

    /// Revokes the session on the server, as an administrator or a password change would.
    async fn expire(&self) -> Result<(), String> {
        let Some(entry) = self.saved_session() else {
            return Ok(());
        };
        let Ok(Some(saved)) = self.shared.secrets.get(&entry) else {
            return Ok(());
        };
        let saved: serde_json::Value =
            serde_json::from_str(saved.expose()).map_err(|e| e.to_string())?;
        let body = serde_json::json!({
            "userId": saved["clinician"]["id"],
            "refreshToken": saved["refreshToken"],
        });
        // Already revoked or expired: nothing to do.
        let _ = self.server.post("/api/auth/v1/signout", body).await;
        Ok(())
    }

    async fn set_faults(&self, faults: serde_json::Value) -> Result<(), String> {
        self.server.post("/sandbox/faults", faults).await
    }

    /// Faults off, signed in, and drained until nothing is left to do.
    async fn settle(&mut self) -> Result<(), String> {
        self.set_faults(serde_json::json!({})).await?;
        for _ in 0..60 {
            let end = self.drain().await?;
            let active = self.store.active_rows().map_err(|e| e.to_string())?;
            if active.is_empty() {
                return Ok(());
            }
            match end {
                DrainEnd::SignedOut => self.sign_in().await?,
                _ => {
                    let now = self.server.clock.now();
                    let wait = sync::plan::next_due(&active)
                        .map(|at| at - now)
                        .unwrap_or_default()
                        .max(Duration::seconds(1));
                    self.server.advance(wait).await?;
                }
            }
        }
        Err("the outbox did not settle".into())
    }

    /// Every row is settled, and the server holds exactly the invites recorded as sent.
    async fn check(&self) -> Result<u32, String> {
        // A fresh session for the check itself (the case may have ended with a revoked one).
        self.sign_in().await?;
        let rows = self.store.all_rows().map_err(|e| e.to_string())?;
        let mut by_recipient: std::collections::BTreeMap<String, Vec<_>> = Default::default();
        for row in &rows {
            match row.state {
                OutboxState::Sent => {}
                OutboxState::Rejected | OutboxState::NeedsAttention => {
                    if row.reason.as_deref().unwrap_or_default().is_empty() {
                        return Err(format!("row {} settled without a reason", row.id));
                    }
                }
                other => return Err(format!("row {} left {other:?}", row.id)),
            }
            // Still held when it went out: its (last) attempt was not before its instant.
            if let (Some(hold), Some(attempt)) = (row.send_after, row.last_attempt_at) {
                if attempt < hold {
                    return Err(format!(
                        "row {} was attempted at {attempt}, before its hold until {hold}",
                        row.id
                    ));
                }
            }
            by_recipient
                .entry(row.recipient().to_lowercase())
                .or_default()
                .push(row);
        }
        // Every invitation created during the case: the list is sorted newest first, and Huma
        // filters by email only, so read it from the top down to the case's start.
        let since = self.started - Duration::minutes(1);
        let mut created: Vec<InvitationItemDto> = Vec::new();
        let everything = Scan {
            email: None,
            page: pending::api::PAGE,
            max_pages: 100,
        };
        pending::api::scan(&self.auth, &self.server.list, everything, |page| {
            let older = page.iter().any(|inv| plan::created_before(inv, since));
            created.extend(page);
            if older {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await
        .map_err(|e| format!("listing: {e:?}"))?;
        for (recipient, rows) in &by_recipient {
            let on_server: Vec<String> = created
                .iter()
                .filter(|inv| {
                    inv.email.as_deref().map(str::to_lowercase).as_deref()
                        == Some(recipient.as_str())
                        || inv.phone_number.as_deref() == Some(recipient.as_str())
                })
                .map(|inv| inv.id.clone())
                .collect();
            let sent: Vec<&str> = rows
                .iter()
                .filter(|r| r.state == OutboxState::Sent)
                .filter_map(|r| r.server_id.as_deref())
                .collect();
            // Lost: recorded as sent, not on the server. Doubled: on the server, not recorded (a
            // second invitation, or one the outbox would let the clinician send again).
            let lost = sent.iter().filter(|id| !on_server.iter().any(|s| s == *id));
            let doubled = on_server.iter().filter(|id| !sent.contains(&id.as_str()));
            let (lost, doubled) = (lost.count() as u32, doubled.count() as u32);
            self.shared.lost.fetch_add(lost, Ordering::SeqCst);
            self.shared.doubled.fetch_add(doubled, Ordering::SeqCst);
            if lost + doubled > 0 || on_server.len() > 1 {
                return Err(format!(
                    "server has {on_server:?}, outbox recorded {sent:?} for {recipient} ({:?})",
                    rows.iter()
                        .map(|r| (r.state, r.reason.clone()))
                        .collect::<Vec<_>>()
                ));
            }
        }
        for row in &rows {
            let tally = match (row.state, &row.server_id) {
                (OutboxState::Sent, Some(_)) => &self.shared.invited,
                (OutboxState::Sent, None) => &self.shared.added,
                _ => &self.shared.refused,
            };
            tally.fetch_add(1, Ordering::SeqCst);
        }
        Ok(rows.len() as u32)
    }
}

fn email(address: &str) -> NewInvite {
    NewInvite::email(address.into())
}

fn sms_invite(phone: &str, given: &str) -> NewInvite {
    NewInvite {
        channel: Channel::Sms,
        invitee: Invitee {
            given_name: given.into(),
            family_name: "Lee".into(),
            email: None,
            phone: Some(phone.into()),
        },
        text: Some(format!("Hello {given}, please join us on Huma:")),
        language: None,
    }
}

async fn run_case(shared: &Shared, steps: Vec<Step>) -> Result<(), String> {
    let server = shared.server_for_case().await;
    let n = shared.cases.fetch_add(1, Ordering::SeqCst);
    let partition = format!("case-{n}");
    let path = shared.data.path().join(format!("case-{n}.db"));
    let key = store::new_key();
    let store = AccountStore::open(&path, &key).map_err(|e| e.to_string())?;
    let mut case = Case {
        shared,
        auth: server.auth(&shared.secrets, &partition),
        partition,
        account: std::sync::OnceLock::new(),
        path,
        key,
        store,
        first_phone: None,
        advanced: Duration::zero(),
        started: server.clock.now(),
        server,
    };
    case.sign_in().await?;
    // Faults hit invitation routes only: sign-in expiry is a step of its own.
    let result = async {
        for step in steps {
            match step {
                Step::Enqueue { .. } => case.enqueue(&step)?,
                Step::Faults {
                    error,
                    too_many,
                    drop_before,
                    drop_after,
                } => {
                    case.set_faults(serde_json::json!({
                        "errorRate": error,
                        "rate429": too_many,
                        "retryAfterSeconds": 1,
                        "dropBeforeAct": drop_before,
                        "dropResponseAfterCommit": drop_after,
                        "paths": ["/deployment/"],
                    }))
                    .await?
                }
                Step::Drain => drop(case.drain().await?),
                Step::SendNow => case.send_now()?,
                Step::Restart => case.restart().await?,
                Step::Expire => case.expire().await?,
                Step::SignIn => {
                    if case.auth.sign_in_required().await {
                        case.sign_in().await?;
                    }
                }
                Step::Advance(minutes) => {
                    case.advanced += Duration::minutes(minutes);
                    case.server.advance(Duration::minutes(minutes)).await?
                }
                // Invitations live a week: at most one jump past the deadline per case.
                Step::Deadline if case.advanced < Duration::hours(24) => {
                    case.advanced += Duration::hours(73);
                    case.server.advance(Duration::hours(73)).await?
                }
                Step::Deadline => {}
            }
        }
        case.settle().await
    }
    .await;
    if result.is_err() {
        let _ = case.set_faults(serde_json::json!({})).await;
    }
    result?;
    let checked = case.check().await?;
    shared.checked_invites.fetch_add(checked, Ordering::SeqCst);
    Ok(())
}

/// Real database files, on a RAM-backed folder when the OS has one: this test is about the logic
/// across restarts (thousands of fsyncs would triple its time); durability on a real disk under
/// SIGKILL is the crash test's job.
fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    };
    dir.unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn every_invite_reaches_the_server_exactly_once_or_is_settled_with_a_reason() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let shared = Shared::new(rt.block_on(Server::start()));
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(step(), 1..12), |steps| {
        rt.block_on(run_case(&shared, steps))
            .map_err(TestCaseError::fail)
    });
    let count = |n: &AtomicU32| n.load(Ordering::SeqCst);
    eprintln!(
        "outbox property: {} cases run (asked for {}; failures are shrunk, so a failing run \
         shows more), {} outbox rows checked against the sandbox (started {} times; {} invited, \
         {} added without an invitation, {} rejected or needing attention): {} lost, {} doubled, \
         in {:.1?}",
        count(&shared.cases),
        cases,
        count(&shared.checked_invites),
        count(&shared.sandboxes),
        count(&shared.invited),
        count(&shared.added),
        count(&shared.refused),
        count(&shared.lost),
        count(&shared.doubled),
        started.elapsed()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        shared.cases.load(Ordering::SeqCst) >= cases,
        "ran fewer cases than asked"
    );
}
