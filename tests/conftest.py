"""Test environment: an Airflow home, metadata database and RPA_DATA_DIR of the
test session's own, so tests never touch the embedded stack's data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="rpa-tests-"))

# Must happen before anything imports airflow (its configuration is read once).
os.environ.update(
    {
        "AIRFLOW_HOME": str(_SESSION_DIR / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_SESSION_DIR / 'airflow' / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "RPA_DATA_DIR": str(_SESSION_DIR / "data"),
        "GX_ANALYTICS_ENABLED": "false",
    }
)
(_SESSION_DIR / "airflow").mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A fresh, migrated metadata database for dag.test() runs."""
    from airflow.utils.db import resetdb

    resetdb()


@pytest.fixture()
def data_dir(session_dir: Path) -> Path:
    return Path(os.environ["RPA_DATA_DIR"])


# --------------------------------------------------------------------------- a live HR portal


class LivePortal:
    """A sandbox HR portal on a loopback address, its own database, and the Airflow
    Connections (``hr_portal``, ``rpa_ledger``) pointing the DAG at it and at a fresh ledger."""

    USER, PASSWORD = "robot.rh", "demo-rh-2027"

    def __init__(self, folder: Path, host: str, **faults: float | int) -> None:
        from sandbox.common.env import sqlite_url
        from sandbox.common.faults import FaultSettings
        from sandbox.common.server import ThreadedServer
        from sandbox.hr_portal import HrPortalSettings, create_app

        self.folder = folder
        self.db_path = folder / "hr_portal.sqlite"
        self.ledger_path = folder / "ledger.sqlite"
        settings = HrPortalSettings(
            db_url=sqlite_url(self.db_path), secret_key="test-secret", faults=FaultSettings(**faults)
        )
        self.server = ThreadedServer(create_app(settings), host=host).start()
        self.url = self.server.url

    def connections(self) -> dict[str, str]:
        import json

        from tests.helpers import http_connection

        ledger = {"conn_type": "sqlite", "host": str(self.ledger_path)}
        return {
            "AIRFLOW_CONN_HR_PORTAL": http_connection(self.server, self.USER, self.PASSWORD),
            "AIRFLOW_CONN_RPA_LEDGER": json.dumps(ledger),
        }

    def export(self) -> list[dict[str, str]]:
        """Every row of the portal's /export.csv (a session of its own)."""
        from tests.helpers import export_rows

        return export_rows(self.url, self.USER, self.PASSWORD)

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture()
def live_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Start portals (``live_portal(host="127.0.0.5", fail_rate=0.1)``); the last one started is the
    one the Connections name. Stopped at the end of the test."""
    started: list[LivePortal] = []

    def start(host: str = "127.0.0.1", **faults: float | int) -> LivePortal:
        folder = tmp_path / f"portal-{len(started)}"
        folder.mkdir()
        portal = LivePortal(folder, host, **faults)
        started.append(portal)
        for name, value in portal.connections().items():
            monkeypatch.setenv(name, value)
        return portal

    yield start
    for portal in started:
        portal.stop()
