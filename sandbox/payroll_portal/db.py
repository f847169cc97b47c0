"""The payroll portal's database: engine, schema, demo accounts, reset."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, select
from sqlalchemy.orm import sessionmaker

from sandbox.common.passwords import hash_password
from sandbox.hr_portal.settings import DemoUser
from sandbox.payroll_portal.models import Base, User


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def create(self, demo_users: tuple[DemoUser, ...] = ()) -> None:
        """Create missing tables and the demo accounts that are absent."""
        Base.metadata.create_all(self.engine)
        with self.session.begin() as session:
            existing = set(session.scalars(select(User.username)))
            for user in demo_users:
                if user.username not in existing:
                    session.add(
                        User(
                            username=user.username,
                            password_hash=hash_password(user.password),
                            display_name=user.display_name,
                        )
                    )

    def reset(self, demo_users: tuple[DemoUser, ...] = ()) -> None:
        """Empty the database (tables dropped and recreated), then the demo accounts."""
        Base.metadata.drop_all(self.engine)
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
