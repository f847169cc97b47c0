# Environment of the embedded stack, sourced by bin/airflow and the Makefile.
# Every setting is an environment variable, so no airflow.cfg needs editing;
# variables already set by the caller win where marked with ":-".
RPA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RPA_ROOT
export RPA_VENV="${RPA_VENV:-$RPA_ROOT/.venv}"
export RPA_DATA_DIR="${RPA_DATA_DIR:-$RPA_ROOT/data}"
export AIRFLOW_HOME="${RPA_AIRFLOW_HOME:-$RPA_ROOT/.airflow}"
export PATH="$RPA_VENV/bin:$PATH"
export PYTHONPATH="$RPA_ROOT${PYTHONPATH:+:$PYTHONPATH}"

export AIRFLOW__CORE__DAGS_FOLDER="$RPA_ROOT/dags"
export AIRFLOW__CORE__PLUGINS_FOLDER="$RPA_ROOT/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# 2 cores: the default parallelism (32) forks 32 idle workers.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS:-admin:admin}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}"
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-8080}"
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://$AIRFLOW__API__HOST:$AIRFLOW__API__PORT}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-$AIRFLOW__API__BASE_URL/execution/}"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}"
export GX_ANALYTICS_ENABLED=false
# Selenium Manager must never try to download a browser.
export SE_OFFLINE=true
