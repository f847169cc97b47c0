#!/usr/bin/env bash
# PostgreSQL and Redis for the Celery profile of `make test` (tests/deploy/test_celery_profile.py,
# scripts/distributed_stack.py). This machine and CI start both; when one does not
# answer, install Debian's package if missing and start its service. Other servers:
# set RPA_POSTGRES_URL (a role that may create databases) and RPA_REDIS_URL.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PG_URL="${RPA_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${RPA_REDIS_URL:-redis://127.0.0.1:6379}"

postgres_up() { command -v pg_isready >/dev/null && pg_isready -q -d "$PG_URL"; }
redis_up() { command -v redis-cli >/dev/null && [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = "PONG" ]; }

install() {
  echo "Installing Debian's $*..."
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

if ! postgres_up; then
  command -v pg_ctlcluster >/dev/null || install postgresql
  echo "Starting PostgreSQL..."
  $SUDO service postgresql start >/dev/null || true
  for _ in $(seq 30); do postgres_up && break; sleep 1; done
  postgres_up || { echo "PostgreSQL does not answer at $PG_URL (set RPA_POSTGRES_URL)" >&2; exit 1; }
fi
if ! redis_up; then
  command -v redis-server >/dev/null || install redis-server redis-tools
  echo "Starting Redis..."
  $SUDO service redis-server start >/dev/null 2>&1 || redis-server --daemonize yes --save "" >/dev/null
  for _ in $(seq 30); do redis_up && break; sleep 1; done
  redis_up || { echo "Redis does not answer at $REDIS_URL (set RPA_REDIS_URL)" >&2; exit 1; }
fi
