"""Settings of the foreigners' office stand-in ("AGDREF"), from the environment.

``RPA_FOREIGNERS_PORTAL_DB_URL``  SQLAlchemy URL of its database
                                  (default ``sqlite:///$RPA_DATA_DIR/sandbox/foreigners_portal.sqlite``)
``RPA_FOREIGNERS_PORTAL_PORT``    port of ``python -m sandbox`` (default 8083)
``RPA_SANDBOX_SECRET``            key signing the session cookies (default: generated at start,
                                  so a restart logs everybody out)
Faults: see ``sandbox.common.faults`` (``RPA_FOREIGNERS_PORTAL_*`` wins over ``RPA_SANDBOX_*``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sandbox.common.accounts import DemoUser
from sandbox.common.env import data_dir, lookup, sqlite_url
from sandbox.common.faults import FaultSettings

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
    return sqlite_url(data_dir(environ) / "sandbox" / "foreigners_portal.sqlite")


@dataclass(frozen=True)
class ForeignersPortalSettings:
    db_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    faults: FaultSettings = field(default_factory=FaultSettings)
    demo_users: tuple[DemoUser, ...] = DEMO_USERS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ForeignersPortalSettings:
        env = os.environ if environ is None else environ
        return cls(
            db_url=env.get(f"{ENV_PREFIX}_DB_URL", "").strip() or default_db_url(env),
            secret_key=lookup("SECRET", ENV_PREFIX, env) or secrets.token_urlsafe(32),
            faults=FaultSettings.from_env(ENV_PREFIX, env),
        )


def port_from_env(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    return int(env.get(f"{ENV_PREFIX}_PORT", "").strip() or DEFAULT_PORT)
