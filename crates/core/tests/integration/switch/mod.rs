//! A loopback TCP relay in front of the sandbox that can be switched off and on again on the same
//! port: the app keeps one backend URL (its accounts are partitioned by it) while the server goes
//! unreachable (connection refused, live connections cut) and comes back.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Mutex;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub struct Switch {
    port: u16,
    upstream: String,
    relay: Mutex<Option<JoinHandle<()>>>,
}

impl Switch {
    /// Starts relaying to `upstream_url` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream_url: &str) -> std::io::Result<Self> {
        let upstream = upstream_url.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let switch = Self {
            port,
            upstream,
            relay: Mutex::new(None),
        };
        switch.serve(listener);
        Ok(switch)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server becomes unreachable: new connections are refused, open ones are cut.
    pub async fn down(&self) {
        let relay = self.relay.lock().unwrap().take();
        if let Some(relay) = relay {
            relay.abort();
            let _ = relay.await;
        }
    }

    /// The server is back, on the same port.
    pub async fn up(&self) -> std::io::Result<()> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        self.serve(listener);
        Ok(())
    }

    fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        let relay = tokio::spawn(async move {
            // Dropped with this task on `down`, which aborts every live connection.
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        *self.relay.lock().unwrap() = Some(relay);
    }
}
