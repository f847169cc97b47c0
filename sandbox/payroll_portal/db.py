"""The payroll portal's database: engine, schema, demo accounts, reset (``sandbox.common.db``)."""

from __future__ import annotations

from sandbox.common import db
from sandbox.payroll_portal.models import Base, User


class Database(db.Database):
    base = Base
    user_model = User
