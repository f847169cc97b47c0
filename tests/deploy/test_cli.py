"""``bin/airflow`` (contract): the Airflow CLI in the embedded stack's environment, whose
``-o json`` output any script can parse."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def airflow(*args: str) -> subprocess.CompletedProcess:
    """``bin/airflow`` on the test session's metadata database."""
    env = {**os.environ, "RPA_AIRFLOW_HOME": os.environ["AIRFLOW_HOME"]}
    env.pop("AIRFLOW__LOGGING__LOGGING_LEVEL", None)
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([str(REPO / "bin" / "airflow"), *args], capture_output=True, text=True, env=env, timeout=180)


@pytest.mark.parametrize(
    "command",
    [
        ("dags", "list", "-o", "json"),
        ("dags", "list", "--output=json"),
        ("dags", "list-import-errors", "--output", "json"),
        ("pools", "list", "-o", "json"),
        ("connections", "list", "-o", "json"),
    ],
    ids=" ".join,
)
def test_json_output_is_json(airflow_db, command) -> None:
    done = airflow(*command)
    assert done.returncode == 0, done.stderr[-2000:]
    assert isinstance(json.loads(done.stdout), list)


def test_without_json_the_cli_still_warns(airflow_db) -> None:
    """What the JSON commands must keep off standard output (so the test above can fail)."""
    done = airflow("dags", "list")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "graphviz" in done.stdout
