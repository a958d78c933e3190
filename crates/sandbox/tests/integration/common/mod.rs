//! Shared helpers: a sandbox on 127.0.0.1:0 and a thin JSON client for it.
#![allow(clippy::unwrap_used, dead_code)]

pub mod invites;

use huma_sandbox::{Sandbox, SandboxConfig, DEMO_EMAIL, DEMO_PASSWORD, NO_MFA_EMAIL};
use serde_json::{json, Value};

pub const DEMO_PHONE: &str = "+447700900123";
/// Every test client sends one: Huma refuses sign-in, refresh and sign-out without it.
pub const USER_AGENT: &str = "huma-sandbox-tests/1.0 (tests)";

/// An HTTP client that sends `USER_AGENT`.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .unwrap()
}

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub base: String,
}

/// A signed-in clinician.
pub struct Session {
    pub uid: String,
    pub auth: String,
    pub refresh: String,
}

pub async fn start() -> Env {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Env {
    let sandbox = Sandbox::start(config).await.unwrap();
    let base = sandbox.base_url();
    Env {
        sandbox,
        http: http_client(),
        base,
    }
}

/// Status and JSON body of a response (Null when the body is not JSON).
async fn parts(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        parts(
            self.http
                .post(self.url(path))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, body: &'static str) -> (u16, Value) {
        let request = self.http.post(self.url(path)).body(body);
        parts(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        parts(request.send().await.unwrap()).await
    }

    /// `POST /api/extensions/v1/user/profiles`.
    pub async fn profiles(
        &self,
        token: &str,
        deployment: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url("/api/extensions/v1/user/profiles"))
            .bearer_auth(token)
            .json(&body);
        if let Some(deployment) = deployment {
            request = request.header("x-deployment-id", deployment);
        }
        parts(request.send().await.unwrap()).await
    }

    /// A protected `POST` with a bearer token and, optionally, `x-deployment-id`.
    pub async fn post_auth(
        &self,
        path: &str,
        token: &str,
        deployment: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body);
        if let Some(deployment) = deployment {
            request = request.header("x-deployment-id", deployment);
        }
        parts(request.send().await.unwrap()).await
    }

    pub async fn configuration(&self, session: &Session) -> (u16, Value) {
        let path = format!("/api/extensions/v1beta/user/{}/configuration", session.uid);
        self.get(&path, Some(&session.auth)).await
    }

    /// `GET user/{uid}`, optionally with `x-hu-locale`.
    pub async fn user(&self, session: &Session, locale: Option<&str>) -> (u16, Value) {
        let path = format!("/api/extensions/v1beta/user/{}", session.uid);
        let mut request = self.http.get(self.url(&path)).bearer_auth(&session.auth);
        if let Some(locale) = locale {
            request = request.header("x-hu-locale", locale);
        }
        parts(request.send().await.unwrap()).await
    }

    /// `POST signout` with the body Huma requires.
    pub async fn sign_out(&self, session: &Session) -> (u16, Value) {
        self.post(
            "/api/auth/v1/signout",
            json!({"userId": session.uid, "refreshToken": session.refresh,
                   "deviceAgent": USER_AGENT}),
        )
        .await
    }

    pub async fn advance(&self, seconds: i64) {
        let (status, _) = self
            .post("/sandbox/clock", json!({ "advanceSeconds": seconds }))
            .await;
        assert_eq!(status, 200);
    }

    /// Method 2 as the clinician without MFA.
    pub async fn sign_in_sam(&self) -> Session {
        let (status, body) = self
            .post(
                "/api/auth/v1/signin",
                json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
                       "projectId": "p1", "clientId": "c3"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        session(&body)
    }

    /// Method 3 step 1 as the demo clinician: first-stage tokens.
    pub async fn first_stage(&self) -> Session {
        let (status, body) = self
            .post(
                "/api/auth/v1/signin",
                json!({"method": 3, "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
                       "projectId": "p1", "clientId": "c3"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        session(&body)
    }

    /// Asks for an SMS code on a first-stage session.
    pub async fn send_code(&self, first: &Session) -> (u16, Value) {
        self.post(
            "/api/auth/v1/sendverificationtoken",
            json!({"method": 3, "refreshToken": first.refresh, "projectId": "p1", "clientId": "c3"}),
        )
        .await
    }

    /// Method 3 step 2.
    pub async fn confirm(&self, first: &Session, code: &str) -> (u16, Value) {
        self.post(
            "/api/auth/v1/signin",
            json!({"method": 3, "refreshToken": first.refresh, "confirmationCode": code,
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await
    }

    /// The six digits of the newest SMS sent to `phone`.
    pub async fn latest_code(&self, phone: &str) -> String {
        let (status, body) = self
            .get(
                &format!("/sandbox/messages?to={}", phone.replace('+', "%2B")),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let text = body["messages"][0]["body"].as_str().unwrap();
        text.split(|c: char| !c.is_ascii_digit())
            .find(|part| part.len() == 6)
            .unwrap()
            .to_owned()
    }

    /// The full method-3 flow as the demo clinician.
    pub async fn sign_in_amelia(&self) -> Session {
        let first = self.first_stage().await;
        let (status, _) = self.send_code(&first).await;
        assert_eq!(status, 200);
        let code = self.latest_code(DEMO_PHONE).await;
        let (status, body) = self.confirm(&first, &code).await;
        assert_eq!(status, 200, "{body}");
        session(&body)
    }

    pub async fn refresh(&self, body: Value) -> (u16, Value) {
        self.post("/api/auth/v1/refreshtoken", body).await
    }

    /// Every patient of a list, paging 500 at a time, with the given sort (or the default).
    pub async fn all_patients(
        &self,
        token: &str,
        deployment: &str,
        sort: Option<Value>,
    ) -> Vec<Value> {
        let mut users = Vec::new();
        loop {
            let mut body = json!({"skip": users.len(), "limit": 500});
            if let Some(sort) = &sort {
                body["sort"] = sort.clone();
            }
            let (status, page) = self.profiles(token, Some(deployment), body).await;
            assert_eq!(status, 200, "{page}");
            let batch = page["users"].as_array().unwrap().clone();
            let total = page["total"].as_u64().unwrap() as usize;
            users.extend(batch);
            if users.len() >= total {
                return users;
            }
        }
    }
}

pub fn session(body: &Value) -> Session {
    Session {
        uid: body["uid"].as_str().unwrap().to_owned(),
        auth: body["authToken"].as_str().unwrap().to_owned(),
        refresh: body["refreshToken"].as_str().unwrap().to_owned(),
    }
}

/// Asserts a Huma error reply.
pub fn assert_error(reply: &(u16, Value), status: u16, code: u64) {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["code"].as_u64(), Some(code), "{}", reply.1);
    assert!(
        reply.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        reply.1
    );
}
