#!/usr/bin/env bash
# Makes sure Debian's redis-server is on this machine for the tests of the Redis cache and limit
# stores (test/src/redis/ starts it as a child process on loopback, one per test file). Installs
# the package when missing and we can (root with apt-get); otherwise the Redis tests fail with a
# message that says what to install.
set -euo pipefail
log() { printf '[redis] %s\n' "$*" >&2; }
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing Debian's redis-server package (for the Redis cache and limit tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >&2
  # The package starts a system service where an init system runs; the tests start their own.
  exit 0
fi
log "redis-server is not installed and cannot be installed automatically here (sudo apt-get install redis-server)."
exit 0
