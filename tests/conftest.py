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
