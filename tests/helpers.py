"""Shared test helpers: a valid worker row, a way to run the row rules on rows, and
``python -m sandbox`` as a process of its own."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from include.processes.election_staff.columns import COLUMNS
from scripts.distributed_stack import free_port

REPO = Path(__file__).resolve().parents[1]

VALID_ROW = {
    "nom": "Dupont",
    "nom_usage": "",
    "prenom": "Marie",
    "sexe": "F",
    "date_naissance": "15/10/1995",
    "lieu_naissance": "Londres",
    "nir": "2 95 10 99 126 111 93",
    "adresse": "12 rue de la République",
    "code_postal": "82000",
    "commune": "Montauban",
    "email": "marie.dupont@example.fr",
    "telephone": "06 12 34 56 78",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "",
    "statut": "étudiant",
    "site": "Montauban - salle Eurythmie",
    "fonction": "agent de mise sous pli",
    "date_debut": "29/03/2027",
    "date_fin": "07/04/2027",
}


def frame_of(rows: list[dict[str, str]]):
    import pandas as pd

    records = [{c: row.get(c, "") for c in COLUMNS} for row in rows]
    frame = pd.DataFrame(records, columns=list(COLUMNS), dtype=str)
    frame["_fichier"] = "test.csv"
    frame["_ligne"] = range(2, len(frame) + 2)
    return frame


def rules_failed(rows: list[dict[str, str]]) -> list[set[str]]:
    """The rule ids each row fails (empty set: valid)."""
    from include.processes.election_staff import rules
    from include.processes.election_staff.config import get_election
    from include.rpa.validation import failed_rules

    frame = rules.normalise(frame_of(rows))
    failures = failed_rules(frame, rules.build_schema(get_election()))
    return [set(failures.loc[failures["index"] == i, "rule"]) for i in range(len(rows))]


class SandboxProcess:
    """``python -m sandbox --only <app> --reset`` on a free loopback port, with ``data_dir`` as
    RPA_DATA_DIR and none of the caller's sandbox settings."""

    def __init__(self, app: str, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prefixes = ("RPA_SANDBOX_", "RPA_HR_", "RPA_PAYROLL_", "RPA_FOREIGNERS_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
        env.update(
            {
                "RPA_DATA_DIR": str(data_dir),
                f"RPA_{app.upper()}_PORT": str(self.port),
                "RPA_SANDBOX_HOST": "127.0.0.1",
                "PYTHONPATH": str(REPO),
            }
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--only", app, "--reset", "--no-access-log"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def client(self, portal: Callable[[str], Any], timeout: float = 20) -> Any:
        """``portal(url)`` once the app's login page answers."""
        import httpx

        client = portal(self.url)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if client.get("/login").status_code == 200:
                    return client
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.process.stdout.read()
            assert time.monotonic() < deadline, "python -m sandbox did not answer"
            time.sleep(0.1)

    def interrupt(self) -> str:
        """Ctrl-C: the process must stop cleanly (exit 0); its output."""
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=8) == 0
        return self.process.stdout.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ChromedriverServer:
    """A bare chromedriver in server mode on a free loopback port: a real W3C remote end, as a
    Selenium Grid is for the robot (``RPA_WEBDRIVER_URL``). ``log_path``: its INFO log (one
    ``InitSession`` command per browser opened)."""

    def __init__(self, log_path: Path | None = None) -> None:
        import json
        import urllib.request

        port = free_port()
        logging = [f"--log-path={log_path}", "--log-level=INFO"] if log_path else []
        self.process = subprocess.Popen(
            ["/usr/bin/chromedriver", f"--port={port}", *logging],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/status", timeout=1) as response:
                    if json.load(response)["value"]["ready"]:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("chromedriver did not start") from None
                time.sleep(0.05)

    def sessions_opened(self) -> int:
        """Browsers opened through it so far (from its log)."""
        assert self.log_path is not None
        return self.log_path.read_text(errors="replace").count("COMMAND InitSession")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def http_connection(server: Any, login: str, password: str) -> str:
    """An ``AIRFLOW_CONN_*`` value (JSON) naming a sandbox app served by ``server`` on loopback."""
    import json

    conn = {"conn_type": "http", "host": server.host, "port": server.port, "schema": "http"}
    return json.dumps({**conn, "login": login, "password": password})


def export_rows(url: str, login: str, password: str, **retry: float) -> list[dict[str, str]]:
    """Every row of a sandbox app's ``/export.csv``, read with a session of its own."""
    import csv
    import io

    from include.rpa.targets import WebApp, fetch_after_login

    text = fetch_after_login(WebApp("test", url, login, password), "/export.csv", **retry)
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))
