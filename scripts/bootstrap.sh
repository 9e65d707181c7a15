#!/usr/bin/env bash
# Makes this checkout runnable on a fresh machine: a Node >= 22 (Node 24 from the npm registry,
# installed under .tools/, when the system Node is older), the npm packages, and optionally a build.
# Sourced by with-node.sh; safe to run again (each step is skipped when already done).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '[bootstrap] %s\n' "$*" >&2; }
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

tools_node="$root/.tools/node_modules/node/bin/node"
if [ -x "$tools_node" ] && [ "$(node_major "$tools_node")" -ge 22 ]; then
  export PATH="$root/.tools/node_modules/node/bin:$PATH"
elif command -v node >/dev/null && [ "$(node_major node)" -ge 22 ]; then
  : # the system Node is recent enough
else
  command -v npm >/dev/null || { log "npm is required to install Node 24"; exit 1; }
  log "system Node is $(node -v 2>/dev/null || echo missing); installing Node 24 from the npm registry into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-package-lock --loglevel=error node@24 >&2
  [ -x "$tools_node" ] || { log "the node@24 package did not provide $tools_node"; exit 1; }
  export PATH="$root/.tools/node_modules/node/bin:$PATH"
fi
export PATH="$root/node_modules/.bin:$PATH"

# Reinstall packages when the lock file changed since the last install.
stamp="node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm packages with Node $(node -v)"
  if [ -f package-lock.json ]; then npm ci --loglevel=error >&2; else npm install --loglevel=error >&2; fi
fi


# Only the test command needs Debian's chromium (the dashboard's browser tests) and redis-server
# (the Redis cache and limit stores' tests).
if [ "${TOKENTRACE_TEST_DEPS:-0}" = 1 ]; then
  bash "$root/scripts/ensure-chromium.sh"
  bash "$root/scripts/ensure-redis.sh"
fi

if [ "${TOKENTRACE_BUILD:-0}" = 1 ]; then
  log "building (tsc -b, then the register bundle)"
  node scripts/build.mjs >&2
fi
