"""Page handlers the portals build the same way: home page, search, a stored record's
page, CSV export, and the draft of a creation typed over several screens.

Each maker returns a handler for a ``Route`` (``login_required`` included); what
differs between the apps (the repository query, the template, the title) is passed in.
The database is the app's (``request.app.state.db``, a ``sandbox.common.db.Database``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.db import Database
from sandbox.common.pages import csv_download, error_page, redirect, render, server_error
from sandbox.common.sessions import Handler, logged_in_user, login_required


def app_db(request: Request) -> Database:
    return request.app.state.db


def home_page(count: Callable[[Session], int]) -> Handler:
    """``accueil.html`` with ``total``, the number of stored records."""

    @login_required
    async def home(request: Request) -> Response:
        with app_db(request).session() as db:
            total = count(db)
        return render(request, "accueil.html", page="accueil", title="Accueil", total=total)

    return home


def search_page(param: str, find: Callable[[Request, str], Iterable[Any]], *, title: str, results: str) -> Handler:
    """``recherche.html``: the query parameter ``param`` (also its context name, "" if absent),
    ``searched`` (whether it was given) and the list ``results`` found by ``find`` (for a
    non-blank query)."""

    @login_required
    async def search(request: Request) -> Response:
        value = request.query_params.get(param)
        found: list[Any] = list(find(request, value)) if value and value.strip() else []
        context = {param: value or "", "searched": value is not None, results: found}
        return render(request, "recherche.html", page="recherche", title=title, **context)

    return search


def record_page(
    get: Callable[[Session, str], Any],
    param: str,
    template: str,
    *,
    page: str,
    title: str | Callable[[Any], str],
    name: str,
    **context: Any,
) -> Handler:
    """The record ``get(db, path parameter param)`` shown by ``template`` as ``name`` (404 if none)."""

    @login_required
    async def show(request: Request) -> Response:
        with app_db(request).session() as db:
            row = get(db, request.path_params[param])
        if row is None:
            return error_page(request, 404)
        shown = title(row) if callable(title) else title
        return render(request, template, page=page, title=shown, **{name: row}, **context)

    return show


def csv_export(rows: Callable[[Session], Iterable[Any]], to_csv: Callable[[Any], str], filename: str) -> Handler:
    """Every stored record as the CSV attachment ``filename``."""

    @login_required
    async def export_csv(request: Request) -> Response:
        with app_db(request).session() as db:
            body = to_csv(rows(db))
        return csv_download(body, filename)

    return export_csv


def confirmed(request: Request, url: str) -> Response:
    """The redirect to the stored record's confirmation page, unless the "lost
    confirmation" fault eats it: the record is stored, only the answer is lost (a 500),
    so the robot must look before retrying."""
    if request.app.state.faults.lose_confirmation():
        return server_error(request)
    return redirect(url)


class Draft:
    """A record typed over several screens, kept in the server session
    (``user.data[key]``) as one dict of cleaned values per screen, named by ``parts``:
    (part name, path of the screen that fills it), in order."""

    def __init__(self, key: str, parts: Sequence[tuple[str, str]]) -> None:
        self.key = key
        self.parts = tuple(parts)

    def get(self, request: Request) -> dict[str, dict[str, str]]:
        return logged_in_user(request).data.setdefault(self.key, {})

    def start(self, request: Request, **parts: dict[str, str]) -> None:
        """A new draft (opening screen 1), holding ``parts`` if given."""
        logged_in_user(request).data[self.key] = dict(parts)

    def missing(self, request: Request, number: int) -> Response | None:
        """The redirect to the first earlier screen the draft lacks before screen ``number``, or None."""
        draft = self.get(request)
        for part, path in self.parts[: number - 1]:
            if part not in draft:
                return redirect(path)
        return None

    def finish(self, request: Request, url: str) -> Response:
        """The record is stored: an empty draft, then ``confirmed``."""
        self.start(request)
        return confirmed(request, url)
