//! Desktop notifications as the session bus carries them: `dbus-monitor` records every
//! `org.freedesktop.Notifications.Notify` call, and a real notification daemon (when installed)
//! shows them on the virtual display, so they appear in screenshots too.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestResult;

const DAEMON: &str = "/usr/lib/notification-daemon/notification-daemon";

/// Watches the session bus for notifications from the moment it starts until it is dropped.
pub struct NotificationWatch {
    monitor: Child,
    daemon: Option<Child>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// One notification: its summary (title) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub summary: String,
    pub body: String,
}

impl NotificationWatch {
    pub async fn start() -> TestResult<Self> {
        let dir = tempfile::tempdir()?;
        let log = dir.path().join("notify.txt");
        let monitor = Command::new("dbus-monitor")
            .args([
                "--session",
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            ])
            .stdout(std::fs::File::create(&log)?)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-monitor is needed to see notifications: {e}"))?;
        let daemon = std::path::Path::new(DAEMON)
            .exists()
            .then(|| {
                Command::new(DAEMON)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .ok()
            })
            .flatten();
        // dbus-monitor announces itself on the bus before it records anything.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_to_string(&log)?.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            monitor,
            daemon,
            log,
            _dir: dir,
        })
    }

    /// Every notification sent since the watch started.
    pub fn seen(&self) -> TestResult<Vec<Notification>> {
        Ok(parse_monitor_log(&std::fs::read_to_string(&self.log)?))
    }

    /// Waits up to `within` for a notification whose summary or body contains `text`.
    pub async fn wait_for(&self, text: &str, within: Duration) -> TestResult<Notification> {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.seen()?;
            if let Some(n) = seen
                .iter()
                .find(|n| n.summary.contains(text) || n.body.contains(text))
            {
                return Ok(n.clone());
            }
            if Instant::now() > deadline {
                return Err(format!("no notification with {text:?}; seen: {seen:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

impl Drop for NotificationWatch {
    fn drop(&mut self) {
        for child in [Some(&mut self.monitor), self.daemon.as_mut()]
            .into_iter()
            .flatten()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, timeout)` calls as
/// dbus-monitor prints them: the third and fourth `string` arguments are the summary and body.
fn parse_monitor_log(log: &str) -> Vec<Notification> {
    let mut found = Vec::new();
    let mut strings: Option<Vec<String>> = None;
    for line in log.lines() {
        if line.starts_with("method call ") && line.contains("member=Notify") {
            strings = Some(Vec::new());
        } else if !line.starts_with(' ') {
            strings = None;
        } else if let (Some(args), Some(value)) = (strings.as_mut(), string_argument(line)) {
            args.push(value);
            if let [_, _, summary, body] = args.as_slice() {
                found.push(Notification {
                    summary: summary.clone(),
                    body: body.clone(),
                });
                strings = None;
            }
        }
    }
    found
}

/// `   string "3 queued invites were sent"` → the text (top-level arguments only).
fn string_argument(line: &str) -> Option<String> {
    let rest = line.strip_prefix("   string \"")?;
    Some(rest.strip_suffix('"')?.replace("\\\"", "\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_summary_and_body_of_each_notify_call() {
        let log = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.0 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.0"
method call time=2.0 sender=:1.7 -> destination=org.freedesktop.Notifications serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "huma-clinician"
   uint32 0
   string ""
   string "Huma Clinician"
   string "3 queued invites were sent"
   array [
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 1
      )
   ]
   int32 -1
"#;
        assert_eq!(
            parse_monitor_log(log),
            [Notification {
                summary: "Huma Clinician".into(),
                body: "3 queued invites were sent".into()
            }]
        );
    }
}
