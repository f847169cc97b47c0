"""CSRF tokens: one per browser session, in a hidden field of every POST form.

The token lives in the signed session cookie; a POST whose ``csrf_token``
field is missing or differs is refused (HTTP 403) before anything else runs.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

FIELD = "csrf_token"
_SESSION_KEY = "csrf"


def token(request: Request) -> str:
    """The session's token, created on first use."""
    value = request.session.get(_SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = value
    return value


def rotate(request: Request) -> str:
    """A new token (at login, so a token seen before login is worthless after)."""
    request.session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[_SESSION_KEY]


def is_valid(request: Request, form: Mapping[str, Any]) -> bool:
    expected = request.session.get(_SESSION_KEY)
    sent = form.get(FIELD)
    if not isinstance(expected, str) or not expected or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def protected(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Refuse a POST whose token is wrong with ``request.app.state.csrf_failure(request)`` (a 403 page).

    Put it above ``login_required`` so the token is checked first.
    """

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            if not is_valid(request, form):
                return request.app.state.csrf_failure(request)
        return await handler(request)

    return wrapper
