#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the benchmark, with durable commits (fsync and synchronous_commit on, the defaults).
#   bench/postgres.sh start   -> prints the connection string on stdout
#   bench/postgres.sh stop
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
ROOT=${NEXUS_BENCH_PGDATA:-/tmp/nexus-bench-pg}
PORT=${NEXUS_BENCH_PGPORT:-55439}
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    [[ -x $BIN/postgres ]] || { echo "PostgreSQL 15 server binaries are missing: run ./build.sh setup (apt-get install postgresql-15)." >&2; exit 1; }
    if [[ -f $ROOT/data/postmaster.pid ]]; then as_pg $BIN/pg_ctl -D "$ROOT/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$ROOT"; mkdir -p "$ROOT"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$ROOT"
    as_pg $BIN/initdb -D "$ROOT/data" -U postgres -A trust --no-sync >/dev/null
    as_pg $BIN/pg_ctl -D "$ROOT/data" -l "$ROOT/log" -w -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=512MB -c synchronous_commit=on -c fsync=on -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" start >/dev/null
    # Nexus's own defaults: the connection string a new user writes (PostgresStore.Create adds the rest).
    echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
    ;;
  stop)
    [[ -f $ROOT/data/postmaster.pid ]] && as_pg $BIN/pg_ctl -D "$ROOT/data" -m fast stop >/dev/null || true
    rm -rf "$ROOT"
    ;;
  *) echo "usage: bench/postgres.sh start|stop" >&2; exit 2 ;;
esac
