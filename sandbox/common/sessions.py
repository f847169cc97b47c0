"""Server-side sessions: who is logged in, since when, how many requests, and
the drafts of multi-step forms.

The browser only holds a signed cookie (Starlette's SessionMiddleware) with
the session id and the CSRF token; everything else stays in this in-memory
store, like the legacy apps it imitates: restarting the app logs everybody
out. The fault settings ``session_ttl`` and ``session_max_requests`` make a
session expire early, which the robot must survive by logging in again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

_SID_KEY = "sid"
# Sessions nobody used for this long are forgotten (memory only; not a fault).
_IDLE_LIMIT = 12 * 3600


@dataclass
class ServerSession:
    sid: str
    username: str
    display_name: str
    created: float
    last_seen: float
    requests: int = 0
    data: dict[str, Any] = field(default_factory=dict)


class SessionStore:
    def __init__(
        self,
        ttl: float | None = None,
        max_requests: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_requests = max_requests
        self._clock = clock
        self._sessions: dict[str, ServerSession] = {}
        self._lock = threading.Lock()

    def open(self, username: str, display_name: str) -> ServerSession:
        now = self._clock()
        session = ServerSession(secrets.token_urlsafe(24), username, display_name, created=now, last_seen=now)
        with self._lock:
            for sid in [s.sid for s in self._sessions.values() if now - s.last_seen > _IDLE_LIMIT]:
                del self._sessions[sid]
            self._sessions[session.sid] = session
        return session

    def close(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def use(self, sid: str) -> ServerSession | None:
        """The live session for one more request, or None if unknown or expired (then dropped)."""
        now = self._clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            expired = (self.ttl is not None and now - session.created > self.ttl) or (
                self.max_requests is not None and session.requests >= self.max_requests
            )
            if expired:
                del self._sessions[sid]
                return None
            session.requests += 1
            session.last_seen = now
            return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def login_url(next_path: str = "/", expired: bool = False) -> str:
    params = {"next": next_path} if next_path and next_path != "/" else {}
    if expired:
        params["expiree"] = "1"
    return "/login" + (f"?{urlencode(params)}" if params else "")


def safe_next(value: object) -> str:
    """A local path to go to after login (never another site)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def start(request: Request, store: SessionStore, username: str, display_name: str) -> ServerSession:
    old = request.session.get(_SID_KEY)
    if isinstance(old, str):
        store.close(old)
    session = store.open(username, display_name)
    request.session[_SID_KEY] = session.sid
    return session


def end(request: Request, store: SessionStore) -> None:
    sid = request.session.pop(_SID_KEY, None)
    if isinstance(sid, str):
        store.close(sid)


def current(request: Request, store: SessionStore) -> ServerSession | RedirectResponse:
    """The logged-in session (counting this request), or a redirect to the login page."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    sid = request.session.get(_SID_KEY)
    if not isinstance(sid, str):
        return RedirectResponse(login_url(here), status_code=303)
    session = store.use(sid)
    if session is None:
        request.session.pop(_SID_KEY, None)
        return RedirectResponse(login_url(here, expired=True), status_code=303)
    return session


def logged_in_user(request: Request) -> ServerSession:
    """The session ``login_required`` found for this request."""
    return request.state.user


Handler = Callable[[Request], Awaitable[Response]]


def login_required(handler: Handler) -> Handler:
    """Run the handler with ``request.state.user`` set, or redirect to the login page.

    The store is ``request.app.state.sessions``.
    """

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        session = current(request, request.app.state.sessions)
        if isinstance(session, Response):
            return session
        request.state.user = session
        return await handler(request)

    return wrapper
