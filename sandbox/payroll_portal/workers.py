"""The workers' files, read from the HR portal's database (read only).

As in the prefecture's integrated HR/payroll suite, a worker created in the HR portal
is payable at once: every lookup queries the HR database (nothing is cached). The
HR portal's own model and queries (``sandbox.hr_portal.models.Worker``,
``sandbox.hr_portal.repository``) run on a read-only engine: a SQLite file is opened
with ``mode=ro`` (never created; a missing file means no worker), any other database
through a plain engine on which this module only ever selects.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, inspect, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from sandbox.hr_portal import repository as hr_repository
from sandbox.hr_portal.models import Worker
from sandbox.hr_portal.validation import compact_nir

T = TypeVar("T")
_MATRICULE = re.compile(r"^V[0-9]{7}$")


class HrWorkers:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite_path = _sqlite_path(url)
        self.engine = _readonly_engine(url, self.sqlite_path)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def get(self, matricule: str) -> Worker | None:
        """The worker with this matricule, or None (also when the HR database does not exist yet)."""
        return self._read(lambda session: hr_repository.get(session, matricule.strip().upper()), None)

    def search(self, text: str) -> Sequence[Worker]:
        """Workers whose matricule (``V0000001``, any case) or NIR (spaces allowed) is ``text``."""
        if _MATRICULE.match(text.strip().upper()):
            worker = self.get(text)
            return [worker] if worker else []
        return self._read(lambda session: hr_repository.find_by_nir(session, compact_nir(text)), [])

    def _read(self, query: Callable[[Session], T], nothing: T) -> T:
        if self.sqlite_path is not None and not self.sqlite_path.exists():
            return nothing
        try:
            with self.session() as session:
                return query(session)
        except (OperationalError, ProgrammingError):
            # An HR database without its tables (the HR portal never started) holds no worker.
            if not self._has_workers_table():
                return nothing
            raise

    def _has_workers_table(self) -> bool:
        try:
            return inspect(self.engine).has_table(Worker.__tablename__)
        except (OperationalError, ProgrammingError):
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


def _readonly_engine(url: str, sqlite_path: Path | None) -> Engine:
    if sqlite_path is None:
        return create_engine(url, pool_pre_ping=True)
    uri = f"file:{quote(str(sqlite_path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)

    # A connection per lookup: the HR portal may reset (recreate) its file at any time.
    return create_engine("sqlite://", creator=connect, poolclass=NullPool)
