"""Rendering shared by the portals: templates with the context every page needs,
the French error pages and the redirects.

The templates are the app's (``request.app.state.templates``); ``erreur.html``
shows ``message`` and carries the HTTP status in ``#erreur[data-status]`` for the robots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from sandbox.common import csrf

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

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


@dataclass(frozen=True)
class Branding:
    """What tells the apps apart in ``base.html`` (its ``portal`` global): the suffix of
    the page title, the banner, the menu (href, id, text) shown once logged in, the footer."""

    title: str
    banner: str
    menu: tuple[tuple[str, str, str], ...]
    footer: str


def make_templates(
    directories: Sequence[Path],
    branding: Branding,
    filters: dict[str, Callable[..., Any]] | None = None,
    globals: dict[str, Any] | None = None,
) -> Jinja2Templates:
    """The app's templates (``directories``, first wins), then the shared ones (``base.html``,
    ``login.html``, ``erreur.html`` and the form macros ``_forms.html``, ``_choix.html``)."""
    templates = Jinja2Templates(directory=[*directories, TEMPLATES_DIR])
    templates.env.filters.update(filters or {})
    templates.env.globals.update(globals or {}, portal=branding)
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


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


def csv_download(body: str, filename: str) -> Response:
    """``body`` as a UTF-8 CSV attachment named ``filename``."""
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


def server_error(request: Request) -> Response:
    """The app's pre-rendered 500 page (``server_error_body``), as an answer."""
    return Response(request.app.state.server_error_body, status_code=500, media_type="text/html", headers=NO_STORE)


def error_page(request: Request, status: int) -> Response:
    """The French error page; ``#erreur[data-status]`` carries the HTTP status for the robots."""
    title, message = ERRORS[status]
    return render(
        request, "erreur.html", page="erreur", title=title, status_code=status, status=status, message=message
    )


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
