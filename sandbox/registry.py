"""The stand-in apps ``python -m sandbox`` serves, one entry each.

To add an app: give it a package like ``sandbox/hr_portal`` and append an
``AppEntry`` to ``APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from starlette.types import ASGIApp

if TYPE_CHECKING:
    from sandbox.common.app import PortalSettings
    from sandbox.common.db import Database


@dataclass(frozen=True)
class AppEntry:
    name: str
    title: str
    port_env: str
    default_port: int
    demo_logins: tuple[tuple[str, str], ...]
    build: Callable[[], ASGIApp]  # the app, settings read from the environment
    reset: Callable[[], None]  # empty its database
    faults: Callable[[], list[str]]  # the faults turned on, for the banner

    def port(self, environ: Mapping[str, str]) -> int:
        raw = environ.get(self.port_env, "").strip()
        return int(raw) if raw else self.default_port


def _portal(
    name: str,
    settings_module: ModuleType,
    settings_class: type[PortalSettings],
    database: type[Database],
    create_app: Callable[[], ASGIApp],
) -> AppEntry:
    """The entry of a portal package: its ``settings`` module and class, ``db.Database``, ``create_app``."""

    def reset() -> None:
        # Its own database only (the payroll portal never touches the HR portal's workers).
        settings = settings_class.from_env()
        db = database(settings.db_url)
        db.reset(settings.demo_users)
        db.dispose()

    return AppEntry(
        name=name,
        title=settings_module.TITLE,
        port_env=f"{settings_module.ENV_PREFIX}_PORT",
        default_port=settings_module.DEFAULT_PORT,
        demo_logins=tuple((u.username, u.password) for u in settings_module.DEMO_USERS),
        build=create_app,
        reset=reset,
        faults=lambda: settings_class.from_env().faults.active,
    )


def _hr_portal() -> AppEntry:
    from sandbox.hr_portal import HrPortalSettings, create_app, settings
    from sandbox.hr_portal.db import Database

    return _portal("hr_portal", settings, HrPortalSettings, Database, create_app)


def _payroll_portal() -> AppEntry:
    from sandbox.payroll_portal import PayrollPortalSettings, create_app, settings
    from sandbox.payroll_portal.db import Database

    return _portal("payroll_portal", settings, PayrollPortalSettings, Database, create_app)


def _foreigners_portal() -> AppEntry:
    from sandbox.foreigners_portal import ForeignersPortalSettings, create_app, settings
    from sandbox.foreigners_portal.db import Database

    return _portal("foreigners_portal", settings, ForeignersPortalSettings, Database, create_app)


def _alert_catcher() -> AppEntry:
    from sandbox import alert_catcher

    return AppEntry(
        name="alert_catcher",
        title=alert_catcher.TITLE + f" (SMTP sur le port {alert_catcher.DEFAULT_SMTP_PORT} par défaut)",
        port_env=alert_catcher.PORT_ENV,
        default_port=alert_catcher.DEFAULT_PORT,
        demo_logins=(),
        build=alert_catcher.create_app,
        reset=alert_catcher.reset,
        faults=lambda: [],
    )


APPS: tuple[AppEntry, ...] = (_hr_portal(), _payroll_portal(), _foreigners_portal(), _alert_catcher())
