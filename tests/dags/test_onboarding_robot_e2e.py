"""election_staff_onboarding end to end with its robot: dag.test() on generated department
files, real headless Chromium, a real sandbox HR portal (tests/conftest.py: live_portal),
a fresh ledger per test. Asserts what the HR service needs: every valid worker in the
portal exactly once with the right fields, whatever is re-run or goes wrong."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from include.processes.election_staff.demo import generate, write
from include.processes.election_staff.hr_portal import portal_date, site_key
from tests.rpa_settings import robots_file

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
DAG_ID = "election_staff_onboarding"
DATES = ("date_naissance", "date_debut", "date_fin")
OTHER_IBAN = "FR7630006000011234567890189"
IDENTITY = ("received", "quarantined", "entered", "skipped_already_done", "rejected", "failed")


@pytest.fixture(scope="module")
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{DAG_ID}.py"))
    assert not bag.import_errors
    dag = bag.dags[DAG_ID]
    for task in dag.tasks:  # dag.test() waits out retry delays: keep the DAG's retries, not its 30 s
        task.retry_delay = dt.timedelta(seconds=1)
        task.max_retry_delay = dt.timedelta(seconds=2)
    return dag


@pytest.fixture(autouse=True)
def small_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 15 (several mapped tasks per run) and short backoffs."""
    settings = {"batch_size": 15, "backoff_seconds": 0.1, "max_backoff_seconds": 1.0}
    monkeypatch.setenv("RPA_ROBOTS_CONFIG", str(robots_file(tmp_path, election_staff_onboarding=settings)))


def department_file(folder: Path, rows: int, share: float, seed: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    demo = generate(rows, department="82", defect_share=share, seed=seed)
    return write(demo, folder / f"vacataires_{seed}.csv", "excel-csv", manifest_path=folder.parent / f"{seed}.json")


def run_dag(dag, data_dir: Path, input_path: Path, **conf) -> tuple[object, dict, Path]:
    run = dag.test(run_conf={"input_path": str(input_path), "dry_run": False, **conf})
    folder = data_dir / "runs" / DAG_ID / run.run_id
    return run, json.loads((folder / "summary.json").read_text()), folder


def states(run) -> Counter:
    return Counter((ti.task_id, str(ti.state)) for ti in run.get_task_instances())


def assert_accounted(summary: dict) -> None:
    received, quarantined, *rest = (summary[k] for k in IDENTITY)
    assert received == quarantined + sum(rest), summary


def assert_portal_holds_exactly(portal, valid: pd.DataFrame) -> None:
    """Every valid worker once in the export, each field as validated (dates dd/mm/yyyy)."""
    exported = portal.export()
    counts = Counter(row["nir"] for row in exported)
    assert set(counts) == set(valid["nir"]) and set(counts.values()) == {1}
    by_nir = {row["nir"]: row for row in exported}
    for record in valid.fillna("").to_dict("records"):
        stored = by_nir[record["nir"]]
        for column in ("nom", "nom_usage", "prenom", "sexe", "iban", "code_postal", "commune", "statut"):
            assert stored[column] == record[column], column
        for column in DATES:
            assert stored[column] == portal_date(record[column]), column
        assert site_key(stored["site"]) == site_key(record["site"])


def test_every_valid_worker_once_then_reruns_and_overlaps_create_nobody_twice(dag, data_dir, tmp_path, live_portal):
    portal = live_portal()
    first = department_file(tmp_path / "envoi1", rows=40, share=0.05, seed=61)
    run, summary, folder = run_dag(dag, data_dir, tmp_path / "envoi1")
    assert str(run.state) == "success", summary["erreurs"]
    assert states(run)[("enter", "success")] == 3  # 38 valid workers in batches of 15
    assert summary["statut"] == "succes"
    assert (summary["received"], summary["quarantined"]) == (40, first["expected_quarantined"])
    assert summary["entered"] == summary["valid"] == summary["verified"] == 40 - first["expected_quarantined"]
    assert (summary["failed"], summary["rejected"], summary["mismatched"]) == (0, 0, 0)
    assert_accounted(summary)
    assert summary["secondes_par_vacataire"] > 0 and summary["minutes_gagnees"] > 0
    valid1 = pd.read_parquet(folder / "valid.parquet")
    assert_portal_holds_exactly(portal, valid1)

    # What people read: no NIR, IBAN, e-mail or name of the input.
    exposed = (folder / "report.html").read_text(encoding="utf-8") + (folder / "summary.json").read_text()
    exposed += "".join(p.read_text(encoding="utf-8-sig") for p in folder.glob("*.csv"))
    for record in valid1.fillna("").to_dict("records"):
        for column in ("nir", "iban", "email", "nom"):
            if len(record[column]) > 3:
                assert record[column] not in exposed, column
    assert "vacataires saisis dans le portail" in (folder / "report.html").read_text(encoding="utf-8")

    # The same input again: nobody typed, everybody checked again.
    run, again, _ = run_dag(dag, data_dir, tmp_path / "envoi1")
    assert str(run.state) == "success"
    assert (again["entered"], again["skipped_already_done"], again["failed"]) == (0, summary["valid"], 0)
    assert again["verified"] == summary["valid"]
    assert ("enter", "skipped") in states(run)
    assert_accounted(again)

    # Someone changes a worker in the portal: reconciliation catches it, by field, and fails the run.
    changed = valid1.iloc[3]
    with sqlite3.connect(portal.db_path) as db:
        db.execute("UPDATE workers SET commune = 'Caussade', iban = ? WHERE nir = ?", (OTHER_IBAN, changed["nir"]))
    run, drift, folder2 = run_dag(dag, data_dir, tmp_path / "envoi1")
    assert str(run.state) == "failed"
    assert states(run)[("reconcile", "failed")] == 1
    assert (drift["verified"], drift["mismatched"], drift["statut"]) == (summary["valid"] - 1, 1, "echec")
    assert drift["ecarts_par_champ"] == {"commune": 1, "IBAN": 1}
    listed = (folder2 / "reconciliation.csv").read_text(encoding="utf-8-sig")
    assert f";{changed['_ligne']};" in listed and "commune, IBAN" in listed and OTHER_IBAN not in listed
    assert "en écart avec le portail RH" in " ".join(drift["erreurs"])
    with sqlite3.connect(portal.db_path) as db:  # HR puts it right: the next run verifies it again
        db.execute("UPDATE workers SET commune = ?, iban = ? WHERE nir = ?", tuple(changed[["commune", "iban", "nir"]]))

    # A second file overlapping the first: only the new workers are created.
    overlap = tmp_path / "envoi2"
    department_file(overlap, rows=12, share=0.0, seed=62)
    lines = (tmp_path / "envoi1" / "vacataires_61.csv").read_bytes().splitlines(keepends=True)
    (overlap / "renvoi_partiel.csv").write_bytes(b"".join(lines[:11]))  # header + the first 10 workers again
    run, third, folder3 = run_dag(dag, data_dir, overlap)
    assert str(run.state) == "success", third["erreurs"]
    already = third["skipped_already_done"]
    assert third["entered"] == third["valid"] - already and already >= 9
    assert_accounted(third)
    both = pd.concat([valid1, pd.read_parquet(folder3 / "valid.parquet")]).drop_duplicates("nir")
    assert_portal_holds_exactly(portal, both)


def test_dry_run_lists_who_would_be_created_and_types_nothing(dag, data_dir, tmp_path, live_portal):
    portal = live_portal()
    department_file(tmp_path / "envoi", rows=20, share=0.0, seed=63)
    run, summary, folder = run_dag(dag, data_dir, tmp_path / "envoi", dry_run=True)
    assert str(run.state) == "success"
    assert states(run)[("enter", "skipped")] == 1 and states(run)[("reconcile", "skipped")] == 1
    assert (summary["to_enter"], summary["entered"], summary["failed"]) == (20, 0, 0)
    assert portal.export() == []
    plan = (folder / "plan.csv").read_text(encoding="utf-8-sig")
    assert plan.count("à créer dans le portail") == 20
    assert "Plan de saisie (essai à blanc" in (folder / "report.html").read_text(encoding="utf-8")


def test_exactly_once_under_faults_with_no_failure_left_after_the_retries(dag, data_dir, tmp_path, live_portal):
    """10 % HTTP 500s, sessions expiring every 30 requests, 5 % lost confirmations."""
    portal = live_portal(fail_rate=0.10, session_max_requests=30, lost_confirmation_rate=0.05, seed=11)
    department_file(tmp_path / "envoi", rows=40, share=0.0, seed=64)
    run, summary, folder = run_dag(dag, data_dir, tmp_path / "envoi")
    assert str(run.state) == "success", (summary["erreurs"], summary["failed"])
    assert (summary["entered"], summary["failed"], summary["rejected"]) == (40, 0, 0)
    assert summary["verified"] == 40 and summary["mismatched"] == 0
    assert_accounted(summary)
    assert_portal_holds_exactly(portal, pd.read_parquet(folder / "valid.parquet"))
    outcomes = [json.loads(p.read_text()) for p in (folder / "saisie").glob("lot-*.json")]
    # The faults did happen, and were absorbed: retries, new logins, workers found after a lost confirmation.
    assert sum(o["nouvelles_tentatives"] for o in outcomes) > 0
    assert sum(o["connexions"] for o in outcomes) > len(outcomes)
