#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback in a temporary folder and prints `DATABASE_URL=...` and
# `PGTMP=...` lines (eval them). `.ci/postgres.sh stop <dir>` stops it. PostgreSQL refuses to run as root, so the
# server runs as the `postgres` user that Debian's package creates.
set -euo pipefail
B=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$B" ] || { echo "postgres.sh: no PostgreSQL server binaries (apt-get install -y postgresql)" >&2; exit 2; }
# Run from a folder the postgres user can enter (the clone may be in a private temporary folder).
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ "${1:-}" = stop ]; then as_pg "$B/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null; rm -rf "$2"; exit 0; fi
D=$(mktemp -d /tmp/baton-pg.XXXXXX); chmod 755 "$D"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$D"
# The first free port from 54329 (another server, or a leftover one, may hold it).
P=${PGPORT_CI:-54329}
while (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null; do P=$((P + 1)); done
as_pg "$B/initdb" -D "$D/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$B/pg_ctl" -D "$D/data" -l "$D/server.log" -w -o "-p $P -k $D -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_pg "$B/createdb" -h 127.0.0.1 -p "$P" -U postgres baton_test
echo "PGTMP=$D"
echo "DATABASE_URL=postgresql://postgres@127.0.0.1:$P/baton_test"
