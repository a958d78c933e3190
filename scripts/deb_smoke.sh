#!/usr/bin/env bash
# The Linux package under IT policy, as a hospital would deploy it: builds the .deb (no demo sandbox
# in it; the shipping profile, or with HUMA_DEB_PROFILE=debug the debug build), installs it with dpkg, writes /etc/huma-clinician/policy.json pointing at a sandbox
# started separately on loopback, and drives the installed app through WebDriver (Xvfb, tauri-driver)
# to check it shows the sign-in screen for that server and no "Demo sandbox". Then it uninstalls the
# package and removes the policy (a policy file that was there before is put back).
#
# Needs root (dpkg, /etc) and what scripts/setup.sh installs. Prints the .deb and binary sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n==> deb smoke: %s (%ss)\n' "$*" "$((SECONDS - started))"; }

. scripts/lib/managed_machine.sh
PACKAGE=huma-clinician
work=$(mktemp -d)

cleanup() {
  set +e
  if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
    $SUDO dpkg -r "$PACKAGE" >/dev/null
  fi
  managed_machine_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
  echo "$PACKAGE is already installed on this machine: remove it first (dpkg -r $PACKAGE)" >&2
  exit 1
fi

step "Build the UI and the .deb (without the demo sandbox)"
# scripts/test.sh has built it (HUMA_UI_BUILT=1) and a build running beside this one embeds it.
[ "${HUMA_UI_BUILT:-}" = 1 ] || npm --prefix ui run build >/dev/null
# HUMA_DEB_PROFILE=debug (scripts/test.sh): the package is made from a debug build with the
# installers' features (no demo sandbox, so the installed app's identity and no overrides from the
# environment), reusing everything scripts/test.sh compiled; the shipping profile would compile
# the whole app again, optimised. What is checked here (install, IT policy, start-up) does not
# depend on optimisation; the sizes printed are then not the shipping ones.
profile=${HUMA_DEB_PROFILE:-release}
# The UI is built above: skip the CLI's own beforeBuildCommand.
no_ui_build='{"build":{"beforeBuildCommand":null}}'
case $profile in
  release)
    build="shipping profile"
    rm -rf target/release/bundle/deb
    ui/node_modules/.bin/tauri build --ci --bundles deb --features custom-protocol \
      --config "$no_ui_build" -- --no-default-features
    ;;
  debug)
    build="debug build, larger than the shipping one"
    rm -rf target/debug/bundle/deb
    # scripts/test.sh's selection (workspace, every target), so only the app itself recompiles.
    # Tauri's `test` module (the mock runtime of the development host, which scripts/test.sh
    # builds) is compiled in too, unused by the app, so that Tauri is not compiled again without it.
    cargo build --workspace --all-targets --features custom-protocol,tauri/test
    ui/node_modules/.bin/tauri bundle --ci --debug --bundles deb --features custom-protocol,tauri/test \
      --config "$no_ui_build"
    ;;
  *) echo "HUMA_DEB_PROFILE must be release or debug" >&2; exit 2 ;;
esac
deb=$(ls "target/$profile"/bundle/deb/*.deb)
binary=target/$profile/huma-clinician
if strings "$binary" | grep -q "sandbox/messages"; then
  echo "the packaged binary contains the demo sandbox" >&2
  exit 1
fi

step "Install $(basename "$deb") with dpkg"
$SUDO dpkg -i "$deb"
installed=/usr/bin/huma-clinician
test -x "$installed"

step "Start a sandbox on loopback and write the machine policy"
# The debug builds below take scripts/test.sh's workspace and features, so after it they are already
# built: a narrower selection (`-p huma-sandbox`) unifies dependency features differently and would
# rebuild dozens of crates, OpenSSL included.
DEBUG_BUILD=(--workspace --features custom-protocol,sandbox,dev-host)
cargo build -q "${DEBUG_BUILD[@]}" --bin huma-sandbox
start_sandbox
data_dir="$work/managed-data"
# One deliberately invalid value: the app must report it and still apply the rest.
write_machine_policy <<EOF
{
  "backendUrl": "$backend",
  "idleLockMinutes": 7,
  "sandboxAllowed": false,
  "logLevel": "debug",
  "dataDirectory": "$data_dir",
  "updateChecksAllowed": "sometimes"
}
EOF

step "Drive the installed app through WebDriver (Xvfb, tauri-driver, a private keyring)"
export HUMA_E2E_APP=$installed HUMA_E2E_DEB_BACKEND=$backend HUMA_E2E_DEB_DATA_DIR=$data_dir
dbus-run-session -- bash -euo pipefail -c '
  echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo test -q '"${DEBUG_BUILD[*]}"' --test deb_policy installed_app -- --nocapture
'

step "Uninstall and remove the policy"
$SUDO dpkg -r "$PACKAGE" >/dev/null
test ! -e "$installed"

deb_bytes=$(stat -c %s "$deb")
bin_bytes=$(stat -c %s "$binary")
awk -v d="$deb_bytes" -v b="$bin_bytes" -v n="$(basename "$deb")" -v t="$((SECONDS - started))" -v l="$build" 'BEGIN {
  printf "\n.deb %s: %.1f MiB (%d bytes); binary: %.1f MiB (%d bytes) (%s); took %d s\n", n, d / 1048576, d, b / 1048576, b, l, t
}'
