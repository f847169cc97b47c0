"""election_staff_payment end to end with dag.test(): workers onboarded in a live HR portal,
a live payroll portal, real Chromium, and HR answering the approval through Airflow's own
REST API (the Required Actions endpoint the UI uses), in a thread, as a named user."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
import urllib.parse
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from include.processes.election_staff import service_demo
from include.processes.election_staff.config import get_election
from include.processes.election_staff.onboarding import ONBOARDING
from include.processes.election_staff.payment import PAYMENT_PROCESS
from include.rpa.ledger import Ledger
from include.rpa.sepa import read_totals
from sandbox.common.env import sqlite_url
from scripts.harness.airflow_api import in_process_api
from scripts.harness.app_client import ROBOT_LOGINS, read_export
from tests.rpa.test_alerts import channels  # noqa: F401
from tests.sandbox.test_payroll_portal import HrDirectory, start_server

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
DAG_ID = "election_staff_payment"
ELECTION = get_election()


@pytest.fixture(scope="module")
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{DAG_ID}.py"))
    assert not bag.import_errors
    dag = bag.dags[DAG_ID]
    for task in dag.tasks:
        task.retry_delay = dt.timedelta(seconds=1)
    return dag


class HumanResources:
    """Answers the run's approval through the core REST API as user ``rh.paie``."""

    def __init__(self, choice: str, runs: Path | None = None) -> None:
        self.choice = choice
        self.runs = runs or Path(os.environ["RPA_DATA_DIR"]) / "runs" / DAG_ID
        self.seen: tuple[str, str, str] | None = None
        self.answered: list[int] = []
        self.thread = threading.Thread(target=self._answer, daemon=True)

    def __enter__(self) -> HumanResources:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(30)

    def _answer(self) -> None:
        api = in_process_api("rh.paie", apps="all")  # with the plugins: the report's link is served
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for detail in api.pending_hitl(DAG_ID):
                # What HR reads before deciding: the totals, and the report behind the body's link.
                link = re.search(r"\[le rapport de paiement\]\((\S+)\)", detail["body"])
                assert link, detail["body"]
                report = api.send("GET", urllib.parse.urlsplit(link.group(1)).path)
                assert report.status_code == 200, report.text
                self.seen = (detail["subject"], detail["body"], report.text)
                answer = api.answer_hitl(detail, {"chosen_options": [self.choice]}, check=False)
                self.answered.append(answer.status_code)
                return
            time.sleep(1)


@pytest.fixture
def make_payroll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_portal):
    """Onboarded workers in the HR portal and the ledger, a payroll portal (with ``faults``), the Connections."""
    started = []

    def make(**faults: float | int):
        hr_portal = live_portal()
        hr = HrDirectory(hr_portal.db_path)
        workers = [hr.add() for _ in range(12)]
        ledger = Ledger(f"sqlite:///{hr_portal.ledger_path}")
        ledger.plan(ONBOARDING.process, ELECTION.id, {w.nir: "h" for w in workers})
        for worker in workers:
            ledger.mark_entered(ONBOARDING.process, ELECTION.id, worker.nir, receipt=worker.matricule)
        server = start_server(tmp_path / "payroll.sqlite", sqlite_url(hr_portal.db_path), **faults)
        started.append((server, hr))
        for name, value in server.connections().items():
            monkeypatch.setenv(name, value)
        records = [
            {
                "nir": w.nir,
                "date_debut": "2027-03-29",
                "date_fin": "2027-04-07",
                "site": w.site,
                "fonction": "chef de table" if n == 0 else "agent de mise sous pli",
            }
            for n, w in enumerate(workers)
        ]
        rows, manifest = service_demo.generate(records, ELECTION, defect_share=0.05, seed=501)
        source = service_demo.write(rows, tmp_path / "envoi" / "releves.csv")
        return source, manifest, ledger, server

    yield make
    for server, hr in started:
        server.stop()
        hr.db.dispose()


@pytest.fixture
def payroll(make_payroll):
    return make_payroll()


def exported(url: str) -> list[dict[str, str]]:
    return read_export(url, *ROBOT_LOGINS["payroll_portal"])


def test_approved_payment_is_entered_once_and_reconciles_to_the_cent(dag, data_dir, payroll):
    source, manifest, ledger, server = payroll
    with HumanResources("Approve") as hr:
        run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert hr.answered == [200]
    assert str(run.state) == "success"
    folder = data_dir / "runs" / DAG_ID / run.run_id
    summary = json.loads((folder / "summary.json").read_text())
    subject, body, report = hr.seen
    assert f"{summary['total']} € à approuver" in subject and f"**{summary['workers']} vacataires**" in body
    assert "Indemnités par vacataire" in report and "en_attente" not in report
    workers = pd.read_parquet(folder / "workers.parquet")
    for nir, worker in workers.iterrows():
        assert nir not in report and worker["iban"] not in report and worker["matricule"] in report
    assert summary["statut"] == "succes", summary["erreurs"]
    assert (summary["received"], summary["quarantined"]) == (manifest["received"], manifest["quarantined"])
    assert summary["decision"]["decision"] == "approuve" and summary["decision"]["par"] == "rh.paie"
    assert summary["received"] == summary["quarantined"] + summary["valid"]
    assert (summary["entered"], summary["verified"]) == (summary["workers"], summary["workers"])
    assert (summary["skipped_already_done"], summary["rejected"], summary["failed"], summary["mismatched"]) == (0,) * 4
    rows = exported(server.url)
    assert Counter(r["matricule"] for r in rows).most_common(1)[0][1] == 1 and len(rows) == summary["workers"]
    total = Decimal(summary["total"])
    assert sum(Decimal(r["montant"]) for r in rows) == total
    assert read_totals((folder / "virement_sepa.xml").read_bytes()) == (total, summary["workers"])
    assert set(summary["totaux_rapprochement"].values()) == {str(total)}
    (decision,) = ledger.decisions(PAYMENT_PROCESS, ELECTION.id)
    assert (decision["decision"], decision["decided_by"]) == ("approuve", "rh.paie")

    # The same records again (HR approves again): nothing entered twice.
    with HumanResources("Approve"):
        run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "success"
    assert len(exported(server.url)) == len(rows)
    again = json.loads((data_dir / "runs" / DAG_ID / run.run_id / "summary.json").read_text())
    # Nobody new to pay: no second transfer file either.
    assert (again["entered"], again["skipped_already_done"], again["statut"]) == (0, len(rows), "succes")
    assert again["transfer_file"] is None


def test_rejected_payment_enters_nothing_and_says_who_rejected(dag, data_dir, payroll, channels):  # noqa: F811
    source, _, ledger, server = payroll
    with HumanResources("Reject"):
        run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    # The run's one alert, on both channels, says who rejected it (an Airflow user, not personal data).
    assert len(channels.slack) == 1 and len(channels.mails) == 1
    assert "Paiement rejeté par rh.paie" in json.dumps(channels.slack_json()[0], ensure_ascii=False)
    assert "Paiement rejeté par rh.paie" in channels.emails()[0].get_body(("plain",)).get_content()
    assert str(run.state) == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["enter"] == "skipped" and states["transfer"] == "skipped"
    summary = json.loads((data_dir / "runs" / DAG_ID / run.run_id / "summary.json").read_text())
    assert "Paiement rejeté par rh.paie" in summary["erreurs"][0]
    assert exported(server.url) == []
    assert ledger.decisions(PAYMENT_PROCESS, ELECTION.id)[0]["decision"] == "rejete"


def test_payment_under_faults_is_still_entered_once_and_reconciled(dag, data_dir, make_payroll):
    """10 % HTTP 500s, sessions expiring every 30 requests, 5 % lost confirmations on the payroll portal."""
    source, _, _, server = make_payroll(fail_rate=0.10, session_max_requests=30, lost_confirmation_rate=0.05, seed=5)
    with HumanResources("Approve"):
        run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "success"
    summary = json.loads((data_dir / "runs" / DAG_ID / run.run_id / "summary.json").read_text())
    rows = exported(server.url)
    assert len(rows) == len({r["matricule"] for r in rows}) == summary["workers"] == summary["entered"]
    assert set(summary["totaux_rapprochement"].values()) == {summary["total"]}


def test_a_wrong_payroll_password_fails_the_entry_at_once(dag, data_dir, payroll, monkeypatch):
    """A refused robot account is a configuration error: retrying gives the same answer, so the
    entry fails on its first try (it was retried twice before the task layer mapped it)."""
    source, _, _, server = payroll
    connection = json.loads(os.environ["AIRFLOW_CONN_PAYROLL_PORTAL"])
    monkeypatch.setenv("AIRFLOW_CONN_PAYROLL_PORTAL", json.dumps({**connection, "password": "pas-le-bon"}))
    with HumanResources("Approve"):
        run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "failed"
    entered = [ti for ti in run.get_task_instances() if ti.task_id == "enter"]
    assert entered and {str(ti.state) for ti in entered} == {"failed"}
    assert {ti.try_number for ti in entered} == {1}
    summary = json.loads((data_dir / "runs" / DAG_ID / run.run_id / "summary.json").read_text())
    assert any("connexion refusée" in error for error in summary["erreurs"]), summary["erreurs"]
    assert exported(server.url) == []
