#!/usr/bin/env bash
# Starts pricewatch on the embedded default (SQLite in instance/): schema, demo month when the
# database is empty, the scheduler as its own process, and the web app (gunicorn).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
PW=.venv/bin/pricewatch
$PW db upgrade
$PW demo --if-empty
$PW scheduler > instance/scheduler.log 2>&1 &
SCHED=$!
trap 'kill $SCHED 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  pricewatch is running at  http://$HOST:$PORT/
  public disclosure:        http://$HOST:$PORT/public/
  demo sign-ins (password demo-pass-2026 for all):
    monitor   - procurement centre staff (dashboard, evidence review)
    admin     - user management
    viewer    - auditor, read-only
    shredder  - a supplier with a flagged shredder (supplier portal)
  scheduler log: instance/scheduler.log      stop: Ctrl-C

MSG
$PW serve --host "$HOST" --port "$PORT"
