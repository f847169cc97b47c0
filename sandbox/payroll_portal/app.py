"""Assembly of the payroll portal's Starlette app (``sandbox.common.app``)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from sandbox.common.app import create_portal
from sandbox.payroll_portal import pages
from sandbox.payroll_portal.db import Database
from sandbox.payroll_portal.routes import ROUTES
from sandbox.payroll_portal.settings import COOKIE, PayrollPortalSettings
from sandbox.payroll_portal.workers import HrWorkers

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: PayrollPortalSettings | None = None) -> Starlette:
    """The payroll portal, its database created (demo accounts included) if needed.

    The HR portal's database (``settings.hr_db_url``) is only read, and need not exist yet.
    Without settings, they are read from the environment (``PayrollPortalSettings.from_env``).
    """
    settings = settings or PayrollPortalSettings.from_env()
    app = create_portal(settings, Database, ROUTES, pages.make_templates, static_dir=STATIC_DIR, cookie=COOKIE)
    app.state.workers = HrWorkers(settings.hr_db_url)
    return app
