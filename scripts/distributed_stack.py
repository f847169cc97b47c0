"""The scale-out profile on one machine, without Docker: Airflow's CeleryExecutor with its
metadata in a fresh PostgreSQL database, Redis as the broker, the ledger (``rpa_ledger``) in
a PostgreSQL database of its own, and each component a process of its own: API server,
scheduler, DAG processor, triggerer and N Celery workers.

    bin/python scripts/distributed_stack.py [--workers 2] [--concurrency 4]

starts it in the foreground, with the sandbox apps, until Ctrl-C; then every process stops
and its databases and Redis keys are dropped. ``make test`` (tests/deploy/test_celery_profile.py) and
``make bench-dags`` use :class:`DistributedStack`; its REST API is :attr:`DistributedStack.api`. The compose deployment
(docker-compose.yaml) runs the same settings (:data:`SHARED_SETTINGS`, checked by
tests/deploy/test_compose.py) with one container per component.

The services: ``RPA_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
a role that may create databases) and ``RPA_REDIS_URL`` (default
``redis://127.0.0.1:6379``). Each stack takes its own databases, Redis database number and
Celery queue (named by :attr:`DistributedStack.tag`), so several stacks can share them.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts.harness.airflow_api import AirflowApi, admin_password, setup_home
from scripts.harness.processes import REPO, free_port, start_group, stop_group, stop_groups

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
STOP_GRACE_SECONDS = 60
# The Airflow settings of the scale-out profile that docker-compose.yaml must share (its
# x-airflow-common environment; tests/deploy/test_compose.py compares them).
SHARED_SETTINGS = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    # Celery keeps the name of the worker that ran each task in its result table
    # (celery_taskmeta.worker): which worker typed which batch.
    "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": '{"result_extended": true}',
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__PARALLELISM": "16",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
}
# Components other than the workers, in the order they start (stopped in reverse).
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def _with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


class DistributedStack:
    """One distributed Airflow: ``create()``, ``start()``, ..., ``stop()`` (or ``with``).

    ``connections`` are ``AIRFLOW_CONN_*`` values given to every component (the target apps);
    ``env`` more environment (``RPA_ELECTIONS_CONFIG``...). ``folder`` holds AIRFLOW_HOME,
    RPA_DATA_DIR (shared by every process: on several machines it is a shared volume) and one
    log file per component under ``logs/``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        workers: int = 2,
        concurrency: int = 4,
        connections: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        tag: str | None = None,
    ) -> None:
        self.folder = folder
        self.workers = workers
        self.concurrency = concurrency
        self.tag = tag or f"rpa_{os.getpid()}_{secrets.token_hex(3)}"
        self.home = folder / "airflow"
        self.data = folder / "data"
        self.logs = folder / "logs"
        for path in (self.home, self.data, self.logs):
            path.mkdir(parents=True, exist_ok=True)
        self.postgres_url = os.environ.get("RPA_POSTGRES_URL", POSTGRES_URL)
        redis_url = os.environ.get("RPA_REDIS_URL", REDIS_URL).rstrip("/")
        # A Redis database number of its own (1-15; 0 is everyone's default) and a queue named by the tag.
        self.redis_url = f"{redis_url}/{1 + int(secrets.token_hex(2), 16) % 15}"
        self.metadata_db = f"{self.tag}_airflow"
        self.ledger_db = f"{self.tag}_ledger"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        metadata = _with_database(self.postgres_url, self.metadata_db)
        fernet = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RPA_")) and k != "AIRFLOW_HOME"
        }
        self.env.update(SHARED_SETTINGS)
        self.env.update(
            {
                "RPA_AIRFLOW_HOME": str(self.home),
                "RPA_DATA_DIR": str(self.data),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata.replace("postgresql://", "postgresql+psycopg2://", 1),
                "AIRFLOW__CELERY__BROKER_URL": self.redis_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.tag,
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                # Shared secrets: every component must see the same ones (compose: deploy/compose.env).
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                "AIRFLOW__CORE__FERNET_KEY": fernet,
                "AIRFLOW_CONN_RPA_LEDGER": _with_database(self.postgres_url, self.ledger_db),
                **(connections or {}),
                **(env or {}),
            }
        )
        self.processes: dict[str, subprocess.Popen] = {}
        self.api = AirflowApi(self.base_url, dead=self._dead, hint=f"; see {self.logs}")

    def _dead(self) -> str | None:
        """The components that exited, if any."""
        return ", ".join(name for name, p in self.processes.items() if p.poll() is not None) or None

    # ------------------------------------------------------------------ databases

    def _admin(self, statements: list[str]) -> None:
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.postgres_url)) as db:
            db.autocommit = True
            with db.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def create(self) -> None:
        """Fresh databases (metadata and ledger), ``airflow db migrate``, the Connections and Pools
        of config/airflow_settings.yaml (what compose's airflow-init does)."""
        self._admin([f'CREATE DATABASE "{self.metadata_db}"', f'CREATE DATABASE "{self.ledger_db}"'])
        setup_home(self.env, self.logs / "setup.log")

    def drop(self) -> None:
        """Drop the databases and the Redis keys of this stack's queue."""
        import redis

        self._admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in (self.metadata_db, self.ledger_db)])
        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match=f"*{self.tag}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def sql(self, query: str, params: Mapping[str, Any] | None = None, database: str | None = None) -> list[tuple]:
        """Rows of ``query`` on the metadata database (or ``database``)."""
        import psycopg2

        url = _with_database(self.postgres_url, database or self.metadata_db)
        with contextlib.closing(psycopg2.connect(url)) as db, db.cursor() as cursor:
            cursor.execute(query, params or {})
            return cursor.fetchall()

    # ------------------------------------------------------------------ processes

    def _spawn(self, name: str, args: list[str], extra: Mapping[str, str] | None = None) -> None:
        self.processes[name] = start_group(
            [str(REPO / "bin" / "airflow"), *args], env={**self.env, **(extra or {})}, log=self.logs / f"{name}.log"
        )

    def worker_names(self) -> list[str]:
        host = socket.gethostname()
        return [f"{self.tag}-worker-{n}@{host}" for n in range(1, self.workers + 1)]

    def start(self, timeout: float = 300) -> float:
        """Start every component; seconds until the API answers and every worker replies to a ping."""
        started = time.monotonic()
        for name in COMPONENTS:
            self._spawn(name, name.split())
        for n, worker in enumerate(self.worker_names(), start=1):
            self._spawn(
                f"worker-{n}",
                ["celery", "worker", "--celery-hostname", worker],
                # Each worker serves its task logs on a port of its own (on separate machines: the same port).
                {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())},
            )
        self.api.wait_healthy(self.home, timeout)
        self.api.wait_until(lambda: set(self.ping()) >= set(self.worker_names()), timeout, "the Celery workers")
        return time.monotonic() - started

    def ping(self) -> list[str]:
        """Names of the Celery workers that answer on this stack's broker."""
        from celery import Celery

        app = Celery(broker=self.redis_url)
        try:
            replies = app.control.ping(timeout=2.0) or []
            return sorted(name for reply in replies for name in reply)
        finally:
            app.close()

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes.values()]

    def alive(self) -> bool:
        return bool(self.processes) and all(p.poll() is None for p in self.processes.values())

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> list[str]:
        """SIGTERM to every component (workers first: a warm shutdown lets a running task end), then
        SIGKILL to what is left of their process groups and descendants (task processes and
        browsers included). What had to be killed: components still running after ``grace``
        seconds, command lines of leftover descendants."""
        order = [n for n in self.processes if n.startswith("worker-")] + list(reversed(COMPONENTS))
        killed = stop_groups(
            {n: self.processes[n] for n in order if n in self.processes}, sig=signal.SIGTERM, grace=grace
        )
        self.processes.clear()
        return killed

    def __enter__(self) -> DistributedStack:
        self.create()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
        finally:
            self.drop()

    def admin_password(self) -> str | None:
        return admin_password(self.home)

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """An ``airflow`` CLI command against this stack (``backfill create ...``)."""
        return subprocess.run(
            [str(REPO / "bin" / "airflow"), *args], env=self.env, cwd=REPO, capture_output=True, text=True, check=check
        )

    def task_workers(self, dag_id: str, run_id: str, task_id: str) -> dict[int, str]:
        """The Celery worker that ran each map index of ``task_id`` in the run (from the executor's
        task id on the task instance and the worker Celery recorded for it)."""
        rows = self.sql(
            "SELECT ti.map_index, meta.worker FROM task_instance ti"
            " JOIN celery_taskmeta meta ON meta.task_id = ti.external_executor_id"
            " WHERE ti.dag_id = %(dag)s AND ti.run_id = %(run)s AND ti.task_id = %(task)s",
            {"dag": dag_id, "run": run_id, "task": task_id},
        )
        return {int(index): worker for index, worker in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=4, help="task slots per worker (default 4)")
    parser.add_argument("--folder", type=Path, default=REPO / ".distributed", help="AIRFLOW_HOME, data and logs")
    args = parser.parse_args()
    stack = DistributedStack(args.folder.resolve(), workers=args.workers, concurrency=args.concurrency)
    sandbox = start_group(
        [sys.executable, "-m", "sandbox", "--no-access-log"], env={**stack.env, "PYTHONPATH": str(REPO)}
    )

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        stack.create()
        stack.start()
        print(f"\nAirflow UI: {stack.base_url}  (login: admin / {stack.admin_password()})")
        print(f"Celery workers: {', '.join(stack.worker_names())}; logs in {stack.logs}")
        print("Stop everything with Ctrl-C (the databases are dropped).\n", flush=True)
        while stack.alive():
            time.sleep(2)
        print(f"A component exited; see {stack.logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
        stack.drop()
        stop_group(sandbox, grace=20)


if __name__ == "__main__":
    sys.exit(main())
