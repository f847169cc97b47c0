"""The HR portal stand-in over real HTTP: a uvicorn server on a free loopback
port in a background thread (a subprocess for ``python -m sandbox``), httpx
as the client, a temporary SQLite database per module (per test for faults)."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from stdnum.fr import nir as stdnum_nir

from sandbox.common.env import sqlite_url
from sandbox.common.faults import FaultInjector, FaultSettings
from sandbox.common.server import ThreadedServer
from sandbox.hr_portal import HrPortalSettings, create_app
from sandbox.hr_portal.fields import EXPORT_COLUMNS, WORKER_FIELDS
from tests.helpers import SandboxProcess

REPO = Path(__file__).resolve().parents[2]
EXPIRED = "Votre session a expiré, veuillez vous reconnecter"
SERVER_ERROR = "Erreur interne du serveur"
PUBLIC_NIR = "2 95 10 99 126 111 93"
PUBLIC_IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def nir_for(order: int) -> str:
    """A valid NIR of a woman born in October 1995 in Montauban (82121), spaced as people type it."""
    body = f"2951082121{order:03d}"
    number = body + stdnum_nir.calc_check_digits(body + "00")
    return stdnum_nir.format(number)


def compact(value: str) -> str:
    return value.replace(" ", "").upper()


def worker(**overrides: str) -> dict[str, str]:
    values = {
        "nom": "Lefèvre",
        "nom_usage": "Martin",
        "prenom": "Anne-Sophie",
        "sexe": "F",
        "date_naissance": "14/10/1995",
        "lieu_naissance": "Athènes (Grèce)",
        "nir": PUBLIC_NIR,
        "adresse": "12 rue de la République",
        "code_postal": "82000",
        "commune": "Montauban",
        "email": "anne.lefevre@example.fr",
        "telephone": "06 12 34 56 78",
        "iban": PUBLIC_IBAN,
        "bic": "PSSTFRPP",
        "statut": "étudiant",
        "site": "Montauban – Salle Eurythmie",
        "site_autre": "",
        "fonction": "agent de mise sous pli",
        "date_debut": "29/03/2027",
        "date_fin": "07/04/2027",
    }
    values.update(overrides)
    return values


STEPS = (
    ("/vacataires/nouveau", ("nom", "nom_usage", "prenom", "sexe", "date_naissance", "lieu_naissance", "nir")),
    ("/vacataires/nouveau/adresse", ("adresse", "code_postal", "commune", "email", "telephone", "iban", "bic")),
    ("/vacataires/nouveau/affectation", ("statut", "site", "site_autre", "fonction", "date_debut", "date_fin")),
)


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Portal:
    """A browser-like client: cookies kept, redirects not followed."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=10)

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.http.get(path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, str], token: str | None) -> httpx.Response:
        return self.http.post(path, data={**data, **({"csrf_token": token} if token is not None else {})})

    def login(self, username: str = "robot.rh", password: str = "demo-rh-2027") -> httpx.Response:
        token = token_of(self.get("/login").text)
        return self.post("/login", {"username": username, "password": password, "next": "/"}, token)

    def create(self, values: dict[str, str]) -> list[httpx.Response]:
        """The three steps; stops at the first step that does not redirect to the next one."""
        token = token_of(self.get(STEPS[0][0]).text)
        answers = []
        for path, names in STEPS:
            answer = self.post(path, {n: values[n] for n in names}, token)
            answers.append(answer)
            if answer.status_code != 303:
                break
        return answers

    def export(self) -> list[dict[str, str]]:
        answer = self.get("/export.csv")
        assert answer.status_code == 200, answer.text
        return list(csv.DictReader(io.StringIO(answer.text), delimiter=";"))

    def search(self, nir: str) -> httpx.Response:
        return self.get("/recherche", params={"nir": nir})

    def close(self) -> None:
        self.http.close()


def start_server(db_path: Path, **faults: float | int) -> ThreadedServer:
    settings = HrPortalSettings(db_url=sqlite_url(db_path), secret_key="test-secret", faults=FaultSettings(**faults))
    return ThreadedServer(create_app(settings)).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    running = start_server(tmp_path_factory.mktemp("hr_portal") / "hr_portal.sqlite")
    yield running
    running.stop()


@pytest.fixture
def portal(server: ThreadedServer) -> Iterator[Portal]:
    client = Portal(server.url)
    yield client
    client.close()


@pytest.fixture
def robot(portal: Portal) -> Portal:
    assert portal.login().status_code == 303
    return portal


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Callable[..., Portal]]:
    """Start a portal of its own with the given faults; gives a client of it."""
    started: list[tuple[ThreadedServer, Portal]] = []

    def start(**faults: float | int) -> Portal:
        running = start_server(tmp_path / f"faulty{len(started)}.sqlite", **faults)
        client = Portal(running.url)
        started.append((running, client))
        return client

    yield start
    for running, client in started:
        client.close()
        running.stop()


# ----------------------------------------------------------------------------- login, session, CSRF


def test_wrong_password_is_refused_in_french(portal: Portal) -> None:
    answer = portal.login(password="mauvais")
    assert answer.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in answer.text
    assert 'data-page="login"' in answer.text
    assert portal.get("/").status_code == 303


PROTECTED = ["/", "/recherche?nir=1", "/vacataires/nouveau", "/export.csv", "/vacataires/V0000001"]


@pytest.mark.parametrize("path", PROTECTED)
def test_pages_redirect_to_login_without_a_session(portal: Portal, path: str) -> None:
    answer = portal.get(path)
    assert answer.status_code == 303
    expected = "/login" if path == "/" else f"/login?{urlencode({'next': path})}"
    assert answer.headers["location"] == expected
    login = portal.get(answer.headers["location"])
    assert login.status_code == 200
    assert 'id="page-title">Connexion<' in login.text
    assert EXPIRED not in login.text


def test_login_goes_back_to_the_page_asked_for(portal: Portal) -> None:
    location = portal.get("/recherche").headers["location"]
    page = portal.get(location)
    next_path = re.search(r'name="next" id="next" value="([^"]*)"', page.text).group(1)
    answer = portal.post(
        "/login", {"username": "agent.rh", "password": "demo-agent-2027", "next": next_path}, token_of(page.text)
    )
    assert answer.headers["location"] == "/recherche"
    assert 'data-page="recherche"' in portal.get("/recherche").text


def test_post_without_or_with_a_wrong_csrf_token_is_403(robot: Portal) -> None:
    identity = {n: worker(nir=nir_for(1))[n] for n in STEPS[0][1]}
    for token in (None, "", "forged-token"):
        answer = robot.post("/vacataires/nouveau", identity, token)
        assert answer.status_code == 403
        assert "Jeton de sécurité (CSRF) absent ou invalide" in answer.text
    assert robot.post("/logout", {}, None).status_code == 403
    assert "Aucun vacataire trouvé pour ce NIR" in robot.search(nir_for(1)).text


def test_login_form_needs_its_csrf_token(portal: Portal) -> None:
    portal.get("/login")
    answer = portal.post("/login", {"username": "robot.rh", "password": "demo-rh-2027"}, None)
    assert answer.status_code == 403
    assert portal.get("/").status_code == 303


def test_logout_ends_the_session(robot: Portal) -> None:
    home = robot.get("/")
    assert 'data-page="accueil"' in home.text
    answer = robot.post("/logout", {}, token_of(home.text))
    assert answer.status_code == 303
    assert "Vous êtes déconnecté(e)" in robot.get(answer.headers["location"]).text
    assert robot.get("/").status_code == 303


def test_unknown_page_is_a_french_404(robot: Portal) -> None:
    assert "Page introuvable" in robot.get("/nulle-part").text
    answer = robot.get("/vacataires/V9999999")
    assert answer.status_code == 404
    assert "n'existe pas" in answer.text.replace("&#39;", "'")


# ----------------------------------------------------------------------------- creation, detail, export, search


def test_full_creation_gives_a_matricule_shown_everywhere(robot: Portal) -> None:
    values = worker()  # the public NIR and IBAN examples
    answers = robot.create(values)
    assert [a.status_code for a in answers] == [303, 303, 303]
    location = answers[-1].headers["location"]
    matricule = re.fullmatch(r"/vacataires/(V[0-9]{7})/confirmation", location).group(1)

    confirmation = robot.get(location)
    assert 'data-page="confirmation"' in confirmation.text
    assert f'Dossier créé : matricule <b id="matricule">{matricule}</b>' in confirmation.text

    expected = {**values, "nir": compact(PUBLIC_NIR), "iban": compact(PUBLIC_IBAN), "telephone": "0612345678"}
    del expected["site_autre"]
    detail = robot.get(f"/vacataires/{matricule}")
    assert 'data-page="detail"' in detail.text
    shown = dict(re.findall(r'<td id="valeur-([a-z_]+)">([^<]*)</td>', detail.text))
    assert shown["matricule"] == matricule
    for name in WORKER_FIELDS:
        value = shown[name].replace("&#39;", "'")
        if name in ("nir", "iban"):
            value = compact(value)
        if name == "sexe":
            value = value.split()[0]
        assert value == expected[name], name

    export = robot.get("/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.text.splitlines()[0] == ";".join(EXPORT_COLUMNS)
    rows = [r for r in robot.export() if r["nir"] == compact(PUBLIC_NIR)]
    assert len(rows) == 1
    assert rows[0]["matricule"] == matricule
    assert rows[0]["cree_par"] == "robot.rh"
    for name in WORKER_FIELDS:
        assert rows[0][name] == expected[name], name

    found = robot.search(PUBLIC_NIR)  # with spaces
    assert f'href="/vacataires/{matricule}"' in found.text
    assert "Lefèvre" in found.text
    assert f'href="/vacataires/{matricule}"' in robot.search(compact(PUBLIC_NIR).lower()).text


def test_other_site_is_stored_as_typed(robot: Portal) -> None:
    answers = robot.create(worker(nir=nir_for(2), site="Autre", site_autre="Albi – Gymnase Rascol"))
    assert answers[-1].status_code == 303
    assert [r["site"] for r in robot.export() if r["nir"] == compact(nir_for(2))] == ["Albi – Gymnase Rascol"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nir", "2 55 08 14 168 025 00", "NIR invalide : clé de contrôle incorrecte"),
        ("date_naissance", "31/02/1990", "Date invalide (format attendu jj/mm/aaaa)"),
        ("iban", "FR15 2004 1010 0505 0001 3M02 606", "IBAN invalide : clé de contrôle incorrecte"),
        ("date_debut", "08/04/2027", "La date de fin doit être postérieure ou égale à la date de début"),
        ("code_postal", "8200", "Code postal invalide (5 chiffres attendus)"),
        ("email", "anne.lefevre@", "Adresse e-mail mal formée"),
        ("prenom", "  ", "Ce champ est obligatoire"),
        ("sexe", "M", "NIR incohérent avec le sexe déclaré"),
    ],
)
def test_invalid_values_are_refused_in_french_and_nothing_is_stored(
    robot: Portal, field: str, value: str, message: str
) -> None:
    values = worker(**{"nir": nir_for(10 + len(field) + len(value)), field: value})
    nir = values["nir"]
    answers = robot.create(values)
    refused = answers[-1]
    assert refused.status_code == 200
    assert message in refused.text.replace("&#39;", "'")
    assert 'id="erreurs"' in refused.text
    # Redisplayed with what was typed.
    redisplayed = dict(re.findall(r'<input type="text" id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', refused.text))
    for name in redisplayed:
        assert redisplayed[name].replace("&#39;", "'") == values[name].strip()
    assert "Aucun vacataire trouvé pour ce NIR" in robot.search(nir).text
    assert compact(nir) not in {r["nir"] for r in robot.export()}


def test_the_same_nir_twice_is_refused(robot: Portal, server: ThreadedServer) -> None:
    nir = nir_for(900)
    first = robot.create(worker(nir=nir))
    matricule = first[-1].headers["location"].split("/")[2]

    again = robot.create(worker(nir=nir, prenom="Autre"))
    assert len(again) == 1
    assert f"Ce NIR est déjà enregistré (matricule {matricule})" in again[0].text

    # Two agents past step 1 with the same NIR at the same time: the second final submit is refused.
    other = Portal(server.url)
    try:
        other.login(username="agent.rh", password="demo-agent-2027")
        nir = nir_for(901)
        token_a, token_b = token_of(robot.get(STEPS[0][0]).text), token_of(other.get(STEPS[0][0]).text)
        values = worker(nir=nir)
        for path, names in STEPS[:2]:
            data = {n: values[n] for n in names}
            assert robot.post(path, data, token_a).status_code == 303
            assert other.post(path, data, token_b).status_code == 303
        last_path, last_names = STEPS[2]
        data = {n: values[n] for n in last_names}
        assert robot.post(last_path, data, token_a).status_code == 303
        refused = other.post(last_path, data, token_b)
        assert refused.status_code == 200
        assert "Ce NIR est déjà enregistré (matricule V" in refused.text
    finally:
        other.close()
    nirs = [r["nir"] for r in robot.export()]
    assert nirs.count(compact(nir_for(900))) == 1
    assert nirs.count(compact(nir_for(901))) == 1


def test_later_steps_need_the_earlier_ones(robot: Portal) -> None:
    robot.get("/vacataires/nouveau")  # a new, empty draft
    assert robot.get("/vacataires/nouveau/affectation").headers["location"] == "/vacataires/nouveau"
    assert robot.get("/vacataires/nouveau/adresse").headers["location"] == "/vacataires/nouveau"


# ----------------------------------------------------------------------------- faults


def test_fail_rate_one_answers_500_to_everything_but_the_login_page(faulty: Callable[..., Portal]) -> None:
    portal = faulty(fail_rate=1.0)
    login = portal.get("/login")
    assert login.status_code == 200
    token = token_of(login.text)
    assert portal.get("/static/style.css").status_code == 200
    answers = [
        portal.post("/login", {"username": "robot.rh", "password": "demo-rh-2027"}, token),
        portal.get("/"),
        portal.get("/recherche", params={"nir": PUBLIC_NIR}),
        portal.get("/vacataires/nouveau"),
        portal.get("/export.csv"),
        portal.get("/vacataires/V0000001"),
        portal.post("/logout", {}, token),
    ]
    for answer in answers:
        assert answer.status_code == 500, answer.request.url
        assert SERVER_ERROR in answer.text
    assert portal.get("/login").status_code == 200


def test_session_expires_after_max_requests(faulty: Callable[..., Portal]) -> None:
    portal = faulty(session_max_requests=3)
    assert portal.login().status_code == 303
    for path in ("/", "/recherche", "/vacataires/nouveau"):
        assert portal.get(path).status_code == 200, path
    fourth = portal.get("/")
    assert fourth.status_code == 303
    assert fourth.headers["location"].startswith("/login")
    assert EXPIRED in portal.get(fourth.headers["location"]).text
    assert portal.login().status_code == 303
    assert portal.get("/").status_code == 200


def test_session_expires_after_its_ttl(faulty: Callable[..., Portal]) -> None:
    portal = faulty(session_ttl=0.5)
    portal.login()
    assert portal.get("/").status_code == 200
    time.sleep(0.6)
    expired = portal.get("/recherche")
    assert expired.status_code == 303
    assert EXPIRED in portal.get(expired.headers["location"]).text


def test_lost_confirmation_stores_the_worker_but_answers_500(faulty: Callable[..., Portal]) -> None:
    portal = faulty(lost_confirmation_rate=1.0)
    portal.login()
    answers = portal.create(worker())
    assert [a.status_code for a in answers] == [303, 303, 500]
    assert SERVER_ERROR in answers[-1].text
    assert [r["nir"] for r in portal.export()] == [compact(PUBLIC_NIR)]
    assert 'class="resultat"' in portal.search(PUBLIC_NIR).text
    # Retrying blindly is refused: the robot must search first.
    assert "Ce NIR est déjà enregistré (matricule V0000001)" in portal.create(worker())[0].text


def test_latency_is_added_to_every_request(faulty: Callable[..., Portal]) -> None:
    portal = faulty(latency_ms=300)
    for path in ("/login", "/"):
        started = time.perf_counter()
        portal.get(path)
        assert time.perf_counter() - started >= 0.3


def test_seeded_faults_are_reproducible() -> None:
    def draws(seed: int) -> list[bool]:
        injector = FaultInjector(FaultSettings(fail_rate=0.5, seed=seed))
        return [injector.fail_request() for _ in range(50)]

    assert draws(2027) == draws(2027)
    assert draws(2027) != draws(2028)
    assert 10 < sum(draws(2027)) < 40


def test_fault_settings_from_env_prefer_the_app_prefix() -> None:
    environ = {
        "RPA_SANDBOX_FAIL_RATE": "0.5",
        "RPA_HR_PORTAL_FAIL_RATE": "0",
        "RPA_SANDBOX_LATENCY_MS": "150",
        "RPA_SANDBOX_SESSION_MAX_REQUESTS": "20",
        "RPA_HR_PORTAL_SESSION_TTL": "",
        "RPA_SANDBOX_SEED": "7",
    }
    faults = FaultSettings.from_env("RPA_HR_PORTAL", environ)
    assert faults == FaultSettings(latency_ms=150, session_max_requests=20, seed=7)
    assert FaultSettings.from_env("RPA_PAYROLL_PORTAL", environ).fail_rate == 0.5
    assert FaultSettings.from_env("RPA_HR_PORTAL", {}) == FaultSettings()
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultSettings.from_env("RPA_HR_PORTAL", {"RPA_SANDBOX_FAIL_RATE": "2"})


def test_settings_from_env_default_to_the_data_dir(tmp_path: Path) -> None:
    settings = HrPortalSettings.from_env({"RPA_DATA_DIR": str(tmp_path)})
    assert settings.db_url == sqlite_url(tmp_path / "sandbox" / "hr_portal.sqlite")
    assert HrPortalSettings.from_env({"RPA_HR_PORTAL_DB_URL": "sqlite:///x.db"}).db_url == "sqlite:///x.db"
    assert HrPortalSettings.from_env({"RPA_SANDBOX_SECRET": "s"}).secret_key == "s"


# ----------------------------------------------------------------------------- python -m sandbox


def test_python_m_sandbox_serves_then_stops_on_sigint(tmp_path: Path) -> None:
    # A worker in the database beforehand, which --reset must remove.
    data_dir = tmp_path / "data"
    settings = HrPortalSettings(db_url=sqlite_url(data_dir / "sandbox" / "hr_portal.sqlite"), secret_key="x")
    with ThreadedServer(create_app(settings)) as before:
        client = Portal(before.url)
        client.login()
        assert client.create(worker())[-1].status_code == 303
        client.close()

    sandbox = SandboxProcess("hr_portal", data_dir)
    try:
        portal = sandbox.client(Portal)
        assert portal.login().status_code == 303
        assert portal.export() == []  # --reset emptied the database
        portal.close()
        output = sandbox.interrupt()
    finally:
        sandbox.kill()
    assert f"{sandbox.url}/" in output
    assert "robot.rh / demo-rh-2027" in output
