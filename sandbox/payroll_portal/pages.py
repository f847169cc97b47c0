"""Rendering: the payroll portal's templates, branding and filters, over the templates
the portals share (base page, login page, error page, form macros), so the apps keep
the same page conventions (``sandbox.common.pages``, with the page context, the French
error texts and the pre-rendered 500 page).
"""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

from sandbox.common import pages
from sandbox.hr_portal.pages import date_fr, nir_fmt
from sandbox.payroll_portal import formats
from sandbox.payroll_portal.fields import MODES, SCRUTINS

TEMPLATES_DIR = Path(__file__).parent / "templates"

BRANDING = pages.Branding(
    title="Portail paie",
    banner="Portail paie — Préfecture",
    menu=(
        ("/", "menu-accueil", "Accueil"),
        ("/recherche", "menu-recherche", "Rechercher un dossier"),
        ("/export.csv", "menu-export", "Export des indemnités"),
    ),
    footer="Portail paie v3.0.2 — Secrétariat général commun — usage strictement interne",
)


def euros(cents: int) -> str:
    """12600 -> '126,00 €'."""
    return f"{formats.amount(cents, ',')} €"


def make_templates() -> Jinja2Templates:
    filters = {
        "date_fr": date_fr,
        "nir_fmt": nir_fmt,
        "euros": euros,
        "heures_fr": lambda value: formats.hours(value, ","),
        "iban_masque": formats.masked_iban,
        "scrutin_fr": lambda value: SCRUTINS.get(value, value),
        "mode_fr": lambda value: MODES.get(value, value),
    }
    return pages.make_templates([TEMPLATES_DIR], BRANDING, filters)
