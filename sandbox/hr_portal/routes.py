"""Pages of the HR portal. Every page but the login needs a session; every
POST checks the CSRF token first (403 otherwise).

The creation of a worker takes three POSTs; the draft is kept in the server
session (``user.data["brouillon"]``) and opening step 1 starts a new one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import csrf
from sandbox.common.handlers import Draft, app_db, csv_export, home_page, record_page, search_page
from sandbox.common.login import LOGIN_ROUTES
from sandbox.common.pages import redirect, render
from sandbox.common.sessions import logged_in_user, login_required
from sandbox.hr_portal import export, repository
from sandbox.hr_portal.fields import FONCTIONS, LABELS, OPTIONAL, SEXES, SITE_OTHER, SITES, STATUTS, WORKER_FIELDS
from sandbox.hr_portal.models import Worker
from sandbox.hr_portal.validation import (
    MESSAGES,
    Checked,
    check_adresse,
    check_affectation,
    check_identite,
    compact_nir,
)

STEP_1, STEP_2, STEP_3 = "/vacataires/nouveau", "/vacataires/nouveau/adresse", "/vacataires/nouveau/affectation"
DRAFT = Draft("brouillon", (("identite", STEP_1), ("adresse", STEP_2)))


# ----------------------------------------------------------------------------- consultation


def _find_by_nir(request: Request, nir: str) -> list[Worker]:
    with app_db(request).session() as db:
        return list(repository.find_by_nir(db, compact_nir(nir)))


home = home_page(repository.count)
search = search_page("nir", _find_by_nir, title="Rechercher un vacataire", results="workers")
detail = record_page(
    repository.get,
    "matricule",
    "detail.html",
    page="detail",
    title=lambda worker: f"Dossier du vacataire {worker.matricule}",
    name="worker",
    fields=WORKER_FIELDS,
    labels=LABELS,
)
confirmation = record_page(
    repository.get, "matricule", "confirmation.html", page="confirmation", title="Dossier créé", name="worker"
)
export_csv = csv_export(repository.all_workers, export.to_csv, "vacataires.csv")


# ----------------------------------------------------------------------------- creation, 3 steps


def _step(request: Request, number: int, checked: Checked | None = None) -> Response:
    values = checked.values if checked else {}
    errors = checked.errors if checked else {}
    common: dict[str, Any] = {"labels": LABELS, "optional": OPTIONAL, "values": values, "errors": errors}
    draft = DRAFT.get(request)
    if number == 1:
        return render(
            request,
            "nouveau_identite.html",
            page="nouveau-identite",
            title="Nouveau vacataire : identité",
            sexes=SEXES,
            **common,
        )
    if number == 2:
        return render(
            request,
            "nouveau_adresse.html",
            page="nouveau-adresse",
            title="Nouveau vacataire : adresse et banque",
            identite=draft.get("identite", {}),
            **common,
        )
    return render(
        request,
        "nouveau_affectation.html",
        page="nouveau-affectation",
        title="Nouveau vacataire : affectation",
        identite=draft.get("identite", {}),
        statuts=STATUTS,
        sites=(*SITES, SITE_OTHER),
        fonctions=FONCTIONS,
        **common,
    )


@csrf.protected
@login_required
async def new_identity(request: Request) -> Response:
    if request.method == "GET":
        DRAFT.start(request)
        return _step(request, 1)
    checked = check_identite(await request.form())
    if "nir" not in checked.errors:
        with app_db(request).session() as db:
            existing = repository.matricule_of_nir(db, checked.cleaned["nir"])
        if existing:
            checked.fail("nir", "nir_doublon", matricule=existing)
    if not checked.ok:
        return _step(request, 1, checked)
    DRAFT.start(request, identite=checked.cleaned)
    return redirect(STEP_2)


@csrf.protected
@login_required
async def new_address(request: Request) -> Response:
    if missing := DRAFT.missing(request, 2):
        return missing
    if request.method == "GET":
        return _step(request, 2)
    checked = check_adresse(await request.form())
    if not checked.ok:
        return _step(request, 2, checked)
    DRAFT.get(request)["adresse"] = checked.cleaned
    return redirect(STEP_3)


@csrf.protected
@login_required
async def new_assignment(request: Request) -> Response:
    if missing := DRAFT.missing(request, 3):
        return missing
    if request.method == "GET":
        return _step(request, 3)
    checked = check_affectation(await request.form())
    if not checked.ok:
        return _step(request, 3, checked)
    draft = DRAFT.get(request)
    values = {**draft["identite"], **draft["adresse"], **checked.cleaned}
    try:
        with app_db(request).session() as db:
            worker = repository.create(db, values, created_by=logged_in_user(request).username)
    except repository.DuplicateNir as duplicate:
        checked.errors["_form"] = MESSAGES["nir_doublon"].format(matricule=duplicate.matricule)
        return _step(request, 3, checked)
    return DRAFT.finish(request, f"/vacataires/{worker.matricule}/confirmation")


ROUTES = [
    *LOGIN_ROUTES,
    Route("/", home, methods=["GET"]),
    Route("/recherche", search, methods=["GET"]),
    Route(STEP_1, new_identity, methods=["GET", "POST"]),
    Route(STEP_2, new_address, methods=["GET", "POST"]),
    Route(STEP_3, new_assignment, methods=["GET", "POST"]),
    Route("/export.csv", export_csv, methods=["GET"]),
    Route("/vacataires/{matricule}/confirmation", confirmation, methods=["GET"]),
    Route("/vacataires/{matricule}", detail, methods=["GET"]),
]
