"""A robot task SIGKILLed mid-batch, then retried as Airflow retries it (the same task
instance: same batch, same worker id, a new process): nobody typed twice, no browser left.

The task's code path is the DAG's: the engine's ``enter_batch`` in a process of its own, with the
Connections from the environment. SIGKILL cannot be caught, so the killed process leaves its
Chromium running; the retry must reap it (``reap_orphan_browsers`` at task start), take back
the record it was typing (its own lease) and find it in the portal if it was stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from include.processes.election_staff import onboarding
from include.processes.election_staff.config import get_election
from include.processes.election_staff.demo import generate, write
from include.processes.election_staff.onboarding import ONBOARDING
from include.rpa import entry
from include.rpa.batches import batch_outcomes
from include.rpa.browser import registry_dir
from include.rpa.ledger import Ledger
from include.rpa.tasks import RunContext

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
RUN_ID, PROCESS = "kill-test", ONBOARDING.process
TASK = """
import sys
from pathlib import Path
from include.processes.election_staff.onboarding import ONBOARDING
from include.rpa import entry
from include.rpa.tasks import RunContext
run = RunContext(ONBOARDING.process, sys.argv[2], Path(sys.argv[1]), task_id="enter", map_index=0)
entry.enter_batch(run, ONBOARDING, {"lot": 0})
"""


def start_task(run_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", TASK, str(run_dir), RUN_ID],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def browser_pids(owner: int) -> set[int]:
    """Chromedriver and Chromium processes of the browsers ``owner`` started (by their folder)."""
    folders = [json.loads(path.read_text()).get("workdir") for path in registry_dir().glob(f"{owner}-*.json")]
    pids: set[int] = set()
    for proc in psutil.process_iter(["cmdline"]):
        if any(folder and folder in arg for folder in folders for arg in proc.info["cmdline"] or ()):
            pids.add(proc.pid)
    return pids


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_task_killed_mid_batch_and_retried_types_nobody_twice_and_leaves_no_browser(tmp_path, live_portal):
    portal = live_portal()
    inbox, run_dir = tmp_path / "envoi", tmp_path / "run"
    inbox.mkdir()
    run_dir.mkdir()
    write(generate(60, department="82", defect_share=0, seed=71), inbox / "v.csv", manifest_path=tmp_path / "m.json")
    election = get_election()
    run = RunContext(PROCESS, RUN_ID, run_dir, params={"input_path": str(inbox)})
    onboarding.intake(run)
    onboarding.validate(run)
    ledger = Ledger(f"sqlite:///{portal.ledger_path}")
    assert entry.plan(run, ONBOARDING, ledger=ledger)

    task = start_task(run_dir)
    deadline = time.monotonic() + 120
    while ledger.counts(PROCESS, election.id)["entered"] < 8:
        assert task.poll() is None, task.stdout.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the robot entered nobody in 2 minutes"
        time.sleep(0.05)
    started_browser = browser_pids(task.pid)
    task.send_signal(signal.SIGKILL)
    task.wait(10)
    killed_at = ledger.counts(PROCESS, election.id)
    assert 8 <= killed_at["entered"] < 60
    orphans = {pid for pid in started_browser if alive(pid)}
    assert orphans, "SIGKILL should leave the browser running: nothing to prove"

    retry = start_task(run_dir)
    output = retry.communicate(timeout=300)[0].decode()
    assert retry.returncode == 0, output[-3000:]
    assert "orphelins arrêtés" in output
    assert not {pid for pid in orphans if alive(pid)}, "orphan browser processes left running"
    assert not list(registry_dir().glob(f"{task.pid}-*.json")) and not list(registry_dir().glob(f"{retry.pid}-*.json"))

    nirs = Counter(row["nir"] for row in portal.export())
    assert len(nirs) == 60 and set(nirs.values()) == {1}
    assert ledger.counts(PROCESS, election.id)["entered"] == 60
    outcomes = Counter(o["result"] for o in batch_outcomes(run_dir))
    assert outcomes["done_before"] == killed_at["entered"]
    assert outcomes["entered"] + outcomes["found"] == 60 - killed_at["entered"]
