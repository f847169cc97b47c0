"""Tables of the foreigners' office: users and files (one per application number, and one
foreigner number per file, both enforced by unique constraints)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sandbox.common.accounts import UserMixin, now


class Base(DeclarativeBase):
    pass


class User(UserMixin, Base):
    """The application's accounts (table ``users``, in its own database)."""


class ForeignerFile(Base):
    __tablename__ = "dossiers"
    # Ids (hence foreigner numbers) are never reused, even after deletions.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 10 digits, set right after the insert, from the id, in the same transaction.
    numero_etranger: Mapped[str | None] = mapped_column(String(10), unique=True)
    numero_dossier: Mapped[str] = mapped_column(String(40), unique=True)
    nom: Mapped[str] = mapped_column(String(120))
    prenom: Mapped[str] = mapped_column(String(120))
    date_naissance: Mapped[dt.date] = mapped_column(Date)
    nationalite: Mapped[str] = mapped_column(String(80))
    numero_passeport: Mapped[str] = mapped_column(String(9))
    date_expiration_passeport: Mapped[dt.date] = mapped_column(Date)
    date_entree_france: Mapped[dt.date] = mapped_column(Date)
    adresse: Mapped[str] = mapped_column(String(250))
    code_postal: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(120))
    situation: Mapped[str] = mapped_column(String(40))
    # Codes sorted and joined by "|" (fields.join_codes).
    pieces: Mapped[str] = mapped_column(String(400))
    titre: Mapped[str] = mapped_column(String(40))
    date_depot: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64))
