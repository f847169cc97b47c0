"""Pages of the foreigners' office. Every page but the login needs a session; every
POST checks the CSRF token first (403 otherwise).

A new file takes four POSTs (identity, residence history, documents, decision). The
draft is kept in the server session (``user.data["dossier_etranger"]``), opening screen 1
starts a new one, and the file is stored only by the last screen's submit, which gives
it its foreigner number.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import csrf
from sandbox.common.login import LOGIN_ROUTES
from sandbox.common.pages import csv_download, error_page, redirect, render, server_error
from sandbox.common.sessions import logged_in_user, login_required
from sandbox.foreigners_portal import export, repository
from sandbox.foreigners_portal.db import Database
from sandbox.foreigners_portal.fields import FILE_FIELDS, LABELS, PIECES, SITUATIONS, TITRES
from sandbox.foreigners_portal.validation import (
    MESSAGES,
    Checked,
    check_decision,
    check_identite,
    check_pieces,
    check_residence,
    parse_date,
)

DRAFT = "dossier_etranger"
FORM_ERROR = "_form"

STEP_1 = "/dossiers/nouveau"
STEP_2 = "/dossiers/nouveau/residence"
STEP_3 = "/dossiers/nouveau/pieces"
STEP_4 = "/dossiers/nouveau/decision"
# The draft's parts, in order, and the screen that fills each.
PARTS = (("identite", STEP_1), ("residence", STEP_2), ("pieces", STEP_3))


def _db(request: Request) -> Database:
    return request.app.state.db


# ----------------------------------------------------------------------------- consultation


@login_required
async def home(request: Request) -> Response:
    with _db(request).session() as db:
        total = repository.count(db)
    return render(request, "accueil.html", page="accueil", title="Accueil", total=total)


@login_required
async def search(request: Request) -> Response:
    numero = request.query_params.get("numero_dossier")
    files: list[Any] = []
    if numero and numero.strip():
        with _db(request).session() as db:
            files = list(repository.find_by_dossier(db, numero.strip()))
    return render(
        request,
        "recherche.html",
        page="recherche",
        title="Rechercher un dossier",
        numero_dossier=numero or "",
        searched=numero is not None,
        files=files,
    )


@login_required
async def detail(request: Request) -> Response:
    with _db(request).session() as db:
        row = repository.get(db, request.path_params["numero_etranger"])
    if row is None:
        return error_page(request, 404)
    title = f"Dossier de l'étranger n° {row.numero_etranger}"
    return render(request, "detail.html", page="detail", title=title, row=row, fields=FILE_FIELDS, labels=LABELS)


@login_required
async def confirmation(request: Request) -> Response:
    with _db(request).session() as db:
        row = repository.get(db, request.path_params["numero_etranger"])
    if row is None:
        return error_page(request, 404)
    return render(request, "confirmation.html", page="confirmation", title="Dossier enregistré", row=row)


@login_required
async def export_csv(request: Request) -> Response:
    with _db(request).session() as db:
        body = export.to_csv(repository.all_files(db))
    return csv_download(body, "dossiers_etrangers.csv")


# ----------------------------------------------------------------------------- creation, 4 screens


def _draft(request: Request) -> dict[str, dict[str, str]]:
    return logged_in_user(request).data.setdefault(DRAFT, {})


def _missing_step(draft: dict[str, dict[str, str]], number: int) -> str | None:
    """The first earlier screen the draft lacks (where to send the user), or None."""
    for part, path in PARTS[: number - 1]:
        if part not in draft:
            return path
    return None


_SCREENS: dict[int, tuple[str, str, str]] = {
    1: ("nouveau_identite.html", "nouveau-identite", "Nouveau dossier : identité"),
    2: ("nouveau_residence.html", "nouveau-residence", "Nouveau dossier : historique de résidence"),
    3: ("nouveau_pieces.html", "nouveau-pieces", "Nouveau dossier : pièces fournies"),
    4: ("nouveau_decision.html", "nouveau-decision", "Nouveau dossier : décision"),
}


def _step(request: Request, number: int, checked: Checked | None = None) -> Response:
    template, page, title = _SCREENS[number]
    return render(
        request,
        template,
        page=page,
        title=title,
        labels=LABELS,
        optional=frozenset(),
        values=checked.values if checked else {},
        errors=checked.errors if checked else {},
        identite=_draft(request).get("identite", {}),
        situations=SITUATIONS,
        pieces=PIECES,
        titres=TITRES,
    )


@csrf.protected
@login_required
async def new_identity(request: Request) -> Response:
    if request.method == "GET":
        logged_in_user(request).data[DRAFT] = {}
        return _step(request, 1)
    checked = check_identite(await request.form())
    if "numero_dossier" not in checked.errors:
        with _db(request).session() as db:
            existing = repository.numero_of_dossier(db, checked.cleaned["numero_dossier"])
        if existing:
            checked.fail("numero_dossier", "doublon", numero=existing)
    if not checked.ok:
        return _step(request, 1, checked)
    logged_in_user(request).data[DRAFT] = {"identite": checked.cleaned}
    return redirect(STEP_2)


@csrf.protected
@login_required
async def new_residence(request: Request) -> Response:
    draft = _draft(request)
    missing = _missing_step(draft, 2)
    if missing:
        return redirect(missing)
    if request.method == "GET":
        return _step(request, 2)
    birth = parse_date(draft["identite"]["date_naissance"])
    checked = check_residence(await request.form(), birth=birth)
    if not checked.ok:
        return _step(request, 2, checked)
    draft["residence"] = checked.cleaned
    return redirect(STEP_3)


@csrf.protected
@login_required
async def new_documents(request: Request) -> Response:
    draft = _draft(request)
    missing = _missing_step(draft, 3)
    if missing:
        return redirect(missing)
    if request.method == "GET":
        return _step(request, 3)
    checked = check_pieces(await request.form())
    if not checked.ok:
        return _step(request, 3, checked)
    draft["pieces"] = checked.cleaned
    return redirect(STEP_4)


@csrf.protected
@login_required
async def new_decision(request: Request) -> Response:
    draft = _draft(request)
    missing = _missing_step(draft, 4)
    if missing:
        return redirect(missing)
    if request.method == "GET":
        return _step(request, 4)
    checked = check_decision(await request.form(), situation=draft["residence"]["situation"])
    if not checked.ok:
        return _step(request, 4, checked)
    values = {**draft["identite"], **draft["residence"], **draft["pieces"], **checked.cleaned}
    try:
        with _db(request).session() as db:
            row = repository.create(db, values, created_by=logged_in_user(request).username)
    except repository.DuplicateDossier as duplicate:
        checked.errors[FORM_ERROR] = MESSAGES["doublon"].format(numero=duplicate.numero_etranger)
        return _step(request, 4, checked)
    logged_in_user(request).data[DRAFT] = {}
    if request.app.state.faults.lose_confirmation():
        # The file is stored; only the answer is lost (the robot must search before retrying).
        return server_error(request)
    return redirect(f"/etrangers/{row.numero_etranger}/confirmation")


ROUTES = [
    *LOGIN_ROUTES,
    Route("/", home, methods=["GET"]),
    Route("/recherche", search, methods=["GET"]),
    Route(STEP_1, new_identity, methods=["GET", "POST"]),
    Route(STEP_2, new_residence, methods=["GET", "POST"]),
    Route(STEP_3, new_documents, methods=["GET", "POST"]),
    Route(STEP_4, new_decision, methods=["GET", "POST"]),
    Route("/export.csv", export_csv, methods=["GET"]),
    Route("/etrangers/{numero_etranger}/confirmation", confirmation, methods=["GET"]),
    Route("/etrangers/{numero_etranger}", detail, methods=["GET"]),
]
