"""The toolkit's record loop (include/rpa/robot.py) with the HR portal's target, in a real
headless Chromium against real sandbox portals: how each kind of trouble is filed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from include.processes.election_staff.hr_portal import HrPortal
from include.rpa.browser import open_browser
from include.rpa.ledger import Ledger
from include.rpa.robot import (
    BUSY,
    DONE_BEFORE,
    ENTERED,
    FAILED,
    FOUND,
    NOT_ATTEMPTED,
    REJECTED_NOW,
    Job,
    RecordLoop,
    RobotPolicy,
)
from tests.processes.election_staff.test_hr_portal_pages import PASSWORD, USER, export, nir_for, start_portal, valid_row

PROCESS, SCOPE = "test_onboarding", "test-election"
FAST = RobotPolicy(backoff_seconds=0.05, max_backoff_seconds=0.2)


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with open_browser(label="test-record-loop") as browser:
        yield browser


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")


@pytest.fixture
def portals(tmp_path: Path) -> Iterator:
    started = []

    def start(host: str, **faults: float | int) -> str:
        started.append(start_portal(tmp_path, host, **faults))
        return started[-1].url

    yield start
    for server in started:
        server.stop()


def jobs_for(orders: range, **overrides: str) -> list[Job]:
    rows = [valid_row(nir=nir_for(order), **overrides) for order in orders]
    return [Job(key=row["nir"], record=row, label=f"test-ligne{i + 2}") for i, row in enumerate(rows)]


def run_loop(driver: WebDriver, url: str, ledger: Ledger, jobs: list[Job], tmp_path: Path, **policy) -> RecordLoop:
    ledger.plan(PROCESS, SCOPE, {job.key: "h" for job in jobs})
    loop = RecordLoop(
        driver,
        HrPortal(url, USER, PASSWORD),
        ledger,
        process=PROCESS,
        scope=SCOPE,
        worker="test-worker",
        policy=RobotPolicy(**{**FAST.__dict__, **policy}),
        evidence_dir=tmp_path / "captures",
    )
    loop.run(jobs)
    return loop


def results(loop: RecordLoop) -> Counter:
    return Counter(outcome.result for outcome in loop.result.outcomes)


def test_a_refused_record_is_rejected_with_the_portal_message_and_a_masked_capture(driver, portals, ledger, tmp_path):
    url = portals("127.0.0.11")
    bad_iban = "FR1520041010050500013M02606"  # RIB key right, IBAN key wrong
    jobs = jobs_for(range(40, 41), iban=bad_iban) + jobs_for(range(41, 43))
    loop = run_loop(driver, url, ledger, jobs, tmp_path)
    assert results(loop) == {REJECTED_NOW: 1, ENTERED: 2}
    refused = loop.result.outcomes[0]
    assert refused.attempts == 1  # a business failure is never retried
    assert "IBAN" in refused.reason and bad_iban not in refused.reason
    row = ledger.get(PROCESS, SCOPE, jobs[0].key)
    assert row["state"] == "rejected" and "IBAN" in row["last_error"]
    assert set(export(url)) == {job.key for job in jobs[1:]}

    assert sorted(refused.evidence) == ["test-ligne2-refus.html", "test-ligne2-refus.png"]
    html = (tmp_path / "captures" / "test-ligne2-refus.html").read_text(encoding="utf-8")
    assert "IBAN" in html and "erreur" in html  # the portal's message is kept
    record = jobs[0].record
    for value in (record["nom"], record["prenom"], record["adresse"], record["email"], record["nir"], bad_iban):
        assert value not in html
    assert (tmp_path / "captures" / "test-ligne2-refus.png").read_bytes()[:4] == b"\x89PNG"


def test_lost_confirmations_are_found_by_the_search_and_stored_once(driver, portals, ledger, tmp_path):
    url = portals("127.0.0.12", lost_confirmation_rate=1.0)
    jobs = jobs_for(range(50, 53))
    loop = run_loop(driver, url, ledger, jobs, tmp_path)
    assert results(loop) == {FOUND: 3}
    assert all(outcome.attempts == 2 for outcome in loop.result.outcomes)
    stored = export(url)
    assert set(stored) == {job.key for job in jobs}
    assert [ledger.get(PROCESS, SCOPE, job.key)["receipt"] for job in jobs] == [
        stored[j.key]["matricule"] for j in jobs
    ]


def test_expired_sessions_log_in_again_without_costing_attempts(driver, portals, ledger, tmp_path):
    url = portals("127.0.0.13", session_max_requests=12)  # a record takes 8 requests
    jobs = jobs_for(range(60, 64))
    loop = run_loop(driver, url, ledger, jobs, tmp_path, max_attempts=1)
    assert results(loop) == {ENTERED: 4}
    assert loop.result.logins >= 3  # 32 requests, sessions of 12
    assert all(outcome.attempts == 1 for outcome in loop.result.outcomes)
    assert set(export(url)) == {job.key for job in jobs}


def test_a_portal_that_stays_down_stops_the_batch_and_leaves_the_rest_pending(driver, portals, ledger, tmp_path):
    url = portals("127.0.0.14", fail_rate=1.0)
    jobs = jobs_for(range(70, 80))
    loop = run_loop(driver, url, ledger, jobs, tmp_path, max_attempts=2, abort_after_consecutive_failures=3)
    assert results(loop) == {FAILED: 3, NOT_ATTEMPTED: 7}
    assert "lot interrompu après 3 dossiers en échec consécutifs" in loop.result.aborted
    assert "page d'erreur 500" in loop.result.outcomes[0].reason
    states = Counter(ledger.get(PROCESS, SCOPE, job.key)["state"] for job in jobs)
    assert states == {"failed": 3, "pending": 7}
    assert all(ledger.get(PROCESS, SCOPE, job.key)["claimed_by"] is None for job in jobs)


def test_records_held_by_another_task_or_already_done_are_not_typed(driver, portals, ledger, tmp_path):
    url = portals("127.0.0.15")
    jobs = jobs_for(range(80, 83))
    ledger.plan(PROCESS, SCOPE, {job.key: "h" for job in jobs})
    assert ledger.claim(PROCESS, SCOPE, jobs[0].key, worker="another-task")
    ledger.mark_entered(PROCESS, SCOPE, jobs[1].key, receipt="V0000099")
    loop = run_loop(driver, url, ledger, jobs, tmp_path)
    assert [o.result for o in loop.result.outcomes] == [BUSY, DONE_BEFORE, ENTERED]
    assert set(export(url)) == {jobs[2].key}
