"""A French 500 page for any unexpected exception, without dropping the connection.

Starlette's own handler re-raises after answering, and uvicorn then closes
the keep-alive connection; a legacy app just answers its error page.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.common.faults import send_html

log = logging.getLogger("sandbox")


class ServerErrorPage:
    def __init__(self, app: ASGIApp, error_page: bytes) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await send_html(send, 500, self.error_page)
