"""Alerts to the data team and the HR agents: Slack (webhook) and e-mail, French, masked.

One alert per run, sent by the run's last step (:func:`alert_run`, called by every DAG's
report task through :func:`include.rpa.tasks.finish_run`): a failure (which steps failed,
the error's class, a one-line French explanation, the try number and a link to the task's log), rows needing attention
(quarantine by reason, reconciliation mismatches by field, records left ``failed``), or a
short success summary (switchable off). Failures reach it from each task's
``on_failure_callback`` (:func:`record_task_failure`, in :func:`alerting_default_args`),
which Airflow calls after the last retry, under the scheduler and in ``airflow dags test``
alike; should the report task itself fail before alerting, its callback sends the alert.

Channels are the official providers' notifiers, through two Connections:

- ``slack_alerts`` (type ``slackwebhook``): :class:`SlackWebhookNotifier`, Block Kit message
  (header, fields, a button to the run);
- ``smtp_alerts`` (type ``smtp``; extra ``to``: the recipients, ``from_email``): the SMTP
  provider's notifier and hook, with a plain-text part next to the HTML one.

A missing Connection skips its channel with one log line; a channel whose server is down is
logged, never fails the task. Every text goes through :func:`mask` (NIR, IBAN and e-mail
addresses removed by pattern, whatever the text) just before it is sent.
"""

from __future__ import annotations

import html
import json
import logging
import os
from dataclasses import dataclass, field, replace
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

from include.rpa.paths import read_json, write_json
from include.rpa.pii import mask_text
from include.rpa.summary import NO_INPUT, RunSummary

log = logging.getLogger(__name__)

SLACK_CONN_ID = "slack_alerts"
SMTP_CONN_ID = "smtp_alerts"
SUCCESS_SUMMARY_ENV = "RPA_ALERT_ON_SUCCESS"  # "false": no message for successful runs
FAILURES_FILE = "alert_failures.json"
SENT_FILE = "alert_sent.json"
DEFAULT_FROM = "robot-rpa@localhost"

FAILURE, ATTENTION, SUCCESS = "echec", "attention", "succes"
_ICONS = {FAILURE: "🔴", ATTENTION: "🟠", SUCCESS: "🟢"}
_LABELS = {FAILURE: "Échec", ATTENTION: "À vérifier", SUCCESS: "Succès"}


def mask(text: object) -> str:
    """The one masking function every alert text goes through (NIR, IBAN, e-mail)."""
    return mask_text("" if text is None else str(text))


@dataclass(frozen=True)
class Alert:
    level: str  # FAILURE, ATTENTION or SUCCESS
    title: str
    summary: str  # one line
    fields: list[tuple[str, str]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # lines: failed steps, reasons, fields
    link: tuple[str, str] | None = None  # (button label, URL)

    def masked(self) -> Alert:
        return replace(
            self,
            title=mask(self.title),
            summary=mask(self.summary),
            fields=[(mask(k), mask(v)) for k, v in self.fields],
            details=[mask(line) for line in self.details],
            link=(mask(self.link[0]), self.link[1]) if self.link else None,
        )

    @property
    def heading(self) -> str:
        return f"{_ICONS[self.level]} {_LABELS[self.level]} — {self.title}"


# --------------------------------------------------------------------------- rendering


def slack_blocks(alert: Alert) -> list[dict[str, Any]]:
    """Block Kit: header, the summary, fields two by two, details, a button to the run."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.heading[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": alert.summary[:3000]}},
    ]
    pairs = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"[:2000]} for k, v in alert.fields]
    for start in range(0, len(pairs), 10):  # Slack: at most 10 fields per section
        blocks.append({"type": "section", "fields": pairs[start : start + 10]})
    if alert.details:
        text = "\n".join(f"• {line}" for line in alert.details)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if alert.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": alert.link[0]}, "url": alert.link[1]}
                ],
            }
        )
    return blocks


def email_parts(alert: Alert) -> tuple[str, str, str]:
    """(subject, plain text, HTML)."""
    subject = f"[Robots RPA] {_LABELS[alert.level]} — {alert.title}"
    lines = [alert.heading, "", alert.summary, ""]
    lines += [f"{k} : {v}" for k, v in alert.fields]
    if alert.details:
        lines += ["", *(f"- {line}" for line in alert.details)]
    if alert.link:
        lines += ["", f"{alert.link[0]} : {alert.link[1]}"]
    text = "\n".join(lines) + "\n"
    rows = "".join(f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in alert.fields)
    details = "".join(f"<li>{html.escape(line)}</li>" for line in alert.details)
    link = f"<p><a href='{html.escape(alert.link[1])}'>{html.escape(alert.link[0])}</a></p>" if alert.link else ""
    body = (
        f"<html><body><h2>{html.escape(alert.heading)}</h2><p>{html.escape(alert.summary)}</p>"
        f"<table>{rows}</table>{f'<ul>{details}</ul>' if details else ''}{link}</body></html>"
    )
    return subject, text, body


# --------------------------------------------------------------------------- sending


def send(alert: Alert) -> dict[str, str]:
    """Send on every configured channel; {channel: "envoye" | "absent" | "erreur"}. Never raises."""
    alert = alert.masked()
    return {"slack": _send_slack(alert), "email": _send_email(alert)}


def _connection(conn_id: str) -> Any | None:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        log.info("Alerte non envoyée sur ce canal : Connection %s absente", conn_id)
        return None


def _send_slack(alert: Alert) -> str:
    if _connection(SLACK_CONN_ID) is None:
        return "absent"
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    try:
        notifier = SlackWebhookNotifier(
            slack_webhook_conn_id=SLACK_CONN_ID, text=f"{alert.heading} : {alert.summary}", blocks=slack_blocks(alert)
        )
        notifier.notify({})
    except Exception as exc:  # a down channel must never fail the task
        log.warning("Alerte Slack non envoyée (%s) : %s", type(exc).__name__, mask(exc)[:300])
        return "erreur"
    return "envoye"


def _send_email(alert: Alert) -> str:
    conn = _connection(SMTP_CONN_ID)
    if conn is None:
        return "absent"
    extra = conn.extra_dejson if conn.extra else {}
    recipients = extra.get("to") or []
    if isinstance(recipients, str):
        recipients = [r.strip() for r in recipients.split(",") if r.strip()]
    if not recipients:
        log.warning('Alerte e-mail non envoyée : aucun destinataire (extra "to" de la Connection %s)', SMTP_CONN_ID)
        return "absent"
    subject, text, body = email_parts(alert)
    try:
        notifier = _smtp_notifier(
            text,
            smtp_conn_id=SMTP_CONN_ID,
            from_email=extra.get("from_email") or DEFAULT_FROM,
            to=recipients,
            subject=subject,
            html_content=body,
            mime_subtype="alternative",
        )
        notifier.notify({})
    except Exception as exc:
        log.warning("Alerte e-mail non envoyée (%s) : %s", type(exc).__name__, mask(exc)[:300])
        return "erreur"
    return "envoye"


def _smtp_notifier(text_content: str, **kwargs: Any) -> Any:
    """The SMTP provider's notifier and hook, with a text/plain part before the HTML one."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    class TextAndHtmlHook(SmtpHook):
        def _build_mime_message(self, *args: Any, **kw: Any) -> Any:
            message, recipients = super()._build_mime_message(*args, **kw)
            message.get_payload().insert(0, MIMEText(text_content, "plain", "utf-8"))
            return message, recipients

    class TextAndHtmlNotifier(SmtpNotifier):
        @property
        def hook(self) -> SmtpHook:
            return TextAndHtmlHook(smtp_conn_id=self.smtp_conn_id, auth_type=self.auth_type)

    return TextAndHtmlNotifier(**kwargs)


# --------------------------------------------------------------------------- wiring into DAGs


def alerting_default_args() -> dict[str, Any]:
    """default_args for every DAG: each task's final failure is recorded for the run's alert."""
    return {"on_failure_callback": [record_task_failure]}


def record_task_failure(context: dict[str, Any]) -> None:
    """on_failure_callback (after the last retry): note the failure in the run folder.

    The report task sends the run's one alert with it. If the failing task is the report
    task itself and the run's alert has not gone yet, send it now.
    """
    try:
        folder, failure = _failure_of(context)
        failures = read_json(folder / FAILURES_FILE) or []
        failures.append(failure)
        write_json(folder / FAILURES_FILE, failures)
        task = context.get("task")
        if getattr(task, "is_teardown", False) and read_json(folder / SENT_FILE) is None:
            ti = context["ti"]
            summary = RunSummary.read(folder) or RunSummary(ti.dag_id, ti.run_id)
            alert_run(folder, summary=replace(summary, dag_id=ti.dag_id, run_id=ti.run_id))
    except Exception as exc:  # a callback must never hide the task's own failure
        log.warning("Échec non enregistré pour l'alerte (%s) : %s", type(exc).__name__, mask(exc)[:300])


def _failure_of(context: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    from include.rpa.paths import run_dir

    ti = context["ti"]
    error = context.get("exception")
    return run_dir(ti.dag_id, ti.run_id), {
        "tache": ti.task_id + (f"[{ti.map_index}]" if getattr(ti, "map_index", -1) not in (-1, None) else ""),
        "essai": getattr(ti, "try_number", None),
        "type": type(error).__name__ if error is not None else "inconnu",
        "explication": explain(error),
        "journal": getattr(ti, "log_url", None),
    }


def explain(error: BaseException | None) -> str:
    """One line of French about an error (its own message when it is one of ours)."""
    from include.rpa.errors import RpaError

    if error is None:
        return "la tâche a échoué sans message"
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, RpaError) or type(error).__name__ in ("AirflowFailException", "EntryIncomplete"):
        return mask(first)[:400]
    if isinstance(error, TimeoutError) or "Timeout" in type(error).__name__:
        return "délai dépassé : la tâche a été arrêtée"
    return f"erreur inattendue ({type(error).__name__}) : {mask(first)[:300]}"


def start_run_alert(folder: Path) -> None:
    """At the start of a run's report task: a new alert is due (a cleared and re-run report sends again)."""
    (folder / SENT_FILE).unlink(missing_ok=True)


def alert_run(folder: Path, *, summary: RunSummary, wait_for_failures: float = 10.0) -> dict[str, str] | None:
    """Build and send the run's alert (once per report); what each channel did, or None if already sent.

    A failed task's callback may still be writing its failure when the report starts (it runs
    once the task's state is known): a failed run waits up to ``wait_for_failures`` seconds for it.
    """
    import time

    if read_json(folder / SENT_FILE) is not None:
        return None
    deadline = time.monotonic() + wait_for_failures
    while summary.failed_run and not (folder / FAILURES_FILE).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    failures = read_json(folder / FAILURES_FILE) or []
    alert = run_alert(summary, failures)
    outcome = {} if alert is None else send(alert)
    write_json(
        folder / SENT_FILE,
        {"niveau": alert.level if alert else None, "canaux": outcome, "echecs": failures},
    )
    (folder / FAILURES_FILE).unlink(missing_ok=True)  # consumed: a re-run reports its own
    return outcome


_COUNT_LABELS = (
    ("received", "Reçues"),
    ("quarantined", "En quarantaine"),
    ("entered", "Saisies"),
    ("skipped_already_done", "Déjà faites"),
    ("rejected", "Refusées"),
    ("failed", "En échec"),
    ("mismatched", "En écart"),
    ("minutes_saved", "Minutes gagnées"),
)


def run_alert(summary: RunSummary, failures: list[dict[str, Any]]) -> Alert | None:
    """The alert a run deserves: failure, attention (quarantine, mismatch, failed records) or success."""
    dag_id, run_id = summary.dag_id, summary.run_id
    link = ("Voir le traitement dans Airflow", run_url(dag_id, run_id))
    counts = [(label, str(value)) for name, label in _COUNT_LABELS if (value := getattr(summary, name)) is not None]
    where = [("Traitement", f"{dag_id} / {run_id}"), ("Rapport", report_url(dag_id, run_id))]
    if failures or summary.failed_run:
        details = [
            f"{f['tache']} (essai {f['essai']}) : {f['type']} — {f['explication']}"
            + (f" — journal : {f['journal']}" if f.get("journal") else "")
            for f in failures
        ]
        known = {f["explication"] for f in failures}
        details += [message for message in summary.errors if message not in known]
        first = failures[0] if failures else None
        summary_line = (
            f"La tâche {first['tache']} a échoué : {first['explication']}" if first else "Le traitement a échoué."
        )
        if first and first.get("journal"):
            link = ("Voir le journal de la tâche", first["journal"])
        return Alert(FAILURE, dag_id, summary_line, where + counts, details, link)
    reasons = [f"Quarantaine — {reason} : {n}" for reason, n in summary.quarantine_reasons.items()]
    fields = [f"Écart — {name} : {n}" for name, n in (summary.mismatch_fields or {}).items()]
    if summary.quarantined or summary.mismatched or summary.failed:
        line = (
            f"{summary.quarantined} ligne(s) en quarantaine, {summary.mismatched} écart(s), "
            f"{summary.failed} en échec : le rapport donne le détail (sans données personnelles)."
        )
        return Alert(ATTENTION, dag_id, line, where + counts, reasons + fields, link)
    if summary.out_of_season:  # a scheduled day outside the process's season: nothing to say
        return None
    if os.environ.get(SUCCESS_SUMMARY_ENV, "true").strip().lower() in ("0", "false", "non", "no", "off"):
        return None
    if summary.status == NO_INPUT:
        return Alert(SUCCESS, dag_id, "Aucun fichier à traiter.", where, [], link)
    return Alert(SUCCESS, dag_id, "Traitement terminé sans anomalie.", where + counts, [], link)


def ui_base_url() -> str:
    """Airflow's public address (``[api] base_url``), without a trailing slash."""
    base = os.environ.get("AIRFLOW__API__BASE_URL", "").rstrip("/")
    if not base:
        try:
            from airflow.configuration import conf

            base = (conf.get("api", "base_url", fallback="") or "").rstrip("/")
        except Exception:
            base = ""
    return base or "http://localhost:8080"


def run_url(dag_id: str, run_id: str) -> str:
    """The run's page in the Airflow UI."""
    from urllib.parse import quote

    return f"{ui_base_url()}/dags/{quote(dag_id)}/runs/{quote(run_id, safe='')}"


def report_url(dag_id: str, run_id: str, file: str = "report.html") -> str:
    """A file of the run's folder as served by the ``rpa_reports`` plugin (behind Airflow's login)."""
    from urllib.parse import quote

    from include.rpa.report_server import URL_PREFIX

    return f"{ui_base_url()}{URL_PREFIX}/{quote(dag_id)}/{quote(run_id, safe='')}/{quote(file)}"


def dumps(alert: Alert) -> str:
    """The alert as JSON (logs and tests)."""
    return json.dumps(alert.masked().__dict__, ensure_ascii=False)
