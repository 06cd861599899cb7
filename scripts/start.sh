#!/usr/bin/env bash
# Quick start: installs whatever is missing, then runs BattyCoda (database, migrations, defaults,
# web build, R server, API, worker) in the foreground. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# exec: the orchestrator receives Ctrl-C/SIGTERM itself and stops its children in order.
exec node --import tsx scripts/start.ts "$@"
