"""Test environment: an Airflow home, metadata database and RPA_DATA_DIR of the
test session's own, so tests never touch the embedded stack's data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from scripts.harness.app_client import ROBOT_LOGINS
from scripts.harness.sandbox_apps import LiveApp, LiveApps

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


class LivePortal(LiveApp):
    """A sandbox HR portal on a loopback address, its own database, and the Airflow
    Connections (``hr_portal``, ``rpa_ledger``) pointing the DAG at it and at a fresh ledger."""

    USER, PASSWORD = ROBOT_LOGINS["hr_portal"]

    def __init__(self, folder: Path, host: str, **faults: float | int) -> None:
        super().__init__("hr_portal", folder / "hr_portal.sqlite", host, **faults)
        self.folder = folder
        self.ledger_path = folder / "ledger.sqlite"

    def connections(self) -> dict[str, str]:
        import json

        ledger = {"conn_type": "sqlite", "host": str(self.ledger_path)}
        return {**super().connections(), "AIRFLOW_CONN_RPA_LEDGER": json.dumps(ledger)}


@pytest.fixture()
def live_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Start portals (``live_portal(host="127.0.0.5", fail_rate=0.1)``); the last one started is the
    one the Connections name. Stopped at the end of the test."""
    apps = LiveApps(tmp_path, monkeypatch.setenv)
    yield lambda host="127.0.0.1", **faults: apps.start("portal", lambda folder: LivePortal(folder, host, **faults))
    apps.stop()
