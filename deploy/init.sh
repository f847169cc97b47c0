#!/usr/bin/env bash
# airflow-init (docker-compose.yaml): runs once, before the other Airflow
# services start (they wait for it to complete successfully). Idempotent: safe
# to run again with `docker compose run --rm airflow-init`.
set -euo pipefail
cd /opt/rpa

echo "airflow-init: migrating the metadata database"
airflow db migrate

# Connections and Pools, the same file as the embedded stack, with the hosts of
# the compose services (RPA_*_HOST in the environment). AIRFLOW_CONN_* variables
# set on the services still override what this loads.
echo "airflow-init: loading config/airflow_settings.yaml"
python scripts/load_settings.py config/airflow_settings.yaml

# The data folders (contract: inbox/<process>/<date>/ and runs/<dag_id>/<run_id>/).
mkdir -p "${RPA_DATA_DIR:?}/inbox" "${RPA_DATA_DIR}/runs"
echo "airflow-init: done"
