"""The run folders served by the ``rpa_reports`` plugin inside Airflow's real API server app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DAG_ID = "election_staff_payment"
RUN_ID = "manual__2027-04-10T08:00:00+00:00"


@pytest.fixture
def api(airflow_db, data_dir: Path):
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    folder = data_dir / "runs" / DAG_ID / RUN_ID
    (folder / "lettres").mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text("<h1>Rapport de paiement</h1>", encoding="utf-8")
    (folder / "lettres" / "WA-2021-000001.html").write_text("<p>Lettre</p>", encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps({"statut": "attention", "received": 12}), encoding="utf-8")
    (data_dir / "secret.txt").write_text("hors des exécutions", encoding="utf-8")
    client = TestClient(create_app(apps="all"))
    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="rh.paie", role="viewer"))
    return client, {"Authorization": f"Bearer {token}"}


def test_a_run_report_is_served_to_an_airflow_user_only(api) -> None:
    client, auth = api
    path = f"/rapports/{DAG_ID}/{RUN_ID.replace('+', '%2B')}/report.html"
    assert client.get(path).status_code == 401
    answer = client.get(path, headers=auth)
    assert answer.status_code == 200
    assert "Rapport de paiement" in answer.text
    assert client.get(path.replace("report.html", "lettres/WA-2021-000001.html"), headers=auth).text == "<p>Lettre</p>"


def test_the_index_and_the_run_listing_link_to_the_files(api) -> None:
    client, auth = api
    index = client.get("/rapports/", headers=auth)
    assert index.status_code == 200
    assert DAG_ID in index.text and "attention" in index.text and "received 12" in index.text
    listing = client.get(f"/rapports/{DAG_ID}/{RUN_ID.replace('+', '%2B')}/", headers=auth)
    assert 'href="report.html"' in listing.text and 'href="lettres/WA-2021-000001.html"' in listing.text


@pytest.mark.parametrize(
    "path",
    [
        f"/rapports/{DAG_ID}/{RUN_ID.replace('+', '%2B')}/..%2F..%2F..%2Fsecret.txt",
        f"/rapports/{DAG_ID}/..%2F..%2Fsecret.txt/",
        f"/rapports/{DAG_ID}/inconnue/report.html",
        f"/rapports/{DAG_ID}/{RUN_ID.replace('+', '%2B')}/absent.html",
    ],
)
def test_nothing_outside_a_run_folder_is_served(api, path: str) -> None:
    client, auth = api
    answer = client.get(path, headers=auth)
    assert answer.status_code == 404
    assert "hors des exécutions" not in answer.text
