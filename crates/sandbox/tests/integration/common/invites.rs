//! Helpers for the invitation lifecycle: sending, listing, resending, revoking and reading the
//! sandbox's own views of invitations and messages.

use serde_json::{json, Value};

use super::Env;

pub const SEND: &str = "/api/extensions/v1/deployment/send-invitation";
pub const LIST: &str = "/api/extensions/v1/deployment/invitations";
pub const RESEND: &str = "/api/extensions/v1/deployment/resend-invitation-list";
pub const REVOKE: &str = "/api/extensions/v1/deployment/invitation";
pub const SIGNUP: &str = "/api/auth/v1/signup";
pub const DAY: i64 = 24 * 60 * 60;

/// A `send-invitation` body for one list.
pub fn invite(list: &str, channel: &str, invitees: Value) -> Value {
    json!({"clientId": "c3", "projectId": "p1", "roleId": "User", "deploymentIds": [list],
           "invitees": invitees, "type": channel})
}

impl Env {
    /// Every invitation the sandbox holds for `phone` (read through its own routes, never limited).
    pub async fn invitations_to(&self, phone: &str) -> Vec<Value> {
        let (_, body) = self.get("/sandbox/invitations", None).await;
        body["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["phoneNumber"] == phone)
            .cloned()
            .collect()
    }

    /// Sends and expects 202 with exactly one id; returns it.
    pub async fn invite_one(&self, token: &str, body: Value) -> String {
        let (status, reply) = self.post_auth(SEND, token, None, body).await;
        assert_eq!(status, 202, "{reply}");
        let ids = reply["ids"].as_array().unwrap();
        assert_eq!(ids.len(), 1, "{reply}");
        ids[0].as_str().unwrap().to_owned()
    }

    /// The pending personal invitations (every list of the caller, up to 500), as the app lists
    /// them: the seed's universal links are left out.
    pub async fn pending(&self, token: &str) -> Vec<Value> {
        let body = json!({"clientId": "c3", "projectId": "p1", "roleType": "User", "limit": 500,
                          "invitationType": "PERSONAL"});
        let (status, reply) = self.post_auth(LIST, token, None, body).await;
        assert_eq!(status, 200, "{reply}");
        reply["invitations"].as_array().unwrap().clone()
    }

    /// The listed item with this id, if pending.
    pub async fn pending_item(&self, token: &str, id: &str) -> Option<Value> {
        self.pending(token)
            .await
            .into_iter()
            .find(|i| i["id"] == id)
    }

    /// `/sandbox/invitations`' entry for this id (any state).
    pub async fn stored(&self, id: &str) -> Value {
        let (status, body) = self.get("/sandbox/invitations", None).await;
        assert_eq!(status, 200);
        body["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap()
    }

    /// Messages about one invitation, oldest first, optionally of one kind.
    pub async fn messages_about(&self, id: &str, kind: Option<&str>) -> Vec<Value> {
        let (status, body) = self.get("/sandbox/messages", None).await;
        assert_eq!(status, 200);
        let mut found: Vec<Value> = body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["invitationId"] == id && kind.is_none_or(|k| m["kind"] == k))
            .cloned()
            .collect();
        found.reverse();
        found
    }

    /// `resend-invitation-list` for these invitations, each by its code and its recipient (the
    /// email of an email invitation, else the phone).
    pub async fn resend(&self, token: &str, ids: &[&str]) -> (u16, Value) {
        let mut list = Vec::new();
        for id in ids {
            let stored = self.stored(id).await;
            let recipient = if stored["channel"] == "EMAIL" {
                json!({"email": stored["email"]})
            } else {
                json!({"phoneNumber": stored["phoneNumber"]})
            };
            let mut item = json!({"invitationId": id, "invitationCode": stored["code"]});
            item.as_object_mut()
                .unwrap()
                .extend(recipient.as_object().unwrap().clone());
            list.push(item);
        }
        self.resend_list(token, json!(list)).await
    }

    /// `resend-invitation-list` with this `invitationsList`.
    pub async fn resend_list(&self, token: &str, list: Value) -> (u16, Value) {
        let body = json!({"clientId": "c3", "projectId": "p1", "invitationsList": list});
        self.post_auth(RESEND, token, None, body).await
    }

    /// `DELETE invitation/{id}`: status and body (Null for 204).
    pub async fn revoke_one(&self, token: &str, id: &str) -> (u16, Value) {
        let response = self
            .http
            .delete(self.url(&format!("{REVOKE}/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `DELETE invitation` with a JSON body.
    pub async fn revoke_many(&self, token: &str, ids: &[&str]) -> (u16, Value) {
        let response = self
            .http
            .delete(self.url(REVOKE))
            .bearer_auth(token)
            .json(&json!({"invitationIdList": ids, "invitationType": "PERSONAL"}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs up with the invitation's shortened code (and `email` for email invitations).
    pub async fn sign_up(&self, id: &str, email: Option<&str>) -> (u16, Value) {
        let stored = self.stored(id).await;
        let mut body = json!({"method": 0, "password": "a long passphrase",
            "validationData": {"shortenedCode": stored["shortenedCode"]},
            "projectId": "p1", "clientId": "c3"});
        if let Some(email) = email {
            body["email"] = json!(email);
        }
        self.post(SIGNUP, body).await
    }
}

/// Parses a Huma timestamp.
pub fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .into()
}
