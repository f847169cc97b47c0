"""The login and logout pages every portal shares: ``LOGIN_ROUTES`` go first in an app's routes.

The form is the app's ``login.html``; the accounts are the ``users`` table of the app's
database (``request.app.state.db``, a ``sandbox.common.db.Database``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import csrf, sessions
from sandbox.common.accounts import authenticate
from sandbox.common.db import Database
from sandbox.common.pages import redirect, render

EXPIRED = "Votre session a expiré, veuillez vous reconnecter"
LOGGED_OUT = "Vous êtes déconnecté(e)."
BAD_LOGIN = "Identifiant ou mot de passe incorrect"


async def login_page(request: Request) -> Response:
    params = request.query_params
    message = EXPIRED if params.get("expiree") else LOGGED_OUT if params.get("deconnecte") else ""
    return _login_form(request, message=message, next_path=sessions.safe_next(params.get("next")))


def _login_form(
    request: Request, *, message: str = "", error: str = "", next_path: str = "/", username: str = ""
) -> Response:
    return render(
        request,
        "login.html",
        page="login",
        title="Connexion",
        message=message,
        error=error,
        next=next_path,
        username=username,
    )


@csrf.protected
async def login_submit(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = sessions.safe_next(form.get("next"))
    database: Database = request.app.state.db
    with database.session() as db:
        user = authenticate(db, database.user_model, username, password)
        display_name = user.display_name if user else ""
    if user is None:
        return _login_form(request, error=BAD_LOGIN, next_path=next_path, username=username)
    csrf.rotate(request)
    sessions.start(request, request.app.state.sessions, username, display_name)
    return redirect(next_path)


@csrf.protected
async def logout(request: Request) -> Response:
    sessions.end(request, request.app.state.sessions)
    return redirect("/login?deconnecte=1")


LOGIN_ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
