"""A live foreigners' office (the sandbox's "AGDREF" stand-in) for tests, and the Airflow
Connection ``foreigners_portal`` pointing at it.

    from tests.foreigners_fixtures import live_foreigners_portal  # noqa: F401

    def test_something(live_foreigners_portal):
        portal = live_foreigners_portal(host="127.0.0.41", lost_confirmation_rate=0.5)
        ...
        rows = portal.export()  # /export.csv, parsed

Each portal runs in a thread on a free port of its loopback address with its own SQLite
database (``portal.db_path``), so tests never share files. Give two portals used by one
browser two addresses: cookies are per host, not per port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import export_rows, http_connection

USER, PASSWORD = "robot.etrangers", "demo-etrangers-2027"
CONN_ENV = "AIRFLOW_CONN_FOREIGNERS_PORTAL"


class LiveForeignersPortal:
    """A sandbox foreigners' office on a loopback address, its own database, and the
    Airflow Connection (``foreigners_portal``) that names it."""

    USER, PASSWORD = USER, PASSWORD

    def __init__(self, folder: Path, host: str = "127.0.0.1", **faults: float | int) -> None:
        from sandbox.common.env import sqlite_url
        from sandbox.common.faults import FaultSettings
        from sandbox.common.server import ThreadedServer
        from sandbox.foreigners_portal import ForeignersPortalSettings, create_app

        self.folder = folder
        self.db_path = folder / "foreigners_portal.sqlite"
        settings = ForeignersPortalSettings(
            db_url=sqlite_url(self.db_path), secret_key="test-secret", faults=FaultSettings(**faults)
        )
        self.server = ThreadedServer(create_app(settings), host=host).start()
        self.url = self.server.url

    def connections(self) -> dict[str, str]:
        """``{"AIRFLOW_CONN_FOREIGNERS_PORTAL": <JSON>}``, in the form of conftest's ``AIRFLOW_CONN_HR_PORTAL``."""
        return {CONN_ENV: http_connection(self.server, self.USER, self.PASSWORD)}

    def export(self) -> list[dict[str, str]]:
        """Every row of the application's /export.csv (a session of its own; faults retried)."""
        return export_rows(self.url, self.USER, self.PASSWORD, backoff_seconds=0.05)

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture()
def live_foreigners_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., LiveForeignersPortal]]:
    """Start foreigners' offices (``live_foreigners_portal(host="127.0.0.5", fail_rate=0.1)``);
    the last one started is the one ``AIRFLOW_CONN_FOREIGNERS_PORTAL`` names. Stopped at the
    end of the test."""
    started: list[LiveForeignersPortal] = []

    def start(host: str = "127.0.0.1", **faults: float | int) -> LiveForeignersPortal:
        folder = tmp_path / f"foreigners-{len(started)}"
        folder.mkdir()
        portal = LiveForeignersPortal(folder, host, **faults)
        started.append(portal)
        for name, value in portal.connections().items():
            monkeypatch.setenv(name, value)
        return portal

    yield start
    for portal in started:
        portal.stop()
