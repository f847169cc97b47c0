"""Fault injection: the misbehaviours of real intranet apps, on demand.

All faults are off by default. They are read from environment variables when
an app is created; each name is looked up under the app's prefix first, then
under ``RPA_SANDBOX_`` (``RPA_HR_PORTAL_FAIL_RATE`` wins over
``RPA_SANDBOX_FAIL_RATE``), so one app can misbehave while the others don't.

``RPA_SANDBOX_FAIL_RATE``
    Share (0..1) of requests answered "500 Erreur interne du serveur" without
    being processed. Never ``GET /login`` (nor the static CSS), so a robot can
    always start over.
``RPA_SANDBOX_LATENCY_MS``
    Milliseconds added to every request (static files aside).
``RPA_SANDBOX_SESSION_TTL``
    Seconds after login at which the session expires (absolute, not idle time).
``RPA_SANDBOX_SESSION_MAX_REQUESTS``
    A session expires after this many authenticated requests: with 3, the
    4th request after login is redirected to the login page with
    "Votre session a expiré, veuillez vous reconnecter".
``RPA_SANDBOX_LOST_CONFIRMATION_RATE``
    Share (0..1) of final submissions of a new record where the record IS
    stored but the answer is a 500 instead of the confirmation page: the
    robot must search before it creates again.
``RPA_SANDBOX_SEED``
    Seed of the app's random generator, for reproducible fault sequences.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.common.env import lookup

EXEMPT_FROM_FAILURES = frozenset({("GET", "/login"), ("HEAD", "/login")})
STATIC_PREFIX = "/static/"


@dataclass(frozen=True)
class FaultSettings:
    fail_rate: float = 0.0
    latency_ms: float = 0.0
    session_ttl: float | None = None
    session_max_requests: int | None = None
    lost_confirmation_rate: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("fail_rate", "lost_confirmation_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, got {self.latency_ms}")
        if self.session_ttl is not None and self.session_ttl <= 0:
            raise ValueError(f"session_ttl must be > 0, got {self.session_ttl}")
        if self.session_max_requests is not None and self.session_max_requests <= 0:
            raise ValueError(f"session_max_requests must be > 0, got {self.session_max_requests}")

    @classmethod
    def from_env(cls, app_prefix: str | None = None, environ: Mapping[str, str] | None = None) -> FaultSettings:
        """Faults of one app: ``<app_prefix>_<NAME>`` wins over ``RPA_SANDBOX_<NAME>``.

        ``0`` turns the session limits off, like leaving them unset.
        """

        def number(name: str, kind: type[float] | type[int]) -> float | int | None:
            raw = lookup(name, app_prefix, environ)
            if raw is None:
                return None
            try:
                return kind(raw)
            except ValueError:
                raise ValueError(f"{name}: not a number: {raw!r}") from None

        ttl = number("SESSION_TTL", float)
        max_requests = number("SESSION_MAX_REQUESTS", int)
        seed = number("SEED", int)
        return cls(
            fail_rate=float(number("FAIL_RATE", float) or 0.0),
            latency_ms=float(number("LATENCY_MS", float) or 0.0),
            session_ttl=float(ttl) if ttl else None,
            session_max_requests=int(max_requests) if max_requests else None,
            lost_confirmation_rate=float(number("LOST_CONFIRMATION_RATE", float) or 0.0),
            seed=int(seed) if seed is not None else None,
        )

    @property
    def active(self) -> list[str]:
        """Human-readable list of the faults turned on (for the start-up banner)."""
        out = []
        if self.fail_rate:
            out.append(f"fail_rate={self.fail_rate}")
        if self.latency_ms:
            out.append(f"latency_ms={self.latency_ms:g}")
        if self.session_ttl:
            out.append(f"session_ttl={self.session_ttl:g}s")
        if self.session_max_requests:
            out.append(f"session_max_requests={self.session_max_requests}")
        if self.lost_confirmation_rate:
            out.append(f"lost_confirmation_rate={self.lost_confirmation_rate}")
        if self.seed is not None:
            out.append(f"seed={self.seed}")
        return out


class FaultInjector:
    """The app's seeded dice."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)
        self._lock = threading.Lock()

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def fail_request(self) -> bool:
        return self._roll(self.settings.fail_rate)

    def lose_confirmation(self) -> bool:
        return self._roll(self.settings.lost_confirmation_rate)


class FaultMiddleware:
    """Outermost ASGI middleware: latency, then random 500s before the app runs."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, error_page: bytes) -> None:
        self.app = app
        self.injector = injector
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        latency = self.injector.settings.latency_ms
        if latency:
            await asyncio.sleep(latency / 1000)
        if (scope["method"], scope["path"]) not in EXEMPT_FROM_FAILURES and self.injector.fail_request():
            await send_html(send, 500, self.error_page)
            return
        await self.app(scope, receive, send)


async def send_html(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
