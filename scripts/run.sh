#!/usr/bin/env bash
# Sets everything up and runs Huma Clinician. With no server configured (the default for development
# builds) it starts the embedded demo sandbox: sign in with the demo account shown on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm --prefix ui run build
exec cargo run --features custom-protocol -- "$@"
