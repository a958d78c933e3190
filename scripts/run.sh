#!/usr/bin/env bash
# Sets everything up and runs Huma Clinician, a development build with the embedded demo sandbox
# (the `sandbox` feature): with no server configured it starts the sandbox; sign in with the demo
# account shown on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm --prefix ui run build
exec cargo run --features custom-protocol,sandbox -- "$@"
