//! Contract tests against Huma's published OpenAPI (`tests/fixtures/huma-openapi-subset.yml`): the
//! real app drives every operation it uses against the real sandbox, through a proxy that checks
//! each request and reply against the spec. `spec_catches` proves the checks can fail.

use crate::common;
mod proxy;
mod spec;
mod spec_catches;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::{query, TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::invite::language::Language;
use huma_core::invite::types::SmsInviteDraft;
use proxy::Proxy;
use spec::Spec;

/// Operations in the spec the app does not call (decided from the paths in `huma/wire.rs` that
/// `crates/core/src` uses). Update when the app starts or stops calling one.
const NOT_CALLED: [&str; 5] = [
    // The app does not ask first how an account signs in: it signs in by password, then the code.
    "POST /api/auth/v1/check-auth-attributes",
    // The app never changes the clinician's profile.
    "POST /api/extensions/v1beta/user/{user_id}",
    // One deployment's configuration; the patient lists come from the user's `deploymentsInfo`.
    "GET /api/extensions/v1beta/user/{user_id}/configuration",
    // Bulk revoke: the client has it, but the app revokes invitations one at a time.
    "DELETE /api/extensions/v1/deployment/invitation",
    // Reusable (UNIVERSAL) sign-up links: the app only sends personal invitations.
    "POST /api/extensions/v1/deployment/invitation-link",
];

/// Requests that are no Huma operation and are expected: the connection probe (`HEAD` of the base
/// URL) counts any answer, so it needs no operation.
const OUTSIDE_SPEC: [&str; 1] = ["HEAD /"];

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_the_app_uses_conforms_to_huma_s_published_spec() -> TestResult {
    let world = World::new().await?;
    let proxy = Proxy::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(proxy.url());
    // Runs to the end or to the first failure; either way everything seen is reported together,
    // as the violations usually explain a failed flow.
    let flows = every_flow(&world, app).await;
    let record = proxy.record();

    let expected: BTreeSet<String> = Spec::load()
        .operation_names()
        .filter(|name| !NOT_CALLED.contains(name))
        .map(str::to_owned)
        .collect();
    let outside = record
        .outside_spec
        .iter()
        .filter(|r| !OUTSIDE_SPEC.contains(&r.as_str()));
    let problems: Vec<String> = [
        listing("contract violations", &record.violations),
        flows
            .err()
            .map(|e| format!("a flow failed: {e}"))
            .unwrap_or_default(),
        listing("requests outside the spec", outside),
        listing(
            "operations not exercised",
            expected.difference(&record.exercised),
        ),
        listing(
            "operations called but listed in NOT_CALLED",
            record.exercised.difference(&expected),
        ),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

/// `title (n):` and the items one a line; empty when there are none.
fn listing<'a>(title: &str, items: impl IntoIterator<Item = &'a String>) -> String {
    let items: Vec<&String> = items.into_iter().collect();
    if items.is_empty() {
        return String::new();
    }
    let lines: String = items.iter().map(|i| format!("\n  {i}")).collect();
    format!("{title} ({}):{lines}", items.len())
}

/// Every flow that talks to Huma, in the order a clinician's day has them.
async fn every_flow(world: &World, app: Arc<ClinicianApp>) -> TestResult {
    // Sign-in: password, then the SMS code (signin, sendverificationtoken, signin, the user).
    world.sign_in_demo(&app).await?;
    tokio::spawn(app.clone().run_sync());
    let list = app.patient_lists().await?.remove(0).id;

    // 14.5 minutes in, inside the access token's refresh margin: the next call refreshes first.
    world.advance(14).await?;
    world.clock.advance(chrono::Duration::seconds(30));
    let everyone = app.search_patients(&query(&list, "")).await?;
    let someone = everyone.patients.first().ok_or("an empty patient list")?;
    app.search_patients(&query(&list, &someone.family_name))
        .await?;

    let sms = SmsInviteDraft {
        list_id: list.clone(),
        given_name: "Ruth".into(),
        family_name: "Ellison".into(),
        phone: "07700 900456".into(),
        language: Language::English,
    };
    let receipt = app.send_sms_invite(&sms).await?;
    all_sent(&app, &receipt.batch_id, 1).await?;
    let emails = ["contract.ann@example.com", "contract.bob@example.com"].map(String::from);
    let receipt = app.send_email_invites(&list, &emails).await?;
    all_sent(&app, &receipt.batch_id, 2).await?;

    let pending = app.pending_invites(&list).await?.invites;
    let id_of = |recipient: &str| {
        pending
            .iter()
            .find(|r| r.recipient == recipient && !r.on_this_computer)
            .map(|r| r.id.clone())
            .ok_or(format!("no pending invitation to {recipient}"))
    };
    let resend = id_of("+447700900456")?;
    let revoke = id_of(&emails[0])?;
    app.resend_invites(&list, &[resend]).await?;
    app.revoke_invites(&list, &[revoke]).await?;
    settled(&app).await?;

    app.sign_out().await?;
    Ok(())
}

// The flow's own checks fail with an error, not a panic, so the violations are still reported.

/// Waits for a batch of invites and checks that every one went out.
async fn all_sent(app: &ClinicianApp, batch_id: &str, count: u32) -> TestResult {
    let outcome = app.await_batch(batch_id, Duration::from_secs(10)).await?;
    if outcome.sent != count {
        return Err(format!("{count} invites were to go out: {outcome:?}").into());
    }
    Ok(())
}

/// Waits until the outbox has nothing left to send, and checks that nothing was refused.
async fn settled(app: &ClinicianApp) -> TestResult {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let status = app.outbox_status().await?;
        if status.waiting == 0 && status.needs_attention == 0 && status.rejected == 0 {
            return Ok(());
        }
        if status.waiting == 0 || tokio::time::Instant::now() > deadline {
            return Err(format!("the resend and revoke did not both go out: {status:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
