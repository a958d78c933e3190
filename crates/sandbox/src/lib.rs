//! A local Huma-compatible backend on loopback, for tests and the app's demo mode.
//!
//! It speaks the contract in `HUMA_API.md` (paths, camelCase fields, `{code, message}` errors with
//! Huma's codes) over a seeded SQLite database, plus a sandbox-only surface under `/sandbox/…`: the
//! demo account, a log of every SMS and email "sent", an adjustable clock, the patients' sign-up
//! page for invitations, a listing of every invitation, fault injection and a delivery-failure
//! knob. By default it answers as Huma's current server does, refusals included; `Quirks` switches
//! on behaviours of older servers. See the README for the endpoint list and the choices made where
//! Huma's documents are silent.
//!
//! ```no_run
//! # async fn demo() -> Result<(), huma_sandbox::SandboxError> {
//! let sandbox = huma_sandbox::Sandbox::start(Default::default()).await?;
//! let base = sandbox.base_url(); // http://127.0.0.1:PORT
//! let account = sandbox.demo();
//! # let _ = (base, account);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod accounts;
mod admin;
mod auth;
mod clock;
mod contacts;
mod db;
mod delivery;
mod duration;
mod error;
mod extract;
mod fault_layer;
mod faults;
mod former;
mod host;
mod ids;
mod invitation_store;
mod invite_routes;
mod language;
mod manage;
mod messages;
mod names;
pub mod nhs;
mod profiles;
mod project;
mod rate_limit;
mod rate_limit_layer;
mod redirect;
mod schedule;
mod seed;
mod server;
mod signup;
mod signup_page;
mod state;
mod text;
mod tokens;
mod verification;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::DB_FILE_NAME;
pub use error::SandboxError;
pub use seed::{DEMO_EMAIL, DEMO_PASSWORD, MAX_PATIENTS, NO_MFA_EMAIL};

/// The only project the sandbox serves: any other `projectId` is 400 `100001`. The client's default.
pub const PROJECT_ID: &str = "p1";
/// The only client of that project: any other `clientId` is 400 `100002`. The client's default.
pub const CLIENT_ID: &str = "c3";

/// Behaviours of older or differently configured Huma servers, each off by default: the default
/// sandbox answers as Huma's current server does, refusals included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// A password-only (method 2) sign-in by an account that requires the SMS code is refused at
    /// once with 403 `100043`, instead of succeeding with tokens that every protected call refuses
    /// with 400 `100021`.
    pub mfa_at_signin: bool,
    /// Token lifetimes (`authTokenExpiresIn`, `expiresIn`, `refreshTokenExpiresIn`) are sent as
    /// floats a little under the whole second (`899.6`), as older servers did, instead of integers.
    pub float_lifetimes: bool,
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Where to keep the database (`sandbox.sqlite3`); `None` keeps it in memory, gone on drop.
    /// An existing database is used as it is: `seed` and `patients` only apply to a new one.
    pub data_dir: Option<PathBuf>,
    /// The database file itself; wins over `data_dir`. A sandbox started again on the same file
    /// carries on where the last one stopped (data, message log, clock, delivery knob).
    pub db_path: Option<PathBuf>,
    /// Seed of the deterministic generator: the same seed gives the same data, byte for byte.
    pub seed: u64,
    /// Patients over all lists (at most `MAX_PATIENTS`).
    pub patients: usize,
    /// Departures from Huma's current behaviour; all off by default.
    pub quirks: Quirks,
    /// Huma's request limit (about 50 a minute per client address; see `rate_limit`). Off by
    /// default here, as tests make hundreds of requests a second to check other things; the
    /// `huma-sandbox` command turns it on at 50, and the tests of the limit set it.
    pub rate_limit_per_minute: Option<u32>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            data_dir: None,
            db_path: None,
            seed: 42,
            patients: 1500,
            quirks: Quirks::default(),
            rate_limit_per_minute: None,
        }
    }
}

/// The demo clinician (MFA required; the password is public demo data), their patient lists, and
/// the project and client every auth and invitation call must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub deployment_ids: Vec<String>,
    pub project_id: String,
    pub client_id: String,
}

/// A running sandbox. Dropping it stops the server (the stop signal's sender is dropped with it).
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    demo: DemoAccount,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    clock: clock::Clock,
}

impl Sandbox {
    /// Binds 127.0.0.1:`port`, opens (and if new, seeds) the database, and serves in a spawned task
    /// of the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if config.patients > MAX_PATIENTS {
            return Err(SandboxError::Config(format!(
                "at most {MAX_PATIENTS} patients are supported"
            )));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(SandboxError::Bind)?;
        let addr = listener.local_addr().map_err(SandboxError::Bind)?;
        let file = config
            .db_path
            .or_else(|| config.data_dir.map(|dir| dir.join(DB_FILE_NAME)));
        let (db, demo, offset) = tokio::task::spawn_blocking(move || {
            let db = db::Db::open_file(file.as_deref(), config.seed, config.patients)?;
            let demo = db.with(load_demo)?;
            let offset = db.with(clock::load_offset)?;
            Ok::<_, SandboxError>((db, demo, offset))
        })
        .await??;

        let clock = clock::Clock::with_offset(offset);
        let state = state::AppState {
            db,
            clock: clock.clone(),
            demo: Arc::new(demo.clone()),
            base_url: Arc::from(format!("http://{addr}")),
            faults: faults::Faults::default(),
            quirks: config.quirks,
            rate_limit: rate_limit::RateLimit::new(config.rate_limit_per_minute),
        };
        let app = server::router(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                // Fires on `shutdown()` and also when the sender is dropped with the Sandbox.
                let _ = stopped.await;
            };
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %err, "sandbox server stopped with an error");
            }
        });
        tracing::info!(port = addr.port(), "sandbox listening");
        Ok(Sandbox {
            addr,
            demo,
            stop,
            task,
            clock,
        })
    }

    /// Starts on 127.0.0.1:`port` with the database file `db_path` (created and seeded if new):
    /// after `shutdown`, the same call brings the sandbox back with its state.
    pub async fn start_at(port: u16, db_path: impl Into<PathBuf>) -> Result<Sandbox, SandboxError> {
        Sandbox::start(SandboxConfig {
            port,
            db_path: Some(db_path.into()),
            ..SandboxConfig::default()
        })
        .await
    }

    /// The sandbox's time, as `POST /sandbox/clock` moves it: an app on the embedded sandbox follows
    /// it, so a test can move both at once.
    pub fn clock(&self) -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static {
        let clock = self.clock.clone();
        move || clock.now()
    }

    /// The bound port (useful after starting on port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where patients sign up, as a Huma client's `deepLinkBaseUrl` says it: personal links are
    /// `{this}/signup?shortenedCode=…`.
    pub fn sign_up_link_base(&self) -> String {
        invite_routes::deep_link_base(&self.base_url())
    }

    pub fn demo(&self) -> DemoAccount {
        self.demo.clone()
    }

    /// Stops accepting connections, lets requests in flight finish (up to 5 s), then returns.
    pub async fn shutdown(self) {
        let Sandbox { stop, mut task, .. } = self;
        let _ = stop.send(());
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

fn load_demo(conn: &rusqlite::Connection) -> Result<DemoAccount, SandboxError> {
    let id: String = conn.query_row(
        "SELECT id FROM clinicians WHERE email = ?1",
        [DEMO_EMAIL],
        |r| r.get(0),
    )?;
    let deployment_ids = accounts::deployments_of(conn, &id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    Ok(DemoAccount {
        email: DEMO_EMAIL.to_owned(),
        password: DEMO_PASSWORD.to_owned(),
        deployment_ids,
        project_id: PROJECT_ID.to_owned(),
        client_id: CLIENT_ID.to_owned(),
    })
}
