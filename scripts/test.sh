#!/usr/bin/env bash
# Runs the whole test suite: every database test on SQLite and on PostgreSQL (127.0.0.1:5432,
# database `test`), the web tests, and the browser tests in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python - <<'PY'
import psycopg, os
url = os.environ.get("PRICEWATCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test").replace("+psycopg", "")
psycopg.connect(url, connect_timeout=5).close()
PY
then
  echo "test: PostgreSQL is not reachable at 127.0.0.1:5432 (database test); the suite needs it." >&2
  exit 1
fi
mkdir -p tests/artifacts
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
