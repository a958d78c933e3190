#!/usr/bin/env bash
# Sets everything up and runs every check and test: lints, UI tests, Rust unit and integration tests
# (against the real sandbox on loopback), a real OS-keyring round trip (Secret Service on a private
# session bus), and end-to-end tests of the real app in a real window (Xvfb + WebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
started=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }

step "Set-up"
scripts/setup.sh

step "UI: type check, lint, unit tests, build"
npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test
npm --prefix ui run build

step "Rust: format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features custom-protocol -- -D warnings
# The core must stay free of the desktop shell.
if cargo tree -p huma-core -e normal,build --prefix none | grep -qE '^tauri( |-)'; then
  echo "crates/core depends on tauri: keep the shell out of the core" >&2
  exit 1
fi

step "Rust: build the app (served UI embedded)"
cargo build --workspace --all-targets --features custom-protocol

step "Rust tests, keyring round trip and end-to-end, on a private session bus with a Secret Service"
dbus-run-session -- bash -euo pipefail -c '
  # An empty line on stdin creates and unlocks a login keyring with an empty password.
  echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --exclude huma-e2e --features custom-protocol
  cargo test -p huma-core --test keyring_os -- --ignored
  xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p huma-e2e -- --test-threads=1
'

step "Generated TypeScript bindings are committed and current"
if [ -n "$(git status --porcelain -- ui/src/lib/backend/bindings)" ]; then
  git status --porcelain -- ui/src/lib/backend/bindings
  echo "The UI bindings drifted from the Rust types: commit ui/src/lib/backend/bindings" >&2
  exit 1
fi

step "All checks passed"
