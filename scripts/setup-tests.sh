#!/usr/bin/env bash
# Installs what the test suite needs beyond `npm ci`: the Debian packages the tests call
# (age for vault interop, chromium and friends for the real-editor suite, neovim as an
# independent LSP client) and the real-editor tools (scripts/setup-e2e.sh). Safe to run
# again: it installs only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need=()
command -v age >/dev/null 2>&1 || need+=(age)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: these Debian packages are missing: ${need[*]} (run as root, or: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi

bash "$root/scripts/setup-e2e.sh"
