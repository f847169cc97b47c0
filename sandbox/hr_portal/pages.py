"""Rendering: the HR portal's templates, branding and filters (the shared templates,
the page context and the French error pages are ``sandbox.common.pages``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from schwifty import IBAN
from starlette.templating import Jinja2Templates
from stdnum.fr import nir as stdnum_nir

from sandbox.common import pages
from sandbox.hr_portal.fields import DATE_FIELDS, SEXES
from sandbox.hr_portal.models import Worker

TEMPLATES_DIR = Path(__file__).parent / "templates"

BRANDING = pages.Branding(
    title="Portail RH",
    banner="Portail RH — Préfecture",
    menu=(
        ("/", "menu-accueil", "Accueil"),
        ("/recherche", "menu-recherche", "Rechercher un vacataire"),
        ("/vacataires/nouveau", "menu-nouveau", "Nouveau vacataire"),
        ("/export.csv", "menu-export", "Export"),
    ),
    footer="Portail RH v2.4.7 — Secrétariat général commun — usage strictement interne",
)


def date_fr(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def nir_fmt(value: str) -> str:
    try:
        return stdnum_nir.format(value)
    except Exception:
        return value


def iban_fmt(value: str) -> str:
    try:
        return IBAN(value).formatted
    except Exception:
        return value


def display(worker: Worker, name: str) -> str:
    """A stored field as the detail page shows it."""
    value = getattr(worker, name)
    if name in DATE_FIELDS:
        return date_fr(value)
    if name == "nir":
        return nir_fmt(value)
    if name == "iban":
        return iban_fmt(value)
    if name == "sexe":
        return f"{value} ({SEXES.get(value, '?')})"
    return value or ""


def make_templates() -> Jinja2Templates:
    filters = {"date_fr": date_fr, "nir_fmt": nir_fmt, "iban_fmt": iban_fmt}
    return pages.make_templates([TEMPLATES_DIR], BRANDING, filters, {"display": display})
