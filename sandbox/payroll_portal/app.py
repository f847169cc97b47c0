"""Assembly of the payroll portal's Starlette app."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from sandbox.common.errors import ServerErrorPage
from sandbox.common.faults import FaultInjector, FaultMiddleware
from sandbox.common.sessions import SessionStore
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
    db = Database(settings.db_url)
    db.create(settings.demo_users)
    templates = pages.make_templates()
    server_error_body = pages.server_error_body(templates)
    faults = FaultInjector(settings.faults)

    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")],
        middleware=[
            # Outermost first: faults happen before anything else runs.
            Middleware(FaultMiddleware, injector=faults, error_page=server_error_body),
            Middleware(ServerErrorPage, error_page=server_error_body),
            Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=COOKIE, max_age=None),
        ],
        exception_handlers={404: pages.http_exception, 405: pages.http_exception},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.workers = HrWorkers(settings.hr_db_url)
    app.state.templates = templates
    app.state.faults = faults
    app.state.sessions = SessionStore(settings.faults.session_ttl, settings.faults.session_max_requests)
    app.state.server_error_body = server_error_body
    app.state.csrf_failure = pages.csrf_failure
    return app
