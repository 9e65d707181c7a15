#!/usr/bin/env bash
# Runs a command with the project's Node (>= 22) first on PATH, after bootstrapping.
# Usage: with-node.sh [--build] command args...
set -euo pipefail
if [ "${1:-}" = "--build" ]; then export TOKENTRACE_BUILD=1; shift; fi
# shellcheck source=bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec "$@"
