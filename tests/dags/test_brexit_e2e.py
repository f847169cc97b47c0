"""brexit_residence_permits end to end through ``dag.test()``: generated applications with every
kind of case, the real foreigners' office stand-in driven by headless Chromium, agents answering
the undecidable files through Airflow's REST API (the UI's "Required actions")."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from include.processes.brexit import arbitration, entry
from include.processes.brexit.codes import TITRES
from include.processes.brexit.demo import write_demo
from include.rpa.ledger import Ledger
from scripts.harness.airflow_api import in_process_api
from tests.foreigners_fixtures import live_foreigners_portal  # noqa: F401

pytestmark = pytest.mark.slow
DAG_ID = "brexit_residence_permits"
AGENT_CARD = "carte_sejour_5_ans"
ENTER = f"{arbitration.ENTER_PREFIX}{TITRES[AGENT_CARD]}"


@pytest.fixture
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).parents[2] / "dags" / f"{DAG_ID}.py"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags[DAG_ID]
    for task in dag.tasks:
        task.retry_delay = dt.timedelta(seconds=1)
    return dag


class Agents:
    """Answer every pending request of the DAG as user ``agent.etrangers``: file WA-yyyy-n gets
    ``choices[n % len(choices)]``."""

    def __init__(self, choices: list[str]) -> None:
        self.choices = choices
        self.answered: dict[str, str] = {}  # file number -> choice
        self.bodies: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._answer, daemon=True)

    def __enter__(self) -> Agents:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)

    def _answer(self) -> None:
        api = in_process_api("agent.etrangers")
        while not self.stop.is_set():
            for detail in api.pending_hitl(DAG_ID):
                # One request per run, one form field per file (named by its number).
                given = {
                    number: self.choices[int(number[-6:]) % len(self.choices)]  # the same for a file, always
                    for number in detail["params"]
                }
                body = {"chosen_options": [arbitration.SAVE], "params_input": given}
                answer = api.answer_hitl(detail, body, check=False)
                assert answer.status_code == 200, answer.text
                self.answered.update(given)
                self.bodies.append(detail["body"] + json.dumps(detail["params"], ensure_ascii=False))
            time.sleep(0.5)


@pytest.fixture
def brexit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_foreigners_portal):  # noqa: F811
    portal = live_foreigners_portal()
    ledger_path = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("AIRFLOW_CONN_RPA_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(ledger_path)}))
    source = tmp_path / "envoi" / "demandes.csv"
    expected = write_demo(source, count=90, seed=2026)
    return portal, source, expected, Ledger(f"sqlite:///{ledger_path}")


def assert_accounted(summary: dict) -> None:
    """Every received row in exactly one place."""
    places = (
        "quarantined",
        "entered",
        "skipped_already_done",
        "rejected",
        "failed",
        "incomplete",
        "ineligible",
        "held",
    )
    assert summary["received"] == sum(summary[k] for k in places), summary


def run_folder(data_dir: Path, run) -> Path:
    return data_dir / "runs" / DAG_ID / run.run_id


def test_every_case_ends_where_the_rules_and_the_agents_say_and_is_entered_once(dag, data_dir, brexit):
    portal, source, expected, ledger = brexit
    counts = expected["counts"]
    assert all(counts[k] > 0 for k in ("quarantined", "a_saisir", "incomplets", "non_eligibles", "a_arbitrer"))
    choices = [ENTER, arbitration.HOLD, arbitration.REJECT]
    with Agents(choices) as agents:
        run = dag.test(run_conf={"input_path": str(source)})
    assert str(run.state) == "success"
    folder = run_folder(data_dir, run)
    summary = json.loads((folder / "summary.json").read_text())
    chosen = Counter(agents.answered.values())
    assert len(agents.answered) == counts["a_arbitrer"]
    entered_by_agents = chosen[ENTER]
    assert {k: summary[k] for k in ("received", "quarantined", "a_saisir", "incomplete", "ineligible")} == {
        "received": counts["received"],
        "quarantined": counts["quarantined"],
        "a_saisir": counts["a_saisir"],
        "incomplete": counts["incomplets"],
        "ineligible": counts["non_eligibles"],
    }
    # What an agent chose to enter is typed too; the application may refuse it (contradictory
    # dates): then it is "rejected" with the application's own French message, never lost.
    assert summary["entered"] + summary["rejected"] == counts["a_saisir"] + entered_by_agents
    assert summary["rejected"] <= entered_by_agents
    assert summary["verified"] == summary["entered"] and summary["mismatched"] == 0 and summary["failed"] == 0
    assert summary["held"] == chosen[arbitration.HOLD] + chosen[arbitration.REJECT]
    assert_accounted(summary)
    # The application holds exactly the files meant for it, once each, with what the rules decided.
    meant = {e["numero_dossier"]: e for e in expected["dossiers"] if e["decision"] == "saisir"}
    by_agents = {n for n, choice in agents.answered.items() if choice == ENTER}
    meant.update({n: {"titre": AGENT_CARD} for n in by_agents})
    exported = portal.export()
    numbers = Counter(row["numero_dossier"] for row in exported)
    assert set(numbers.values()) == {1} and set(numbers) <= set(meant)
    assert len(set(meant) - set(numbers)) == summary["rejected"]
    for row in exported:
        assert row["titre"] == meant[row["numero_dossier"]]["titre"]
        assert len(row["numero_etranger"]) == 10 and row["numero_etranger"].isdigit()
    # One letter per incomplete file, named by file number; none for the others.
    letters = sorted(p.stem for p in (folder / "lettres").glob("*.html"))
    assert letters == sorted(e["numero_dossier"] for e in expected["dossiers"] if e["decision"] == "incomplet")
    # The agents' decisions: in the run folder, the ledger and the report; no name in the requests.
    recorded = ledger.decisions(entry.LEDGER_PROCESS, entry.SCOPE)
    assert {d["detail"]: d["decided_by"] for d in recorded} == dict.fromkeys(agents.answered, "agent.etrangers")
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "Dossiers soumis à un agent" in report
    assert all(number in report and choice in report for number, choice in agents.answered.items())
    assert len(set(agents.answered.values())) >= 2  # the demo's files get different answers
    names = {e.get("nom") for e in expected["dossiers"]} - {None}
    assert not any(name and name in body for body in agents.bodies for name in names)
    assert summary["minutes_gagnees"] > 0

    # The same export again: nobody typed twice; the agents' files are asked again only if not entered.
    with Agents([arbitration.HOLD]) as again:
        rerun = dag.test(run_conf={"input_path": str(source)})
    assert str(rerun.state) == "success"
    second = json.loads((run_folder(data_dir, rerun) / "summary.json").read_text())
    assert second["entered"] == 0
    # A file an agent decided and the robot entered in the first run is done: skipped, not held.
    stored_by_agents = len(by_agents & set(numbers))
    assert second["skipped_already_done"] == counts["a_saisir"] + stored_by_agents
    assert second["held"] == counts["a_arbitrer"] - stored_by_agents
    assert set(again.answered) == set(agents.answered) - set(numbers)
    assert len(portal.export()) == len(exported)
    assert_accounted(second)
    # Minutes saved count each file once across runs: the letters, ineligible files, entries and
    # the agents' decisions of the first run are not credited again. Only the files the
    # application refused in the first run (an agent chose to enter them) and now held by an
    # agent are new; the agents' second look is taken off.
    refused_then_held = summary["rejected"]
    assert second["dossiers_credites"] == refused_then_held
    assert second["minutes_gagnees"] == max(0, refused_then_held * 30 - len(again.answered) * 5)


def test_a_dry_run_writes_the_letters_and_asks_nobody(dag, data_dir, brexit):
    portal, source, expected, _ = brexit
    run = dag.test(run_conf={"input_path": str(source), "dry_run": True})
    assert str(run.state) == "success"
    folder = run_folder(data_dir, run)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["entered"] == 0 and summary["to_enter"] == expected["counts"]["a_saisir"]
    assert summary["held"] == expected["counts"]["a_arbitrer"]
    assert len(list((folder / "lettres").glob("*.html"))) == expected["lettres"]
    assert portal.export() == []


def test_under_faults_every_file_is_entered_exactly_once(
    dag,
    data_dir,
    tmp_path,
    monkeypatch,
    live_foreigners_portal,  # noqa: F811
):
    portal = live_foreigners_portal(fail_rate=0.1, session_max_requests=40, lost_confirmation_rate=0.1, seed=7)
    ledger = {"conn_type": "sqlite", "host": str(tmp_path / "ledger-faults.sqlite")}
    monkeypatch.setenv("AIRFLOW_CONN_RPA_LEDGER", json.dumps(ledger))
    source = tmp_path / "faults" / "demandes.csv"
    expected = write_demo(source, count=40, seed=77)
    with Agents([ENTER]) as agents:
        run = dag.test(run_conf={"input_path": str(source)})
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert str(run.state) == "success", summary["erreurs"]
    wanted = expected["counts"]["a_saisir"] + len(agents.answered)
    numbers = Counter(row["numero_dossier"] for row in portal.export())
    assert set(numbers.values()) == {1} and len(numbers) == summary["entered"] == summary["verified"]
    assert summary["entered"] + summary["rejected"] == wanted and summary["failed"] == 0


def test_the_run_reads_the_inbox_of_its_logical_date(dag, data_dir, brexit):
    """A run of 1 June (a backfill, a re-run) reads 1 June's inbox, whatever day it runs: the
    day comes from the run's logical date in Paris, not from the wall clock."""
    import pendulum

    day = dt.date(2026, 6, 1)
    inbox = data_dir / "inbox" / "brexit" / day.isoformat()
    expected = write_demo(inbox / "demandes.csv", count=12, seed=601)
    # 23:30 UTC on 31 May is already 1 June in Paris.
    run = dag.test(logical_date=pendulum.datetime(2026, 5, 31, 23, 30, tz="UTC"), run_conf={"dry_run": True})
    assert str(run.state) == "success"
    summary = json.loads((run_folder(data_dir, run) / "summary.json").read_text())
    assert summary["received"] == expected["counts"]["received"] == 12
    assert summary["entree"] == str(inbox)
