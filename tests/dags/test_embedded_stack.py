"""`make run`'s embedded stack: it starts Airflow and the sandbox apps, triggers
the demo, and a Ctrl-C (SIGINT) stops every process it started, task
processes and the robot's browsers included."""

from __future__ import annotations

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


def test_embedded_stack_runs_the_demo_and_stops_cleanly_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RPA_"))}
    env.update(
        {
            "RPA_AIRFLOW_HOME": str(tmp_path / "airflow"),
            "RPA_DATA_DIR": str(tmp_path / "data"),
            "AIRFLOW__API__PORT": "18080",
            "RPA_HR_PORTAL_PORT": "18081",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "18793",
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "18794",
        }
    )
    log = (tmp_path / "stack.log").open("w")
    stack = subprocess.Popen(
        [str(REPO / "bin" / "python"), str(REPO / "scripts" / "embedded_stack.py")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
