"""Rendering: templates with the context every page needs, and the French error pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from schwifty import IBAN
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates
from stdnum.fr import nir as stdnum_nir

from sandbox.common import csrf
from sandbox.hr_portal.fields import DATE_FIELDS, SEXES
from sandbox.hr_portal.models import Worker

TEMPLATES_DIR = Path(__file__).parent / "templates"
NO_STORE = {"Cache-Control": "no-store"}

ERRORS = {
    403: (
        "Accès refusé",
        "Jeton de sécurité (CSRF) absent ou invalide : la requête a été refusée. Rechargez la page puis recommencez.",
    ),
    404: ("Page introuvable", "La page ou le dossier demandé n'existe pas."),
    405: ("Méthode non autorisée", "Cette action n'est pas autorisée sur cette page."),
    500: (
        "Erreur interne du serveur",
        "Erreur interne du serveur. Veuillez réessayer plus tard ou contacter l'assistance informatique (poste 4242).",
    ),
}


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
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters.update(date_fr=date_fr, nir_fmt=nir_fmt, iban_fmt=iban_fmt)
    templates.env.globals.update(display=display)
    return templates


def render(request: Request, template: str, *, page: str, title: str, status: int = 200, **context: Any) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    full = {
        "page": page,
        "title": title,
        "status": status,  # the error page's data-status: what a robot reads to tell 404 from 500
        "csrf_token": csrf.token(request),
        "user": getattr(request.state, "user", None),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status, headers=NO_STORE)


def error_page(request: Request, status: int) -> Response:
    title, message = ERRORS[status]
    return render(request, "erreur.html", page="erreur", title=title, status=status, message=message)


def csrf_failure(request: Request) -> Response:
    return error_page(request, 403)


def server_error_body(templates: Jinja2Templates) -> bytes:
    """The 500 page, rendered once: it must not depend on the request (the app may be broken)."""
    title, message = ERRORS[500]
    html = templates.get_template("erreur.html").render(
        page="erreur", title=title, status=500, message=message, user=None, csrf_token=""
    )
    return html.encode("utf-8")


async def http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status not in ERRORS:
        return HTMLResponse(str(getattr(exc, "detail", "")), status_code=status)
    return error_page(request, status)
