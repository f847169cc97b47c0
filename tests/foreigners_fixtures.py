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

from scripts.harness.app_client import ROBOT_LOGINS
from scripts.harness.sandbox_apps import LiveApp, LiveApps

USER, PASSWORD = ROBOT_LOGINS["foreigners_portal"]
CONN_ENV = "AIRFLOW_CONN_FOREIGNERS_PORTAL"


class LiveForeignersPortal(LiveApp):
    """A sandbox foreigners' office on a loopback address, its own database, and the
    Airflow Connection (``foreigners_portal``) that names it (``connections()``)."""

    USER, PASSWORD = USER, PASSWORD

    def __init__(self, folder: Path, host: str = "127.0.0.1", **faults: float | int) -> None:
        super().__init__("foreigners_portal", folder / "foreigners_portal.sqlite", host, **faults)
        self.folder = folder


@pytest.fixture()
def live_foreigners_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., LiveForeignersPortal]]:
    """Start foreigners' offices (``live_foreigners_portal(host="127.0.0.5", fail_rate=0.1)``);
    the last one started is the one ``AIRFLOW_CONN_FOREIGNERS_PORTAL`` names. Stopped at the
    end of the test."""
    apps = LiveApps(tmp_path, monkeypatch.setenv)

    def start(host: str = "127.0.0.1", **faults: float | int) -> LiveForeignersPortal:
        return apps.start("foreigners", lambda folder: LiveForeignersPortal(folder, host, **faults))

    yield start
    apps.stop()
