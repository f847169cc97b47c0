"""The foreigners' office database: engine, schema, demo accounts, reset (``sandbox.common.db``)."""

from __future__ import annotations

from sandbox.common import db
from sandbox.foreigners_portal.models import Base, User


class Database(db.Database):
    base = Base
    user_model = User
