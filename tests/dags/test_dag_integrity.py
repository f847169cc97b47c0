"""Every DAG file imports cleanly, is configured as the data team expects, and
parses cheaply: no heavy library, no Connection, Variable or network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILES = sorted((REPO / "dags").glob("*.py"))
EXPECTED_DAG_IDS = {"election_staff_onboarding", "election_staff_payment", "brexit_residence_permits"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= EXPECTED_DAG_IDS


def test_dags_have_tags_owner_retries_and_docs(dagbag):
    for dag_id in dagbag.dag_ids:
        dag = dagbag.dags[dag_id]
        assert dag.tags, dag_id
        assert dag.doc_md and len(dag.doc_md) > 200, dag_id
        assert dag.max_active_runs == 1, dag_id
        assert dag.catchup is False, dag_id
        assert {"input_path", "dry_run"} <= set(dag.params), dag_id
        for task in dag.tasks:
            assert task.owner == "equipe-data", (dag_id, task.task_id)
            assert task.retries >= 1, (dag_id, task.task_id)
            assert task.retry_exponential_backoff, (dag_id, task.task_id)


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=[p.name for p in DAG_FILES])
def test_parsing_in_a_fresh_interpreter_is_cheap(dag_file):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    probe = subprocess.run(
        [sys.executable, str(REPO / "tests" / "dags" / "parse_probe.py"), str(dag_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["touched"] == []


def test_probe_detects_a_heavy_import_and_a_connection(tmp_path):
    """The probe above must be able to fail."""
    bad = tmp_path / "bad_dag.py"
    bad.write_text(
        "import pandas\nfrom airflow.sdk import BaseHook\n"
        "try:\n    BaseHook.get_connection('hr_portal')\nexcept RuntimeError:\n    pass\n"
    )
    probe = subprocess.run(
        [sys.executable, str(REPO / "tests" / "dags" / "parse_probe.py"), str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=True,
    )
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert "pandas" in result["heavy"] and "numpy" in result["heavy"]
    assert result["touched"] == ["BaseHook.get_connection"]
