#!/usr/bin/env bash
# Runs every check CI runs: installs whatever is missing, lints (Biome) and typechecks all packages, then the
# vitest projects (unit/integration against a PostgreSQL the run starts itself, and the browser
# journeys with Debian's Chromium) and the R server's testthat suite.
# Extra arguments go to vitest (e.g. ./scripts/test.sh --project node packages/db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test

status=0
step() { echo; echo "[test] $*"; }

step "lint (biome check: formatting, imports, lint errors)"
pnpm exec biome check --diagnostic-level=error . || status=1

step "typecheck"
pnpm typecheck || status=1

# Counts from both runners feed one closing "N passed, N failed" line that CI can read.
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

step "vitest"
CHECKPOINT_DISABLE=1 pnpm exec vitest run --reporter=default --reporter=json \
  --outputFile.json="$results/vitest.json" "$@" || status=1

if [ $# -eq 0 ] && [ -f r_code/tests/run.R ]; then
  step "R (testthat)"
  Rscript r_code/tests/run.R 2>&1 | tee "$results/r.txt" || status=1
fi

counts=$(node -e '
  const fs = require("node:fs");
  let p = 0, f = 0, s = 0;
  try {
    const v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    p += v.numPassedTests; f += v.numFailedTests; s += v.numPendingTests + v.numTodoTests;
  } catch { f += 1; } // no report means vitest itself failed
  try {
    const m = fs.readFileSync(process.argv[2], "utf8").match(/\[ FAIL (\d+) \| WARN \d+ \| SKIP (\d+) \| PASS (\d+) \]/);
    if (m) { f += +m[1]; s += +m[2]; p += +m[3]; }
  } catch {}
  console.log(`${p} passed, ${f} failed, ${s} skipped`);
' "$results/vitest.json" "$results/r.txt")
[ "${counts#* passed, 0 failed}" != "$counts" ] || status=1

echo
if [ $status -eq 0 ]; then echo "[test] all passed"; else echo "[test] FAILED" >&2; fi
echo "tests: $counts"
exit $status
