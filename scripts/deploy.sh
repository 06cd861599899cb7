#!/usr/bin/env bash
# Deploys the checked-out version on a production host: install, build, (migrate), Sentry source
# maps, restart the units. See docs/operations.md § Deployment.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/deploy.sh [--migrate] [--skip-install] [--no-restart] [--dry-run]

Run as root (or with sudo) in the production checkout (/opt/battycoda) after `git pull`:
  1. ./scripts/install.sh            system and Node packages, Prisma client (--skip-install: skip)
  2. pnpm build                      the Node bundles (API, worker, CLIs, audio pool thread)
     pnpm --filter @battycoda/web build   the SPA
  3. battycoda migrate               only with --migrate (the API unit also migrates on start)
  4. Sentry source maps              when SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_PROJECT are set
                                     (environment or the env file), with @sentry/cli from npm
  5. systemctl restart battycoda.target, then waits for /health to name the new version
     (--no-restart: skip)
--dry-run prints the steps without running them. The environment comes from
/etc/battycoda/battycoda.env when it exists (BATTYCODA_ENV_FILE overrides), else from .env.
USAGE
}

migrate=0
install=1
restart=1
dry=0
while [ $# -gt 0 ]; do
  case "$1" in
    --migrate) migrate=1 ;;
    --skip-install) install=0 ;;
    --no-restart) restart=0 ;;
    --dry-run) dry=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "deploy.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
env_file=${BATTYCODA_ENV_FILE:-/etc/battycoda/battycoda.env}
[ -f "$env_file" ] || env_file="$root/.env"

step() { echo "[deploy] $*"; }
run() {
  if [ $dry = 1 ]; then echo "  would run: $*"; else "$@"; fi
}
# KEY=value lines of the env file, without executing it; the real environment wins
env_value() {
  local name=$1 v
  if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; return; fi
  [ -f "$env_file" ] || return 0
  v=$(sed -n "s/^[[:space:]]*${name}[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1)
  v=${v%%[[:space:]]#*}; v=${v%\"}; v=${v#\"}; v=${v%\'}; v=${v#\'}
  printf '%s' "$v"
}

version=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
step "deploying $version from $root (environment: $env_file)"

if [ $install = 1 ]; then
  step "install"
  run bash scripts/install.sh
else
  step "install skipped (--skip-install)"
fi

step "build: Node bundles"
run env BATTYCODA_VERSION="$version" pnpm run --silent build
step "build: web app"
run pnpm --filter @battycoda/web build

if [ $migrate = 1 ]; then
  step "migrate"
  # node reads the env file itself (systemd's format: values may hold spaces and <>)
  if [ -f "$env_file" ]; then
    run node --env-file="$env_file" packages/cli/bin/battycoda.mjs migrate
  else
    run node packages/cli/bin/battycoda.mjs migrate
  fi
fi

token=$(env_value SENTRY_AUTH_TOKEN)
org=$(env_value SENTRY_ORG)
project=$(env_value SENTRY_PROJECT)
if [ -n "$token" ] && [ -n "$org" ] && [ -n "$project" ]; then
  step "Sentry: release $version with the bundles' source maps"
  sentry() { run env SENTRY_AUTH_TOKEN="$token" SENTRY_ORG="$org" SENTRY_PROJECT="$project" npx --yes @sentry/cli "$@"; }
  sentry releases new "$version"
  for dir in apps/api/dist apps/worker/dist packages/cli/dist packages/audio/dist apps/web/dist/assets; do
    [ -d "$dir" ] || [ $dry = 1 ] || continue
    sentry sourcemaps upload --release "$version" "$dir"
  done
  sentry releases finalize "$version"
else
  step "Sentry: source maps not uploaded (SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_PROJECT not all set)"
fi

if [ $restart = 0 ]; then
  step "restart skipped (--no-restart)"
  exit 0
fi
if [ $dry = 0 ] && [ ! -d /run/systemd/system ]; then
  step "systemd is not running here: restart the services yourself"
  exit 0
fi
step "restart battycoda.target"
run systemctl restart battycoda.target
host=$(env_value HOST); port=$(env_value PORT)
host=${host:-127.0.0.1}; port=${port:-8000}
[ "$host" = "0.0.0.0" ] && host=127.0.0.1
if [ $dry = 1 ]; then
  echo "  would wait for http://$host:$port/health to report version $version"
  exit 0
fi
for _ in $(seq 1 60); do
  if body=$(curl -fsS "http://$host:$port/health" 2>/dev/null) && [[ "$body" == *"\"version\":\"$version"* ]]; then
    step "up: $body"
    exit 0
  fi
  sleep 1
done
echo "[deploy] the API did not report version $version within 60 s: systemctl status battycoda-api; journalctl -u battycoda-api -n 100" >&2
exit 1
