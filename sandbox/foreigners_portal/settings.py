"""Settings of the foreigners' office stand-in ("AGDREF"), from the environment
(``sandbox.common.settings``).

``RPA_FOREIGNERS_PORTAL_DB_URL``  SQLAlchemy URL of its database
                                  (default ``sqlite:///$RPA_DATA_DIR/sandbox/foreigners_portal.sqlite``)
``RPA_FOREIGNERS_PORTAL_PORT``    port of ``python -m sandbox`` (default 8083)
``RPA_SANDBOX_SECRET``            key signing the session cookies (default: generated at start,
                                  so a restart logs everybody out)
Faults: see ``sandbox.common.faults`` (``RPA_FOREIGNERS_PORTAL_*`` wins over ``RPA_SANDBOX_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.common import settings as common
from sandbox.common.accounts import DemoUser

NAME = "foreigners_portal"
TITLE = "Application étrangers"
ENV_PREFIX = "RPA_FOREIGNERS_PORTAL"
DEFAULT_PORT = 8083
COOKIE = "rpa_foreigners_portal_session"

# The robot's login matches config/airflow_settings.yaml (connection foreigners_portal).
DEMO_USERS = (
    DemoUser("robot.etrangers", "demo-etrangers-2027", "Robot de saisie étrangers"),
    DemoUser("agent.etrangers", "demo-agent-etrangers-2027", "Agent du bureau des étrangers (démo)"),
)


def default_db_url(environ: Mapping[str, str] | None = None) -> str:
    return common.default_db_url(NAME, environ)


@dataclass(frozen=True)
class ForeignersPortalSettings(common.PortalSettingsBase):
    NAME = NAME
    ENV_PREFIX = ENV_PREFIX

    demo_users: tuple[DemoUser, ...] = DEMO_USERS
