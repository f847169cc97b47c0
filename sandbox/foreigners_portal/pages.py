"""Rendering: the foreigners' office templates, branding and filters, over the templates
the prefecture's intranet apps share (base page, login page, error page, form macros),
so every app keeps the same page conventions (``sandbox.common.pages``, with the page
context, the French error texts and the pre-rendered 500 page)."""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

from sandbox.common import pages
from sandbox.foreigners_portal.fields import DATE_FIELDS, PIECES, SITUATIONS, TITRES, split_codes
from sandbox.foreigners_portal.models import ForeignerFile
from sandbox.hr_portal.pages import date_fr

TEMPLATES_DIR = Path(__file__).parent / "templates"

BRANDING = pages.Branding(
    title="Application étrangers",
    banner="Application étrangers (AGDREF) — Préfecture",
    menu=(
        ("/", "menu-accueil", "Accueil"),
        ("/recherche", "menu-recherche", "Rechercher un dossier"),
        ("/dossiers/nouveau", "menu-nouveau", "Nouveau dossier"),
        ("/export.csv", "menu-export", "Export"),
    ),
    footer="Application étrangers v1.9.3 — Bureau de l'immigration et de l'intégration — usage strictement interne",
)


def display(row: ForeignerFile, name: str) -> str:
    """A stored field as the detail page shows it (codes as their French labels)."""
    value = getattr(row, name)
    if name in DATE_FIELDS:
        return date_fr(value)
    if name == "situation":
        return SITUATIONS.get(value, value)
    if name == "titre":
        return TITRES.get(value, value)
    if name == "pieces":
        return " ; ".join(PIECES.get(code, code) for code in split_codes(value))
    return value or ""


def make_templates() -> Jinja2Templates:
    filters = {
        "date_fr": date_fr,
        "split_codes": split_codes,
        "situation_fr": lambda value: SITUATIONS.get(value, value),
        "titre_fr": lambda value: TITRES.get(value, value),
    }
    return pages.make_templates([TEMPLATES_DIR], BRANDING, filters, {"display": display})
