"""Reading and writing allowances (the users: ``sandbox.common.accounts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.hr_portal.models import Worker
from sandbox.payroll_portal.models import Allowance


class DuplicateAllowance(Exception):
    """The worker already has an allowance for this round of voting (``numero``)."""

    def __init__(self, numero: str) -> None:
        super().__init__(numero)
        self.numero = numero


@dataclass(frozen=True)
class NewAllowance:
    """Validated values of the form (amounts in cents, hours in hundredths)."""

    scrutin: str
    mode: str
    heures_centiemes: int
    plis: int | None
    chef_de_table: bool
    montant_centimes: int


def numero_for(session: Session, matricule: str, scrutin: str) -> str | None:
    """The number of the worker's allowance for this round, if any."""
    query = select(Allowance.numero).where(Allowance.matricule == matricule, Allowance.scrutin == scrutin)
    return session.scalar(query)


def get(session: Session, numero: str) -> Allowance | None:
    return session.scalar(select(Allowance).where(Allowance.numero == numero))


def of_worker(session: Session, matricule: str) -> Sequence[Allowance]:
    return session.scalars(select(Allowance).where(Allowance.matricule == matricule).order_by(Allowance.id)).all()


def all_allowances(session: Session) -> Sequence[Allowance]:
    return session.scalars(select(Allowance).order_by(Allowance.id)).all()


def count(session: Session) -> int:
    return session.scalar(select(func.count(Allowance.id))) or 0


def create(session: Session, worker: Worker, values: NewAllowance, created_by: str) -> Allowance:
    """Store an allowance for the worker (NIR, IBAN, BIC copied as they are now) and commit; give it its number.

    Raises DuplicateAllowance when the worker already has one for this round (the
    unique constraint decides, so two concurrent submissions never both succeed).
    """
    allowance = Allowance(
        matricule=worker.matricule,
        scrutin=values.scrutin,
        mode=values.mode,
        heures_centiemes=values.heures_centiemes,
        plis=values.plis,
        chef_de_table=values.chef_de_table,
        montant_centimes=values.montant_centimes,
        nir=worker.nir,
        iban=worker.iban,
        bic=worker.bic or "",
        created_by=created_by,
    )
    try:
        session.add(allowance)
        session.flush()
        allowance.numero = f"I{allowance.id:07d}"
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = numero_for(session, str(worker.matricule), values.scrutin)
        if existing is None:
            raise
        raise DuplicateAllowance(existing) from None
    return allowance
