"""Reading and writing workers (the users: ``sandbox.common.accounts``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.hr_portal.fields import DATE_FIELDS, WORKER_FIELDS
from sandbox.hr_portal.models import Worker


class DuplicateNir(Exception):
    def __init__(self, matricule: str) -> None:
        super().__init__(matricule)
        self.matricule = matricule


def matricule_of_nir(session: Session, nir: str) -> str | None:
    return session.scalar(select(Worker.matricule).where(Worker.nir == nir))


def find_by_nir(session: Session, nir: str) -> Sequence[Worker]:
    return session.scalars(select(Worker).where(Worker.nir == nir).order_by(Worker.id)).all()


def get(session: Session, matricule: str) -> Worker | None:
    return session.scalar(select(Worker).where(Worker.matricule == matricule))


def all_workers(session: Session) -> Sequence[Worker]:
    return session.scalars(select(Worker).order_by(Worker.id)).all()


def count(session: Session) -> int:
    return session.scalar(select(func.count(Worker.id))) or 0


def parse_date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%d/%m/%Y").date()


def create(session: Session, values: Mapping[str, str], created_by: str) -> Worker:
    """Store a worker from validated values (dates as dd/mm/yyyy) and commit; give it its matricule.

    Raises DuplicateNir when the NIR is already stored (the unique constraint
    decides, so two concurrent submissions never both succeed).
    """
    data: dict[str, object] = {f: values.get(f, "") for f in WORKER_FIELDS}
    for name in DATE_FIELDS:
        data[name] = parse_date(str(values[name]))
    worker = Worker(**data, created_by=created_by)
    try:
        session.add(worker)
        session.flush()
        worker.matricule = f"V{worker.id:07d}"
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = matricule_of_nir(session, str(values["nir"]))
        if existing is None:
            raise
        raise DuplicateNir(existing) from None
    return worker
