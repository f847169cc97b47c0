"""Settings every portal reads from the environment, under its own prefix
(``RPA_HR_PORTAL``...; see ``sandbox.common.env`` for the lookup order):

``<PREFIX>_DB_URL``     SQLAlchemy URL of its database
                        (default ``sqlite:///$RPA_DATA_DIR/sandbox/<name>.sqlite``)
``<PREFIX>_PORT``       port of ``python -m sandbox`` (``sandbox.registry``)
``RPA_SANDBOX_SECRET``  key signing the session cookies (default: generated at start,
                        so a restart logs everybody out)
Faults: see ``sandbox.common.faults`` (``<PREFIX>_*`` wins over ``RPA_SANDBOX_*``).

A portal's settings class derives from ``PortalSettingsBase``, naming its package
(``NAME``) and prefix (``ENV_PREFIX``) and giving its demo accounts as the default
of ``demo_users``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from sandbox.common.accounts import DemoUser
from sandbox.common.env import data_dir, lookup, sqlite_url
from sandbox.common.faults import FaultSettings


def default_db_url(name: str, environ: Mapping[str, str] | None = None) -> str:
    """``sqlite:///$RPA_DATA_DIR/sandbox/<name>.sqlite``."""
    return sqlite_url(data_dir(environ) / "sandbox" / f"{name}.sqlite")


def db_url_from_env(env_prefix: str, name: str, environ: Mapping[str, str] | None = None) -> str:
    """``<env_prefix>_DB_URL`` if set, else the portal's default database."""
    env = os.environ if environ is None else environ
    return env.get(f"{env_prefix}_DB_URL", "").strip() or default_db_url(name, env)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PortalSettingsBase:
    NAME: ClassVar[str]  # the portal's package, also its database file's name
    ENV_PREFIX: ClassVar[str]  # RPA_HR_PORTAL...

    db_url: str
    secret_key: str = field(default_factory=new_secret, repr=False)
    faults: FaultSettings = field(default_factory=FaultSettings)
    demo_users: tuple[DemoUser, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        return cls(**cls.fields_from_env(env))

    @classmethod
    def fields_from_env(cls, env: Mapping[str, str]) -> dict[str, Any]:
        """The fields read from the environment (a subclass adds its own)."""
        return {
            "db_url": db_url_from_env(cls.ENV_PREFIX, cls.NAME, env),
            "secret_key": lookup("SECRET", cls.ENV_PREFIX, env) or new_secret(),
            "faults": FaultSettings.from_env(cls.ENV_PREFIX, env),
        }
