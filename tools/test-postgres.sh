#!/usr/bin/env bash
# Start a private PostgreSQL for the archive's tests (Debian's package), on 127.0.0.1:54329 with
# its data in /tmp, and print its URL for $KINERJA_TEST_POSTGRES. Test-only: local trust auth.
set -euo pipefail
PORT=${KINERJA_PG_PORT:-54329}
DATA=${KINERJA_PG_DATA:-/tmp/kinerja-test-pg}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing Debian packages: postgresql" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "the PostgreSQL tests need: sudo apt-get install -y postgresql" >&2; exit 1
  fi
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# PostgreSQL refuses to run as root: its own user runs it
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"; [ "$(id -u)" -eq 0 ] && chown postgres: "$DATA"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
