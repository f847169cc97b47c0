"""Settings of the payroll portal stand-in, from the environment (``sandbox.common.settings``).

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.common import settings as common
from sandbox.common.accounts import DemoUser
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
    return common.default_db_url(NAME, environ)


def hr_db_url(environ: Mapping[str, str] | None = None) -> str:
    """The HR portal's database, as the HR portal itself computes it."""
    return hr_settings.db_url_from_env(environ)


@dataclass(frozen=True)
class PayrollPortalSettings(common.PortalSettingsBase):
    NAME = NAME
    ENV_PREFIX = ENV_PREFIX

    demo_users: tuple[DemoUser, ...] = DEMO_USERS
    hr_db_url: str = field(kw_only=True)  # read only: the workers' files come from the HR portal

    @classmethod
    def fields_from_env(cls, env: Mapping[str, str]) -> dict[str, Any]:
        return {**super().fields_from_env(env), "hr_db_url": hr_db_url(env)}
