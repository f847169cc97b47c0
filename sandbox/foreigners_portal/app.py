"""Assembly of the foreigners' office Starlette app (``sandbox.common.app``)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from sandbox.common.app import create_portal
from sandbox.foreigners_portal import pages
from sandbox.foreigners_portal.db import Database
from sandbox.foreigners_portal.routes import ROUTES
from sandbox.foreigners_portal.settings import COOKIE, ForeignersPortalSettings

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: ForeignersPortalSettings | None = None) -> Starlette:
    """The foreigners' office, its database created (demo accounts included) if needed.

    Without settings, they are read from the environment (``ForeignersPortalSettings.from_env``).
    """
    settings = settings or ForeignersPortalSettings.from_env()
    return create_portal(settings, Database, ROUTES, pages.make_templates, static_dir=STATIC_DIR, cookie=COOKIE)
