#!/bin/sh
# The part of the official postgres entrypoint the compose stack uses: on the first start, a cluster
# whose superuser is POSTGRES_USER (password POSTGRES_PASSWORD, required over TCP) and a database
# POSTGRES_DB; then PostgreSQL in the foreground, listening on every interface of the container.
set -eu
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
  user="${POSTGRES_USER:-postgres}"
  password_file="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --username="$user" --pwfile="$password_file" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$password_file"
  echo 'host all all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  database="${POSTGRES_DB:-$user}"
  if [ "$database" != postgres ]; then
    # A private socket: the healthcheck's pg_isready must not see this temporary server.
    pg_ctl --silent --wait --options="-c listen_addresses='' -c unix_socket_directories=/tmp" start
    createdb --host=/tmp --username="$user" "$database"
    pg_ctl --silent --wait --mode=fast stop
  fi
  echo "initialised $PGDATA: superuser $user, database $database"
fi
exec "$@"
