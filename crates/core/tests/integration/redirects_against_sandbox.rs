//! A server that redirects is not followed: a 307 would have the clinician's password (or a
//! patient's details) sent again, body and all, to whatever address the redirect names.

use crate::common;

use std::sync::{Arc, Mutex};

use common::{TestResult, World};
use huma_core::secrets::Secret;
use huma_core::ErrorCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback server that keeps every byte it is sent, and answers 200 `{}`.
async fn recording_target() -> TestResult<(u16, Arc<Mutex<Vec<u8>>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 16 * 1024];
            let n = socket.read(&mut buffer).await.unwrap_or(0);
            if let Ok(mut all) = keep.lock() {
                all.extend_from_slice(&buffer[..n]);
            }
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                .await;
        }
    });
    Ok((port, received))
}

#[tokio::test]
async fn a_redirecting_server_never_gets_the_password_sent_on_and_the_clinician_is_told_why(
) -> TestResult {
    let world = World::new().await?;
    let (target_port, received) = recording_target().await?;
    // Every request to this base URL is answered 307 to the recording server, path kept.
    let app = world.app_at(&format!(
        "{}/sandbox/redirect/{target_port}",
        world.sandbox.base_url()
    ));
    let demo = world.sandbox.demo();

    let refused = app
        .sign_in(&demo.email, &Secret::new(demo.password.clone()))
        .await;

    let sent_on = String::from_utf8_lossy(&received.lock().map_err(|_| "poisoned")?).into_owned();
    assert!(
        sent_on.is_empty(),
        "the redirect target was sent: {}",
        sent_on.replace(&demo.password, "<the password>")
    );
    let error = refused.err().ok_or("the sign-in went through")?;
    assert_eq!(error.code, ErrorCode::ServerError);
    assert_eq!(
        error.message,
        "The Huma server redirected the request; the app does not follow redirects. \
         Ask your IT team to check the server address."
    );
    Ok(())
}
