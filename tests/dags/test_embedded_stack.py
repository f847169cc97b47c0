"""`make run`'s embedded stack: it starts Airflow and the sandbox apps, triggers
the demo, and a Ctrl-C (SIGINT) stops every process it started, task
processes and the robot's browsers included."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def stack_env(tmp_path: Path) -> dict[str, str]:
    """The embedded stack on ports of its own (a `make run` may be using the default ones)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RPA_"))}
    env.update(
        {
            "RPA_AIRFLOW_HOME": str(tmp_path / "airflow"),
            "RPA_DATA_DIR": str(tmp_path / "data"),
            "AIRFLOW__API__PORT": "18080",
            "RPA_HR_PORTAL_PORT": "18081",
            "RPA_PAYROLL_PORTAL_PORT": "18082",
            "RPA_MAIL_CATCHER_PORT": "18025",
            "RPA_ALERT_CATCHER_PORT": "18026",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "18793",
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "18794",
        }
    )
    return env


def start_stack(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, object]:
    log = (tmp_path / "stack.log").open("w")
    stack = subprocess.Popen(
        [str(REPO / "bin" / "python"), str(REPO / "scripts" / "embedded_stack.py"), *args],
        env=stack_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return stack, log


def test_embedded_stack_runs_the_demo_and_stops_cleanly_on_ctrl_c(tmp_path):
    stack, log = start_stack(tmp_path)
    seen: set[psutil.Process] = set()
    runs = tmp_path / "data" / "runs" / "election_staff_onboarding"
    ledger = tmp_path / "data" / "ledger.sqlite"
    try:
        deadline = time.monotonic() + 420
        validation, entered = None, 0
        # Until the robot has entered a few demo workers: Ctrl-C then lands in the middle
        # of the entry, browsers open.
        while time.monotonic() < deadline and stack.poll() is None and entered < 5:
            seen.update(psutil.Process(stack.pid).children(recursive=True))
            found = list(runs.glob("manual__*/validation.json")) if runs.exists() else []
            if found:
                validation = json.loads(found[0].read_text())
                entered = entered_workers(ledger)
            time.sleep(1)
        text = (tmp_path / "stack.log").read_text(errors="replace")
        assert validation is not None and entered >= 5, text[-4000:]
        assert "Airflow UI: http://127.0.0.1:18080  (login: admin / " in text
        assert validation["received"] == 1400
        assert validation["received"] == validation["quarantined"] + validation["valid"]
        assert 20 <= validation["quarantined"] <= 60  # about 3 % defects
        names = {name for p in seen for name in _name(p)}
        assert {"chromium", "chromedriver"} <= names, names  # the robot's browsers were running
        assert len(seen) >= 5  # scheduler, api server, dag processor, triggerer, workers...
        login = urllib.request.urlopen("http://127.0.0.1:18081/login", timeout=10)
        assert login.status == 200 and "Portail RH" in login.read().decode()
    finally:
        stack.send_signal(signal.SIGINT)  # what Ctrl-C sends
        stack.wait(timeout=90)
        log.close()
    time.sleep(1)
    alive = [p for p in seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline() for p in alive]


def test_alerts_fire_under_the_scheduler_into_the_alert_catcher(tmp_path):
    """A run under the scheduler (not dags test) alerts once on each channel of the embedded stack."""
    from include.processes.election_staff.demo import generate, write

    source = tmp_path / "envoi" / "vacataires.csv"
    source.parent.mkdir()
    write(generate(10, department="82", defect_share=0.10, seed=97), source, manifest_path=tmp_path / "m.json")
    stack, log = start_stack(tmp_path, "--input", str(source))
    caught = tmp_path / "data" / "sandbox" / "alertes"
    try:
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline and stack.poll() is None:
            if list(caught.glob("slack/*.json")) and list(caught.glob("mails/*.eml")):
                break
            time.sleep(2)
        text = (tmp_path / "stack.log").read_text(errors="replace")
        assert list(caught.glob("slack/*.json")) and list(caught.glob("mails/*.eml")), text[-4000:]
        time.sleep(3)  # nothing else comes (the scheduled run the unpause creates is out of the period: silent)
        (post,) = [json.loads(p.read_text()) for p in caught.glob("slack/*.json")]
        (mail,) = list(caught.glob("mails/*.eml"))
        assert "1 ligne(s) en quarantaine" in json.dumps(post, ensure_ascii=False)
        message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
        assert message["Subject"] == "[Robots RPA] À vérifier — election_staff_onboarding"
        page = urllib.request.urlopen("http://127.0.0.1:18026/", timeout=10).read().decode()
        assert "Alertes reçues (démo)" in page and "À vérifier" in page
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=90)
        log.close()


def entered_workers(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    with sqlite3.connect(ledger, timeout=10) as db:
        try:
            return db.execute("SELECT count(*) FROM rpa_ledger WHERE state = 'entered'").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0


def _name(proc: psutil.Process) -> list[str]:
    try:
        return [proc.name()]
    except psutil.Error:
        return []
