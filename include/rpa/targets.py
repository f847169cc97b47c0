"""Where a robot's target app is and how to log in: an Airflow Connection per app.

The Connection (type ``http``) gives the address (``schema`` = ``http``/``https``, ``host``,
``port``; or a full URL in ``host``) and the robot's account (``login``, ``password``).
Pointing a process at the real application is changing its Connection, nothing else.

:func:`fetch_after_login` reads one page (an export) over plain HTTP with the robot's
account, following the intranet apps' conventions (a login form with a CSRF token): a
reconciliation does not need a browser to download a CSV.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from include.rpa.errors import ConfigurationError, RpaError

log = logging.getLogger(__name__)
_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class TargetLoginError(ConfigurationError):
    """The app refused the robot's account (a configuration problem: not retried)."""


@dataclass(frozen=True)
class WebApp:
    conn_id: str
    base_url: str
    user: str
    password: str = field(repr=False)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


def web_app(conn_id: str) -> WebApp:
    """The app named by an Airflow Connection (raises if it is missing or has no address)."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise ConfigurationError(f"Connection {conn_id!r} : adresse (host) vide")
    if "://" in host:
        base_url = host
    else:
        scheme = (conn.schema or "http").strip() or "http"
        base_url = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    if not conn.login or not conn.password:
        raise ConfigurationError(f"Connection {conn_id!r} : identifiant ou mot de passe du robot manquant")
    return WebApp(conn_id=conn_id, base_url=base_url, user=conn.login, password=conn.password)


def fetch_after_login(
    app: WebApp,
    path: str,
    *,
    attempts: int = 6,
    backoff_seconds: float = 1.0,
    timeout: float = 60.0,
) -> str:
    """Log in with the robot's account (``/login``, CSRF token) and GET ``path``; its text.

    Error answers, timeouts and an expired session are retried from the login, with
    exponential backoff; a refused login raises :class:`TargetLoginError` at once.
    """
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            with httpx.Client(base_url=app.base_url, timeout=timeout, follow_redirects=True) as client:
                _log_in(client, app)
                answer = client.get(path)
                if answer.status_code == 200 and "/login" not in answer.url.path:
                    return answer.text
                last = f"HTTP {answer.status_code}" if answer.status_code != 200 else "session expirée"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        except _RetryableLogin as exc:
            last = str(exc)
        if attempt < attempts:
            log.info("%s%s : tentative %d en échec (%s), nouvel essai", app.host, path, attempt, last)
            time.sleep(min(30.0, backoff_seconds * 2 ** (attempt - 1)))
    raise RpaError(f"{app.base_url}{path} illisible après {attempts} tentatives ({last})")


class _RetryableLogin(Exception):
    pass


def _log_in(client: httpx.Client, app: WebApp) -> None:
    page = client.get("/login")
    token = _CSRF.search(page.text) if page.status_code == 200 else None
    if token is None:
        raise _RetryableLogin(f"page de connexion inattendue (HTTP {page.status_code})")
    answer = client.post("/login", data={"username": app.user, "password": app.password, "csrf_token": token.group(1)})
    if answer.status_code != 200:
        raise _RetryableLogin(f"connexion : HTTP {answer.status_code}")
    if answer.url.path.rstrip("/").endswith("/login"):
        raise TargetLoginError(f"{app.host} : connexion du compte {app.user} refusée (Connection {app.conn_id})")
