#!/usr/bin/env bash
# Start a PostgreSQL 15 cluster (Debian's packages) on loopback and make sure a role and a
# database of the given name exist (the role may create databases: pytest-django makes its
# test database from it). Installs postgresql when missing. Idempotent.
#
#   eval "$(bash scripts/pg-start.sh)"                 # exports DATABASE_URL (taolun_test)
#   DB_NAME=taolun_bench eval "$(bash scripts/pg-start.sh)"
#
# Prints only the `export DATABASE_URL=…` line on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION=${PG_VERSION:-15}
DB_NAME=${DB_NAME:-taolun_test}
DB_PASSWORD=${DB_PASSWORD:-$DB_NAME}

{
    if [[ ! -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]]; then
        bash scripts/apt-install.sh "postgresql-$PG_VERSION" postgresql-common
    fi
    if ! pg_lsclusters --no-header | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
        pg_createcluster "$PG_VERSION" main
    fi
    if ! pg_lsclusters --no-header \
            | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
        # Debian's default listen_addresses is localhost: the server answers on loopback only.
        pg_ctlcluster "$PG_VERSION" main start
    fi

    as_postgres() { runuser -u postgres -- "$@"; }
    if ! as_postgres psql -XtAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_NAME'" | grep -q 1; then
        as_postgres psql -Xq -c "CREATE ROLE $DB_NAME LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
    fi
    if ! as_postgres psql -XtAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" \
            | grep -q 1; then
        as_postgres createdb -O "$DB_NAME" "$DB_NAME"
    fi
} >&2

echo "export DATABASE_URL=postgres://$DB_NAME:$DB_PASSWORD@127.0.0.1:5432/$DB_NAME"
