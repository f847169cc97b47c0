"""The users who may log in to a portal: demo accounts, the ``users`` table, authentication.

Each app keeps its own ``users`` table, in its own database and metadata: its model
is ``class User(UserMixin, Base)`` on the app's declarative base.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sandbox.common.passwords import verify_password

U = TypeVar("U", bound="UserMixin")


def now() -> dt.datetime:
    """The time stored in a ``created_at`` column (whole seconds)."""
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    display_name: str


class UserMixin:
    """The columns of a portal's ``users`` table (a login, its password hash, the name shown)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


def authenticate(session: Session, model: type[U], username: str, password: str) -> U | None:
    user = session.scalar(select(model).where(model.username == username))
    if user is None or not verify_password(password, user.password_hash):
        return None
    return user
