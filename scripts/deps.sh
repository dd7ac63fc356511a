#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Loket.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: build tools, WebKitGTK for the desktop shell, and what the
# end-to-end tests drive it with (Xvfb, WebKitWebDriver); CUPS with a PDF
# printer for printing receipts (the receipt tests start their own cupsd),
# and poppler / qpdf to read and check receipt PDFs; PostgreSQL (15) for
# the fleet replica's tests, which start a private cluster of their own
# (nothing starts the packaged one in a container).
packages=(build-essential pkg-config ca-certificates curl
          libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver
          cups printer-driver-cups-pdf poppler-utils qpdf
          postgresql)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "deps: cargo is missing. Install the Rust toolchain (https://rustup.rs) and run again." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "deps: the UI build needs Node.js 20 or newer (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the desktop tests.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "deps: installing tauri-driver" >&2
  cargo install tauri-driver --locked --quiet
fi

# The UI's npm packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The Tauri CLI that builds the .deb/.rpm (make package, and the package
# test of make test), exactly as locked; its native binary comes inside the
# npm package, nothing else is downloaded.
if [ ! -d packaging/node_modules ] || [ packaging/package-lock.json -nt packaging/node_modules/.package-lock.json ]; then
  (cd packaging && npm ci --no-audit --no-fund --loglevel=error)
fi
