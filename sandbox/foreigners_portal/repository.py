"""Reading and writing foreigners' files (the users: ``sandbox.common.accounts``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.foreigners_portal.fields import DATE_FIELDS, FILE_FIELDS
from sandbox.foreigners_portal.models import ForeignerFile

# Foreigner numbers are 10 digits: the prefecture's département (Tarn-et-Garonne, 82),
# then the file's row id on 8 digits ("8200000001").
DEPARTEMENT = "82"


class DuplicateDossier(Exception):
    """A file with this application number is already stored (``numero_etranger``: its number)."""

    def __init__(self, numero_etranger: str) -> None:
        super().__init__(numero_etranger)
        self.numero_etranger = numero_etranger


def foreigner_number(row_id: int) -> str:
    """1 -> '8200000001'."""
    return f"{DEPARTEMENT}{row_id:08d}"


def numero_of_dossier(session: Session, numero_dossier: str) -> str | None:
    """The foreigner number of the file with this application number, if any."""
    return session.scalar(select(ForeignerFile.numero_etranger).where(ForeignerFile.numero_dossier == numero_dossier))


def find_by_dossier(session: Session, numero_dossier: str) -> Sequence[ForeignerFile]:
    query = select(ForeignerFile).where(ForeignerFile.numero_dossier == numero_dossier).order_by(ForeignerFile.id)
    return session.scalars(query).all()


def get(session: Session, numero_etranger: str) -> ForeignerFile | None:
    return session.scalar(select(ForeignerFile).where(ForeignerFile.numero_etranger == numero_etranger))


def all_files(session: Session) -> Sequence[ForeignerFile]:
    return session.scalars(select(ForeignerFile).order_by(ForeignerFile.id)).all()


def count(session: Session) -> int:
    return session.scalar(select(func.count(ForeignerFile.id))) or 0


def parse_date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%d/%m/%Y").date()


def create(session: Session, values: Mapping[str, str], created_by: str) -> ForeignerFile:
    """Store a file from validated values (dates dd/mm/yyyy, pieces as joined codes) and
    commit; give it its foreigner number.

    Raises DuplicateDossier when the application number is already stored (the unique
    constraint decides, so two concurrent submissions never both succeed).
    """
    data: dict[str, object] = {name: values.get(name, "") for name in ("numero_dossier", *FILE_FIELDS)}
    for name in DATE_FIELDS:
        data[name] = parse_date(str(values[name]))
    row = ForeignerFile(**data, created_by=created_by)
    try:
        session.add(row)
        session.flush()
        row.numero_etranger = foreigner_number(row.id)
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = numero_of_dossier(session, str(values["numero_dossier"]))
        if existing is None:
            raise
        raise DuplicateDossier(existing) from None
    return row
