"""config/airflow_settings.yaml: the contract's Connections and Pools, loaded
into a real metadata database; AIRFLOW_CONN_* variables override them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("load_settings", REPO / "scripts" / "load_settings.py")
load_settings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_settings)


def test_contract_connections_and_pools_are_declared(monkeypatch):
    monkeypatch.setenv("RPA_DATA_DIR", "/srv/rpa")
    settings = load_settings.read_settings()
    ids = {c["conn_id"] for c in settings["connections"]}
    assert {"hr_portal", "payroll_portal", "foreigners_portal", "rpa_ledger"} <= ids
    ports = {c["conn_id"]: c.get("conn_port") for c in settings["connections"]}
    assert (ports["hr_portal"], ports["payroll_portal"], ports["foreigners_portal"]) == (8081, 8082, 8083)
    ledger = next(c for c in settings["connections"] if c["conn_id"] == "rpa_ledger")
    assert ledger["conn_host"] == "/srv/rpa/ledger.sqlite"
    assert {p["pool_name"] for p in settings["pools"]} >= {"hr_portal", "payroll_portal", "foreigners_portal"}


def test_variables_expand_with_defaults(monkeypatch):
    monkeypatch.delenv("RPA_HR_PORTAL_HOST", raising=False)
    assert load_settings.expand("${RPA_HR_PORTAL_HOST:-127.0.0.1}") == "127.0.0.1"
    monkeypatch.setenv("RPA_HR_PORTAL_HOST", "sandbox")
    assert load_settings.expand("http://${RPA_HR_PORTAL_HOST:-127.0.0.1}:8081") == "http://sandbox:8081"
    monkeypatch.delenv("RPA_UNSET_FOR_TEST", raising=False)
    with pytest.raises(SystemExit, match="RPA_UNSET_FOR_TEST"):
        load_settings.expand("${RPA_UNSET_FOR_TEST}")


def test_loading_is_idempotent_and_env_vars_override(airflow_db, monkeypatch, capsys):
    from airflow.models import Connection, Pool
    from airflow.utils.session import create_session

    monkeypatch.setattr("sys.argv", ["load_settings.py"])
    load_settings.main()
    load_settings.main()
    with create_session() as session:
        assert session.query(Connection).filter(Connection.conn_id == "hr_portal").count() == 1
        assert Pool.get_pool("hr_portal", session=session).slots == 2
    conn = Connection.get_connection_from_secrets("hr_portal")
    assert (conn.host, conn.port, conn.login) == ("127.0.0.1", 8081, "robot.rh")
    monkeypatch.setenv("AIRFLOW_CONN_HR_PORTAL", "http://agent:secret@rh.intranet.example:443/https")
    conn = Connection.get_connection_from_secrets("hr_portal")
    assert (conn.host, conn.port, conn.login) == ("rh.intranet.example", 443, "agent")
