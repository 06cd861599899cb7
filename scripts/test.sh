#!/usr/bin/env bash
# Runs every check CI runs: installs whatever is missing, typechecks all packages, then the
# vitest projects (unit/integration against a PostgreSQL the run starts itself, and the browser
# journeys with Debian's Chromium) and the R server's testthat suite.
# Extra arguments go to vitest (e.g. ./scripts/test.sh --project node packages/db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

status=0
step() { echo; echo "[test] $*"; }

step "typecheck"
pnpm typecheck || status=1

step "vitest"
CHECKPOINT_DISABLE=1 pnpm exec vitest run "$@" || status=1

if [ $# -eq 0 ] && [ -f r_code/tests/run.R ]; then
  step "R (testthat)"
  Rscript r_code/tests/run.R || status=1
fi

echo
if [ $status -eq 0 ]; then echo "[test] all passed"; else echo "[test] FAILED" >&2; fi
exit $status
