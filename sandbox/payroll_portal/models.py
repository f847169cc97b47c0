"""Tables of the payroll portal: users and allowances (one per worker and round of
voting, enforced by a unique constraint).

The workers themselves are the HR portal's (``sandbox.hr_portal.models.Worker``, read
from its database); an allowance keeps a copy of the NIR, IBAN and BIC it was paid with.
Money and hours are integers (cents, hundredths of an hour): never floats.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sandbox.common.accounts import UserMixin, now


class Base(DeclarativeBase):
    pass


class User(UserMixin, Base):
    """The portal's accounts (table ``users``, in its own database)."""


class Allowance(Base):
    __tablename__ = "indemnites"
    # Ids (hence allowance numbers) are never reused, even after deletions.
    __table_args__ = (
        UniqueConstraint("matricule", "scrutin", name="uq_indemnite_matricule_scrutin"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Set right after the insert, from the id, in the same transaction.
    numero: Mapped[str | None] = mapped_column(String(8), unique=True)
    matricule: Mapped[str] = mapped_column(String(8), index=True)
    scrutin: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))
    heures_centiemes: Mapped[int] = mapped_column(Integer)
    plis: Mapped[int | None] = mapped_column(Integer)
    chef_de_table: Mapped[bool] = mapped_column(Boolean)
    montant_centimes: Mapped[int] = mapped_column(Integer)
    # Copied from the HR worker at creation time (compact).
    nir: Mapped[str] = mapped_column(String(15))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64))
