#!/bin/bash
# Installs what confined commands need (RULES.md §4) when it is missing: bubblewrap, socat and ripgrep from
# Debian's packages (Linux). `npm test` runs it before the unit tests, whose sandbox tests fail, never skip, without it.
set -euo pipefail
say() { echo "[sandbox setup] $*"; }
[ "$(uname -s)" = Linux ] || { say "not Linux: nothing to install (macOS has sandbox-exec)"; exit 0; }
if command -v bwrap >/dev/null && command -v socat >/dev/null && command -v rg >/dev/null; then exit 0; fi
command -v apt-get >/dev/null || { say "bubblewrap, socat and ripgrep are missing and there is no apt-get: install them with your package manager"; exit 1; }
say "apt: bubblewrap socat ripgrep"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap socat ripgrep >/dev/null
