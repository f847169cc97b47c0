"""Settings of the payroll portal stand-in, from the environment.

``RPA_PAYROLL_PORTAL_DB_URL``  SQLAlchemy URL of its database
                               (default ``sqlite:///$RPA_DATA_DIR/sandbox/payroll_portal.sqlite``)
``RPA_HR_PORTAL_DB_URL``       the HR portal's database, whose workers it reads (read only;
                               default: the HR portal's own default)
``RPA_PAYROLL_PORTAL_PORT``    port of ``python -m sandbox`` (default 8082)
``RPA_SANDBOX_SECRET``         key signing the session cookies (default: generated at start,
                               so a restart logs everybody out)
Faults: see ``sandbox.common.faults`` (``RPA_PAYROLL_PORTAL_*`` wins over ``RPA_SANDBOX_*``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sandbox.common.accounts import DemoUser
from sandbox.common.env import data_dir, lookup, sqlite_url
from sandbox.common.faults import FaultSettings
from sandbox.hr_portal import settings as hr_settings

NAME = "payroll_portal"
TITLE = "Portail paie"
ENV_PREFIX = "RPA_PAYROLL_PORTAL"
DEFAULT_PORT = 8082
COOKIE = "rpa_payroll_portal_session"

# The robot's login matches config/airflow_settings.yaml (connection payroll_portal).
DEMO_USERS = (
    DemoUser("robot.paie", "demo-paie-2027", "Robot de saisie paie"),
    DemoUser("agent.paie", "demo-agent-paie-2027", "Agent paie (démo)"),
)


def default_db_url(environ: Mapping[str, str] | None = None) -> str:
    return sqlite_url(data_dir(environ) / "sandbox" / "payroll_portal.sqlite")


def hr_db_url(environ: Mapping[str, str] | None = None) -> str:
    """The HR portal's database, as the HR portal itself computes it."""
    env = os.environ if environ is None else environ
    return env.get(f"{hr_settings.ENV_PREFIX}_DB_URL", "").strip() or hr_settings.default_db_url(env)


@dataclass(frozen=True)
class PayrollPortalSettings:
    db_url: str
    hr_db_url: str  # read only: the workers' files come from the HR portal
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    faults: FaultSettings = field(default_factory=FaultSettings)
    demo_users: tuple[DemoUser, ...] = DEMO_USERS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PayrollPortalSettings:
        env = os.environ if environ is None else environ
        return cls(
            db_url=env.get(f"{ENV_PREFIX}_DB_URL", "").strip() or default_db_url(env),
            hr_db_url=hr_db_url(env),
            secret_key=lookup("SECRET", ENV_PREFIX, env) or secrets.token_urlsafe(32),
            faults=FaultSettings.from_env(ENV_PREFIX, env),
        )
