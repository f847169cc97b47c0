"""Pages of the payroll portal. Every page but the login needs a session; every
POST checks the CSRF token first (403 otherwise).

A worker's payroll file ("dossier") is the HR portal's worker, read from the HR
database by matricule; its allowances are the payroll portal's own. A new allowance
takes one POST, refused when the worker already has one for that round of voting.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import csrf
from sandbox.common.handlers import app_db, confirmed, csv_export, home_page, search_page
from sandbox.common.login import LOGIN_ROUTES
from sandbox.common.pages import error_page, render
from sandbox.common.sessions import logged_in_user, login_required
from sandbox.hr_portal.models import Worker
from sandbox.payroll_portal import export, repository
from sandbox.payroll_portal.fields import LABELS, MODES, OPTIONAL, SCRUTINS, YES_NO
from sandbox.payroll_portal.validation import Checked, check_allowance
from sandbox.payroll_portal.workers import HrWorkers

FORM_ERROR = "_form"


def _workers(request: Request) -> HrWorkers:
    return request.app.state.workers


# ----------------------------------------------------------------------------- consultation


home = home_page(repository.count)
search = search_page(
    "q", lambda request, query: _workers(request).search(query), title="Rechercher un dossier", results="workers"
)
export_csv = csv_export(repository.all_allowances, export.to_csv, "indemnites.csv")


@login_required
async def dossier(request: Request) -> Response:
    worker = _workers(request).get(request.path_params["matricule"])
    if worker is None:
        return error_page(request, 404)
    with app_db(request).session() as db:
        allowances = list(repository.of_worker(db, str(worker.matricule)))
    title = f"Dossier de paie {worker.matricule}"
    return render(request, "dossier.html", page="dossier", title=title, worker=worker, allowances=allowances)


@login_required
async def confirmation(request: Request) -> Response:
    with app_db(request).session() as db:
        allowance = repository.get(db, request.path_params["numero"])
    if allowance is None:
        return error_page(request, 404)
    worker = _workers(request).get(allowance.matricule)
    return render(
        request,
        "confirmation.html",
        page="confirmation",
        title="Indemnité enregistrée",
        allowance=allowance,
        worker=worker,
    )


# ----------------------------------------------------------------------------- new allowance


def _allowance_form(request: Request, worker: Worker, checked: Checked | None = None) -> Response:
    context: dict[str, Any] = {
        "labels": LABELS,
        "optional": OPTIONAL,
        "values": checked.values if checked else {},
        "errors": checked.errors if checked else {},
        "scrutins": SCRUTINS,
        "modes": MODES,
        "yes_no": YES_NO,
    }
    title = f"Nouvelle indemnité — dossier {worker.matricule}"
    return render(request, "nouvelle_indemnite.html", page="nouvelle-indemnite", title=title, worker=worker, **context)


@csrf.protected
@login_required
async def new_allowance(request: Request) -> Response:
    worker = _workers(request).get(request.path_params["matricule"])
    if worker is None:
        return error_page(request, 404)
    if request.method == "GET":
        return _allowance_form(request, worker)
    checked = check_allowance(await request.form())
    matricule, scrutin = str(worker.matricule), checked.values["scrutin"]
    if scrutin in SCRUTINS:
        with app_db(request).session() as db:
            existing = repository.numero_for(db, matricule, scrutin)
        if existing:
            checked.fail(FORM_ERROR, "doublon", numero=existing)
    if not checked.ok or checked.allowance is None:
        return _allowance_form(request, worker, checked)
    try:
        with app_db(request).session() as db:
            allowance = repository.create(db, worker, checked.allowance, created_by=logged_in_user(request).username)
    except repository.DuplicateAllowance as duplicate:
        checked.fail(FORM_ERROR, "doublon", numero=duplicate.numero)
        return _allowance_form(request, worker, checked)
    return confirmed(request, f"/indemnites/{allowance.numero}/confirmation")


ROUTES = [
    *LOGIN_ROUTES,
    Route("/", home, methods=["GET"]),
    Route("/recherche", search, methods=["GET"]),
    Route("/export.csv", export_csv, methods=["GET"]),
    Route("/dossiers/{matricule}", dossier, methods=["GET"]),
    Route("/dossiers/{matricule}/indemnites/nouvelle", new_allowance, methods=["GET", "POST"]),
    Route("/indemnites/{numero}/confirmation", confirmation, methods=["GET"]),
]
