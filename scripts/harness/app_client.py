"""A small HTTP client of a sandbox app, as a browser talks to it: cookies kept, redirects not
followed, the CSRF token of each form sent back; and ``/export.csv`` read and parsed."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import httpx

# The robot's demo login of each sandbox app (README, config/airflow_settings.yaml).
ROBOT_LOGINS = {
    "hr_portal": ("robot.rh", "demo-rh-2027"),
    "payroll_portal": ("robot.paie", "demo-paie-2027"),
    "foreigners_portal": ("robot.etrangers", "demo-etrangers-2027"),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class LoginRefused(RuntimeError):
    pass


def token_of(page: str) -> str:
    """The CSRF token of the form on ``page``."""
    match = _CSRF.search(page)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def parse_export(text: str) -> list[dict[str, str]]:
    """The rows of a sandbox app's ``/export.csv`` (``;``-separated, a header line)."""
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


class AppClient:
    """A browser-like client of the app at ``url``; ``app`` (``hr_portal``...) gives the default
    login, the robot's."""

    def __init__(self, url: str, app: str | None = None, *, timeout: float = 10) -> None:
        self.app = app
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=timeout, trust_env=False)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any], token: str | None) -> httpx.Response:
        """``data`` with ``token`` as the form's CSRF token (none: without one)."""
        return self.http.post(path, data={**data, **({"csrf_token": token} if token is not None else {})})

    def login(self, username: str | None = None, password: str | None = None) -> httpx.Response:
        """The login form posted (the answer: 303 when accepted, the form again when refused)."""
        user, secret = ROBOT_LOGINS.get(self.app or "", ("", ""))
        values = {
            "username": user if username is None else username,
            "password": secret if password is None else password,
            "next": "/",
        }
        return self.post("/login", values, token_of(self.get("/login").text))

    def export(self) -> list[dict[str, str]]:
        """Every row of ``/export.csv`` (logged in)."""
        answer = self.get("/export.csv")
        if answer.status_code != 200:
            raise AssertionError(f"/export.csv: HTTP {answer.status_code}: {answer.text[:300]}")
        return parse_export(answer.text)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_export(
    url: str, login: str, password: str, *, attempts: int = 6, backoff_seconds: float = 1.0
) -> list[dict[str, str]]:
    """Every row of the app's ``/export.csv``, read with a session of its own. A faulty app's
    errors, timeouts and expired sessions are retried from the login with exponential backoff; a
    refused login raises :class:`LoginRefused` at once."""
    last = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(min(30.0, backoff_seconds * 2 ** (attempt - 1)))
        with AppClient(url) as client:
            try:
                answer = client.login(login, password)
                if answer.status_code == 200:
                    raise LoginRefused(f"{url}: login of {login} refused")
                if answer.status_code == 303:
                    answer = client.get("/export.csv")
                    if answer.status_code == 200:
                        return parse_export(answer.text)
                last = f"HTTP {answer.status_code}"
            except (httpx.HTTPError, AssertionError) as exc:  # AssertionError: a 500 instead of the login form
                last = type(exc).__name__
    raise RuntimeError(f"{url}/export.csv unreadable after {attempts} attempts ({last})")
