#!/usr/bin/env bash
# Installs everything building, running and testing Huma Clinician needs on Debian/Ubuntu:
# system packages (only those missing), the UI's npm packages, and tauri-driver for end-to-end tests.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  # build
  build-essential pkg-config curl file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev libdbus-1-dev
  # run and test without a desktop: virtual display, WebDriver, keyring, screenshots, notifications
  xvfb xauth webkit2gtk-driver dbus gnome-keyring keyutils imagemagick x11-utils fonts-dejavu-core at-spi2-core xdotool
  notification-daemon
  # reading the sign-up QR code off a screenshot
  zbar-tools
  # the module-circle check (scripts/module_cycles.py)
  python3
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "Rust is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js 20+ and npm are required" >&2; exit 1; }

echo "==> Installing UI packages"
npm --prefix ui ci --no-audit --no-fund --loglevel=error

if ! command -v tauri-driver >/dev/null; then
  echo "==> Installing tauri-driver (end-to-end tests)"
  cargo install tauri-driver --locked --version '^2'
fi
