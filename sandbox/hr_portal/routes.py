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
from sandbox.common.login import LOGIN_ROUTES
from sandbox.common.pages import csv_download, error_page, redirect, render, server_error
from sandbox.common.sessions import logged_in_user, login_required
from sandbox.hr_portal import export, repository
from sandbox.hr_portal.db import Database
from sandbox.hr_portal.fields import FONCTIONS, LABELS, OPTIONAL, SEXES, SITE_OTHER, SITES, STATUTS, WORKER_FIELDS
from sandbox.hr_portal.validation import (
    MESSAGES,
    Checked,
    check_adresse,
    check_affectation,
    check_identite,
    compact_nir,
)

DRAFT = "brouillon"

STEP_1, STEP_2, STEP_3 = "/vacataires/nouveau", "/vacataires/nouveau/adresse", "/vacataires/nouveau/affectation"


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
    nir = request.query_params.get("nir")
    workers: list[Any] = []
    if nir and nir.strip():
        with _db(request).session() as db:
            workers = list(repository.find_by_nir(db, compact_nir(nir)))
    return render(
        request,
        "recherche.html",
        page="recherche",
        title="Rechercher un vacataire",
        nir=nir or "",
        searched=nir is not None,
        workers=workers,
    )


@login_required
async def detail(request: Request) -> Response:
    with _db(request).session() as db:
        worker = repository.get(db, request.path_params["matricule"])
    if worker is None:
        return error_page(request, 404)
    title = f"Dossier du vacataire {worker.matricule}"
    return render(
        request, "detail.html", page="detail", title=title, worker=worker, fields=WORKER_FIELDS, labels=LABELS
    )


@login_required
async def confirmation(request: Request) -> Response:
    with _db(request).session() as db:
        worker = repository.get(db, request.path_params["matricule"])
    if worker is None:
        return error_page(request, 404)
    return render(request, "confirmation.html", page="confirmation", title="Dossier créé", worker=worker)


@login_required
async def export_csv(request: Request) -> Response:
    with _db(request).session() as db:
        body = export.to_csv(repository.all_workers(db))
    return csv_download(body, "vacataires.csv")


# ----------------------------------------------------------------------------- creation, 3 steps


def _draft(request: Request) -> dict[str, dict[str, str]]:
    return logged_in_user(request).data.setdefault(DRAFT, {})


def _step(request: Request, number: int, checked: Checked | None = None) -> Response:
    values = checked.values if checked else {}
    errors = checked.errors if checked else {}
    common: dict[str, Any] = {"labels": LABELS, "optional": OPTIONAL, "values": values, "errors": errors}
    draft = _draft(request)
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
        logged_in_user(request).data[DRAFT] = {}
        return _step(request, 1)
    checked = check_identite(await request.form())
    if "nir" not in checked.errors:
        with _db(request).session() as db:
            existing = repository.matricule_of_nir(db, checked.cleaned["nir"])
        if existing:
            checked.fail("nir", "nir_doublon", matricule=existing)
    if not checked.ok:
        return _step(request, 1, checked)
    logged_in_user(request).data[DRAFT] = {"identite": checked.cleaned}
    return redirect(STEP_2)


@csrf.protected
@login_required
async def new_address(request: Request) -> Response:
    draft = _draft(request)
    if "identite" not in draft:
        return redirect(STEP_1)
    if request.method == "GET":
        return _step(request, 2)
    checked = check_adresse(await request.form())
    if not checked.ok:
        return _step(request, 2, checked)
    draft["adresse"] = checked.cleaned
    return redirect(STEP_3)


@csrf.protected
@login_required
async def new_assignment(request: Request) -> Response:
    draft = _draft(request)
    if "identite" not in draft:
        return redirect(STEP_1)
    if "adresse" not in draft:
        return redirect(STEP_2)
    if request.method == "GET":
        return _step(request, 3)
    checked = check_affectation(await request.form())
    if not checked.ok:
        return _step(request, 3, checked)
    values = {**draft["identite"], **draft["adresse"], **checked.cleaned}
    try:
        with _db(request).session() as db:
            worker = repository.create(db, values, created_by=logged_in_user(request).username)
    except repository.DuplicateNir as duplicate:
        checked.errors["_form"] = MESSAGES["nir_doublon"].format(matricule=duplicate.matricule)
        return _step(request, 3, checked)
    logged_in_user(request).data[DRAFT] = {}
    if request.app.state.faults.lose_confirmation():
        # The worker is stored; only the answer is lost (the robot must search before retrying).
        return server_error(request)
    return redirect(f"/vacataires/{worker.matricule}/confirmation")


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
