#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian machine: system packages (R + plumber for the
# classifier server, Chromium for browser tests), pnpm, the workspace's Node packages and the
# generated Prisma client. Safe to run repeatedly: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v Rscript >/dev/null 2>&1 || need_apt+=(r-base-core)
for pkg in r-cran-plumber r-cran-mass r-cran-class r-cran-ranger r-cran-jsonlite r-cran-testthat r-cran-curl \
  r-cran-mclust r-cran-kernlab r-cran-dbscan r-cran-apcluster r-cran-cluster r-cran-uwot r-cran-rtsne \
  r-cran-httr2; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# Operations tests: the nginx site must pass Debian's `nginx -t`, the units `systemd-analyze
# verify` (neither needs the daemon running; Debian does not start nginx where policy-rc.d forbids).
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
# Test machines only (scripts/test.sh passes --test): the pg_dump/psql backup test runs a throwaway
# cluster from /usr/lib/postgresql/<major>/bin. `postgresql` is the release's own major (15 on
# Debian 12, 17 on Debian 13). The package also creates a default main cluster and starts it where
# services may start, which a production host (deploy.sh, start.sh) must not get.
if [ "${1:-}" = "--test" ]; then
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
fi
if [ "${BATTYCODA_SKIP_BROWSER:-0}" != "1" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[install] apt packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
node_minor=$(node -p 'process.versions.node.split(".")[1]')
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  echo "[install] Node.js >= 20.19 is required (found $(node -v))" >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "[install] pnpm"
  npm install -g pnpm@10.34.9
fi

echo "[install] node packages"
pnpm install --frozen-lockfile --reporter=silent
echo "[install] prisma client"
# (quiet unless it fails: Prisma chats on stderr even on success)
if ! gen_out=$(CHECKPOINT_DISABLE=1 pnpm --filter @battycoda/db run --silent generate 2>&1); then
  echo "$gen_out" >&2
  exit 1
fi
