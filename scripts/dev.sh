#!/usr/bin/env bash
# Development with hot reload: installs what is missing, then runs the database, the R server,
# the API and the worker from their TypeScript sources under `tsx watch` (each restarts when a
# file it uses changes) and the SPA from Vite's dev server (HMR) on http://127.0.0.1:5173,
# which proxies /trpc, /api and /health to the API. Ctrl-C stops everything.
set -euo pipefail

case "${1:-}" in
  -h | --help)
    cat <<'USAGE'
usage: scripts/dev.sh

Starts BattyCoda for development with hot reload (see the comment at the top of this script):
the API and worker restart on source changes (tsx watch), the web app reloads in place (Vite).
Open http://127.0.0.1:5173. Same configuration as ./scripts/start.sh (.env, DATA_DIR, …);
production-like runs (bundles, built SPA) are ./scripts/start.sh.
USAGE
    exit 0
    ;;
  "") ;;
  *) echo "dev.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node --import tsx scripts/start.ts --dev
