//! Two clinicians on one computer (one data folder, one keyring): each sees and sends only their
//! own queue, with their own token, and signing out never loses what is waiting.

use crate::common;
use crate::switch;

use std::time::Duration;

use common::{TestResult, World};
use huma_core::secrets::Secret;
use huma_core::ui_types::SignInStep;
use switch::Switch;

async fn invitations(world: &World) -> TestResult<Vec<serde_json::Value>> {
    let json: serde_json::Value =
        reqwest::get(format!("{}/sandbox/invitations", world.sandbox.base_url()))
            .await?
            .json()
            .await?;
    Ok(json["invitations"].as_array().cloned().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn one_clinicians_queue_is_never_seen_or_sent_by_the_next() -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(&server.url());
    tokio::spawn(app.clone().run_sync());
    let password = Secret::new(huma_sandbox::DEMO_PASSWORD);

    // A (Sam) has signed in here before, then the clinic loses its connection.
    let SignInStep::SignedIn { session: a } =
        app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?
    else {
        panic!("Sam has no second factor");
    };
    let list = app.patient_lists().await?.remove(0).id;
    app.sign_out().await?;
    server.down().await;

    // A signs in offline, queues two invites, signs out: they are kept.
    let SignInStep::SignedIn { session } =
        app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?
    else {
        panic!("no offline sign-in");
    };
    assert!(session.offline);
    let a_addresses = vec![
        "from.sam.one@example.com".to_owned(),
        "from.sam.two@example.com".to_owned(),
    ];
    let a_batch = app.send_email_invites(&list, &a_addresses).await?.batch_id;
    assert_eq!(app.outbox_status().await?.waiting, 2);
    app.sign_out().await?;

    // B (Amelia) signs in on the same computer once the server is back.
    server.up().await?;
    world.sign_in_demo(&app).await?;
    let b = app.session_info().await.ok_or("B not signed in")?;
    assert_ne!(a.clinician.id, b.clinician.id);
    assert_eq!(app.outbox_status().await?.waiting, 0, "B sees A's queue");
    assert!(app.patient_lists().await?.iter().any(|l| l.id == list));
    let b_batch = app
        .send_email_invites(&list, &["from.amelia@example.com".to_owned()])
        .await?
        .batch_id;
    app.sync_now();
    let outcome = app.await_batch(&b_batch, Duration::from_secs(20)).await?;
    assert_eq!(outcome.sent, 1, "{outcome:?}");
    // B's sync sent B's invite, and none of A's.
    let all = invitations(&world).await?;
    assert!(all.iter().any(
        |i| i["email"] == "from.amelia@example.com" && i["senderId"] == b.clinician.id.as_str()
    ));
    for address in &a_addresses {
        assert!(
            all.iter().all(|i| i["email"] != address.as_str()),
            "A's invite to {address} went out during B's session"
        );
    }
    assert!(app
        .await_batch(&a_batch, Duration::from_millis(10))
        .await
        .is_err());
    app.sign_out().await?;

    // A signs back in: A's invites go out, once each, with A's token. (No count of what waits
    // here: signing in wakes the sync task, which may already have sent them.)
    app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?;
    app.sync_now();
    let outcome = app.await_batch(&a_batch, Duration::from_secs(20)).await?;
    assert_eq!((outcome.sent, outcome.queued), (2, 0), "{outcome:?}");
    let all = invitations(&world).await?;
    for address in &a_addresses {
        let sent: Vec<_> = all
            .iter()
            .filter(|i| i["email"] == address.as_str())
            .collect();
        assert_eq!(sent.len(), 1, "{address}");
        assert_eq!(sent[0]["senderId"], a.clinician.id.as_str());
        assert!(sent[0]["invitedBy"]
            .as_str()
            .is_some_and(|by| by.contains("Okafor")));
    }
    assert!(all.iter().all(
        |i| i["email"] != "from.amelia@example.com" || i["senderId"] == b.clinician.id.as_str()
    ));
    Ok(())
}
