#!/usr/bin/env bash
# Run the test suite on PostgreSQL 15 (Debian's packages), on loopback only.
# scripts/pg-start.sh installs and starts the cluster and creates the role and database
# taolun_test. With PYTEST_ARGS empty the whole suite runs in two phases like `make test`
# (the tests that need no browser with xdist, then the browser tests); otherwise one run
# with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(DB_NAME="${DB_NAME:-taolun_test}" bash scripts/pg-start.sh)"
export DATABASE_URL
echo "pg-test: DATABASE_URL=$DATABASE_URL"
TEST_WORKERS=${TEST_WORKERS:-2}

# --create-db: start from a fresh test database even if a previous run left one behind.
if [[ -z "${PYTEST_ARGS:-}" ]]; then
    status=0
    .venv/bin/pytest --create-db -m "not browser" -n "$TEST_WORKERS" --dist loadscope || status=$?
    .venv/bin/pytest --create-db -m browser || status=$((status ? status : $?))
    exit "$status"
fi
# shellcheck disable=SC2086
exec .venv/bin/pytest --create-db ${PYTEST_ARGS}
