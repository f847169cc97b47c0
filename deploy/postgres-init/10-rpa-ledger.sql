-- Run by the postgres image's entrypoint (mounted into /docker-entrypoint-initdb.d)
-- once, when the postgres-db volume is first initialised: the robot's ledger gets
-- its own database beside Airflow's metadata (AIRFLOW_CONN_RPA_LEDGER in
-- docker-compose.yaml). On an existing volume, create it by hand:
--   docker compose exec postgres createdb -U airflow -O airflow rpa_ledger
CREATE DATABASE rpa_ledger OWNER airflow;
