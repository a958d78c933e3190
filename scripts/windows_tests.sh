#!/usr/bin/env bash
# The Windows build, tested under Wine: builds the core's tests for x86_64-pc-windows-gnu and runs
# them under Wine (Credential Manager for the keyring, the registry for managed policy, SQLCipher
# files, the sandbox on loopback), then the exactly-once property and crash tests with their counts.
# The desktop app is compiled for Windows when asked (`app`, `all`), type-checked only: Wine has no
# WebView2 runtime to run it, and the installers are built and linked on Windows with MSVC (the
# bundles workflow), not with this GNU toolchain.
#
# No rustup target for Windows can be downloaded here, so it uses Debian's rustc-web, whose standard
# library sources let cargo build std for the target (-Zbuild-std). Installs its Debian packages if
# they are missing (needs root or sudo). Everything it writes stays under target/windows: the build
# (without debug info or symbols, which halves its size), a private Wine prefix, the logs.
#
# Usage: windows_tests.sh [build|test|app|all]. `build` compiles the core and its tests and prepares
# the Wine prefix, so scripts/test.sh can run it in the background at low priority while the Linux
# checks run; `test` runs the tests under Wine (building whatever is missing); `app` type-checks the
# desktop app for Windows; `all`, the default, does all three, the app's check while the tests run.
#
# Environment: PROPTEST_CASES (default 200) for the property test. `app` and `all` expect the UI
# built in ui/dist and build it if it is not.
set -euo pipefail
PHASE=${1:-all}
case $PHASE in build | test | app | all) ;; *) echo "usage: $0 [build|test|app|all]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
step() { printf '\n==> windows: %s (%ss)\n' "$*" "$((SECONDS - started))"; }

TARGET=x86_64-pc-windows-gnu
DIR=$root/target/windows
LOGS=$DIR/logs
PACKAGES=(rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64)
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver

step "Debian packages"
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's toolchain, not rustup's: cargo passes RUSTC on to build scripts. Not rustup's clippy
# driver either.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=$DIR CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_DEV_STRIP=symbols
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++ \
  AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$WINE
# The TypeScript bindings the core's tests write go here, not into the UI (they are checked there
# from the Linux run).
export TS_RS_EXPORT_DIR=$DIR/bindings
# A private prefix, and a Windows user name with a space and non-ASCII letters (Wine takes it from
# USER), so %USERPROFILE%, %APPDATA% and %TEMP% have both. No Mono or Gecko (they would be
# downloaded), no Wine debug output.
export WINEPREFIX=$DIR/wine WINEARCH=win64 USER="Zoë Ångström" WINEDEBUG=-all \
  WINEDLLOVERRIDES="mscoree,mshtml="
# The standard library crates built for Windows: the same list for the tests and the app, so the
# app's check reuses the build scripts' work the tests' build did (a different list changes every
# crate's hash and runs them all again, aws-lc's C build included).
BUILD_STD=-Zbuild-std=std,test
# `cargo test` and its options for the core (and Huma's API client) on Windows:
# cargo test [options] [-- test arguments].
core_cargo() { /usr/bin/cargo "$1" -p huma-core -p huma-api "$BUILD_STD" --target "$TARGET" "${@:2}"; }
mkdir -p "$LOGS"
# Ends this prefix's Wine processes. After the crash test Wine 8's server can spin on a socket of a
# terminated process, taking a core until it is stopped: stop it after each Wine phase.
stop_wine() { "$WINESERVER" -k 2>/dev/null || true; }
trap stop_wine EXIT

step "Wine prefix (with the bcryptprimitives.dll stand-in Wine 8 lacks)"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  "$WINE" wineboot --init >"$LOGS/wineboot.log" 2>&1
  "$WINESERVER" -w
fi
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c -ladvapi32

# SQLCipher's OpenSSL: the source the installers' vendored copy is compiled from (the openssl-src
# crate of Cargo.lock), with its flags, but only libcrypto and only what SQLCipher asks of it
# (AES-256, SHA-1/SHA-2 HMACs, PBKDF2, the random generator; RSA, X.509 and ASN.1 cannot be left
# out). The vendored build compiles libssl and every algorithm too: 859 core-seconds here against
# 605, on the critical path of a CI run.
OPENSSL=$DIR/openssl
OPENSSL_LEFT_OUT=(no-legacy no-engine no-dso no-async no-ui-console no-ssl3 no-tls1 no-tls1_1 no-dtls
  no-quic no-srp no-srtp no-ct no-ocsp no-cms no-ts no-cmp no-http no-ec no-ecx no-sm2 no-sm3 no-sm4
  no-dh no-dsa no-gost no-des no-rc2 no-rc4 no-rc5 no-md2 no-md4 no-mdc2 no-rmd160 no-whirlpool no-bf
  no-cast no-camellia no-idea no-seed no-aria no-chacha no-poly1305 no-siphash no-blake2 no-scrypt
  no-argon2 no-ocb no-siv no-ml-dsa no-ml-kem no-slh-dsa no-lms no-capieng no-weak-ssl-ciphers)
build_openssl() {
  local manifest built
  manifest=$(/usr/bin/cargo metadata --format-version 1 --locked --filter-platform "$TARGET" |
    python3 -c 'import json, sys
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "openssl-src"))')
  # Built once per source (its path names the version) and list of options.
  built="$manifest ${OPENSSL_LEFT_OUT[*]}"
  [ "$(cat "$OPENSSL/built" 2>/dev/null)" = "$built" ] && return
  rm -rf "$OPENSSL"
  cp -r "$(dirname "$manifest")/openssl" "$OPENSSL"
  # openssl-src's Configure line for this target, less what is left out above.
  (cd "$OPENSSL" &&
    CC=x86_64-w64-mingw32-gcc AR=x86_64-w64-mingw32-ar RANLIB=x86_64-w64-mingw32-ranlib \
      WINDRES=x86_64-w64-mingw32-windres perl ./Configure mingw64 no-shared no-module no-tests \
      no-comp no-zlib no-zlib-dynamic "${OPENSSL_LEFT_OUT[@]}" \
      -O2 -ffunction-sections -fdata-sections -m64 -w -Wa,-mbig-obj >"$LOGS/openssl.log" 2>&1 &&
    make -j"$(nproc)" build_generated >>"$LOGS/openssl.log" 2>&1 &&
    make -j"$(nproc)" libcrypto.a >>"$LOGS/openssl.log" 2>&1) || {
    tail -n 40 "$LOGS/openssl.log"
    echo "OpenSSL did not build for Windows (log: ${LOGS#"$root"/}/openssl.log)" >&2
    exit 1
  }
  echo "$built" >"$OPENSSL/built"
}
export OPENSSL_NO_VENDOR=1 OPENSSL_STATIC=1 OPENSSL_LIBS=crypto OPENSSL_LIB_DIR=$OPENSSL \
  OPENSSL_INCLUDE_DIR=$OPENSSL/include

step "Build SQLCipher's OpenSSL (libcrypto) for Windows"
build_started=$SECONDS
build_openssl
echo "built in $((SECONDS - build_started)) s"

# The shell with its UI embedded, type-checked for Windows with its build scripts run (its Windows
# resources compiled): what a Windows-only compile error would break. Not linked (see above), which
# saves little: the check took 500 s here, building it 545 s, each beside the tests.
check_app() {
  [ -f ui/dist/index.html ] || npm --prefix ui run build
  local app_started=$SECONDS
  if ! /usr/bin/cargo check --quiet -p huma-clinician --features custom-protocol "$BUILD_STD" \
    --target "$TARGET" >"$LOGS/app.log" 2>&1; then
    tail -n 60 "$LOGS/app.log"
    echo "the desktop app does not compile for Windows (log: ${LOGS#"$root"/}/app.log)" >&2
    exit 1
  fi
  echo "huma-clinician checked for Windows in $((SECONDS - app_started)) s"
}
if [ "$PHASE" = app ]; then
  step "Check the desktop app for Windows"
  check_app
  exit 0
fi

step "Build the core and its tests for Windows"
build_started=$SECONDS
core_cargo test --no-run --quiet
echo "built in $((SECONDS - build_started)) s"

if [ "$PHASE" = build ]; then
  step "Windows build done"
  exit 0
fi

# Runs cargo test, keeping its output in a log; on failure shows the end of it.
run_tests() {
  local log=$LOGS/$1.log
  shift
  if ! core_cargo test --no-fail-fast "$@" >"$log" 2>&1; then
    grep -E "^test .* FAILED$|panicked" "$log" | head -n 40
    tail -n 60 "$log"
    echo "Windows tests failed under Wine (log: ${log#"$root"/})" >&2
    exit 1
  fi
}
passed() { grep -oE "test result: ok\. [0-9]+ passed" "$1" | awk '{n += $4} END {print n + 0}'; }

step "Core tests under Wine (unit, integration with the sandbox on loopback, Credential Manager, registry)"
# Ignored tests need the OS keyring or registry: under Wine they have them.
rm -f "$LOGS/core.log"
run_tests core -- --include-ignored \
  --skip every_invite_reaches_the_server_exactly_once --skip killed_sync_workers &
core_tests=$!
if [ "$PHASE" = all ]; then
  # The tests leave a core mostly idle (Wine's server is one thread): the app is checked then.
  # Cargo holds the build directory's lock while it compiles, so the check starts once the tests
  # are running.
  until grep -q "Running" "$LOGS/core.log" 2>/dev/null || ! kill -0 "$core_tests" 2>/dev/null; do
    sleep 1
  done
  check_app
fi
wait "$core_tests"
echo "$(passed "$LOGS/core.log") core tests passed under Wine"
stop_wine

step "Exactly once under Wine: property test and crash test (TerminateProcess)"
PROPTEST_CASES=${PROPTEST_CASES:-200} \
  run_tests exactly-once --test integration -- --nocapture outbox_property:: outbox_crash::
grep -E "cases run|kills" "$LOGS/exactly-once.log"
stop_wine

step "Windows done"
du -sh "$DIR" | awk '{print "target/windows: " $1}'
