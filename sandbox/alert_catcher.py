"""Alert catcher: where the embedded stack's alerts land when there is no Slack workspace
or mail relay (``make run``, ``make sandbox``).

- a Slack-webhook stand-in: ``POST /slack/<anything>`` stores the JSON message, answers
  ``ok`` as Slack does (Connection ``slack_alerts``);
- an SMTP server (aiosmtpd) on its own port storing each e-mail as an ``.eml`` file
  (Connection ``smtp_alerts``);
- ``GET /``: a French page listing both, newest first; ``GET /messages.json``: the same as JSON.

Port of the page and webhook: ``RPA_ALERT_CATCHER_PORT`` (8026); SMTP:
``RPA_MAIL_CATCHER_PORT`` (8025); messages under ``$RPA_DATA_DIR/sandbox/alertes/``.
"""

from __future__ import annotations

import email
import html
import json
import os
import shutil
import time
from email import policy
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

TITLE = "Alertes reçues (démo)"
PORT_ENV, DEFAULT_PORT = "RPA_ALERT_CATCHER_PORT", 8026
SMTP_PORT_ENV, DEFAULT_SMTP_PORT = "RPA_MAIL_CATCHER_PORT", 8025
SHOWN = 50


def folder() -> Path:
    base = Path(os.environ.get("RPA_DATA_DIR", "").strip() or Path(__file__).resolve().parents[1] / "data")
    return base / "sandbox" / "alertes"


def _store(kind: str, suffix: str, payload: bytes) -> Path:
    target = folder() / kind
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{time.time_ns()}{suffix}"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)
    return path


def messages() -> list[dict[str, Any]]:
    """Every stored message, newest first: {"canal", "recu_le", "titre", "texte", ...}."""
    found: list[dict[str, Any]] = []
    for path in (folder() / "slack").glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        header = next((b["text"]["text"] for b in body.get("blocks", []) if b.get("type") == "header"), "")
        found.append(
            {"canal": "slack", "ns": int(path.stem), "titre": header, "texte": body.get("text", ""), "message": body}
        )
    for path in (folder() / "mails").glob("*.eml"):
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = mail.get_body(preferencelist=("plain",))
        found.append(
            {
                "canal": "email",
                "ns": int(path.stem),
                "titre": str(mail["Subject"]),
                "texte": text.get_content() if text else "",
                "a": str(mail["To"]),
                "de": str(mail["From"]),
            }
        )
    found.sort(key=lambda m: m["ns"], reverse=True)
    for message in found:
        message["recu_le"] = time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(message.pop("ns") / 1e9))
    return found


async def slack_webhook(request: Request) -> PlainTextResponse:
    body = await request.body()
    try:
        json.loads(body)
    except ValueError:
        return PlainTextResponse("invalid_payload", status_code=400)
    _store("slack", ".json", body)
    return PlainTextResponse("ok")


async def page(request: Request) -> HTMLResponse:
    items = messages()[:SHOWN]
    rows = "".join(
        f"<article class='{m['canal']}'><h2>{'Slack' if m['canal'] == 'slack' else 'E-mail'} — "
        f"{html.escape(m['titre'])}</h2><p class='quand'>reçu le {m['recu_le']}"
        + (f" — pour {html.escape(m['a'])}" if m.get("a") else "")
        + f"</p><pre>{html.escape(m['texte'] if m['canal'] == 'email' else _slack_text(m['message']))}</pre></article>"
        for m in items
    )
    empty = "<p>Aucune alerte reçue pour l'instant.</p>"
    return HTMLResponse(
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>"
        f"{TITLE}</title><meta http-equiv='refresh' content='15'></head><body data-page='alertes'>"
        f"<h1>{TITLE}</h1><p>Les {SHOWN} dernières alertes envoyées par les DAG (Slack et e-mail), "
        f"les plus récentes en premier. Dossier : {html.escape(str(folder()))}</p>{rows or empty}</body></html>"
    )


def _slack_text(message: dict[str, Any]) -> str:
    lines = []
    for block in message.get("blocks", []):
        if block.get("type") == "section":
            if "text" in block:
                lines.append(block["text"]["text"])
            lines += [f["text"].replace("\n", " : ", 1) for f in block.get("fields", [])]
        elif block.get("type") == "actions":
            lines += [f"[{e['text']['text']}] {e.get('url', '')}" for e in block.get("elements", [])]
    return "\n".join(lines).replace("*", "")


async def messages_json(request: Request) -> JSONResponse:
    return JSONResponse(messages())


class _MailHandler:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        _store("mails", ".eml", envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


_smtp: Any = None


def start_smtp(host: str, port: int) -> Any:
    """Start the SMTP side (a thread of aiosmtpd's); idempotent."""
    global _smtp
    if _smtp is None:
        from aiosmtpd.controller import Controller

        _smtp = Controller(_MailHandler(), hostname=host, port=port)
        _smtp.start()
    return _smtp


def create_app() -> Starlette:
    """The page and webhook app; also starts the SMTP catcher on its port."""
    host = os.environ.get("RPA_SANDBOX_HOST", "").strip() or "127.0.0.1"
    start_smtp(host, int(os.environ.get(SMTP_PORT_ENV, "").strip() or DEFAULT_SMTP_PORT))
    return Starlette(
        routes=[
            Route("/", page),
            Route("/messages.json", messages_json),
            Route("/slack/{token:path}", slack_webhook, methods=["POST"]),
        ]
    )


def reset() -> None:
    shutil.rmtree(folder(), ignore_errors=True)
