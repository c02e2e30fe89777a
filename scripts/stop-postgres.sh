#!/usr/bin/env bash
# Stop the throwaway PostgreSQL cluster scripts/start-postgres.sh started in DIR, and remove DIR.
# Usage: scripts/stop-postgres.sh DIR      (does nothing when DIR holds no cluster)
set -euo pipefail

datadir="${1:?usage: scripts/stop-postgres.sh DIR}"
[ -d "$datadir" ] || exit 0
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -f "$datadir/data/postmaster.pid" ] && [ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ]; then
  run_as=()
  if [ "$(id -u)" -eq 0 ]; then
    run_as=(runuser -u "$(stat -c %U "$datadir/data")" --)
  fi
  "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" stop -m fast -w -t 60 >&2 \
    || echo "stop-postgres: pg_ctl could not stop the server in $datadir" >&2
fi
rm -rf "$datadir"
