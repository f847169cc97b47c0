"""Assembly of the HR portal's Starlette app (``sandbox.common.app``)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from sandbox.common.app import create_portal
from sandbox.hr_portal import pages
from sandbox.hr_portal.db import Database
from sandbox.hr_portal.routes import ROUTES
from sandbox.hr_portal.settings import COOKIE, HrPortalSettings

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: HrPortalSettings | None = None) -> Starlette:
    """The HR portal, its database created (demo accounts included) if needed.

    Without settings, they are read from the environment (``HrPortalSettings.from_env``).
    """
    settings = settings or HrPortalSettings.from_env()
    return create_portal(settings, Database, ROUTES, pages.make_templates, static_dir=STATIC_DIR, cookie=COOKIE)
