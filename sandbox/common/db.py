"""A portal's own database: engine, schema, demo accounts, reset.

An app subclasses ``Database`` with its declarative ``base`` and its ``user_model``
(``class User(UserMixin, Base)``); its tables are created in its database only.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, create_engine, make_url, select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from sandbox.common.accounts import DemoUser, UserMixin
from sandbox.common.passwords import hash_password


class Database:
    base: ClassVar[type[DeclarativeBase]]
    user_model: ClassVar[type[UserMixin]]

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def create(self, demo_users: tuple[DemoUser, ...] = ()) -> None:
        """Create missing tables and the demo accounts that are absent."""
        self.base.metadata.create_all(self.engine)
        user_model = self.user_model
        with self.session.begin() as session:
            existing = set(session.scalars(select(user_model.username)))
            for user in demo_users:
                if user.username not in existing:
                    session.add(
                        user_model(
                            username=user.username,
                            password_hash=hash_password(user.password),
                            display_name=user.display_name,
                        )
                    )

    def reset(self, demo_users: tuple[DemoUser, ...] = ()) -> None:
        """Empty the database (tables dropped and recreated), then the demo accounts."""
        self.base.metadata.drop_all(self.engine)
        self.create(demo_users)

    def dispose(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
