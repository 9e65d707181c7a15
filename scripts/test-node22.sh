#!/usr/bin/env bash
# Runs the capture tests (real SDKs in process, and `node --import .../register` child processes)
# on Node 22 as well: its bundled undici (6.x) differs from Node 24's (7.x), and users run both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOKENTRACE_BUILD=1 source "$root/scripts/bootstrap.sh"
node22="$root/.tools/node22/node_modules/node/bin/node"
if [ ! -x "$node22" ]; then
  echo "[test-node22] installing Node 22 from the npm registry into .tools/node22" >&2
  npm install --prefix "$root/.tools/node22" --no-save --no-package-lock --loglevel=error node@22 >&2
fi
echo "[test-node22] $("$node22" -v)" >&2
cd "$root"
exec "$node22" node_modules/vitest/vitest.mjs run test/src/sdk test/src/behaviour test/src/register.e2e.test.ts "$@"
