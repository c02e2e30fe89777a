#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 (installing PostgreSQL from Debian when it is
# missing) and print ONLY its DSN on stdout, e.g.
#   postgresql+psycopg://msp:SECRET@127.0.0.1:PORT/msp_portal_test
# Everything else goes to stderr. The cluster lives in $MSP_PG_DIR when it is set (an empty
# directory), else in a new directory under /tmp (printed on stderr). The server keeps running
# after the script ends; scripts/stop-postgres.sh DIR stops it and removes the directory.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' system user.
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  fi
}

bindir=$(find_bindir)
if [ -z "$bindir" ]; then
  log "installing PostgreSQL from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2; then
    $sudo apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
  bindir=$(find_bindir)
  [ -n "$bindir" ] || { log "PostgreSQL binaries not found after installation"; exit 1; }
fi

# Who runs the server: ourselves, or the 'postgres' system user when we are root.
run_as=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  run_as=(runuser -u postgres --)
fi

datadir="${MSP_PG_DIR:-$(mktemp -d /tmp/msp-portal-pg.XXXXXX)}"
mkdir -p "$datadir"
chmod 700 "$datadir"
[ "$owner" = "$(id -un)" ] || chown "$owner" "$datadir"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
pwfile="$datadir/.pw"
( umask 077; printf '%s\n' "$password" > "$pwfile" )
[ "$owner" = "$(id -un)" ] || chown "$owner" "$pwfile"

log "initialising a cluster in $datadir"
"${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U msp --pwfile="$pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2 \
  || "${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U msp --pwfile="$pwfile" \
       --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >&2
rm -f "$pwfile"

# Throwaway test server: durability off (fsync) for speed; enough connections for the
# parallel tests (several processes, each with its own pool).
"${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $datadir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >&2

for _ in $(seq 1 60); do
  if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" || { log "server did not become ready"; cat "$datadir/server.log" >&2; exit 1; }

PGPASSWORD="$password" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U msp msp_portal_test >&2
log "running on 127.0.0.1:$port (data in $datadir/data; stop and remove: scripts/stop-postgres.sh $datadir)"
echo "postgresql+psycopg://msp:${password}@127.0.0.1:${port}/msp_portal_test"
