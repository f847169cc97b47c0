"""Airflow's REST API as the scripts, benchmarks and tests use it: a JWT from the simple auth
manager's password file, JSON requests, waiting for a condition, triggering a DAG and following
its run, listing and answering pending human-in-the-loop requests (what a person does under
"Required actions").

The transport is an ``httpx.Client``: a real server's address (``AirflowApi(base_url)``), or
FastAPI's ``TestClient`` on ``create_app()`` in the test process (``AirflowApi(client=...)``).
"""

from __future__ import annotations

import json
import subprocess
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from scripts.harness.processes import NOT_YET, REPO, wait_until

PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"
Answer = Mapping[str, Any] | Callable[[dict], Mapping[str, Any]]


class ApiError(RuntimeError):
    """An answer of 400 or more."""

    def __init__(self, method: str, path: str, status: int, text: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {text[:300]}")
        self.status = status


# What a request may raise while Airflow starts or is busy: worth asking again.
TRANSIENT: tuple[type[BaseException], ...] = (*NOT_YET, httpx.TransportError, ApiError)


def admin_password(airflow_home: Path, user: str = "admin") -> str | None:
    """The password the simple auth manager generated for ``user`` (None until it has)."""
    generated = airflow_home / PASSWORD_FILE
    return json.loads(generated.read_text()).get(user) if generated.exists() else None


def http_connection(host: str, port: int, login: str, password: str) -> str:
    """An ``AIRFLOW_CONN_*`` value (JSON) naming a web app on ``http://host:port``."""
    conn = {"conn_type": "http", "host": host, "port": port, "schema": "http"}
    return json.dumps({**conn, "login": login, "password": password})


def run_path(dag_id: str, run_id: str) -> str:
    return f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"


def hitl_path(task_instance: Mapping[str, Any]) -> str:
    """Where a human-in-the-loop request of this task instance is answered (``PATCH``)."""
    ti = task_instance
    return (
        f"{run_path(ti['dag_id'], ti['dag_run_id'])}/taskInstances/{ti['task_id']}/{ti.get('map_index', -1)}"
        "/hitlDetails"
    )


def setup_home(env: Mapping[str, str], log: Path, *, migrate: bool = True) -> None:
    """``airflow db migrate`` (unless ``migrate`` is false), then the project's Connections and Pools
    (``scripts/load_settings.py``), with the environment ``env``; output appended to ``log``."""
    commands = [[str(REPO / "bin" / "airflow"), "db", "migrate"]] if migrate else []
    commands.append([str(REPO / "bin" / "python"), str(REPO / "scripts" / "load_settings.py")])
    for command in commands:
        with log.open("ab") as handle:
            subprocess.run(command, env=dict(env), cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, check=True)


class AirflowApi:
    """JSON requests to Airflow's REST API with a bearer token.

    ``dead``: names an Airflow process that exited (``wait_until`` then stops at once); ``hint``
    ends the errors of ``wait_until`` (where the logs are).
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        client: httpx.Client | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        dead: Callable[[], str | None] = lambda: None,
        hint: str = "",
    ) -> None:
        self.client = client or httpx.Client(base_url=base_url, timeout=timeout, trust_env=False)
        self.token = token
        self.dead = dead
        self.hint = hint

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def send(self, method: str, path: str, body: Any = None, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """The raw answer (no status check)."""
        return self.client.request(method, path, json=body, params=params, headers=self.headers)

    def request(self, method: str, path: str, body: Any = None, params: Mapping[str, Any] | None = None) -> dict:
        """The answer's JSON (``{}`` for none); :class:`ApiError` for a status of 400 or more."""
        answer = self.send(method, path, body, params)
        if answer.status_code >= 400:
            raise ApiError(method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else {}

    def wait_until(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        """What ``check`` returns once true, polled every second; errors of the API (not up yet,
        404 until a DAG is parsed...) count as "not yet"."""
        return wait_until(check, timeout, what, dead=self.dead, not_yet=TRANSIENT, hint=self.hint)

    def log_in(self, password: str, username: str = "admin") -> str:
        """A JWT for ``username`` (``POST /auth/token``), used from now on."""
        self.token = self.request("POST", "/auth/token", {"username": username, "password": password})["access_token"]
        return self.token

    def wait_healthy(self, airflow_home: Path, timeout: float = 300) -> None:
        """Until the API server answers and the admin's generated password exists; then logged in."""
        self.wait_until(lambda: self.request("GET", "/api/v2/monitor/health"), timeout, "the API server")
        self.log_in(self.wait_until(lambda: admin_password(airflow_home), 120, "the admin password file"))

    def unpause(self, dag_id: str, timeout: float = 300) -> None:
        """Once the DAG is parsed (new DAGs start paused)."""
        self.wait_until(lambda: self.request("GET", f"/api/v2/dags/{dag_id}"), timeout, f"DAG {dag_id}")
        self.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping[str, Any]) -> str:
        """A manual run of ``dag_id`` with ``conf``; its run id."""
        run = self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": dict(conf)})
        return run["dag_run_id"]

    # ----------------------------------------------------------------------- human in the loop

    def pending_hitl(self, dag_id: str, run_id: str | None = None) -> list[dict]:
        """The requests of ``dag_id`` (of one run if given) nobody has answered yet, once their task
        waits for the answer (``awaiting_input``). Airflow 3.3 resumes a task when the answer
        comes only if the task is already parked: an answer given while it is still pausing (the
        request is visible a moment before) is stored but never resumes it (seen under load)."""
        params = {"dag_id": dag_id, "response_received": "false", "limit": 100}
        pending = self.request("GET", "/api/v2/dags/~/dagRuns/~/hitlDetails", params=params)["hitl_details"]
        return [
            d
            for d in pending
            if (run_id is None or d["task_instance"]["dag_run_id"] == run_id)
            and d["task_instance"].get("state") == "awaiting_input"
        ]

    def answer_hitl(self, detail: Mapping[str, Any], body: Mapping[str, Any], *, check: bool = True) -> httpx.Response:
        """Answer one request with ``body`` (``{"chosen_options": [...], "params_input": {...}}``)."""
        path = hitl_path(detail["task_instance"])
        answer = self.send("PATCH", path, dict(body))
        if check and answer.status_code >= 400:
            raise ApiError("PATCH", path, answer.status_code, answer.text)
        return answer

    def answer_pending(self, dag_id: str, answer: Answer, run_id: str | None = None) -> list[dict]:
        """Give ``answer`` (or ``answer(request)``) to every pending request; the requests answered."""
        answered = []
        for detail in self.pending_hitl(dag_id, run_id):
            self.answer_hitl(detail, answer(detail) if callable(answer) else answer)
            answered.append(detail)
        return answered


def in_process_api(username: str, apps: str = "core") -> AirflowApi:
    """Airflow's API app (``create_app(apps=...)``) served in this process through FastAPI's
    ``TestClient``, called as ``username`` (a JWT of the configured auth manager): how tests under
    ``dag.test()`` answer human-in-the-loop requests while the run waits."""
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    client = TestClient(create_app(apps=apps))
    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=username, role="admin"))
    return AirflowApi(client=client, token=token)
