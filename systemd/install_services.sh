#!/usr/bin/env bash
# Installs the BattyCoda systemd units (API, worker, R server, failure notifier, target) for the
# checkout this script lives in. See docs/operations.md § Services.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: sudo systemd/install_services.sh [options]

Writes battycoda-api/-worker/-r.service, battycoda-notify@.service and battycoda.target into
/etc/systemd/system with the paths of this checkout, creates the `battycoda` system user, the
log folder (/var/log/battycoda) and /etc/battycoda/battycoda.env (from .env.example, with
NODE_ENV=production and a generated SECRET_KEY) when missing, checks the units with
`systemd-analyze verify`, reloads systemd and enables battycoda.target. Nothing is started:
run `systemctl start battycoda.target` (or scripts/deploy.sh) afterwards.

options:
  --prefix DIR     the installed checkout (default: the one containing this script)
  --user NAME      the service user (default: battycoda)
  --dest DIR       where the units go (default: /etc/systemd/system)
  --no-system      only write (and verify) the units: no user, folders, env file, reload or enable
                   (for packaging, and for the tests)
  -h, --help       this help
USAGE
}

here=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$here/.." && pwd)
user=battycoda
dest=/etc/systemd/system
system=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$(cd "${2:?--prefix needs a folder}" && pwd); shift 2 ;;
    --user) user=${2:?--user needs a name}; shift 2 ;;
    --dest) dest=${2:?--dest needs a folder}; shift 2 ;;
    --no-system) system=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install_services.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$user" in *[!a-z0-9_-]*) echo "install_services.sh: bad user name '$user'" >&2; exit 2 ;; esac

units=(battycoda-api.service battycoda-worker.service battycoda-r.service battycoda-notify@.service battycoda.target)
mkdir -p "$dest"
for unit in "${units[@]}"; do
  # the committed units name /opt/battycoda and the battycoda user; rewrite both for this install
  sed -e "s#/opt/battycoda#${prefix}#g" \
    -e "s#^User=battycoda\$#User=${user}#" -e "s#^Group=battycoda\$#Group=${user}#" \
    "$here/$unit" > "$dest/$unit.tmp"
  mv "$dest/$unit.tmp" "$dest/$unit"
  echo "[install_services] $dest/$unit"
done

if command -v systemd-analyze >/dev/null 2>&1; then
  # the notifier is a template: verify one instance of it. systemd only warns about a value it
  # cannot parse (and ignores the line), so any output at all counts as a failure here.
  if ! out=$(cd "$dest" && systemd-analyze verify --man=no battycoda-api.service battycoda-worker.service \
    battycoda-r.service battycoda.target battycoda-notify@battycoda-worker.service.service 2>&1) || [ -n "$out" ]; then
    echo "$out" >&2
    echo "[install_services] systemd-analyze verify failed" >&2
    exit 1
  fi
  echo "[install_services] systemd-analyze verify: ok"
fi

[ "$system" = 1 ] || exit 0

if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --home-dir "$prefix" --no-create-home --shell /usr/sbin/nologin "$user"
  echo "[install_services] created system user $user"
fi
install -d -o "$user" -g "$user" -m 750 /var/log/battycoda
env_file=/etc/battycoda/battycoda.env
if [ ! -f "$env_file" ]; then
  install -d -m 755 /etc/battycoda
  secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)
  sed -e "s#^NODE_ENV=.*#NODE_ENV=production#" -e "s#^SECRET_KEY=.*#SECRET_KEY=${secret}#" \
    -e "s#^LOG_DIR=.*#LOG_DIR=/var/log/battycoda#" "$prefix/.env.example" > "$env_file"
  chown "root:$user" "$env_file"
  chmod 640 "$env_file"
  echo "[install_services] wrote $env_file: set DATABASE_URL, DATA_DIR, DOMAIN_NAME, mail and backup settings there"
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable battycoda.target battycoda-api.service battycoda-worker.service battycoda-r.service
  echo "[install_services] enabled battycoda.target (start it with: systemctl start battycoda.target)"
else
  echo "[install_services] systemd is not running here: units written, nothing enabled"
fi
