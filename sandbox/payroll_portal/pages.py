"""Rendering: the payroll portal's templates, then the HR portal's for what the suite
shares (login page, error page, form macros), so both apps keep the same page
conventions (the page context, the French error texts and the pre-rendered 500 page
are ``sandbox.common.pages``).
"""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

from sandbox.hr_portal import pages as hr_pages
from sandbox.hr_portal.pages import date_fr, nir_fmt
from sandbox.payroll_portal import formats
from sandbox.payroll_portal.fields import MODES, SCRUTINS

TEMPLATES_DIR = Path(__file__).parent / "templates"


def euros(cents: int) -> str:
    """12600 -> '126,00 €'."""
    return f"{formats.amount(cents, ',')} €"


def make_templates() -> Jinja2Templates:
    # Ours first: base.html (the payroll portal's banner and menu) wins over the HR portal's.
    templates = Jinja2Templates(directory=[TEMPLATES_DIR, hr_pages.TEMPLATES_DIR])
    templates.env.filters.update(
        date_fr=date_fr,
        nir_fmt=nir_fmt,
        euros=euros,
        heures_fr=lambda value: formats.hours(value, ","),
        iban_masque=formats.masked_iban,
        scrutin_fr=lambda value: SCRUTINS.get(value, value),
        mode_fr=lambda value: MODES.get(value, value),
    )
    return templates
