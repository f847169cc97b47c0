"""Tables of the HR portal: users and workers (one row per NIR, enforced by a unique constraint)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sandbox.common.accounts import UserMixin, now


class Base(DeclarativeBase):
    pass


class User(UserMixin, Base):
    """The portal's accounts (table ``users``, in its own database)."""


class Worker(Base):
    __tablename__ = "workers"
    # Ids (hence matricules) are never reused, even after deletions.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Set right after the insert, from the id, in the same transaction.
    matricule: Mapped[str | None] = mapped_column(String(8), unique=True)
    nir: Mapped[str] = mapped_column(String(15), unique=True)
    nom: Mapped[str] = mapped_column(String(120))
    nom_usage: Mapped[str] = mapped_column(String(120), default="")
    prenom: Mapped[str] = mapped_column(String(120))
    sexe: Mapped[str] = mapped_column(String(1))
    date_naissance: Mapped[dt.date] = mapped_column(Date)
    lieu_naissance: Mapped[str] = mapped_column(String(120), default="")
    adresse: Mapped[str] = mapped_column(String(250))
    code_postal: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(250), default="")
    telephone: Mapped[str] = mapped_column(String(20), default="")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    statut: Mapped[str] = mapped_column(String(40))
    site: Mapped[str] = mapped_column(String(200))
    fonction: Mapped[str] = mapped_column(String(40))
    date_debut: Mapped[dt.date] = mapped_column(Date)
    date_fin: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64))
