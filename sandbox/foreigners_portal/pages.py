"""Rendering: the foreigners' office templates, then the HR portal's for what the
prefecture's intranet apps share (login page, error page, form macros), so every app
keeps the same page conventions (the page context, the French error texts and the
pre-rendered 500 page are ``sandbox.common.pages``)."""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

from sandbox.foreigners_portal.fields import DATE_FIELDS, PIECES, SITUATIONS, TITRES, split_codes
from sandbox.foreigners_portal.models import ForeignerFile
from sandbox.hr_portal import pages as hr_pages
from sandbox.hr_portal.pages import date_fr

TEMPLATES_DIR = Path(__file__).parent / "templates"


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
    # Ours first: base.html (the application's banner and menu) wins over the HR portal's.
    templates = Jinja2Templates(directory=[TEMPLATES_DIR, hr_pages.TEMPLATES_DIR])
    templates.env.filters.update(
        date_fr=date_fr,
        split_codes=split_codes,
        situation_fr=lambda value: SITUATIONS.get(value, value),
        titre_fr=lambda value: TITRES.get(value, value),
    )
    templates.env.globals.update(display=display)
    return templates
