"""Rendering: the payroll portal's templates, then the HR portal's for what the suite
shares (login page, error page, form macros), so both apps keep the same page
conventions; the French error texts and the pre-rendered 500 page are the HR portal's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from sandbox.common import csrf
from sandbox.hr_portal import pages as hr_pages
from sandbox.hr_portal.pages import ERRORS, NO_STORE, date_fr, nir_fmt, server_error_body
from sandbox.payroll_portal import formats
from sandbox.payroll_portal.fields import MODES, SCRUTINS

TEMPLATES_DIR = Path(__file__).parent / "templates"

__all__ = ["NO_STORE", "csrf_failure", "error_page", "http_exception", "make_templates", "render", "server_error_body"]


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


def render(
    request: Request, template: str, *, page: str, title: str, status_code: int = 200, **context: Any
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    full = {
        "page": page,
        "title": title,
        "csrf_token": csrf.token(request),
        "user": getattr(request.state, "user", None),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code, headers=NO_STORE)


def error_page(request: Request, status: int) -> Response:
    """The French error page; ``#erreur[data-status]`` carries the HTTP status for the robots."""
    title, message = ERRORS[status]
    return render(
        request, "erreur.html", page="erreur", title=title, status_code=status, status=status, message=message
    )


def csrf_failure(request: Request) -> Response:
    return error_page(request, 403)


async def http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status not in ERRORS:
        return HTMLResponse(str(getattr(exc, "detail", "")), status_code=status)
    return error_page(request, status)
