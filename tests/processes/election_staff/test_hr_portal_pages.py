"""The HR portal's page objects in a real headless Chromium against the real sandbox portal.

One browser for the module. Each portal runs on its own loopback address (127.0.0.1,
127.0.0.2...): cookies are per host, not per port, so two portals on one address would
overwrite each other's session cookie in the shared browser.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.remote.webdriver import WebDriver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from stdnum.fr import nir as stdnum_nir

from include.processes.election_staff.columns import COLUMNS
from include.processes.election_staff.hr_portal import (
    AlreadyRegistered,
    HomePage,
    IdentityStep,
    LoginPage,
    create_worker,
    find_worker,
    log_in,
    portal_date,
    site_choice,
)
from include.rpa.browser import open_browser
from include.rpa.pages import LoginRefused, PageChanged, SessionExpired, TargetRefused, TargetUnavailable
from sandbox.common.env import sqlite_url
from sandbox.common.faults import FaultSettings
from sandbox.common.server import ThreadedServer
from sandbox.hr_portal import HrPortalSettings, create_app
from tests.helpers import VALID_ROW

USER, PASSWORD = "robot.rh", "demo-rh-2027"
DATES = ("date_naissance", "date_debut", "date_fin")
EXPIRED = "Votre session a expiré, veuillez vous reconnecter"
SITES = (
    "Montauban – Salle Eurythmie",
    "Montauban – Hôtel de la préfecture",
    "Castelsarrasin – Salle des fêtes",
    "Moissac – Salle des fêtes",
    "Autre",
)


def nir_for(order: int) -> str:
    """A valid compact NIR of a woman born in October 1995 in Montauban (82121)."""
    body = f"2951082121{order:03d}"
    return body + stdnum_nir.calc_check_digits(body + "00")


def iso(date_fr: str) -> str:
    day, month, year = date_fr.split("/")
    return f"{year}-{month}-{day}"


def valid_row(**overrides: str) -> dict[str, str]:
    """tests.helpers.VALID_ROW as the onboarding hands it on: ISO dates, compact NIR, IBAN and phone."""
    row = {
        **VALID_ROW,
        **{name: iso(VALID_ROW[name]) for name in DATES},
        "nir": VALID_ROW["nir"].replace(" ", ""),
        "iban": VALID_ROW["iban"].replace(" ", ""),
        "telephone": VALID_ROW["telephone"].replace(" ", ""),
    }
    row.update(overrides)
    return row


def demo_rows(count: int, seed: int) -> list[dict[str, str]]:
    """Valid rows of a generated department file, through the onboarding's own intake and rules."""
    from include.processes.election_staff.demo import valid_rows

    return valid_rows(count, seed=seed)


def expected_export(row: dict[str, str], site: str | None = None) -> dict[str, str]:
    """What the portal's export must hold for a row: dates dd/mm/yyyy, the site as chosen."""
    expected = {name: row[name] for name in COLUMNS}
    for name in DATES:
        expected[name] = portal_date(row[name])
    if site is not None:
        expected["site"] = site
    return expected


def export(url: str) -> dict[str, dict[str, str]]:
    """The portal's /export.csv by NIR, fetched with a session of its own."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=10) as http:
        token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text).group(1)
        answer = http.post("/login", data={"username": USER, "password": PASSWORD, "next": "/", "csrf_token": token})
        assert answer.status_code == 303
        answer = http.get("/export.csv")
        assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text), delimiter=";"))
    return {row["nir"]: row for row in rows}


def start_portal(folder: Path, host: str, **faults: float | int) -> ThreadedServer:
    settings = HrPortalSettings(
        db_url=sqlite_url(folder / f"hr_portal_{host}.sqlite"), secret_key="test-secret", faults=FaultSettings(**faults)
    )
    return ThreadedServer(create_app(settings), host=host).start()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with open_browser(label="test-hr-portal") as browser:
        yield browser


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hr_portal_pages")


@pytest.fixture(scope="module")
def portal(folder: Path) -> Iterator[str]:
    server = start_portal(folder, "127.0.0.1")
    yield server.url
    server.stop()


@pytest.fixture
def faulty(folder: Path) -> Iterator:
    """Start a portal with faults on its own loopback address; gives its URL."""
    servers: list[ThreadedServer] = []

    def start(host: str, **faults: float | int) -> str:
        servers.append(start_portal(folder, host, **faults))
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def changed_site() -> Iterator[str]:
    """Static pages that look like the portal's but are not quite (127.0.0.4)."""
    pages = {
        "/login": "<!doctype html><title>Maintenance</title><body><h1>Maintenance en cours</h1></body>",
        "/vacataires/nouveau": (
            '<!doctype html><body data-page="nouveau-identite"><form>'
            '<input id="nom"><input id="nom_usage"><input id="prenom">'
            '<input type="radio" id="sexe-M" name="sexe" value="M">'
            '<input type="radio" id="sexe-F" name="sexe" value="F">'
            '<input id="date_naissance"><input id="lieu_naissance">'  # no "nir" field any more
            '<input type="submit" id="suivant"></form></body>'
        ),
    }

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(pages[request.url.path])

    server = ThreadedServer(Starlette(routes=[Route(path, page) for path in pages]), host="127.0.0.4").start()
    yield server.url
    server.stop()


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("Montauban – Salle Eurythmie", ("Montauban – Salle Eurythmie", "")),
        ("Montauban - salle Eurythmie", ("Montauban – Salle Eurythmie", "")),
        ("  MOISSAC-SALLE DES FETES ", ("Moissac – Salle des fêtes", "")),
        ("Valence – Salle des fêtes", ("Autre", "Valence – Salle des fêtes")),
        ("Montauban", ("Autre", "Montauban")),
        ("", ("Autre", "")),
    ],
)
def test_site_choice(site: str, expected: tuple[str, str]) -> None:
    assert site_choice(list(SITES), site) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("2027-03-29", "29/03/2027"), ("1995-10-15", "15/10/1995"), ("07/04/2027", "07/04/2027")]
)
def test_portal_date(value: str, expected: str) -> None:
    assert portal_date(value) == expected


@pytest.mark.parametrize("value", ["2027-3-29", "29.03.2027", "2027-02-30"])
def test_portal_date_rejects_what_is_not_a_date(value: str) -> None:
    with pytest.raises(ValueError):
        portal_date(value)


# --------------------------------------------------------------------------- against the portal


def test_create_find_and_export_a_worker(driver: WebDriver, portal: str) -> None:
    row = valid_row()
    home = log_in(driver, portal, USER, PASSWORD)
    before = home.worker_count()
    assert home.search(row["nir"]).matricule() is None

    matricule = home.new_worker().fill(row).next().fill(row).next().fill(row).submit().matricule()
    assert re.fullmatch(r"V[0-9]{7}", matricule)
    assert find_worker(driver, portal, row["nir"]) == matricule
    assert find_worker(driver, portal, VALID_ROW["nir"]) == matricule  # spaced as people type it

    stored = export(portal)[row["nir"]]
    # "Montauban - salle Eurythmie" is the portal's option, not "Autre" + free text.
    assert {name: stored[name] for name in COLUMNS} == expected_export(row, site="Montauban – Salle Eurythmie")
    assert (stored["matricule"], stored["cree_par"]) == (matricule, USER)
    assert HomePage.open(driver, portal).worker_count() == before + 1

    with pytest.raises(AlreadyRegistered) as refused:
        create_worker(driver, portal, row)
    assert refused.value.matricule == matricule
    assert refused.value.messages == {"nir": f"Ce NIR est déjà enregistré (matricule {matricule})"}
    assert refused.value.page == "Nouveau vacataire — identité"


def test_a_refused_record_raises_target_refused_and_stores_nothing(driver: WebDriver, portal: str) -> None:
    nir = nir_for(1)
    row = valid_row(nir=nir, iban="FR1520041010050500013M02606")  # key 15, not 14
    log_in(driver, portal, USER, PASSWORD)
    before = export(portal)

    with pytest.raises(TargetRefused) as refused:
        create_worker(driver, portal, row)
    assert not isinstance(refused.value, TargetUnavailable)
    assert refused.value.messages == {"iban": "IBAN invalide : clé de contrôle incorrecte"}
    assert str(refused.value) == (
        "Page « Nouveau vacataire — adresse et banque » : saisie refusée par l'application — "
        "iban : IBAN invalide : clé de contrôle incorrecte"
    )
    assert nir not in str(refused.value)
    assert export(portal) == before
    assert find_worker(driver, portal, nir) is None


def test_an_expired_session_raises_session_expired(driver: WebDriver, faulty) -> None:
    url = faulty("127.0.0.2", session_max_requests=3)
    row = valid_row(nir=nir_for(2))
    log_in(driver, url, USER, PASSWORD)  # request 1: the home page
    assert find_worker(driver, url, row["nir"]) is None  # 2

    with pytest.raises(SessionExpired) as expired:
        create_worker(driver, url, row)  # 3: step 1; its submission is the 4th, redirected to the login page
    assert isinstance(expired.value, TargetUnavailable)
    assert str(expired.value) == (
        "Page « Nouveau vacataire — adresse et banque » : page de connexion affichée à la place : "
        f"session expirée ({EXPIRED})"
    )
    with pytest.raises(SessionExpired):
        find_worker(driver, url, row["nir"])  # no session at all now

    assert export(url) == {}
    assert log_in(driver, url, USER, PASSWORD).worker_count() == 0


def test_a_server_error_raises_target_unavailable(driver: WebDriver, faulty) -> None:
    url = faulty("127.0.0.3", fail_rate=1)
    login = LoginPage.open(driver, url)  # GET /login never fails
    with pytest.raises(TargetUnavailable) as unavailable:
        login.log_in(USER, PASSWORD)
    assert not isinstance(unavailable.value, SessionExpired)
    assert str(unavailable.value).startswith(
        "Page « Accueil » : page d'erreur 500 de l'application : Erreur interne du serveur."
    )
    with pytest.raises(TargetUnavailable, match="page d'erreur 500"):
        find_worker(driver, url, nir_for(3))


def test_an_unreachable_portal_raises_target_unavailable(driver: WebDriver) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.6", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(TargetUnavailable, match=r"^Page « Connexion » : application injoignable"):
        LoginPage.open(driver, f"http://127.0.0.6:{port}")


def test_a_wrong_password_raises_login_refused(driver: WebDriver, portal: str) -> None:
    with pytest.raises(LoginRefused) as refused:
        log_in(driver, portal, USER, "mauvais")
    assert str(refused.value) == "Page « Connexion » : connexion refusée (Identifiant ou mot de passe incorrect)"
    assert not isinstance(refused.value, TargetUnavailable | TargetRefused)


def test_a_lost_confirmation_is_found_by_the_search(driver: WebDriver, faulty) -> None:
    url = faulty("127.0.0.5", lost_confirmation_rate=1)
    row = valid_row(nir=nir_for(4))
    log_in(driver, url, USER, PASSWORD)
    with pytest.raises(TargetUnavailable, match=r"^Page « Dossier créé » : page d'erreur 500"):
        create_worker(driver, url, row)
    matricule = find_worker(driver, url, row["nir"])
    assert matricule == export(url)[row["nir"]]["matricule"]
    with pytest.raises(AlreadyRegistered) as again:
        create_worker(driver, url, row)
    assert again.value.matricule == matricule


def test_a_changed_page_raises_page_changed_naming_page_and_element(driver: WebDriver, changed_site: str) -> None:
    with pytest.raises(PageChanged) as missing_marker:
        LoginPage.open(driver, changed_site)
    assert str(missing_marker.value) == (
        "Page « Connexion » : élément « marqueur de page » introuvable "
        '(css selector=body[data-page="login"]) ; page affichée : pas d\'attribut data-page (/login)'
    )

    step = IdentityStep.open(driver, changed_site)
    with pytest.raises(PageChanged) as missing_field:
        step.fill(valid_row())
    assert str(missing_field.value) == "Page « Nouveau vacataire — identité » : élément « nir » introuvable (id=nir)"
    assert (missing_field.value.element, missing_field.value.locator) == ("nir", ("id", "nir"))


def test_twenty_workers_in_a_row(driver: WebDriver, portal: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = demo_rows(20, seed=82)
    assert len(rows) == 20
    rows[3]["site"] = "Valence – Salle des fêtes"  # not one of the portal's: "Autre" + free text
    log_in(driver, portal, USER, PASSWORD)

    seconds, matricules = [], {}
    for row in rows:
        started = time.perf_counter()
        assert find_worker(driver, portal, row["nir"]) is None
        matricules[row["nir"]] = create_worker(driver, portal, row)
        seconds.append(time.perf_counter() - started)

    stored = export(portal)
    for row in rows:
        assert {name: stored[row["nir"]][name] for name in COLUMNS} == expected_export(row)
        assert stored[row["nir"]]["matricule"] == matricules[row["nir"]]
    assert len(set(matricules.values())) == 20
    with capsys.disabled():
        print(
            f"\nPortail RH : {len(rows)} vacataires (recherche + 3 étapes + confirmation), "
            f"médiane {statistics.median(seconds):.3f} s par vacataire, total {sum(seconds):.1f} s"
        )
