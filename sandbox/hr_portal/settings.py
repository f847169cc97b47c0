"""Settings of the HR portal stand-in, from the environment (``sandbox.common.settings``).

``RPA_HR_PORTAL_DB_URL``   SQLAlchemy URL of its database
                           (default ``sqlite:///$RPA_DATA_DIR/sandbox/hr_portal.sqlite``)
``RPA_HR_PORTAL_PORT``     port of ``python -m sandbox`` (default 8081)
``RPA_SANDBOX_SECRET``     key signing the session cookies (default: generated at start,
                           so a restart logs everybody out)
Faults: see ``sandbox.common.faults`` (``RPA_HR_PORTAL_*`` wins over ``RPA_SANDBOX_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.common import settings as common
from sandbox.common.accounts import DemoUser

NAME = "hr_portal"
TITLE = "Portail RH"
ENV_PREFIX = "RPA_HR_PORTAL"
DEFAULT_PORT = 8081
COOKIE = "rpa_hr_portal_session"


# The robot's login matches config/airflow_settings.yaml (connection hr_portal).
DEMO_USERS = (
    DemoUser("robot.rh", "demo-rh-2027", "Robot de saisie RH"),
    DemoUser("agent.rh", "demo-agent-2027", "Agent RH (démo)"),
)


def default_db_url(environ: Mapping[str, str] | None = None) -> str:
    return common.default_db_url(NAME, environ)


def db_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``RPA_HR_PORTAL_DB_URL``, else the default (the payroll portal reads it too)."""
    return common.db_url_from_env(ENV_PREFIX, NAME, environ)


@dataclass(frozen=True)
class HrPortalSettings(common.PortalSettingsBase):
    NAME = NAME
    ENV_PREFIX = ENV_PREFIX

    demo_users: tuple[DemoUser, ...] = DEMO_USERS
