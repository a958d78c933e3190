//! The checker's checks can fail: for each kind of check, a conforming exchange passes and the same
//! exchange with one fault is reported, naming the field (or header, or parameter) and no value.

use std::sync::LazyLock;

use huma_core::huma::wire;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, USER_AGENT};
use serde_json::{json, Value};

use super::spec::{Operation, Spec};

static SPEC: LazyLock<Spec> = LazyLock::new(Spec::load);

const AN_ID: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";

fn operation(method: &str, path: &str) -> &'static Operation {
    SPEC.operation(method, path)
        .unwrap_or_else(|| panic!("{method} {path} is in the spec"))
}

/// What the app sends on every call.
fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_static("HumaClinician/test"));
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer token"));
    headers
}

fn request(op: &Operation, path: &str, headers: &HeaderMap, body: &Value) -> Vec<String> {
    op.check_request(path, headers, &serde_json::to_vec(body).expect("JSON"))
}

fn response(op: &Operation, status: u16, body: &Value) -> Vec<String> {
    op.check_response(status, &serde_json::to_vec(body).expect("JSON"))
}

#[test]
fn a_send_invitation_the_client_builds_without_client_id_is_reported() {
    let op = operation("POST", wire::SEND_INVITATION);
    let built = wire::SendInvitationRequest {
        client_id: "c3",
        project_id: "p1",
        role_id: "User",
        deployment_ids: [AN_ID],
        invitees: vec![wire::InviteeDto {
            given_name: "Ruth",
            family_name: "Ellison",
            email: None,
            phone_number: Some("+447700900461"),
        }],
        kind: wire::INVITE_TYPE_SMS,
        text: None,
        language: Some("cy"),
        expires_in: wire::INVITATION_EXPIRES_IN,
    };
    let mut body = serde_json::to_value(&built).expect("JSON");
    assert_eq!(
        request(op, wire::SEND_INVITATION, &headers(), &body),
        [""; 0]
    );

    body.as_object_mut().expect("an object").remove("clientId");
    assert_eq!(
        request(op, wire::SEND_INVITATION, &headers(), &body),
        ["POST /api/extensions/v1/deployment/send-invitation request: \"clientId\" is a required property"]
    );
}

#[test]
fn a_wrongly_typed_field_is_reported_by_path_without_its_value() {
    let op = operation("POST", wire::SEND_INVITATION);
    let body = json!({
        "clientId": "c3", "projectId": "p1", "roleId": "User", "type": "SMS",
        "invitees": [{"givenName": "Ruth", "familyName": "Ellison", "phoneNumber": 447700900461_u64}]
    });
    let found = request(op, wire::SEND_INVITATION, &headers(), &body);
    assert_eq!(
        found,
        ["POST /api/extensions/v1/deployment/send-invitation request /invitees/*/phoneNumber: value is not of type \"string\""]
    );
}

#[test]
fn a_profiles_reply_without_total_is_reported() {
    let op = operation("POST", wire::PROFILES);
    let mut reply =
        json!({"users": [{"id": AN_ID, "givenName": "Ruth"}], "filtered": 1, "total": 1});
    assert_eq!(response(op, 200, &reply), [""; 0]);

    reply.as_object_mut().expect("an object").remove("total");
    assert_eq!(
        response(op, 200, &reply),
        ["POST /api/extensions/v1/user/profiles response 200: \"total\" is a required property"]
    );
}

#[test]
fn an_invitation_without_expires_at_is_reported_at_its_place_in_the_list() {
    let op = operation("POST", wire::INVITATIONS);
    let item =
        json!({"id": AN_ID, "code": "secret-code", "expiresAt": "2025-01-08T09:00:00.000000Z"});
    let mut reply = json!({"invitations": [item], "filtered": 1, "total": 1});
    assert_eq!(response(op, 200, &reply), [""; 0]);

    reply["invitations"][0]
        .as_object_mut()
        .expect("an object")
        .remove("expiresAt");
    let found = response(op, 200, &reply);
    assert_eq!(
        found,
        ["POST /api/extensions/v1/deployment/invitations response 200 /invitations/*: \"expiresAt\" is a required property"]
    );
    assert!(!found.concat().contains("secret-code"));
}

#[test]
fn a_date_that_is_not_rfc_3339_is_reported() {
    let op = operation("POST", wire::INVITATIONS);
    let reply = json!({"invitations": [{"code": "c", "expiresAt": "08/01/2025"}]});
    assert_eq!(
        response(op, 200, &reply),
        ["POST /api/extensions/v1/deployment/invitations response 200 /invitations/*/expiresAt: value is not a \"date-time\""]
    );
}

#[test]
fn a_sign_in_without_user_agent_is_reported() {
    let op = operation("POST", wire::SIGNIN);
    let body = json!({
        "method": "TWO_FACTOR_AUTH", "email": "clinician@example.com", "password": "secret",
        "clientId": "c3", "projectId": "p1"
    });
    let mut anonymous = HeaderMap::new();
    anonymous.insert(USER_AGENT, HeaderValue::from_static("HumaClinician/test"));
    assert_eq!(request(op, wire::SIGNIN, &anonymous, &body), [""; 0]);

    let found = request(op, wire::SIGNIN, &HeaderMap::new(), &body);
    assert_eq!(
        found,
        ["POST /api/auth/v1/signin request: header 'User-Agent' is required"]
    );
    assert!(!found.concat().contains("secret"));
}

#[test]
fn a_protected_call_without_a_token_is_reported() {
    let op = operation("GET", &wire::user_path(AN_ID));
    let mut anonymous = headers();
    anonymous.remove(AUTHORIZATION);
    assert_eq!(
        op.check_request(&wire::user_path(AN_ID), &anonymous, b""),
        ["GET /api/extensions/v1beta/user/{user_id} request: header 'Authorization' is required"]
    );
}

#[test]
fn an_id_that_is_not_24_hex_is_reported() {
    let good = wire::user_path(AN_ID);
    let op = operation("GET", &good);
    assert_eq!(op.check_request(&good, &headers(), b""), [""; 0]);

    let bad = wire::user_path("not-an-object-id");
    assert_eq!(
        operation("GET", &bad).check_request(&bad, &headers(), b""),
        ["GET /api/extensions/v1beta/user/{user_id} path parameter 'user_id': value does not match \"^[a-f0-9]{24}$\""]
    );
    let revoke = wire::invitation_path("Ab1c2d3e4f5a6b7c8d9e0f1a");
    assert_eq!(
        operation("DELETE", &revoke)
            .check_request(&revoke, &headers(), b"")
            .len(),
        1
    );
}

#[test]
fn a_status_or_body_the_spec_does_not_give_is_reported() {
    let send = operation("POST", wire::SEND_INVITATION);
    assert_eq!(
        response(send, 202, &json!({"ok": true, "ids": [AN_ID]})),
        [""; 0]
    );
    assert_eq!(
        response(send, 200, &json!({"ok": true})),
        ["POST /api/extensions/v1/deployment/send-invitation response 200: status not in the spec (it lists 202)"]
    );

    let revoke = operation("DELETE", &wire::invitation_path(AN_ID));
    assert_eq!(revoke.check_response(204, b""), [""; 0]);
    assert_eq!(
        response(revoke, 204, &json!({})),
        ["DELETE /api/extensions/v1/deployment/invitation/{invitation_id} response 204: the spec gives it no body"]
    );
}

#[test]
fn an_error_reply_must_be_code_and_message() {
    let op = operation("POST", wire::SIGNIN);
    assert_eq!(
        response(
            op,
            403,
            &json!({"code": 100012, "message": "Wrong credentials"})
        ),
        [""; 0]
    );
    assert_eq!(
        response(op, 400, &json!({"code": "100003"})),
        [
            "POST /api/auth/v1/signin response 400 /code: value is not of type \"integer\"",
            "POST /api/auth/v1/signin response 400: \"message\" is a required property",
        ]
    );
}

#[test]
fn every_operation_of_the_app_is_found_by_its_wire_path() {
    let calls = [
        ("POST", wire::SIGNIN.to_owned()),
        ("POST", wire::SEND_VERIFICATION_TOKEN.to_owned()),
        ("POST", wire::REFRESH_TOKEN.to_owned()),
        ("POST", wire::SIGNOUT.to_owned()),
        ("GET", wire::user_path(AN_ID)),
        ("POST", wire::PROFILES.to_owned()),
        ("POST", wire::SEND_INVITATION.to_owned()),
        ("POST", wire::INVITATIONS.to_owned()),
        ("POST", wire::RESEND_INVITATIONS.to_owned()),
        ("DELETE", wire::invitation_path(AN_ID)),
        ("DELETE", wire::INVITATIONS_DELETE.to_owned()),
    ];
    for (method, path) in calls {
        assert!(SPEC.operation(method, &path).is_some(), "{method} {path}");
    }
    assert!(SPEC
        .operation("GET", "/api/extensions/v1/user/profiles")
        .is_none());
    assert!(SPEC.operation("POST", "/sandbox/clock").is_none());
}
