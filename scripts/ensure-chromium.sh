#!/usr/bin/env bash
# Makes sure Debian's chromium is on this machine for the dashboard's browser tests (driven by
# playwright-core with executablePath /usr/bin/chromium; Playwright's own browser download cannot
# work offline). Installs the package when missing and we can (root with apt-get); otherwise the
# browser tests fail with a message that says what to install.
set -euo pipefail
log() { printf '[chromium] %s\n' "$*" >&2; }
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing Debian's chromium package (for the dashboard's browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
  exit 0
fi
log "chromium is not installed and cannot be installed automatically here (sudo apt-get install chromium)."
exit 0
