#![allow(clippy::unwrap_used)]

use super::*;

fn london() -> Tz {
    parse_time_zone("Europe/London").unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn hours(window: &str) -> SendingHours {
    SendingHours {
        window: Window::parse(window).unwrap(),
        zone: london(),
        hold_email: false,
    }
}

/// When an SMS queued at `now` (UTC) may go, and the sentence the clinician reads.
fn held(window: &str, now: &str) -> Option<(DateTime<Utc>, String)> {
    let h = hours(window);
    let now = utc(now);
    h.hold_until(Channel::Sms, now)
        .map(|at| (at, h.will_send(at, now)))
}

#[test]
fn inside_the_hours_nothing_is_held() {
    // Monday 7 December 2026, 12:00 GMT.
    assert_eq!(held(DEFAULT_WINDOW, "2026-12-07T12:00:00Z"), None);
    // The last minute before 20:00 is in; 20:00 itself is out.
    assert_eq!(held(DEFAULT_WINDOW, "2026-12-07T19:59:59Z"), None);
    assert!(held(DEFAULT_WINDOW, "2026-12-07T20:00:00Z").is_some());
}

#[test]
fn an_evening_invite_waits_for_the_next_morning_and_an_early_one_for_the_same_morning() {
    assert_eq!(
        held(DEFAULT_WINDOW, "2026-12-07T22:00:00Z"),
        Some((
            utc("2026-12-08T08:00:00Z"),
            "Will send tomorrow at 08:00".into()
        ))
    );
    assert_eq!(
        held(DEFAULT_WINDOW, "2026-12-08T05:30:00Z"),
        Some((utc("2026-12-08T08:00:00Z"), "Will send at 08:00".into()))
    );
}

#[test]
fn saturday_evening_waits_for_monday_morning() {
    // Saturday 5 December 2026, 21:15 GMT; Sunday is not a sending day.
    assert_eq!(
        held(DEFAULT_WINDOW, "2026-12-05T21:15:00Z"),
        Some((
            utc("2026-12-07T08:00:00Z"),
            "Will send on Monday at 08:00".into()
        ))
    );
}

#[test]
fn saturday_evening_before_the_spring_change_waits_for_monday_08_00_summer_time() {
    // Saturday 28 March 2026, 21:00 GMT; the clocks go forward on Sunday 29 March.
    assert_eq!(
        held(DEFAULT_WINDOW, "2026-03-28T21:00:00Z"),
        Some((
            utc("2026-03-30T07:00:00Z"),
            "Will send on Monday at 08:00".into()
        ))
    );
    // Every day: Sunday 08:00 BST, after the change.
    assert_eq!(
        held("Mon-Sun 08:00-20:00", "2026-03-28T21:00:00Z"),
        Some((
            utc("2026-03-29T07:00:00Z"),
            "Will send tomorrow at 08:00".into()
        ))
    );
}

#[test]
fn saturday_evening_before_the_autumn_change_waits_for_08_00_winter_time() {
    // Saturday 24 October 2026, 22:00 BST (21:00 UTC); the clocks go back on Sunday 25 October.
    assert_eq!(
        held("Mon-Sun 08:00-20:00", "2026-10-24T21:00:00Z"),
        Some((
            utc("2026-10-25T08:00:00Z"),
            "Will send tomorrow at 08:00".into()
        ))
    );
    assert_eq!(
        held(DEFAULT_WINDOW, "2026-10-24T21:00:00Z"),
        Some((
            utc("2026-10-26T08:00:00Z"),
            "Will send on Monday at 08:00".into()
        ))
    );
}

#[test]
fn a_start_time_the_spring_change_skips_opens_when_the_clocks_jump() {
    // On 29 March 2026 London goes from 00:59:59 GMT to 02:00 BST: 01:30 never happens.
    let h = hours("Sun 01:30-20:00");
    let now = utc("2026-03-29T00:15:00Z"); // 00:15 GMT, before the change
    let at = h.hold_until(Channel::Sms, now).unwrap();
    assert_eq!(at, utc("2026-03-29T01:00:00Z")); // 02:00 BST, the first local minute past 01:30
    assert_eq!(h.will_send(at, now), "Will send at 02:00");
    assert!(h.window.is_open(london(), at));
    assert!(!h.window.is_open(london(), at - Duration::seconds(1)));
}

#[test]
fn a_start_time_the_autumn_change_repeats_opens_the_first_time() {
    // On 25 October 2026 London shows 01:00–01:59 twice: first in BST (00:00 UTC), then in GMT.
    let h = hours("Sun 01:30-20:00");
    let now = utc("2026-10-24T23:00:00Z"); // 00:00 BST
    let at = h.hold_until(Channel::Sms, now).unwrap();
    assert_eq!(at, utc("2026-10-25T00:30:00Z")); // 01:30 BST, the first of the two
    assert_eq!(h.will_send(at, now), "Will send at 01:30");
    // The second 01:30 (GMT) is inside the window too: nothing is held then.
    assert_eq!(
        h.hold_until(Channel::Sms, utc("2026-10-25T01:30:00Z")),
        None
    );
}

#[test]
fn email_invites_wait_only_when_the_setting_says_so() {
    let mut h = hours(DEFAULT_WINDOW);
    let night = utc("2026-12-07T23:40:00Z");
    assert_eq!(h.hold_until(Channel::Email, night), None);
    h.hold_email = true;
    assert_eq!(
        h.hold_until(Channel::Email, night),
        Some(utc("2026-12-08T08:00:00Z"))
    );
}

#[test]
fn always_holds_nothing() {
    assert_eq!(held("always", "2026-12-06T03:00:00Z"), None);
    assert_eq!(Window::parse("ALWAYS").unwrap().to_string(), "always");
}

#[test]
fn windows_read_back_in_their_canonical_form() {
    for (given, canonical) in [
        ("Mon-Sat 08:00-20:00", "Mon-Sat 08:00-20:00"),
        ("monday-friday 8:00-17:30", "Mon-Fri 08:00-17:30"),
        ("Mon,Wed,Fri 09:00–12:00", "Mon,Wed,Fri 09:00-12:00"),
        ("Mon-Wed,Fri 00:00-24:00", "Mon-Wed,Fri 00:00-24:00"),
        ("Sat-Mon 10:00-16:00", "Mon,Sat-Sun 10:00-16:00"),
    ] {
        assert_eq!(
            Window::parse(given).unwrap().to_string(),
            canonical,
            "{given}"
        );
    }
}

#[test]
fn a_bad_window_says_what_is_wrong() {
    let err = |text: &str| Window::parse(text).unwrap_err();
    assert!(err("08:00-20:00").contains("days and a time window"));
    assert!(err("Mon-Funday 08:00-20:00").contains("“Funday” is not a day"));
    assert!(err("Mon-Fri 8-20").contains("“8” is not a time of day"));
    assert!(err("Mon-Fri 08:00-25:00").contains("“25:00” is not a time of day"));
    assert!(err("Mon-Fri 08:60-20:00").contains("“08:60”"));
    assert!(err("Mon-Fri 20:00-08:00").contains("start before it ends"));
    assert!(err("Mon-Fri 08:00").contains("not a time window"));
    assert!(err(", 08:00-20:00").contains("at least one day"));
    assert!(parse_time_zone("Europe/Londres")
        .unwrap_err()
        .contains("“Europe/Londres” is not a time zone"));
}
