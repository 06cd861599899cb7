#!/usr/bin/env bash
# Called by battycoda-notify@.service with the failed unit's name: emails the site admins
# through `battycoda notify-failure` (journal tail included, at most once an hour per unit).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: systemd/notify-failure.sh UNIT [--lines N]

Emails the active BattyCoda site admins that the systemd unit UNIT failed, with its last N
journal lines (default 40). At most one mail per unit per hour. systemd runs this through
battycoda-notify@UNIT.service (OnFailure= of every BattyCoda unit); it can also be run by hand
to test the mail set-up. Reads DATABASE_URL etc. from the environment (/etc/battycoda/battycoda.env
under systemd).
USAGE
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
exec "${NODE:-node}" packages/cli/bin/battycoda.mjs notify-failure "$@"
