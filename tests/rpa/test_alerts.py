"""Alerts through the providers' notifiers to a real SMTP server (aiosmtpd) and a real HTTP
server standing in for the Slack webhook, both on loopback, captured byte for byte."""

from __future__ import annotations

import csv
import datetime as dt
import email
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from include.processes.election_staff.demo import generate, write
from include.rpa import alerts
from sandbox.common.server import ThreadedServer
from scripts.harness.processes import free_port
from tests.rpa.test_pii import SECRETS
from tests.rpa_settings import robots_file

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "election_staff_onboarding"


class Captured:
    """What the two servers received: raw bytes, in order."""

    def __init__(self) -> None:
        self.slack: list[bytes] = []
        self.mails: list[bytes] = []
        self.lock = threading.Lock()

    def slack_json(self) -> list[dict]:
        return [json.loads(body) for body in self.slack]

    def emails(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in self.mails]

    def all_bytes(self) -> bytes:
        return b"\n".join(self.slack + self.mails)


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[Captured]:
    """A real SMTP server and a real webhook server on loopback, and the two Connections to them."""
    captured = Captured()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with captured.lock:
                captured.mails.append(envelope.original_content or envelope.content)
            return "250 OK"

    smtp_port = free_port()
    smtp = Controller(Handler(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    async def webhook(request: Request) -> PlainTextResponse:
        with captured.lock:
            captured.slack.append(await request.body())
        return PlainTextResponse("ok")

    web = ThreadedServer(Starlette(routes=[Route("/services/{t:path}", webhook, methods=["POST"])])).start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slackwebhook", "host": f"{web.url}/services", "password": "T1/B2/secret"}),
    )
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_ALERTS", smtp_connection(smtp_port))
    yield captured
    web.stop()
    smtp.stop()


def smtp_connection(port: int) -> str:
    extra = {
        "to": "equipe-data@prefecture.example",
        "from_email": "robot@prefecture.example",
        "disable_ssl": True,
        "disable_tls": True,
        "timeout": 5,
        "retry_limit": 0,
    }
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": extra})


@pytest.fixture(scope="module")
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{DAG_ID}.py"))
    dag = bag.dags[DAG_ID]
    for task in dag.tasks:
        task.retry_delay = dt.timedelta(seconds=1)
        task.max_retry_delay = dt.timedelta(seconds=1)
    return dag


@pytest.fixture(autouse=True)
def fast_robot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {"batch_size": 50, "backoff_seconds": 0.01, "max_backoff_seconds": 0.02, "max_attempts": 2}
    monkeypatch.setenv("RPA_ROBOTS_CONFIG", str(robots_file(tmp_path, election_staff_onboarding=settings)))


def department_file(folder: Path, rows: int, share: float, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"vacataires_{seed}.csv"
    write(generate(rows, department="82", defect_share=share, seed=seed), path, manifest_path=folder.parent / "m.json")
    return path


def secrets_of(path: Path) -> set[str]:
    """Every NIR, IBAN and e-mail address of the input file, as written and compact."""
    with path.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    found = set()
    for row in rows[1:]:
        for cell in row:
            compact = re.sub(r"\s", "", cell)
            if "@" in cell or re.fullmatch(r"[12][0-9AB]{12,14}|FR[0-9A-Z]{25}", compact.upper()):
                found |= {cell.strip(), compact}
    return {s for s in found if len(s) >= 8}


def assert_no_secret(captured: Captured, secrets: set[str]) -> None:
    assert secrets, "the scan must have something to look for"
    blob = captured.all_bytes()
    blob += b"".join(
        part.get_content().encode()
        for m in captured.emails()
        for part in m.walk()
        if part.get_content_maintype() == "text"
    )
    for secret in secrets:
        assert secret.encode() not in blob, "personal data in an alert"
        assert secret.encode("cp1252", "ignore") not in blob


def text_and_html(message: email.message.EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None, "an alert e-mail has a plain-text and an HTML part"
    return plain.get_content(), rich.get_content()


# --------------------------------------------------------------------------- masking and rendering


@pytest.mark.parametrize("secret", SECRETS)
def test_every_part_of_an_alert_is_masked(secret: str) -> None:
    alert = alerts.Alert(
        alerts.FAILURE,
        f"DAG {secret}",
        f"Erreur {secret}",
        [(f"Champ {secret}", secret)],
        [f"ligne {secret}"],
        ("Voir", "http://x/y"),
    )
    subject, text, body = alerts.email_parts(alert.masked())
    rendered = json.dumps(alerts.slack_blocks(alert.masked()), ensure_ascii=False) + subject + text + body
    assert secret not in rendered and secret.replace(" ", "") not in rendered.replace(" ", "")


def test_slack_message_has_a_title_fields_and_a_link_button() -> None:
    alert = alerts.Alert(
        alerts.ATTENTION,
        "election_staff_onboarding",
        "3 lignes en quarantaine",
        [("Reçues", "40"), ("En quarantaine", "3")],
        ["Quarantaine — IBAN invalide : 2"],
        ("Voir le traitement dans Airflow", "http://127.0.0.1:8080/dags/x/runs/y"),
    )
    blocks = alerts.slack_blocks(alert)
    assert blocks[0]["type"] == "header" and "À vérifier" in blocks[0]["text"]["text"]
    assert {"type": "mrkdwn", "text": "*En quarantaine*\n3"} in blocks[2]["fields"]
    assert blocks[-1]["elements"][0]["url"] == "http://127.0.0.1:8080/dags/x/runs/y"


# --------------------------------------------------------------------------- through the DAG


def test_a_run_that_fails_after_its_retries_sends_exactly_one_post_and_one_mail(
    dag, tmp_path, channels, live_portal, data_dir
):
    portal = live_portal()
    portal.stop()  # the HR portal is down: every batch fails, is retried twice, then fails
    source = department_file(tmp_path / "envoi", rows=12, share=0.0, seed=91)
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "failed"
    tries = {ti.task_id: ti.try_number for ti in run.get_task_instances()}
    assert tries["enter"] == 3  # retries=2

    assert len(channels.slack) == 1 and len(channels.mails) == 1
    post = channels.slack_json()[0]
    text = json.dumps(post, ensure_ascii=False)
    assert post["blocks"][0]["text"]["text"].startswith("🔴 Échec — election_staff_onboarding")
    assert "enter[0] (essai 3) : EntryIncomplete" in text
    assert "application injoignable" in text and run.run_id in text
    assert re.search(r"dag_id=election_staff_onboarding|/dags/election_staff_onboarding/runs/", text)
    mail = channels.emails()[0]
    assert mail["Subject"] == "[Robots RPA] Échec — election_staff_onboarding"
    plain, rich = text_and_html(mail)
    assert "EntryIncomplete" in plain and "essai 3" in plain and "<h2>" in rich
    assert_no_secret(channels, secrets_of(source))


def test_quarantined_rows_send_counts_by_reason_and_never_the_rows(dag, tmp_path, channels, live_portal):
    live_portal()
    source = department_file(tmp_path / "envoi", rows=20, share=0.10, seed=92)
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "success"
    assert len(channels.slack) == 1 and len(channels.mails) == 1
    text = json.dumps(channels.slack_json()[0], ensure_ascii=False)
    assert "🟠 À vérifier" in text and "2 ligne(s) en quarantaine" in text
    assert "Quarantaine — " in text and "Rapport" in text
    plain, _ = text_and_html(channels.emails()[0])
    assert "En quarantaine : 2" in plain and "report.html" in plain
    assert_no_secret(channels, secrets_of(source))


def test_a_successful_run_sends_one_summary_that_can_be_switched_off(dag, tmp_path, channels, live_portal, monkeypatch):
    live_portal()
    source = department_file(tmp_path / "envoi", rows=6, share=0.0, seed=93)
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "success"
    assert len(channels.slack) == 1 and len(channels.mails) == 1
    plain, _ = text_and_html(channels.emails()[0])
    for line in ("Reçues : 6", "Saisies : 6", "Déjà faites : 0", "En quarantaine : 0", "Minutes gagnées : "):
        assert line in plain
    assert_no_secret(channels, secrets_of(source))

    monkeypatch.setenv(alerts.SUCCESS_SUMMARY_ENV, "false")
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})  # nobody new: success again
    assert str(run.state) == "success"
    assert len(channels.slack) == 1 and len(channels.mails) == 1


def test_a_dataset_check_failure_alerts_as_a_failure_with_its_explanation(dag, tmp_path, channels):
    source = department_file(tmp_path / "envoi", rows=20, share=0.30, seed=94)
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "failed"
    assert len(channels.slack) == 1 and len(channels.mails) == 1
    plain, _ = text_and_html(channels.emails()[0])
    assert "validate (essai 1) : AirflowFailException" in plain
    assert "Part des lignes en quarantaine au plus 20 %" in plain


def test_a_channel_that_is_down_or_missing_never_fails_the_run(
    dag, tmp_path, channels, live_portal, monkeypatch, caplog
):
    live_portal()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_ALERTS", smtp_connection(free_port()))  # nobody listens there
    source = department_file(tmp_path / "envoi", rows=4, share=0.0, seed=95)
    run = dag.test(run_conf={"input_path": str(source), "dry_run": False})
    assert str(run.state) == "success"
    assert len(channels.slack) == 1 and channels.mails == []
    assert "Alerte e-mail non envoyée (ConnectionRefusedError)" in caplog.text

    monkeypatch.delenv("AIRFLOW_CONN_SLACK_ALERTS")
    assert alerts.send(alerts.Alert(alerts.SUCCESS, "t", "s")) == {"slack": "absent", "email": "erreur"}
    assert "Connection slack_alerts absente" in caplog.text


def test_alerts_fire_under_the_cli_dags_test(tmp_path, channels, live_portal):
    """`bin/airflow dags test` (what the data team runs on an ad-hoc file) sends the run's alert."""
    portal = live_portal()
    source = department_file(tmp_path / "envoi", rows=10, share=0.10, seed=96)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(portal.connections())
    env.update({k: os.environ[k] for k in ("AIRFLOW_CONN_SLACK_ALERTS", "AIRFLOW_CONN_SMTP_ALERTS")})
    env["RPA_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [str(REPO / "bin" / "airflow"), "dags", "test", DAG_ID, "--conf", json.dumps({"input_path": str(source)})],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(channels.slack) == 1 and len(channels.mails) == 1
    assert "1 ligne(s) en quarantaine" in json.dumps(channels.slack_json()[0], ensure_ascii=False)
    assert_no_secret(channels, secrets_of(source))
