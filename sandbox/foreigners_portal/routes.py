"""Pages of the foreigners' office. Every page but the login needs a session; every
POST checks the CSRF token first (403 otherwise).

A new file takes four POSTs (identity, residence history, documents, decision). The
draft is kept in the server session (``user.data["dossier_etranger"]``), opening screen 1
starts a new one, and the file is stored only by the last screen's submit, which gives
it its foreigner number.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import csrf
from sandbox.common.handlers import Draft, app_db, csv_export, home_page, record_page, search_page
from sandbox.common.login import LOGIN_ROUTES
from sandbox.common.pages import redirect, render
from sandbox.common.sessions import logged_in_user, login_required
from sandbox.foreigners_portal import export, repository
from sandbox.foreigners_portal.fields import FILE_FIELDS, LABELS, PIECES, SITUATIONS, TITRES
from sandbox.foreigners_portal.models import ForeignerFile
from sandbox.foreigners_portal.validation import (
    MESSAGES,
    Checked,
    check_decision,
    check_identite,
    check_pieces,
    check_residence,
    parse_date,
)

FORM_ERROR = "_form"

STEP_1 = "/dossiers/nouveau"
STEP_2 = "/dossiers/nouveau/residence"
STEP_3 = "/dossiers/nouveau/pieces"
STEP_4 = "/dossiers/nouveau/decision"
# The draft's parts, in order, and the screen that fills each.
DRAFT = Draft("dossier_etranger", (("identite", STEP_1), ("residence", STEP_2), ("pieces", STEP_3)))


# ----------------------------------------------------------------------------- consultation


def _find_by_dossier(request: Request, numero: str) -> list[ForeignerFile]:
    with app_db(request).session() as db:
        return list(repository.find_by_dossier(db, numero.strip()))


home = home_page(repository.count)
search = search_page("numero_dossier", _find_by_dossier, title="Rechercher un dossier", results="files")
detail = record_page(
    repository.get,
    "numero_etranger",
    "detail.html",
    page="detail",
    title=lambda row: f"Dossier de l'étranger n° {row.numero_etranger}",
    name="row",
    fields=FILE_FIELDS,
    labels=LABELS,
)
confirmation = record_page(
    repository.get, "numero_etranger", "confirmation.html", page="confirmation", title="Dossier enregistré", name="row"
)
export_csv = csv_export(repository.all_files, export.to_csv, "dossiers_etrangers.csv")


# ----------------------------------------------------------------------------- creation, 4 screens


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
        identite=DRAFT.get(request).get("identite", {}),
        situations=SITUATIONS,
        pieces=PIECES,
        titres=TITRES,
    )


@csrf.protected
@login_required
async def new_identity(request: Request) -> Response:
    if request.method == "GET":
        DRAFT.start(request)
        return _step(request, 1)
    checked = check_identite(await request.form())
    if "numero_dossier" not in checked.errors:
        with app_db(request).session() as db:
            existing = repository.numero_of_dossier(db, checked.cleaned["numero_dossier"])
        if existing:
            checked.fail("numero_dossier", "doublon", numero=existing)
    if not checked.ok:
        return _step(request, 1, checked)
    DRAFT.start(request, identite=checked.cleaned)
    return redirect(STEP_2)


@csrf.protected
@login_required
async def new_residence(request: Request) -> Response:
    if missing := DRAFT.missing(request, 2):
        return missing
    draft = DRAFT.get(request)
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
    if missing := DRAFT.missing(request, 3):
        return missing
    draft = DRAFT.get(request)
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
    if missing := DRAFT.missing(request, 4):
        return missing
    draft = DRAFT.get(request)
    if request.method == "GET":
        return _step(request, 4)
    checked = check_decision(await request.form(), situation=draft["residence"]["situation"])
    if not checked.ok:
        return _step(request, 4, checked)
    values = {**draft["identite"], **draft["residence"], **draft["pieces"], **checked.cleaned}
    try:
        with app_db(request).session() as db:
            row = repository.create(db, values, created_by=logged_in_user(request).username)
    except repository.DuplicateDossier as duplicate:
        checked.errors[FORM_ERROR] = MESSAGES["doublon"].format(numero=duplicate.numero_etranger)
        return _step(request, 4, checked)
    return DRAFT.finish(request, f"/etrangers/{row.numero_etranger}/confirmation")


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
