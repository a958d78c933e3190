#!/usr/bin/env bash
# Start-up time and memory of the release app, each beside its baseline in the same run
# (docs/PERFORMANCE.md): builds the app in the shipping profile (without the demo sandbox) and a
# bare Tauri window in the same profile, starts a sandbox with 250,000 patients (a list of 100,000)
# and names it in the machine's IT policy, then drives both programs through WebDriver under Xvfb
# with a private keyring (tests/e2e/examples/app_footprint.rs).
#
# Not part of scripts/test.sh: it asserts nothing about time, and the shipping build takes ~20
# minutes cold on two cores. Needs root (it writes /etc/huma-clinician/policy.json and puts back
# what was there) and what scripts/setup.sh installs. HUMA_FOOTPRINT_ROUNDS sets the start-up
# rounds (default 5), HUMA_FOOTPRINT_DAY_HOURS the hours of use simulated (default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/managed_machine.sh
work=$(mktemp -d)
cleanup() {
  set +e
  managed_machine_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

# As scripts/test.sh: the Linux builds link Debian's OpenSSL.
export OPENSSL_NO_VENDOR=1
# HUMA_UI_BUILT=1: the UI is built already (rebuilding it would relink the release app).
[ "${HUMA_UI_BUILT:-}" = 1 ] || npm --prefix ui run build >/dev/null
cargo build --release --features custom-protocol --bin huma-clinician --example minimal_window
# scripts/test.sh's debug selection, so nothing already built is compiled again.
cargo build --workspace --features custom-protocol,sandbox,dev-host --bin huma-sandbox \
  --example app_footprint

# Every run starts from the same freshly seeded database: a copy of one seeded once and kept
# (seeding 250,000 patients takes a while; the same seed gives the same data). No request limit:
# what is measured does not depend on how fast the list is copied for offline use.
seed=target/footprint/seed.sqlite3
if [ ! -f "$seed.done" ]; then
  mkdir -p target/footprint
  rm -f "$seed" "$seed-wal" "$seed-shm"
  start_sandbox --db "$seed" --patients 250000
  kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=""
  touch "$seed.done"
fi
for part in "" -wal -shm; do
  [ ! -f "$seed$part" ] || cp "$seed$part" "$work/sandbox.sqlite3$part"
done
start_sandbox --db "$work/sandbox.sqlite3" --rate-limit-per-minute 0
# Invites go out at whatever hour this runs.
write_machine_policy <<POLICY
{"backendUrl": "$backend", "sendingHours": "always"}
POLICY

export HUMA_E2E_APP=$PWD/target/release/huma-clinician
export HUMA_FOOTPRINT_BASELINE=$PWD/target/release/examples/minimal_window
export HUMA_FOOTPRINT_BACKEND=$backend
dbus-run-session -- bash -euo pipefail -c '
  echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" target/debug/examples/app_footprint
'
ls -l target/release/huma-clinician target/release/examples/minimal_window |
  awk '{printf "%s: %.1f MiB\n", $NF, $5 / 1048576}'
