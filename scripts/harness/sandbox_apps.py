"""The sandbox apps (``hr_portal``, ``payroll_portal``, ``foreigners_portal``) started for a test or
a benchmark: as a process of its own (``python -m sandbox --only <app>``, :class:`SandboxProcess`)
or in a thread of the caller (:class:`LiveApp`), each on a free loopback port with a database of
its own and only the faults asked for.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts.harness.airflow_api import http_connection
from scripts.harness.app_client import ROBOT_LOGINS, read_export
from scripts.harness.processes import REPO, StackError, answers, exited, free_port, start_group, stop_group, wait_until

# The caller's sandbox settings (ports, databases, faults, drift) are never passed on.
SANDBOX_PREFIXES = ("RPA_SANDBOX_", "RPA_HR_", "RPA_PAYROLL_", "RPA_FOREIGNERS_")


def connection_env(app: str) -> str:
    """The Airflow Connection variable that names ``app`` (``AIRFLOW_CONN_HR_PORTAL``...)."""
    return f"AIRFLOW_CONN_{app.upper()}"


class SandboxProcess:
    """``python -m sandbox --only <app>`` in a process group of its own on a free loopback port,
    with ``data_dir`` as RPA_DATA_DIR (its database: ``data_dir/sandbox/<app>.sqlite``, emptied
    first unless ``reset`` is false), none of the caller's sandbox settings, and ``faults``
    (``fail_rate=0.1``...) as its ``RPA_<APP>_<FAULT>`` variables. Its output goes to
    ``data_dir/<app>.log``; ready once its login page answers.

    ``hr_db``: the HR portal's database the payroll portal reads its workers from (by default
    the one in ``data_dir``).
    """

    def __init__(
        self,
        app: str,
        data_dir: Path,
        *,
        reset: bool = True,
        hr_db: Path | None = None,
        timeout: float = 60,
        **faults: float | int,
    ) -> None:
        self.app = app
        self.port = free_port()
        self.host = "127.0.0.1"
        self.url = f"http://{self.host}:{self.port}"
        self.db = data_dir / "sandbox" / f"{app}.sqlite"
        self.log_path = data_dir / f"{app}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"RPA_{app.upper()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(SANDBOX_PREFIXES)}
        env.update(
            {
                "RPA_DATA_DIR": str(data_dir),
                "RPA_SANDBOX_HOST": self.host,
                f"{prefix}_PORT": str(self.port),
                "PYTHONPATH": str(REPO),
                **{f"{prefix}_{name.upper()}": str(value) for name, value in faults.items()},
            }
        )
        if hr_db is not None:
            env["RPA_HR_PORTAL_DB_URL"] = f"sqlite:///{hr_db}"
        command = [sys.executable, "-m", "sandbox", "--only", app, "--no-access-log", *(["--reset"] if reset else [])]
        self.process = start_group(command, env=env, log=self.log_path)
        try:
            wait_until(
                lambda: answers(f"{self.url}/login"),
                timeout,
                f"{app} to answer",
                dead=exited(self.process, "python -m sandbox"),
                interval=0.1,
                hint=f"; see {self.log_path}",
            )
        except StackError:
            self.kill()
            raise

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def client(self, portal: Callable[[str], Any]) -> Any:
        """``portal(url)`` (the app answers already)."""
        return portal(self.url)

    def connections(self) -> dict[str, str]:
        """``{"AIRFLOW_CONN_<APP>": <JSON>}``: the Airflow Connection naming this app, robot's login."""
        return {connection_env(self.app): http_connection(self.host, self.port, *ROBOT_LOGINS[self.app])}

    def export(self) -> list[dict[str, str]]:
        """Every row of its ``/export.csv`` (the robot's login)."""
        return read_export(self.url, *ROBOT_LOGINS[self.app])

    def cpu_seconds(self) -> float:
        """CPU seconds its server process has used so far."""
        import psutil

        try:
            times = psutil.Process(self.process.pid).cpu_times()
            return times.user + times.system
        except psutil.Error:
            return 0.0

    def interrupt(self, timeout: float = 8) -> str:
        """Ctrl-C: the process must stop cleanly (exit 0) within ``timeout`` s; its output."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        if code != 0:
            raise AssertionError(f"python -m sandbox exited with {code}: {self.output()[-2000:]}")
        return self.output()

    def stop(self, grace: float = 15) -> None:
        """SIGINT to its group, SIGKILL after ``grace`` seconds."""
        stop_group(self.process, grace=grace)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _settings(app: str, db_url: str, hr_db_url: str | None, faults: dict[str, Any]) -> Any:
    from sandbox.common.faults import FaultSettings

    fault_settings = FaultSettings(**faults)
    if app == "hr_portal":
        from sandbox.hr_portal import HrPortalSettings

        return HrPortalSettings(db_url=db_url, secret_key="test-secret", faults=fault_settings)
    if app == "payroll_portal":
        from sandbox.payroll_portal import PayrollPortalSettings

        assert hr_db_url is not None, "the payroll portal reads its workers from an HR portal's database"
        return PayrollPortalSettings(
            db_url=db_url, hr_db_url=hr_db_url, secret_key="test-secret", faults=fault_settings
        )
    if app == "foreigners_portal":
        from sandbox.foreigners_portal import ForeignersPortalSettings

        return ForeignersPortalSettings(db_url=db_url, secret_key="test-secret", faults=fault_settings)
    raise ValueError(f"not a sandbox portal: {app}")


def _create_app(app: str, settings: Any) -> Any:
    from importlib import import_module

    return import_module(f"sandbox.{app}").create_app(settings)


class LiveApp:
    """One sandbox app served in a thread of this process (uvicorn, a free port of the loopback
    address ``host``) with its own SQLite database ``db_path`` and ``faults`` (``fail_rate=0.1``,
    ``session_max_requests=30``, ``seed=7``...). Give two apps one browser uses two addresses:
    cookies are per host, not per port.

    ``hr_db_url``: for the payroll portal, the HR portal database it reads its workers from.
    """

    def __init__(
        self,
        app: str,
        db_path: Path,
        host: str = "127.0.0.1",
        *,
        hr_db_url: str | None = None,
        **faults: float | int,
    ) -> None:
        from sandbox.common.env import sqlite_url
        from sandbox.common.server import ThreadedServer

        self.app = app
        self.db_path = db_path
        self.user, self.password = ROBOT_LOGINS[app]
        settings = _settings(app, sqlite_url(db_path), hr_db_url, faults)
        self.server = ThreadedServer(_create_app(app, settings), host=host).start()
        self.host, self.port, self.url = self.server.host, self.server.port, self.server.url

    def connections(self) -> dict[str, str]:
        """``{"AIRFLOW_CONN_<APP>": <JSON>}``: the Airflow Connection naming this app, robot's login."""
        return {connection_env(self.app): http_connection(self.host, self.port, self.user, self.password)}

    def export(self) -> list[dict[str, str]]:
        """Every row of the app's ``/export.csv`` (a session of its own; faults retried)."""
        return read_export(self.url, self.user, self.password, backoff_seconds=0.05)

    def stop(self) -> None:
        self.server.stop()


class LiveApps:
    """The live apps one test (or module) starts, each in a folder of its own under ``folder``;
    with ``setenv`` (``monkeypatch.setenv``), the Connections of the last one started are set;
    ``stop()`` closes the clients given to :meth:`client` and stops the apps."""

    def __init__(self, folder: Path, setenv: Callable[[str, str], None] | None = None) -> None:
        self.folder = folder
        self.setenv = setenv
        self.started: list[Any] = []
        self.clients: list[Any] = []

    def start(self, name: str, make: Callable[[Path], Any]) -> Any:
        """``make(<folder>/<name>-<n>)``, its Connections set."""
        folder = self.folder / f"{name}-{len(self.started)}"
        folder.mkdir()
        app = make(folder)
        self.started.append(app)
        for variable, value in app.connections().items() if self.setenv else ():
            self.setenv(variable, value)
        return app

    def client(self, client: Any) -> Any:
        """``client``, closed by :meth:`stop`."""
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        for app in self.started:
            app.stop()
