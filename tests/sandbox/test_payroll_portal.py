"""The payroll portal stand-in over real HTTP: a uvicorn server on a free loopback port in
a background thread (a subprocess for ``python -m sandbox``), httpx as the client. The
workers come from an HR portal database written with the HR portal's own repository (as
the HR portal would); each server gets its own temporary payroll database."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from schwifty import IBAN
from sqlalchemy import text, update
from sqlalchemy.exc import OperationalError
from stdnum.fr import nir as stdnum_nir

from sandbox.__main__ import parse_args
from sandbox.common.env import sqlite_url
from sandbox.common.faults import FaultInjector, FaultSettings
from sandbox.common.server import ThreadedServer
from sandbox.hr_portal import repository as hr_repository
from sandbox.hr_portal.db import Database as HrDatabase
from sandbox.hr_portal.models import Worker
from sandbox.payroll_portal import PayrollPortalSettings, create_app, formats, repository
from sandbox.payroll_portal.db import Database
from sandbox.payroll_portal.fields import EXPORT_COLUMNS
from sandbox.payroll_portal.validation import check_allowance, parse_decimal
from sandbox.payroll_portal.workers import HrWorkers
from sandbox.registry import APPS
from scripts.harness.app_client import AppClient, token_of
from scripts.harness.sandbox_apps import LiveApp, LiveApps, SandboxProcess

REPO = Path(__file__).resolve().parents[2]
EXPIRED = "Votre session a expiré, veuillez vous reconnecter"
SERVER_ERROR = "Erreur interne du serveur"
PUBLIC_NIR = "2 95 10 99 126 111 93"
PUBLIC_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
CONFIRMATION = re.compile(r"/indemnites/(I[0-9]{7})/confirmation")


def nir_for(order: int) -> str:
    """A valid NIR of a woman born in October 1995 in Montauban (82121), compact."""
    body = f"2951082121{order:03d}"
    return body + stdnum_nir.calc_check_digits(body + "00")


def compact(value: str) -> str:
    return value.replace(" ", "").upper()


class HrDirectory:
    """The HR portal's database, workers written with the HR portal's repository."""

    def __init__(self, path: Path) -> None:
        self.url = sqlite_url(path)
        self.db = HrDatabase(self.url)
        self.db.create()
        self._order = 0

    def add(self, **overrides: str) -> Worker:
        self._order += 1
        values = {
            "nom": "Lefèvre",
            "nom_usage": "Martin",
            "prenom": f"Anne-Sophie {self._order}",
            "sexe": "F",
            "date_naissance": "14/10/1995",
            "lieu_naissance": "Montauban",
            "nir": nir_for(self._order),
            "adresse": "12 rue de la République",
            "code_postal": "82000",
            "commune": "Montauban",
            "email": "",
            "telephone": "",
            "iban": IBAN.generate("FR", bank_code="30006", account_code=f"{self._order:011d}").compact,
            "bic": "AGRIFRPPXXX",
            "statut": "étudiant",
            "site": "Montauban – Salle Eurythmie",
            "fonction": "agent de mise sous pli",
            "date_debut": "29/03/2027",
            "date_fin": "07/04/2027",
            **overrides,
        }
        with self.db.session() as session:
            return hr_repository.create(session, values, created_by="robot.rh")

    def set_iban(self, matricule: str, iban: str) -> None:
        with self.db.session.begin() as session:
            session.execute(update(Worker).where(Worker.matricule == matricule).values(iban=iban))


def allowance(**overrides: str) -> dict[str, str]:
    values = {
        "scrutin": "presidentielle-2027-t1",
        "mode": "enveloppe",
        "heures": "12,5",
        "plis": "600",
        "chef_de_table": "non",
        "montant": "126,00",
    }
    values.update(overrides)
    return values


def field_errors(page: str) -> dict[str, str]:
    found = dict(re.findall(r'<span class="erreur" id="([a-z_]+)-erreur">([^<]*)</span>', page))
    form = re.search(r'<p class="erreur" id="erreur-formulaire">([^<]*)</p>', page)
    if form:
        found["_form"] = form.group(1)
    return {name: html.unescape(message) for name, message in found.items()}


class Portal(AppClient):
    """A browser-like client of the payroll portal: cookies kept, redirects not followed."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "payroll_portal")

    def create(self, matricule: str, values: dict[str, str]) -> httpx.Response:
        path = f"/dossiers/{matricule}/indemnites/nouvelle"
        form = self.get(path)
        assert 'data-page="nouvelle-indemnite"' in form.text
        return self.post(path, values, token_of(form.text))

    def search(self, query: str) -> httpx.Response:
        return self.get("/recherche", params={"q": query})


def start_server(db_path: Path, hr_url: str, **faults: float | int) -> LiveApp:
    """A payroll portal in a thread (fresh database ``db_path``) reading its workers from ``hr_url``."""
    return LiveApp("payroll_portal", db_path, hr_db_url=hr_url, **faults)


@pytest.fixture(scope="module")
def hr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HrDirectory]:
    directory = HrDirectory(tmp_path_factory.mktemp("hr_portal") / "hr_portal.sqlite")
    directory.add(nir=compact(PUBLIC_NIR), iban=compact(PUBLIC_IBAN), bic="PSSTFRPP", nom="Durand", prenom="Marie")
    yield directory
    directory.db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, hr: HrDirectory) -> Iterator[LiveApp]:
    running = start_server(tmp_path_factory.mktemp("payroll_portal") / "payroll_portal.sqlite", hr.url)
    yield running
    running.stop()


@pytest.fixture
def portal(server: LiveApp) -> Iterator[Portal]:
    client = Portal(server.url)
    yield client
    client.close()


@pytest.fixture
def robot(portal: Portal) -> Portal:
    assert portal.login().status_code == 303
    return portal


@pytest.fixture
def faulty(tmp_path: Path, hr: HrDirectory) -> Iterator[Callable[..., Portal]]:
    """Start a payroll portal of its own (fresh database) with the given faults; gives a client of it."""
    apps = LiveApps(tmp_path)

    def start(hr_url: str | None = None, **faults: float | int) -> Portal:
        app = apps.start("faulty", lambda folder: start_server(folder / "payroll.sqlite", hr_url or hr.url, **faults))
        return apps.client(Portal(app.url))

    yield start
    apps.stop()


# ----------------------------------------------------------------------------- login, session, CSRF


def test_wrong_password_is_refused_in_french(portal: Portal) -> None:
    answer = portal.login(password="demo-rh-2027")
    assert answer.status_code == 200
    assert 'data-page="login"' in answer.text
    assert '<p class="erreur" id="erreur-connexion">Identifiant ou mot de passe incorrect</p>' in answer.text
    assert portal.get("/").status_code == 303


PROTECTED = ["/", "/recherche?q=V0000001", "/dossiers/V0000001", "/dossiers/V0000001/indemnites/nouvelle"]


@pytest.mark.parametrize("path", [*PROTECTED, "/export.csv", "/indemnites/I0000001/confirmation"])
def test_pages_redirect_to_login_without_a_session(portal: Portal, path: str) -> None:
    answer = portal.get(path)
    assert answer.status_code == 303
    expected = "/login" if path == "/" else f"/login?{urlencode({'next': path})}"
    assert answer.headers["location"] == expected
    login = portal.get(answer.headers["location"])
    assert 'data-page="login"' in login.text
    assert 'id="page-title">Connexion<' in login.text
    assert "Portail paie" in login.text
    assert 'id="message"' not in login.text


def test_login_and_logout(portal: Portal) -> None:
    assert portal.login(username="agent.paie", password="demo-agent-paie-2027").headers["location"] == "/"
    home = portal.get("/")
    assert 'data-page="accueil"' in home.text
    assert 'data-login="agent.paie"' in home.text
    answer = portal.post("/logout", {}, token_of(home.text))
    assert answer.status_code == 303
    assert '<p class="message" id="message">Vous êtes déconnecté(e).</p>' in portal.get(answer.headers["location"]).text
    assert portal.get("/").status_code == 303


def test_post_without_or_with_a_wrong_csrf_token_is_403(robot: Portal, hr: HrDirectory) -> None:
    matricule = hr.add().matricule
    path = f"/dossiers/{matricule}/indemnites/nouvelle"
    robot.get(path)
    for token in (None, "", "forged-token"):
        answer = robot.post(path, allowance(), token)
        assert answer.status_code == 403
        assert 'data-page="erreur"' in answer.text
        assert 'id="erreur" data-status="403"' in answer.text
        assert "Jeton de sécurité (CSRF) absent ou invalide" in answer.text
    assert robot.post("/logout", {}, None).status_code == 403
    assert matricule not in {row["matricule"] for row in robot.export()}
    assert 'id="aucune-indemnite"' in robot.get(f"/dossiers/{matricule}").text


def test_login_form_needs_its_csrf_token(portal: Portal) -> None:
    portal.get("/login")
    answer = portal.post("/login", {"username": "robot.paie", "password": "demo-paie-2027"}, None)
    assert answer.status_code == 403
    assert portal.get("/").status_code == 303


def test_unknown_pages_are_french_404s(robot: Portal) -> None:
    for path in ("/nulle-part", "/dossiers/V9999999", "/dossiers/V9999999/indemnites/nouvelle"):
        answer = robot.get(path)
        assert answer.status_code == 404, path
        assert 'id="erreur" data-status="404"' in answer.text
        assert "Page introuvable" in answer.text
    assert robot.get("/indemnites/I9999999/confirmation").status_code == 404


# ----------------------------------------------------------------------------- search, payroll file


def test_search_by_matricule_or_by_nir(robot: Portal, hr: HrDirectory) -> None:
    row = '<tr class="resultat" data-matricule="V0000001">'
    for query in ("V0000001", " v0000001 ", PUBLIC_NIR, compact(PUBLIC_NIR)):
        page = robot.search(query)
        assert 'data-page="recherche"' in page.text
        assert page.text.count('class="resultat"') == 1, query
        assert row in page.text, query
        assert 'id="lien-V0000001">V0000001</a>' in page.text
        assert "Durand" in page.text
    for query in ("V9999999", nir_for(999), "n'importe quoi"):
        page = robot.search(query)
        assert 'class="resultat"' not in page.text
        assert "Aucun dossier trouvé pour ce matricule ou ce NIR" in page.text
        assert 'id="aucun-resultat"' in page.text
    empty = robot.search("  ")
    assert '<p class="erreur" id="q-erreur">Saisissez un matricule ou un NIR</p>' in empty.text
    assert 'id="aucun-resultat"' not in robot.get("/recherche").text


def test_a_worker_created_in_hr_is_payable_at_once(robot: Portal, hr: HrDirectory) -> None:
    worker = hr.add(nom="Nouvelle")  # after the payroll portal started
    page = robot.search(worker.nir)
    assert f'<tr class="resultat" data-matricule="{worker.matricule}">' in page.text
    assert robot.create(str(worker.matricule), allowance()).status_code == 303


def test_payroll_file_shows_the_worker_with_a_masked_iban(robot: Portal, hr: HrDirectory) -> None:
    worker = hr.add(nom="Ferrand", prenom="Lucie")
    page = robot.get(f"/dossiers/{worker.matricule}")
    assert page.status_code == 200
    assert 'data-page="dossier"' in page.text
    shown = dict(re.findall(r'<td id="valeur-([a-z_]+)">([^<]*)</td>', page.text))
    assert shown["matricule"] == worker.matricule
    assert (shown["nom"], shown["prenom"]) == ("Ferrand", "Lucie")
    assert compact(shown["nir"]) == worker.nir
    assert shown["iban"] == "*" * 23 + worker.iban[-4:]
    assert worker.iban not in page.text
    assert worker.iban[:8] not in page.text.replace(" ", "")
    assert 'id="aucune-indemnite"' in page.text
    assert f'href="/dossiers/{worker.matricule}/indemnites/nouvelle" id="lien-nouvelle-indemnite"' in page.text


# ----------------------------------------------------------------------------- creation, export


def test_create_an_allowance_numbered_and_shown_everywhere(robot: Portal, hr: HrDirectory) -> None:
    worker = hr.add()
    count_before = int(re.search(r'id="nombre-indemnites">([0-9]+)<', robot.get("/").text).group(1))
    form = robot.get(f"/dossiers/{worker.matricule}/indemnites/nouvelle")
    for element in ('<select id="scrutin"', '<select id="mode"', 'id="heures"', 'id="plis"', 'id="montant"'):
        assert element in form.text
    assert 'id="chef_de_table-oui"' in form.text
    assert 'id="chef_de_table-non"' in form.text
    assert 'id="valider"' in form.text
    assert '<option value="presidentielle-2027-t1">Présidentielle 2027 — 1er tour</option>' in form.text
    assert '<option value="heure">à l&#39;heure</option>' in form.text

    answer = robot.create(str(worker.matricule), allowance(chef_de_table="oui"))
    assert answer.status_code == 303
    numero = CONFIRMATION.fullmatch(answer.headers["location"]).group(1)
    confirmation = robot.get(answer.headers["location"])
    assert 'data-page="confirmation"' in confirmation.text
    assert f'Indemnité enregistrée : n° <b id="numero">{numero}</b>' in confirmation.text
    assert f'<span id="matricule">{worker.matricule}</span>' in confirmation.text

    page = robot.get(f"/dossiers/{worker.matricule}")
    assert f'<tr class="indemnite" data-numero="{numero}" data-scrutin="presidentielle-2027-t1">' in page.text
    assert "126,00 €" in page.text
    assert int(re.search(r'id="nombre-indemnites">([0-9]+)<', robot.get("/").text).group(1)) == count_before + 1

    rows = [row for row in robot.export() if row["numero"] == numero]
    assert rows == [
        {
            "numero": numero,
            "matricule": worker.matricule,
            "nir": worker.nir,
            "scrutin": "presidentielle-2027-t1",
            "mode": "enveloppe",
            "heures": "12.5",
            "plis": "600",
            "chef_de_table": "oui",
            "montant": "126.00",
            "iban": worker.iban,
            "bic": "AGRIFRPPXXX",
            "cree_le": rows[0]["cree_le"],
            "cree_par": "robot.paie",
        }
    ]
    assert re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}", rows[0]["cree_le"])


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ({"heures": "12,5", "montant": "126,00"}, {"heures": "12.5", "montant": "126.00"}),
        ({"heures": "7.25", "montant": "126.00"}, {"heures": "7.25", "montant": "126.00"}),
        ({"heures": " 8 ", "montant": "99,9"}, {"heures": "8", "montant": "99.90"}),
        ({"heures": "200", "montant": "600,00"}, {"heures": "200", "montant": "600.00"}),
        ({"heures": "0,25", "montant": "0,01"}, {"heures": "0.25", "montant": "0.01"}),
        ({"heures": "10,50", "montant": "126,5 €"}, {"heures": "10.5", "montant": "126.50"}),
        ({"mode": "heure", "plis": "", "montant": "150,25"}, {"mode": "heure", "plis": "", "montant": "150.25"}),
        ({"plis": "1 200", "chef_de_table": "non"}, {"plis": "1200", "chef_de_table": "non"}),
    ],
)
def test_french_decimals_are_stored_exactly(
    robot: Portal, hr: HrDirectory, typed: dict[str, str], exported: dict[str, str]
) -> None:
    worker = hr.add()
    answer = robot.create(str(worker.matricule), allowance(**typed))
    assert answer.status_code == 303, field_errors(answer.text)
    rows = [row for row in robot.export() if row["matricule"] == worker.matricule]
    assert len(rows) == 1
    assert {name: rows[0][name] for name in exported} == exported


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scrutin", "", "Ce champ est obligatoire"),
        ("scrutin", "municipales-2026-t1", "Valeur non reconnue : choisissez dans la liste"),
        ("mode", "", "Ce champ est obligatoire"),
        ("mode", "au forfait", "Valeur non reconnue : choisissez dans la liste"),
        ("heures", "", "Ce champ est obligatoire"),
        ("heures", "douze", "Nombre d'heures invalide (nombre décimal attendu, par exemple 12,5)"),
        ("heures", "12,555", "Nombre d'heures invalide (nombre décimal attendu, par exemple 12,5)"),
        ("heures", "0", "Le nombre d'heures doit être supérieur à 0 et inférieur ou égal à 200"),
        ("heures", "200,5", "Le nombre d'heures doit être supérieur à 0 et inférieur ou égal à 200"),
        ("plis", "", "Le nombre de plis est obligatoire pour une rémunération à l'enveloppe"),
        ("plis", "-3", "Nombre de plis invalide (nombre entier positif ou nul attendu)"),
        ("plis", "12,5", "Nombre de plis invalide (nombre entier positif ou nul attendu)"),
        ("chef_de_table", "", "Ce champ est obligatoire"),
        ("chef_de_table", "peut-être", "Valeur non reconnue : choisissez dans la liste"),
        ("montant", "", "Ce champ est obligatoire"),
        ("montant", "126,0,0", "Montant invalide (format attendu 126,00)"),
        ("montant", "12,345", "Montant invalide (format attendu 126,00)"),
        ("montant", "0,00", "Le montant doit être supérieur à 0"),
        ("montant", "-5", "Le montant doit être supérieur à 0"),
        ("montant", "600,01", "Montant supérieur au plafond de 600,00 € par scrutin"),
    ],
)
def test_invalid_values_are_refused_in_french_and_nothing_is_stored(
    robot: Portal, hr: HrDirectory, field: str, value: str, message: str
) -> None:
    worker = hr.add()
    values = allowance(**{field: value})
    refused = robot.create(str(worker.matricule), values)
    assert refused.status_code == 200
    assert 'data-page="nouvelle-indemnite"' in refused.text
    assert field_errors(refused.text) == {field: message}
    assert 'id="erreurs"' in refused.text
    typed = dict(re.findall(r'<input type="text" id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', refused.text))
    assert {name: html.unescape(text) for name, text in typed.items()} == {
        name: values[name].strip() for name in ("heures", "plis", "montant")
    }
    assert worker.matricule not in {row["matricule"] for row in robot.export()}


def test_one_allowance_per_worker_and_round(robot: Portal, hr: HrDirectory, server: LiveApp) -> None:
    worker = hr.add()
    matricule = str(worker.matricule)
    first = CONFIRMATION.fullmatch(robot.create(matricule, allowance()).headers["location"]).group(1)

    again = robot.create(matricule, allowance(montant="130,00", heures="13"))
    assert again.status_code == 200
    assert field_errors(again.text) == {"_form": f"Une indemnité existe déjà pour ce scrutin (n° {first})"}
    assert f'<p class="erreur" id="erreur-formulaire">Une indemnité existe déjà pour ce scrutin (n° {first})</p>' in (
        again.text
    )
    # Another agent, another session: refused too.
    other = Portal(server.url)
    try:
        other.login(username="agent.paie", password="demo-agent-paie-2027")
        assert f"(n° {first})" in other.create(matricule, allowance()).text
    finally:
        other.close()
    # Another round is another allowance.
    second = robot.create(matricule, allowance(scrutin="presidentielle-2027-t2"))
    assert second.status_code == 303
    rows = [(row["scrutin"], row["montant"]) for row in robot.export() if row["matricule"] == matricule]
    assert rows == [("presidentielle-2027-t1", "126.00"), ("presidentielle-2027-t2", "126.00")]


def test_the_unique_constraint_decides_between_concurrent_submissions(tmp_path: Path, hr: HrDirectory) -> None:
    """Two submissions past the form's check at once: the database refuses the second one."""
    worker = hr.add()
    db = Database(sqlite_url(tmp_path / "payroll.sqlite"))
    db.create()
    checked = check_allowance(allowance())
    assert checked.allowance is not None
    with db.session() as session:
        numero = repository.create(session, worker, checked.allowance, created_by="robot.paie").numero
    with db.session() as session, pytest.raises(repository.DuplicateAllowance) as refused:
        repository.create(session, worker, checked.allowance, created_by="agent.paie")
    assert refused.value.numero == numero == "I0000001"
    db.dispose()


def test_bank_details_are_copied_when_the_allowance_is_created(robot: Portal, hr: HrDirectory) -> None:
    worker = hr.add()
    old_iban = str(worker.iban)
    numero = CONFIRMATION.fullmatch(robot.create(str(worker.matricule), allowance()).headers["location"]).group(1)
    new_iban = compact(PUBLIC_IBAN)
    hr.set_iban(str(worker.matricule), new_iban)
    assert [row["iban"] for row in robot.export() if row["numero"] == numero] == [old_iban]
    assert f'<td id="valeur-iban">{"*" * 23}{new_iban[-4:]}</td>' in robot.get(f"/dossiers/{worker.matricule}").text


def test_export_is_behind_the_login_and_semicolon_separated(portal: Portal) -> None:
    assert portal.get("/export.csv").headers["location"] == "/login?next=%2Fexport.csv"
    portal.login()
    answer = portal.get("/export.csv")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="indemnites.csv"' in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8").split("\r\n")
    assert lines[0] == "numero;matricule;nir;scrutin;mode;heures;plis;chef_de_table;montant;iban;bic;cree_le;cree_par"
    assert tuple(lines[0].split(";")) == EXPORT_COLUMNS
    assert all(line.count(";") == 12 for line in lines[1:] if line)


# ----------------------------------------------------------------------------- the HR database


def test_without_an_hr_database_nothing_is_found(faulty: Callable[..., Portal], tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "hr_portal.sqlite"
    portal = faulty(hr_url=sqlite_url(missing))
    portal.login()
    assert 'id="aucun-resultat"' in portal.search("V0000001").text
    assert 'id="aucun-resultat"' in portal.search(PUBLIC_NIR).text
    assert portal.get("/dossiers/V0000001").status_code == 404
    assert not missing.parent.exists()  # never created by the payroll portal

    empty = tmp_path / "vide.sqlite"
    empty.touch()  # a file without the HR tables
    portal = faulty(hr_url=sqlite_url(empty))
    portal.login()
    assert 'id="aucun-resultat"' in portal.search("V0000001").text
    assert portal.get("/dossiers/V0000001").status_code == 404


def test_the_hr_database_is_opened_read_only(hr: HrDirectory) -> None:
    workers = HrWorkers(hr.url)
    assert workers.get("v0000001").nom == "Durand"
    with workers.engine.connect() as connection, pytest.raises(OperationalError, match="readonly"):
        connection.execute(text("DELETE FROM workers"))
    assert workers.get("V0000001") is not None
    workers.dispose()


# ----------------------------------------------------------------------------- faults


def test_fail_rate_answers_a_seeded_share_of_500s(faulty: Callable[..., Portal]) -> None:
    portal = faulty(fail_rate=0.5, seed=2027)
    injector = FaultInjector(FaultSettings(fail_rate=0.5, seed=2027))
    expected = [500 if injector.fail_request() else 303 for _ in range(40)]
    statuses = []
    for _ in range(40):
        assert portal.get("/login").status_code == 200  # never fails, draws no dice
        statuses.append(portal.get("/").status_code)
    assert statuses == expected
    assert 10 < statuses.count(500) < 30


def test_fail_rate_one_spares_only_the_login_page(faulty: Callable[..., Portal]) -> None:
    portal = faulty(fail_rate=1.0)
    login = portal.get("/login")
    assert login.status_code == 200
    for answer in (
        portal.post("/login", {"username": "robot.paie", "password": "demo-paie-2027"}, token_of(login.text)),
        portal.get("/recherche", params={"q": "V0000001"}),
        portal.get("/export.csv"),
    ):
        assert answer.status_code == 500
        assert 'id="erreur" data-status="500"' in answer.text
        assert SERVER_ERROR in answer.text


def test_lost_confirmation_stores_the_allowance_but_answers_500(faulty: Callable[..., Portal]) -> None:
    portal = faulty(lost_confirmation_rate=1.0)
    portal.login()
    answer = portal.create("V0000001", allowance())
    assert answer.status_code == 500
    assert SERVER_ERROR in answer.text
    assert [(row["numero"], row["matricule"]) for row in portal.export()] == [("I0000001", "V0000001")]
    assert 'data-numero="I0000001" data-scrutin="presidentielle-2027-t1"' in portal.get("/dossiers/V0000001").text
    # Retrying blindly is refused, with the number the robot missed.
    retry = portal.create("V0000001", allowance())
    assert field_errors(retry.text) == {"_form": "Une indemnité existe déjà pour ce scrutin (n° I0000001)"}


def test_session_expires_after_max_requests(faulty: Callable[..., Portal]) -> None:
    portal = faulty(session_max_requests=3)
    assert portal.login().status_code == 303
    for path in ("/", "/recherche?q=V0000001", "/dossiers/V0000001"):
        assert portal.get(path).status_code == 200, path
    fourth = portal.get("/dossiers/V0000001/indemnites/nouvelle")
    assert fourth.status_code == 303
    location = fourth.headers["location"]
    assert location == "/login?" + urlencode({"next": "/dossiers/V0000001/indemnites/nouvelle", "expiree": "1"})
    assert f'<p class="message" id="message">{EXPIRED}</p>' in portal.get(location).text
    assert portal.login().status_code == 303
    assert portal.get("/").status_code == 200


# ----------------------------------------------------------------------------- pure functions, settings


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("126,00", Decimal("126.00")),
        ("126.00", Decimal("126.00")),
        ("12,5", Decimal("12.5")),
        ("1\u202f126,5", Decimal("1126.5")),
        ("-5", Decimal("-5")),
        ("12,345", None),
        ("1.126,50", None),
        ("12,", None),
        (",5", None),
        ("1e3", None),
        ("", None),
    ],
)
def test_parse_decimal(typed: str, parsed: Decimal | None) -> None:
    assert parse_decimal(typed) == parsed


@pytest.mark.parametrize(
    ("cents", "hundredths", "amount", "hours"),
    [
        (12600, 1250, "126.00", "12.5"),
        (1, 1200, "0.01", "12"),
        (60000, 725, "600.00", "7.25"),
        (990, 20000, "9.90", "200"),
    ],
)
def test_formats(cents: int, hundredths: int, amount: str, hours: str) -> None:
    assert formats.amount(cents) == amount
    assert formats.amount(cents, ",") == amount.replace(".", ",")
    assert formats.hours(hundredths) == hours


def test_settings_from_env(tmp_path: Path) -> None:
    settings = PayrollPortalSettings.from_env({"RPA_DATA_DIR": str(tmp_path)})
    assert settings.db_url == sqlite_url(tmp_path / "sandbox" / "payroll_portal.sqlite")
    assert settings.hr_db_url == sqlite_url(tmp_path / "sandbox" / "hr_portal.sqlite")
    assert settings.faults == FaultSettings()
    environ = {
        "RPA_PAYROLL_PORTAL_DB_URL": "sqlite:///paie.db",
        "RPA_HR_PORTAL_DB_URL": "sqlite:///rh.db",
        "RPA_SANDBOX_FAIL_RATE": "0.5",
        "RPA_PAYROLL_PORTAL_FAIL_RATE": "0.1",
        "RPA_PAYROLL_PORTAL_LOST_CONFIRMATION_RATE": "0.2",
        "RPA_HR_PORTAL_SESSION_MAX_REQUESTS": "3",
    }
    settings = PayrollPortalSettings.from_env(environ)
    assert (settings.db_url, settings.hr_db_url) == ("sqlite:///paie.db", "sqlite:///rh.db")
    assert settings.faults == FaultSettings(fail_rate=0.1, lost_confirmation_rate=0.2)


# ----------------------------------------------------------------------------- python -m sandbox


def test_the_registry_serves_the_payroll_portal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert [entry.name for entry in APPS] == ["hr_portal", "payroll_portal", "foreigners_portal", "alert_catcher"]
    entry = APPS[1]
    assert entry.title == "Portail paie"
    assert entry.port({}) == 8082
    assert entry.port({"RPA_PAYROLL_PORTAL_PORT": "9082"}) == 9082
    assert entry.demo_logins == (("robot.paie", "demo-paie-2027"), ("agent.paie", "demo-agent-paie-2027"))
    assert parse_args(["--only", "payroll_portal"]).only == ["payroll_portal"]
    monkeypatch.setenv("RPA_PAYROLL_PORTAL_FAIL_RATE", "0.25")
    assert "fail_rate=0.25" in entry.faults()


def test_python_m_sandbox_serves_it_and_reset_empties_only_its_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    hr = HrDirectory(data_dir / "sandbox" / "hr_portal.sqlite")
    hr.add(nir=compact(PUBLIC_NIR))
    hr.db.dispose()
    # An allowance beforehand, which --reset must remove.
    settings = PayrollPortalSettings(
        db_url=sqlite_url(data_dir / "sandbox" / "payroll_portal.sqlite"), hr_db_url=hr.url, secret_key="x"
    )
    with ThreadedServer(create_app(settings)) as before:
        client = Portal(before.url)
        client.login()
        assert client.create("V0000001", allowance()).status_code == 303
        client.close()

    sandbox = SandboxProcess("payroll_portal", data_dir)
    try:
        portal = sandbox.client(Portal)
        assert portal.login().status_code == 303
        assert portal.export() == []  # --reset emptied the payroll database...
        assert 'data-matricule="V0000001"' in portal.search(PUBLIC_NIR).text  # ...not the HR one
        portal.close()
        output = sandbox.interrupt()
    finally:
        sandbox.kill()
    assert f"Portail paie: {sandbox.url}/" in output
    assert "robot.paie / demo-paie-2027" in output
    assert "Portail RH" not in output
