"""Assembly of a portal's Starlette app: its database, templates, routes and static
files (its own ``static_dir``, then the shared ``sandbox/common/static``) behind the
fault, 500-page and session middlewares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sandbox.common import pages
from sandbox.common.accounts import DemoUser
from sandbox.common.db import Database
from sandbox.common.errors import ServerErrorPage
from sandbox.common.faults import FaultInjector, FaultMiddleware, FaultSettings
from sandbox.common.sessions import SessionStore


class PortalSettings(Protocol):
    """What a portal's settings class (``HrPortalSettings``...) provides."""

    @property
    def db_url(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def faults(self) -> FaultSettings: ...
    @property
    def demo_users(self) -> tuple[DemoUser, ...]: ...
    @classmethod
    def from_env(cls) -> PortalSettings: ...


def create_portal(
    settings: PortalSettings,
    database: type[Database],
    routes: Sequence[BaseRoute],
    make_templates: Callable[[], Jinja2Templates],
    *,
    static_dir: Path,
    cookie: str,
) -> Starlette:
    """The app, its database created (demo accounts included) if needed."""
    db = database(settings.db_url)
    db.create(settings.demo_users)
    templates = make_templates()
    server_error_body = pages.server_error_body(templates)
    faults = FaultInjector(settings.faults)

    app = Starlette(
        routes=[
            *routes,
            Mount("/static", StaticFiles(directory=static_dir, packages=[("sandbox.common", "static")]), name="static"),
        ],
        middleware=[
            # Outermost first: faults happen before anything else runs.
            Middleware(FaultMiddleware, injector=faults, error_page=server_error_body),
            Middleware(ServerErrorPage, error_page=server_error_body),
            Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=cookie, max_age=None),
        ],
        exception_handlers={404: pages.http_exception, 405: pages.http_exception},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.templates = templates
    app.state.faults = faults
    app.state.sessions = SessionStore(settings.faults.session_ttl, settings.faults.session_max_requests)
    app.state.server_error_body = server_error_body
    app.state.csrf_failure = pages.csrf_failure
    return app
