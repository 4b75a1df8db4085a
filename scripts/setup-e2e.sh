#!/usr/bin/env bash
# Installs the real-editor test tools into a folder of their own (default .tools/, ignored by
# git and never part of the extension's dependencies): code-server 4.100.3 (VS Code 1.100.3
# with a Node extension host; the last release that runs on Node 20) and playwright-core,
# which drives Debian's Chromium. Safe to run again: it installs only what is missing.
#
# Usage: scripts/setup-e2e.sh            (STARSYSTEM_TOOLS=DIR installs elsewhere)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${STARSYSTEM_TOOLS:-$root/.tools}"
code_server_version="4.100.3"
playwright_version="1.65.1"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root, or install these first: apt-get install -y --no-install-recommends ${need_apt[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

installed_version() {
  node -e "try{console.log(require('$tools/node_modules/$1/package.json').version)}catch{}" 2>/dev/null
}

if [ "$(installed_version code-server)" = "$code_server_version" ] && [ "$(installed_version playwright-core)" = "$playwright_version" ]; then
  echo "Test tools already installed in $tools"
  exit 0
fi

mkdir -p "$tools"
if [ ! -f "$tools/package.json" ]; then
  printf '{\n  "name": "starsystem-test-tools",\n  "private": true\n}\n' >"$tools/package.json"
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub; hand it Debian's rg in the cache it looks in first.
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
if [ ! -f "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
fi

echo "Installing code-server@$code_server_version and playwright-core@$playwright_version into $tools (about 300 MB)"
cd "$tools"
# unsafe_perm lets code-server's postinstall run as root; yes lets node-pty fetch node-gyp.
npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --foreground-scripts \
  "code-server@$code_server_version" "playwright-core@$playwright_version"

"$tools/node_modules/.bin/code-server" --version
echo "Test tools installed in $tools"
