#!/usr/bin/env bash
# The UI in a plain browser, against the real core: starts the development host (the app's commands
# over HTTP on 127.0.0.1:1430, with its embedded demo sandbox) and Vite's dev server on
# http://localhost:5173, which passes the UI's calls to the host. Edits to the UI reload at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --features dev-host --bin huma-clinician-dev-host
target/debug/huma-clinician-dev-host &
host=$!
trap 'kill "$host" 2>/dev/null || true' EXIT
npm --prefix ui run dev
