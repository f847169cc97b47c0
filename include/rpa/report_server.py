"""The run folders over HTTP, inside Airflow's API server (plugin ``plugins/rpa_reports.py``).

So that a report, an approval request or an alert can carry a link an agent clicks:

    GET /rapports/                               the processes and their last runs (statut, counts)
    GET /rapports/{dag_id}/{run_id}/             the run folder's files
    GET /rapports/{dag_id}/{run_id}/{path}       one file: report.html, allowances.csv, lettres/..., captures/...

Airflow adds no authentication to a plugin's app: every route resolves the caller's Airflow
identity (the UI's session cookie, or a bearer token) and asks the auth manager whether
they may read the DAG's runs, as the core API does. Reports hold personal data (masked
where they can be); a run folder is only ever served below ``<RPA_DATA_DIR>/runs``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from include.rpa.paths import data_dir

URL_PREFIX = "/rapports"
RECENT_RUNS = 30
HIDDEN_SUFFIXES = (".tmp",)

_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}.echec{{color:#b00}}.attention{{color:#a60}}
.succes{{color:#070}}</style></head><body><h1>{title}</h1>{body}</body></html>"""


def _runs_root() -> Path:
    return (data_dir() / "runs").resolve()


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body))


def _dag_runs_readable(dag_id: str, user) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=user
    )


async def _user(request: Request):
    """The caller's Airflow identity, as the core API resolves it (401 without one)."""
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    credentials = await bearer_scheme(request)
    return await get_user(request, None, credentials)


User = Annotated[object, Depends(_user)]


def _run_folder(dag_id: str, run_id: str, user) -> Path:
    if not _dag_runs_readable(dag_id, user):
        raise HTTPException(status_code=403, detail="Accès refusé aux exécutions de ce traitement")
    root = _runs_root()
    folder = (root / dag_id / run_id).resolve()
    if folder.parent.parent != root or not folder.is_dir():
        raise HTTPException(status_code=404, detail="Exécution inconnue")
    return folder


def _summary(folder: Path) -> dict:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def create_app() -> FastAPI:
    app = FastAPI(title="Rapports des robots", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index(user: User) -> HTMLResponse:
        root = _runs_root()
        sections = []
        dags = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        for dag in dags:
            if not _dag_runs_readable(dag.name, user):
                continue
            runs = sorted((p for p in dag.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
            rows = []
            for run in runs[:RECENT_RUNS]:
                summary = _summary(run)
                statut = str(summary.get("statut", "en cours"))
                counts = ", ".join(
                    f"{key} {summary[key]}"
                    for key in ("received", "quarantined", "entered", "verified", "mismatched", "failed")
                    if key in summary
                )
                href = f"{quote(dag.name)}/{quote(run.name, safe='')}/"
                rows.append(
                    f'<tr><td><a href="{href}">{html.escape(run.name)}</a></td>'
                    f'<td class="{html.escape(statut)}">{html.escape(statut)}</td><td>{html.escape(counts)}</td>'
                    f'<td><a href="{href}report.html">rapport</a></td></tr>'
                )
            sections.append(
                f"<h2>{html.escape(dag.name)}</h2><table><tr><th>exécution</th><th>statut</th><th>comptes</th>"
                f"<th></th></tr>{''.join(rows)}</table>"
            )
        return _page("Rapports des robots", "".join(sections) or "<p>Aucune exécution pour l'instant.</p>")

    @app.get("/{dag_id}/{run_id}/", response_class=HTMLResponse)
    def run_files(dag_id: str, run_id: str, user: User) -> HTMLResponse:
        folder = _run_folder(dag_id, run_id, user)
        items = []
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(HIDDEN_SUFFIXES):
                relative = path.relative_to(folder).as_posix()
                items.append(f'<li><a href="{quote(relative)}">{html.escape(relative)}</a></li>')
        return _page(f"{dag_id} — {run_id}", f"<ul>{''.join(items)}</ul>")

    @app.get("/{dag_id}/{run_id}/{path:path}")
    def run_file(dag_id: str, run_id: str, path: str, user: User) -> FileResponse:
        folder = _run_folder(dag_id, run_id, user)
        target = (folder / path).resolve()
        if not target.is_relative_to(folder) or not target.is_file() or target.name.endswith(HIDDEN_SUFFIXES):
            raise HTTPException(status_code=404, detail="Fichier inconnu")
        return FileResponse(target)

    return app
