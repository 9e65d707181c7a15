#!/usr/bin/env bash
# Makes sure a clickhouse-server binary is on this machine (the collector's tests and demo start
# their own server from it, with their own config and data directory). Installs Debian's package
# when it is missing and we can (root with apt-get); otherwise says what to do.
set -euo pipefail
log() { printf '[clickhouse] %s\n' "$*" >&2; }
if command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || command -v clickhouse >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing Debian's clickhouse-server package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends clickhouse-server >&2
  # The package starts nothing we rely on; tokentrace runs its own server process per use.
  exit 0
fi
log "clickhouse-server is not installed and cannot be installed automatically here."
log "Install it (Debian/Ubuntu: sudo apt-get install clickhouse-server) or set TOKENTRACE_CLICKHOUSE_URL to a running server."
exit 0
