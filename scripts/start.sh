#!/usr/bin/env bash
# Quick start: installs whatever is missing, then runs BattyCoda (database, migrations, defaults,
# web build, R server, API, worker) in the foreground. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# The API and worker run from their bundles (apps/*/dist), as in production; a few seconds.
echo "[start] building the Node bundles (pnpm build)"
pnpm run --silent build --quiet
# exec: the orchestrator receives Ctrl-C/SIGTERM itself and stops its children in order.
exec node --import tsx scripts/start.ts "$@"
