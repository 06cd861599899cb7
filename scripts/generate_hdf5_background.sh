#!/usr/bin/env bash
# Regenerates missing or unreadable spectrograms (HDF5) in the background, at low CPU and I/O
# priority, logging to a timestamped file. See docs/operations.md § Maintenance commands.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/generate_hdf5_background.sh [--batch-size N] [--concurrency N] [--dry-run] [--foreground]

Runs `battycoda generate-missing-hdf5` detached (nohup, nice 10, idle I/O class), so it survives
the end of the SSH session, and logs to LOG_DIR/generate-hdf5-<UTC timestamp>.log (LOG_DIR:
/var/log/battycoda in production, <DATA_DIR>/logs otherwise). Prints the log file and the PID;
follow it with `tail -f <log>`. The command itself pages through the recordings, generates a
few spectrograms at a time and pauses while the machine is loaded.

  --batch-size N   recordings examined per page (default 50)
  --concurrency N  spectrograms generated at once (default 1)
  --dry-run        only list the recordings that need one
  --foreground     run in this terminal (still logging to the file)
Environment: .env of this checkout, or /etc/battycoda/battycoda.env when it exists
(BATTYCODA_ENV_FILE overrides).
USAGE
}

args=()
foreground=0
positive() { [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "generate_hdf5_background.sh: $1 needs a positive whole number, got '${2:-}'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --batch-size | --concurrency) positive "$1" "${2:-}"; args+=("$1" "$2"); shift 2 ;;
    --dry-run) args+=(--dry-run); shift ;;
    --foreground) foreground=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "generate_hdf5_background.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
env_file=${BATTYCODA_ENV_FILE:-/etc/battycoda/battycoda.env}
node_env=()
[ -f "$env_file" ] && node_env=(--env-file="$env_file")

# the log folder as the application sees it (LOG_DIR, NODE_ENV, DATA_DIR from the same config)
log_dir=$(node "${node_env[@]}" --import tsx --input-type=module \
  -e 'import { getConfig } from "@battycoda/config"; process.stdout.write(getConfig().logDir);')
mkdir -p "$log_dir"
log="$log_dir/generate-hdf5-$(date -u +%Y%m%dT%H%M%SZ).log"
cmd=(node "${node_env[@]}" packages/cli/bin/battycoda.mjs generate-missing-hdf5 "${args[@]}")
lower=(nice -n 10)
command -v ionice >/dev/null 2>&1 && lower+=(ionice -c 3)

run_logged() {
  {
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) battycoda generate-missing-hdf5 ${args[*]} (pid $$, $(hostname))"
    status=0
    "${lower[@]}" "${cmd[@]}" || status=$?
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) finished: exit status $status"
    exit "$status"
  } >> "$log" 2>&1
}

if [ $foreground = 1 ]; then
  echo "log: $log"
  run_logged
else
  export log
  nohup bash -c "$(declare -p args cmd lower); $(declare -f run_logged); run_logged" > /dev/null 2>&1 &
  echo "started in the background (pid $!); log: $log"
  echo "follow it with: tail -f $log"
fi
