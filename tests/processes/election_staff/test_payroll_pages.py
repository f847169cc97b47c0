"""The payroll portal's page objects and the payment robot's target, in a real headless
Chromium against the real payroll portal (reading a real HR portal database)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from include.processes.election_staff.payroll_portal import (
    AllowanceExists,
    NewAllowance,
    PayrollPortal,
    WorkerFile,
    french_decimal,
)
from include.rpa.browser import open_browser
from include.rpa.ledger import Ledger
from include.rpa.pages import LoginRefused, TargetRefused
from include.rpa.robot import ENTERED, FOUND, Job, RecordLoop, RobotPolicy
from tests.sandbox.test_payroll_portal import HrDirectory, Portal, start_server

SCRUTIN = "presidentielle-2027-t1"
USER, PASSWORD = "robot.paie", "demo-paie-2027"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with open_browser(label="test-payroll") as browser:
        yield browser


@pytest.fixture
def hr(tmp_path: Path) -> Iterator[HrDirectory]:
    directory = HrDirectory(tmp_path / "hr_portal.sqlite")
    yield directory
    directory.db.dispose()


@pytest.fixture
def payroll(tmp_path: Path, hr: HrDirectory) -> Iterator:
    started = []

    def start(host: str = "127.0.0.21", **faults: float | int) -> str:
        server = start_server(tmp_path / f"payroll-{len(started)}.sqlite", hr.url, **faults)
        started.append(server)
        return server.url

    yield start
    for server in started:
        server.stop()


def record(worker, **overrides: str) -> dict[str, str]:
    values = {
        "nir": worker.nir,
        "matricule": worker.matricule,
        "mode": "enveloppe",
        "heures": "12.50",
        "plis": "600",
        "chef_de_table": "non",
        "montant": "126.00",
    }
    return {**values, **overrides}


def exported(url: str) -> list[dict[str, str]]:
    client = Portal(url)
    client.login()
    try:
        return client.export()
    finally:
        client.close()


def test_create_find_and_refuse_a_second_allowance(driver: WebDriver, hr, payroll) -> None:
    url = payroll()
    worker = hr.add()
    portal = PayrollPortal(url, USER, PASSWORD, scrutin=SCRUTIN, matricules={worker.nir: worker.matricule})
    portal.log_in(driver)
    assert portal.find(driver, worker.nir) is None
    numero = portal.create(driver, record(worker, chef_de_table="oui", montant="156.00"))
    assert portal.find(driver, worker.nir) == numero
    assert WorkerFile.of(driver, url, worker.matricule).allowances() == {SCRUTIN: numero}
    (row,) = exported(url)
    assert (row["numero"], row["matricule"], row["scrutin"], row["montant"]) == (
        numero,
        worker.matricule,
        SCRUTIN,
        "156.00",
    )
    assert (row["heures"], row["plis"], row["chef_de_table"], row["iban"]) == ("12.5", "600", "oui", worker.iban)
    with pytest.raises(AllowanceExists) as refused:
        portal.create(driver, record(worker))
    assert refused.value.receipt == numero


def test_an_amount_above_the_cap_is_refused_with_the_portal_message(driver: WebDriver, hr, payroll) -> None:
    url = payroll("127.0.0.22")
    worker = hr.add()
    PayrollPortal(url, USER, PASSWORD, scrutin=SCRUTIN, matricules={}).log_in(driver)
    with pytest.raises(TargetRefused) as refused:
        NewAllowance.of(driver, url, worker.matricule).fill(SCRUTIN, record(worker, montant="600.01")).submit()
    assert "plafond de 600,00 €" in str(refused.value) and not isinstance(refused.value, AllowanceExists)
    assert exported(url) == []


def test_a_wrong_password_is_refused(driver: WebDriver, payroll) -> None:
    with pytest.raises(LoginRefused):
        PayrollPortal(payroll("127.0.0.23"), USER, "wrong", scrutin=SCRUTIN, matricules={}).log_in(driver)


def test_lost_confirmations_and_expired_sessions_still_give_one_allowance_each(driver, hr, payroll, tmp_path):
    url = payroll("127.0.0.24", lost_confirmation_rate=1.0, session_max_requests=5)
    workers = [hr.add() for _ in range(4)]
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.plan("test_payment", SCRUTIN, {w.nir: "h" for w in workers})
    portal = PayrollPortal(url, USER, PASSWORD, scrutin=SCRUTIN, matricules={w.nir: w.matricule for w in workers})
    loop = RecordLoop(
        driver,
        portal,
        ledger,
        process="test_payment",
        scope=SCRUTIN,
        worker="t",
        policy=RobotPolicy(backoff_seconds=0.05, max_backoff_seconds=0.1),
    )
    loop.run([Job(w.nir, record(w), f"ligne{i}") for i, w in enumerate(workers)])
    assert Counter(o.result for o in loop.result.outcomes) == {FOUND: 4}
    rows = exported(url)
    assert Counter(r["matricule"] for r in rows) == Counter(w.matricule for w in workers)
    assert {ledger.get("test_payment", SCRUTIN, w.nir)["receipt"] for w in workers} == {r["numero"] for r in rows}
    assert ENTERED not in Counter(o.result for o in loop.result.outcomes)


def test_french_decimal() -> None:
    assert (french_decimal("126.00"), french_decimal("12.5"), french_decimal("8")) == ("126,00", "12,5", "8")
