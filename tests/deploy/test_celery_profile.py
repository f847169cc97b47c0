"""The scale-out profile for real on this machine (scripts/distributed_stack.py): Airflow's
CeleryExecutor, metadata in a fresh PostgreSQL database, Redis as the broker, the ledger in
PostgreSQL through ``rpa_ledger``, the API server, scheduler, DAG processor, triggerer and
two Celery workers as processes of their own, and the browsers on a W3C remote end (a
chromedriver server standing for the Selenium Grid). The onboarding DAG runs through it on a
generated file, then an election-week backfill under the scheduler, twice, then a backfill
that reprocesses the completed days: every worker is in the HR portal exactly once.

Each worker has one task slot: with the ``hr_portal`` pool's 2 slots the two browsers of a
run are then on two workers, as on two machines of 1 browser each (with 2 slots each, Celery
may give both batches to one worker: nothing would show the spread).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from include.processes.election_staff.config import CONFIG_FILE, load_elections
from include.processes.election_staff.demo import generate, write
from scripts.distributed_stack import DistributedStack
from scripts.harness.airflow_api import run_path
from scripts.harness.processes import ChromedriverServer
from tests.rpa_settings import robots_file

pytestmark = [pytest.mark.slow, pytest.mark.distributed]
DAG_ID = "election_staff_onboarding"
BREXIT_DAG_ID = "brexit_residence_permits"
ELECTION = "test-backfill-2026"
# An election period in the past (a backfill cannot run on future dates), three days backfilled.
PERIOD = (dt.date(2026, 6, 1), dt.date(2026, 6, 10))
DAYS = {dt.date(2026, 6, 1): 12, dt.date(2026, 6, 2): 15, dt.date(2026, 6, 3): 9}
RESENT = 3  # workers of the first day's file sent again in the second day's
RUN_MINUTES = 6


def elections_file(folder: Path) -> Path:
    """The project's elections.toml with the test election active."""
    text = CONFIG_FILE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^active = .*$", f'active = "{ELECTION}"', text)
    text += (
        f'\n[elections.{ELECTION}]\nlabel = "Élection de test : rattrapage"\ndepartment = "82"\n'
        f'period_start = {PERIOD[0]}\nperiod_end = {PERIOD[1]}\nrun_at = "20:00"\n'
    )
    path = folder / "elections.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from tests.conftest import LivePortal
    from tests.foreigners_fixtures import LiveForeignersPortal

    folder = tmp_path_factory.mktemp("distributed")
    for name in ("portal", "foreigners"):
        (folder / name).mkdir()
    portal = LivePortal(folder / "portal", "127.0.0.1")
    foreigners = LiveForeignersPortal(folder / "foreigners", "127.0.0.1")
    # The browsers on a remote end, as compose's workers use the Selenium Grid.
    grid = ChromedriverServer(log_path=folder / "chromedriver.log")
    config = elections_file(folder)
    stack = DistributedStack(
        folder / "stack",
        workers=2,
        concurrency=1,
        connections={
            "AIRFLOW_CONN_HR_PORTAL": portal.connections()["AIRFLOW_CONN_HR_PORTAL"],
            **foreigners.connections(),
        },
        env={
            "RPA_ELECTIONS_CONFIG": str(config),
            # Batches of 10: several mapped tasks per run, spread over both workers.
            "RPA_ROBOTS_CONFIG": str(robots_file(folder, election_staff_onboarding={"batch_size": 10})),
            "RPA_WEBDRIVER_URL": grid.url,
        },
    )
    stack.portal = portal
    stack.foreigners = foreigners
    stack.grid = grid
    stack.election = load_elections(config)[1][ELECTION]
    try:
        stack.create()
        stack.start()
        for dag_id in (DAG_ID, BREXIT_DAG_ID):
            stack.api.unpause(dag_id)
        yield stack
    finally:
        stack.stop()
        stack.drop()
        grid.stop()
        foreigners.stop()
        portal.stop()


def department_file(path: Path, rows: int, seed: int, election, share: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    demo = generate(rows, department="82", defect_share=share, seed=seed, election=election)
    write(demo, path, "excel-csv", manifest_path=path.parent.parent / f".{path.stem}.json")
    return path


def wait_run(
    stack: DistributedStack,
    run_id: str,
    minutes: float = RUN_MINUTES,
    dag_id: str = DAG_ID,
    while_waiting: Callable[[], object] = lambda: None,
) -> dict:
    def ended() -> dict | None:
        while_waiting()
        run = stack.api.request("GET", run_path(dag_id, run_id))
        return run if run["state"] in ("success", "failed") else None

    return stack.api.wait_until(ended, 60 * minutes, f"run {run_id}")


def summary(stack: DistributedStack, run_id: str) -> dict:
    return json.loads((stack.data / "runs" / DAG_ID / run_id / "summary.json").read_text())


def portal_nirs(stack: DistributedStack) -> Counter:
    return Counter(row["nir"] for row in stack.portal.export())


def ledger_states(stack: DistributedStack) -> Counter:
    rows = stack.sql("SELECT state, count(*) FROM rpa_ledger GROUP BY state", database=stack.ledger_db)
    return Counter(dict(rows))


def test_a_run_spreads_its_batches_over_both_celery_workers(stack, tmp_path):
    source = department_file(tmp_path / "envoi" / "vacataires.csv", 60, 71, stack.election, share=0.05)
    run = stack.api.request(
        "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": {"input_path": str(source)}}
    )
    ended = wait_run(stack, run["dag_run_id"])
    counts = summary(stack, run["dag_run_id"])
    assert ended["state"] == "success", counts
    assert counts["received"] == 60 and counts["quarantined"] == 3
    assert counts["entered"] == counts["verified"] == 57 and counts["failed"] == 0

    workers = stack.task_workers(DAG_ID, run["dag_run_id"], "enter")
    assert len(workers) == 6  # 57 workers in batches of 10
    assert set(workers.values()) == set(stack.worker_names()), workers
    assert stack.grid.sessions_opened() == 6  # one remote browser per batch
    # Every worker once in the portal, and the ledger (in PostgreSQL) agrees.
    nirs = portal_nirs(stack)
    assert len(nirs) == 57 and set(nirs.values()) == {1}
    assert ledger_states(stack) == Counter({"verified": 57})


def backfill(stack: DistributedStack, *extra: str) -> subprocess.CompletedProcess:
    first, last = min(DAYS), max(DAYS)
    return stack.airflow(
        "backfill", "create", "--dag-id", DAG_ID, "--from-date", f"{first}", "--to-date", f"{last}T23:59:59",
        "--max-active-runs", "1", *extra, check=False,
    )  # fmt: skip


def backfill_runs(stack: DistributedStack) -> list[dict]:
    runs = stack.api.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?run_type=backfill&limit=100")["dag_runs"]
    return sorted(runs, key=lambda r: r["logical_date"])


def wait_backfills(stack: DistributedStack, minutes: float) -> None:
    def done() -> bool:
        backfills = stack.api.request("GET", f"/api/v2/backfills?dag_id={DAG_ID}")["backfills"]
        return all(b["completed_at"] for b in backfills)

    stack.api.wait_until(done, 60 * minutes, "the backfill to complete")


def test_a_backfill_enters_each_day_in_its_own_run_and_never_twice(stack):
    inbox = stack.data / "inbox" / "election_staff"
    files = {
        day: department_file(inbox / f"{day}" / f"vacataires_{day:%d}.csv", rows, 100 + day.day, stack.election)
        for day, rows in DAYS.items()
    }
    # A department sends three workers of the first day again with the second day's file.
    first = files[min(DAYS)].read_text(encoding="cp1252").splitlines(keepends=True)
    with files[dt.date(2026, 6, 2)].open("a", encoding="cp1252", newline="") as handle:
        handle.writelines(first[1 : 1 + RESENT])
    before = portal_nirs(stack)

    created = backfill(stack)
    assert created.returncode == 0, created.stderr[-3000:]
    wait_backfills(stack, minutes=3 * RUN_MINUTES)
    runs = backfill_runs(stack)
    days = [dt.datetime.fromisoformat(r["logical_date"]).astimezone(dt.timezone(dt.timedelta(hours=2))) for r in runs]
    assert [d.date() for d in days] == sorted(DAYS) and {d.hour for d in days} == {20}
    assert [r["state"] for r in runs] == ["success"] * 3, runs
    for day, run in zip(sorted(DAYS), runs, strict=True):
        counts = summary(stack, run["dag_run_id"])
        sent = DAYS[day] + (RESENT if day == dt.date(2026, 6, 2) else 0)
        intake = json.loads((stack.data / "runs" / DAG_ID / run["dag_run_id"] / "intake.json").read_text())
        assert Path(intake["entree"]) == inbox / f"{day}", intake
        assert counts["received"] == sent and counts["quarantined"] == 0
        assert counts["entered"] == DAYS[day], (day, counts)
        assert counts["skipped_already_done"] == sent - DAYS[day]
    after = portal_nirs(stack)
    assert sum(after.values()) - sum(before.values()) == sum(DAYS.values())
    assert set(after.values()) == {1}

    # The same backfill again: the days are done, no run is created and nobody is typed.
    again = backfill(stack)
    wait_backfills(stack, minutes=2)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r["dag_run_id"] for r in backfill_runs(stack)] == [r["dag_run_id"] for r in runs]
    assert portal_nirs(stack) == after

    # A backfill that reprocesses the completed days reruns them: every worker is found done.
    redo = backfill(stack, "--reprocess-behavior", "completed")
    assert redo.returncode == 0, redo.stderr[-3000:]
    wait_backfills(stack, minutes=3 * RUN_MINUTES)
    rerun = backfill_runs(stack)
    assert [r["state"] for r in rerun] == ["success"] * 3, rerun
    assert all(new["end_date"] > old["end_date"] for new, old in zip(rerun, runs, strict=True))  # run again
    for day, run in zip(sorted(DAYS), rerun, strict=True):
        counts = summary(stack, run["dag_run_id"])
        assert counts["entered"] == 0 and counts["skipped_already_done"] == counts["received"], (day, counts)
    assert portal_nirs(stack) == after
    assert ledger_states(stack)["verified"] == sum(after.values())


def test_agents_decide_under_the_scheduler_and_the_run_goes_on(stack, tmp_path):
    """The Brexit arbitration: one request per run, answered through the REST API while the run
    waits (deferred to the triggerer, resumed on a worker); the files the agents chose are entered."""
    from include.processes.brexit import arbitration
    from include.processes.brexit.codes import TITRES
    from include.processes.brexit.demo import write_demo

    source = tmp_path / "envoi" / "demandes.csv"
    expected = write_demo(source, count=40, seed=2026)["counts"]
    assert expected["a_arbitrer"] == 3
    enter = f"{arbitration.ENTER_PREFIX}{TITRES['carte_sejour_5_ans']}"
    run_id = stack.api.request(
        "POST", f"/api/v2/dags/{BREXIT_DAG_ID}/dagRuns", {"logical_date": None, "conf": {"input_path": str(source)}}
    )["dag_run_id"]
    answered: dict[str, str] = {}

    def answer(detail: dict) -> dict:
        given = dict.fromkeys(detail["params"], enter)
        answered.update(given)
        return {"chosen_options": [arbitration.SAVE], "params_input": given}

    ended = wait_run(
        stack, run_id, dag_id=BREXIT_DAG_ID, while_waiting=lambda: stack.api.answer_pending(BREXIT_DAG_ID, answer)
    )
    counts = json.loads((stack.data / "runs" / BREXIT_DAG_ID / run_id / "summary.json").read_text())
    assert ended["state"] == "success", counts
    assert len(answered) == 3
    query = urllib.parse.urlencode({"dag_id": BREXIT_DAG_ID})
    requests = stack.api.request("GET", f"/api/v2/dags/~/dagRuns/~/hitlDetails?{query}")["hitl_details"]
    assert len(requests) == 1 and requests[0]["response_received"]  # asked once, not again on resume
    assert counts["entered"] + counts["rejected"] == expected["a_saisir"] + 3 and counts["failed"] == 0
    assert counts["held"] == 0 and counts["verified"] == counts["entered"]
    numbers = Counter(row["numero_dossier"] for row in stack.foreigners.export())
    assert len(numbers) == counts["entered"] and set(numbers.values()) == {1}


def test_every_component_stops_cleanly(stack):
    roots = stack.pids()
    assert len(roots) == 6  # api-server, scheduler, dag-processor, triggerer, 2 workers
    killed = stack.stop()
    assert killed == []
    import psutil

    assert [pid for pid in roots if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"] == []
    assert os.environ.get("AIRFLOW__CORE__EXECUTOR") != "CeleryExecutor"  # the test session itself is untouched
