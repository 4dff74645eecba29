#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its URL on stdout.
#   scripts/throwaway-postgres.sh start DIR   -> prints postgresql://...; server data in DIR
#   scripts/throwaway-postgres.sh stop DIR
# Installs Debian's postgresql package first when no server binaries are found (needs root).
# The server listens only on a Unix socket inside DIR (no TCP port), with trust auth. It is
# durable (fsync, synchronous commits and full-page writes on, as in production), so the
# crash tests (a worker or the server killed mid-write) mean what they say.
set -euo pipefail

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && {
        dirname "$(command -v initdb)"; return 0; }
    return 1
}

as_db_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}

case "$cmd" in
start)
    if ! bindir=$(find_bindir); then
        if [ "$(id -u)" = 0 ]; then
            echo "installing Debian's postgresql package…" >&2
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
        else
            echo "PostgreSQL server binaries are missing: install Debian's postgresql package" >&2
            exit 1
        fi
        bindir=$(find_bindir)
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
        chown postgres "$dir"
    fi
    as_db_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
    as_db_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -c max_connections=200" \
        start >&2
    echo "postgresql://postgres@/postgres?host=$dir"
    ;;
stop)
    bindir=$(find_bindir) || exit 0
    [ -d "$dir/data" ] && as_db_user "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
