#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test Loket.
# Idempotent and quick when everything is already there.
set -euo pipefail

# Debian packages: what the build and the tests need.
packages=(build-essential pkg-config ca-certificates curl)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "deps: cargo is missing. Install the Rust toolchain (https://rustup.rs) and run again." >&2
  exit 1
fi
