"""The stand-in apps ``python -m sandbox`` serves, one entry each.

To add an app (foreigners' office on 8083): give it a package like
``sandbox/hr_portal`` and append an ``AppEntry`` to ``APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp


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


def _hr_portal() -> AppEntry:
    from sandbox.hr_portal import DEFAULT_PORT, DEMO_USERS, HrPortalSettings, create_app
    from sandbox.hr_portal.db import Database
    from sandbox.hr_portal.settings import ENV_PREFIX, TITLE

    def reset() -> None:
        settings = HrPortalSettings.from_env()
        db = Database(settings.db_url)
        db.reset(settings.demo_users)
        db.dispose()

    return AppEntry(
        name="hr_portal",
        title=TITLE,
        port_env=f"{ENV_PREFIX}_PORT",
        default_port=DEFAULT_PORT,
        demo_logins=tuple((u.username, u.password) for u in DEMO_USERS),
        build=create_app,
        reset=reset,
        faults=lambda: HrPortalSettings.from_env().faults.active,
    )


def _payroll_portal() -> AppEntry:
    from sandbox.payroll_portal import DEFAULT_PORT, DEMO_USERS, PayrollPortalSettings, create_app
    from sandbox.payroll_portal.db import Database
    from sandbox.payroll_portal.settings import ENV_PREFIX, TITLE

    def reset() -> None:
        # Its own database only: the HR portal's workers are never touched from here.
        settings = PayrollPortalSettings.from_env()
        db = Database(settings.db_url)
        db.reset(settings.demo_users)
        db.dispose()

    return AppEntry(
        name="payroll_portal",
        title=TITLE,
        port_env=f"{ENV_PREFIX}_PORT",
        default_port=DEFAULT_PORT,
        demo_logins=tuple((u.username, u.password) for u in DEMO_USERS),
        build=create_app,
        reset=reset,
        faults=lambda: PayrollPortalSettings.from_env().faults.active,
    )


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


APPS: tuple[AppEntry, ...] = (_hr_portal(), _payroll_portal(), _alert_catcher())
