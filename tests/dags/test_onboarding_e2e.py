"""End-to-end runs of election_staff_onboarding with dag.test() on generated
department files whose defects are known, asserting exact counts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from include.processes.election_staff.demo import generate, write

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
DAG_ID = "election_staff_onboarding"


@pytest.fixture(scope="module")
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{DAG_ID}.py"))
    assert not bag.import_errors
    return bag.dags[DAG_ID]


VALIDATED = {"intake": "success", "validate": "success", "report": "success"}
NOT_ENTERED = {"plan": "upstream_failed", "enter": "upstream_failed"}
NOTHING = {"intake": "skipped", "validate": "skipped", "plan": "skipped", "enter": "skipped", "reconcile": "skipped"}


def run_folder(data_dir: Path, run) -> Path:
    return data_dir / "runs" / DAG_ID / run.run_id


def states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def department_file(folder: Path, rows: int, share: float, seed: int, fmt: str = "excel-csv") -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "xlsx" if fmt == "xlsx" else "csv"
    demo = generate(rows, department="82", defect_share=share, seed=seed)
    return write(demo, folder / f"vacataires_{seed}.{suffix}", fmt, manifest_path=folder.parent / f"{seed}.json")


def test_generated_file_with_known_defects_gives_exact_counts(dag, data_dir, tmp_path):
    manifest = department_file(tmp_path / "envoi", rows=800, share=0.05, seed=41)
    # A dry run: validation and planning only (the robot's runs are in test_onboarding_robot_e2e).
    run = dag.test(run_conf={"input_path": str(tmp_path / "envoi"), "dry_run": True})
    assert str(run.state) == "success"
    assert states(run) == {**VALIDATED, "plan": "success", "enter": "skipped", "reconcile": "skipped"}
    folder = run_folder(data_dir, run)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["received"] == manifest["expected_received"] == 800
    assert summary["quarantined"] == manifest["expected_quarantined"] == 40
    assert summary["valid"] == manifest["expected_valid"] == 760
    assert summary["received"] == summary["quarantined"] + summary["valid"]
    assert summary["statut"] == "succes"

    with (folder / "quarantine.csv").open(encoding="utf-8-sig", newline="") as handle:
        quarantined = list(csv.DictReader(handle, delimiter=";"))
    assert sorted(int(r["ligne"]) for r in quarantined) == sorted(d["row"] for d in manifest["defects"])
    import pandas as pd

    valid = pd.read_parquet(folder / "valid.parquet").to_dict("records")
    assert len(valid) == 760 and len({r["nir"] for r in valid}) == 760
    assert (folder / "data_docs" / "index.html").exists()

    # No personal data of the input in what people read: report and quarantine list.
    report = (folder / "report.html").read_text(encoding="utf-8")
    exposed = (folder / "quarantine.csv").read_text(encoding="utf-8-sig") + report
    exposed += "".join(p.read_text(errors="ignore") for p in (folder / "data_docs").rglob("*.html"))
    for row in valid[:200]:
        for field in ("nir", "iban", "email", "nom"):
            if len(row[field]) > 3:
                assert row[field] not in exposed, field
    assert "lignes reçues" in report and "Motifs de quarantaine" in report


def test_quarantine_above_the_ceiling_fails_the_run_and_still_reports(dag, data_dir, tmp_path):
    department_file(tmp_path / "envoi", rows=300, share=0.30, seed=42)
    run = dag.test(run_conf={"input_path": str(tmp_path / "envoi"), "dry_run": False})
    assert str(run.state) == "failed"
    assert states(run) == {
        "intake": "success",
        "validate": "failed",
        **NOT_ENTERED,
        "reconcile": "skipped",
        "report": "failed",
    }
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert summary["statut"] == "echec"
    assert (summary["received"], summary["quarantined"], summary["valid"]) == (300, 90, 210)
    assert summary["controles_jeu_echoues"] == ["Part des lignes en quarantaine au plus 20 %"]
    assert "Part des lignes en quarantaine au plus 20 %" in summary["erreurs"][0]


def test_unreadable_file_fails_the_run_with_a_french_message_naming_it(dag, data_dir, tmp_path):
    department_file(tmp_path / "envoi", rows=50, share=0.0, seed=43)
    (tmp_path / "envoi" / "vide.csv").write_bytes(b"")
    run = dag.test(run_conf={"input_path": str(tmp_path / "envoi"), "dry_run": False})
    assert str(run.state) == "failed"
    assert states(run) == {
        "intake": "failed",
        "validate": "upstream_failed",
        **NOT_ENTERED,
        "reconcile": "skipped",
        "report": "failed",
    }
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert summary["statut"] == "echec" and summary["received"] == 0
    assert "vide.csv : fichier vide" in summary["erreurs"][0]
    assert "vide.csv : fichier vide" in (run_folder(data_dir, run) / "report.html").read_text(encoding="utf-8")


def test_scheduled_run_reads_the_inbox_of_its_day_in_paris(dag, data_dir, live_portal):
    portal = live_portal()
    # 30/03/2027 20:00 in Paris is 18:00 UTC.
    manifest = department_file(data_dir / "inbox" / "election_staff" / "2027-03-30", rows=20, share=0.05, seed=44)
    # run_conf given explicitly: dag.test() keeps the previous call's conf in the DAG's params.
    run = dag.test(
        logical_date=dt.datetime(2027, 3, 30, 18, 0, tzinfo=dt.UTC), run_conf={"input_path": None, "dry_run": False}
    )
    assert str(run.state) == "success"
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert summary["entree"].endswith("inbox/election_staff/2027-03-30")
    assert (summary["received"], summary["quarantined"]) == (20, manifest["expected_quarantined"])
    assert summary["entered"] == summary["verified"] == len(portal.export()) == manifest["expected_valid"]


def test_a_day_without_files_is_skipped_with_a_report(dag, data_dir):
    run = dag.test(logical_date=dt.datetime(2027, 4, 2, 18, 0, tzinfo=dt.UTC), run_conf={"input_path": None})
    assert str(run.state) == "success"
    assert states(run) == {**NOTHING, "report": "success"}
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert summary["statut"] == "aucun_fichier"
    assert (summary["received"], summary["quarantined"], summary["valid"]) == (0, 0, 0)
    report = (run_folder(data_dir, run) / "report.html").read_text(encoding="utf-8")
    assert "Aucun fichier déposé pour le 02/04/2027" in report


def test_a_scheduled_day_outside_the_election_period_is_skipped(dag, data_dir):
    # The cron schedule repeats the period's days every year: 2026 is not the election.
    run = dag.test(logical_date=dt.datetime(2026, 4, 2, 18, 0, tzinfo=dt.UTC), run_conf={"input_path": None})
    assert states(run) == {**NOTHING, "report": "success"}
    report = (run_folder(data_dir, run) / "report.html").read_text(encoding="utf-8")
    assert "Le 02/04/2026 est hors de la période de mise sous pli (29/03/2027 – 07/04/2027)" in report


def test_xlsx_file_through_the_dag(dag, data_dir, tmp_path):
    manifest = department_file(tmp_path / "envoi", rows=200, share=0.1, seed=45, fmt="xlsx")
    run = dag.test(run_conf={"input_path": str(tmp_path / "envoi" / "vacataires_45.xlsx"), "dry_run": True})
    assert str(run.state) == "success"
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert (summary["received"], summary["quarantined"]) == (200, manifest["expected_quarantined"])


def test_cli_dags_test_as_in_the_readme(tmp_path, live_portal):
    """`bin/airflow dags test ... --conf` on the embedded stack (what the README shows), the
    Connections overridden by environment as a user would to point it at another portal."""
    import os
    import subprocess

    portal = live_portal()
    manifest = department_file(tmp_path / "envoi", rows=20, share=0.05, seed=46)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(portal.connections())
    env["RPA_DATA_DIR"] = str(tmp_path / "data")
    conf = json.dumps({"input_path": str(tmp_path / "envoi")})
    done = subprocess.run(
        [str(REPO / "bin" / "airflow"), "dags", "test", DAG_ID, "--conf", conf],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (summary_path,) = (tmp_path / "data" / "runs" / DAG_ID).glob("*/summary.json")
    summary = json.loads(summary_path.read_text())
    assert (summary["received"], summary["quarantined"]) == (20, manifest["expected_quarantined"])
    assert summary["entered"] == summary["verified"] == len(portal.export()) == manifest["expected_valid"]
    assert re.match(r"manual__", summary["run_id"])
