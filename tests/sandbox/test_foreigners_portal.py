"""The foreigners' office stand-in ("AGDREF") over real HTTP: a uvicorn server on a free
loopback port in a background thread (a subprocess for ``python -m sandbox``), httpx as
the client, a temporary SQLite database per module (per test for faults)."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from include.processes.brexit import codes
from sandbox.__main__ import parse_args
from sandbox.common.env import sqlite_url
from sandbox.common.faults import FaultSettings
from sandbox.common.server import ThreadedServer
from sandbox.foreigners_portal import ForeignersPortalSettings, create_app, fields, repository
from sandbox.foreigners_portal.db import Database
from sandbox.foreigners_portal.validation import check_decision, check_identite, check_pieces, check_residence
from sandbox.registry import APPS
from tests.foreigners_fixtures import LiveForeignersPortal, live_foreigners_portal  # noqa: F401
from tests.helpers import SandboxProcess

REPO = Path(__file__).resolve().parents[2]
EXPIRED = "Votre session a expiré, veuillez vous reconnecter"
SERVER_ERROR = "Erreur interne du serveur"
CONFIRMATION = re.compile(r"/etrangers/([0-9]{10})/confirmation")
TODAY = dt.date(2026, 11, 25)

STEPS = (
    (
        "/dossiers/nouveau",
        (
            "numero_dossier",
            "nom",
            "prenom",
            "date_naissance",
            "nationalite",
            "numero_passeport",
            "date_expiration_passeport",
        ),
    ),
    (
        "/dossiers/nouveau/residence",
        ("date_entree_france", "adresse", "code_postal", "commune", "situation", "date_depot"),
    ),
    ("/dossiers/nouveau/pieces", ("pieces",)),
    ("/dossiers/nouveau/decision", ("titre",)),
)
PAGES = ("nouveau-identite", "nouveau-residence", "nouveau-pieces", "nouveau-decision")


def application(number: int = 1, **overrides: object) -> dict[str, object]:
    """A file as an agent types it (dates dd/mm/yyyy); ``pieces`` is a list of codes."""
    values: dict[str, object] = {
        "numero_dossier": f"WA-2021-{number:06d}",
        "nom": "O'Brien",
        "prenom": "Siobhan Mary",
        "date_naissance": "03/02/1970",
        "nationalite": "britannique",
        "numero_passeport": "123456789",
        "date_expiration_passeport": "14/09/2031",
        "date_entree_france": "01/06/2015",
        "adresse": "4 place Nationale",
        "code_postal": "82000",
        "commune": "Montauban",
        "situation": "salarie",
        "date_depot": "15/03/2021",
        "pieces": ["photo", "passeport", "justificatif_installation", "justificatif_residence_2020"],
        "titre": "carte_sejour_permanent_10_ans",
    }
    values.update(overrides)
    return values


def token_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def field_errors(page: str) -> dict[str, str]:
    found = dict(re.findall(r'<span class="erreur" id="([a-z_]+)-erreur">([^<]*)</span>', page))
    form = re.search(r'<p class="erreur" id="erreur-formulaire">([^<]*)</p>', page)
    if form:
        found["_form"] = form.group(1)
    return {name: html.unescape(message) for name, message in found.items()}


def typed_values(page: str) -> dict[str, str]:
    found = re.findall(r'<input type="text" id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in found}


class Portal:
    """A browser-like client: cookies kept, redirects not followed."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=10)

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.http.get(path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, object], token: str | None) -> httpx.Response:
        return self.http.post(path, data={**data, **({"csrf_token": token} if token is not None else {})})

    def login(self, username: str = "robot.etrangers", password: str = "demo-etrangers-2027") -> httpx.Response:
        token = token_of(self.get("/login").text)
        return self.post("/login", {"username": username, "password": password, "next": "/"}, token)

    def create(self, values: dict[str, object], steps: int = 4) -> list[httpx.Response]:
        """The first ``steps`` screens; stops at the first one that does not redirect to the next."""
        token = token_of(self.get(STEPS[0][0]).text)
        answers = []
        for path, names in STEPS[:steps]:
            answer = self.post(path, {n: values[n] for n in names}, token)
            answers.append(answer)
            if answer.status_code != 303:
                break
        return answers

    def search(self, numero_dossier: str) -> httpx.Response:
        return self.get("/recherche", params={"numero_dossier": numero_dossier})

    def export(self) -> list[dict[str, str]]:
        import csv
        import io

        answer = self.get("/export.csv")
        assert answer.status_code == 200, answer.text
        return list(csv.DictReader(io.StringIO(answer.text), delimiter=";"))

    def close(self) -> None:
        self.http.close()


def start_server(db_path: Path, **faults: float | int) -> ThreadedServer:
    settings = ForeignersPortalSettings(
        db_url=sqlite_url(db_path), secret_key="test-secret", faults=FaultSettings(**faults)
    )
    return ThreadedServer(create_app(settings)).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    running = start_server(tmp_path_factory.mktemp("foreigners_portal") / "foreigners_portal.sqlite")
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
    """Start a portal of its own (fresh database) with the given faults; gives a client of it."""
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


# ----------------------------------------------------------------------------- the codes


def test_the_code_lists_are_those_of_the_brexit_pipeline() -> None:
    assert fields.SITUATIONS == codes.SITUATIONS
    assert fields.PIECES == codes.PIECES
    assert fields.TITRES == codes.TITRES
    assert fields.SEPARATOR == codes.SEPARATOR
    for listed in (["photo", "passeport", "photo"], [], ["b", "a"]):
        assert fields.join_codes(listed) == codes.join_codes(listed)
    for text in ("photo|passeport", "", "|a||b|a"):
        assert fields.split_codes(text) == codes.split_codes(text)


# ----------------------------------------------------------------------------- login, session, CSRF


def test_wrong_password_is_refused_in_french(portal: Portal) -> None:
    answer = portal.login(password="demo-rh-2027")
    assert answer.status_code == 200
    assert 'data-page="login"' in answer.text
    assert '<p class="erreur" id="erreur-connexion">Identifiant ou mot de passe incorrect</p>' in answer.text
    assert portal.get("/").status_code == 303


PROTECTED = [
    "/",
    "/recherche?numero_dossier=WA-2021-000001",
    *(path for path, _ in STEPS),
    "/export.csv",
    "/etrangers/8200000001",
    "/etrangers/8200000001/confirmation",
]


@pytest.mark.parametrize("path", PROTECTED)
def test_pages_redirect_to_login_without_a_session(portal: Portal, path: str) -> None:
    answer = portal.get(path)
    assert answer.status_code == 303
    expected = "/login" if path == "/" else f"/login?{urlencode({'next': path})}"
    assert answer.headers["location"] == expected
    login = portal.get(answer.headers["location"])
    assert 'data-page="login"' in login.text
    assert 'id="page-title">Connexion<' in login.text
    assert "Application étrangers (AGDREF)" in login.text
    assert 'id="message"' not in login.text


def test_login_and_logout(portal: Portal) -> None:
    answer = portal.login(username="agent.etrangers", password="demo-agent-etrangers-2027")
    assert answer.headers["location"] == "/"
    home = portal.get("/")
    assert 'data-page="accueil"' in home.text
    assert 'data-login="agent.etrangers"' in home.text
    for link in ("menu-recherche", "menu-nouveau", "menu-export", "nombre-dossiers"):
        assert f'id="{link}"' in home.text
    answer = portal.post("/logout", {}, token_of(home.text))
    assert answer.status_code == 303
    assert '<p class="message" id="message">Vous êtes déconnecté(e).</p>' in portal.get(answer.headers["location"]).text
    assert portal.get("/").status_code == 303


def test_post_without_or_with_a_wrong_csrf_token_is_403(robot: Portal) -> None:
    values = application(900)
    identity = {n: values[n] for n in STEPS[0][1]}
    robot.get(STEPS[0][0])
    for token in (None, "", "forged-token"):
        answer = robot.post(STEPS[0][0], identity, token)
        assert answer.status_code == 403
        assert 'id="erreur" data-status="403"' in answer.text
        assert "Jeton de sécurité (CSRF) absent ou invalide" in answer.text
    assert robot.post("/logout", {}, None).status_code == 403
    assert 'id="aucun-resultat"' in robot.search("WA-2021-000900").text


def test_unknown_pages_are_french_404s(robot: Portal) -> None:
    for path in ("/nulle-part", "/etrangers/8299999999", "/etrangers/8299999999/confirmation"):
        answer = robot.get(path)
        assert answer.status_code == 404, path
        assert 'id="erreur" data-status="404"' in answer.text
        assert "Page introuvable" in answer.text


# ----------------------------------------------------------------------------- the wizard, search, export


def test_the_screens_offer_the_codes_with_their_french_labels(robot: Portal) -> None:
    token = token_of(robot.get(STEPS[0][0]).text)
    values = application(901)
    answer = robot.post(STEPS[0][0], {n: values[n] for n in STEPS[0][1]}, token)
    residence = robot.get(answer.headers["location"]).text
    assert 'data-page="nouveau-residence"' in residence
    options = re.findall(r'<option value="([a-z_]*)"[^>]*>([^<]*)</option>', residence)
    assert [(value, html.unescape(text)) for value, text in options] == [
        ("", "-- Choisir --"),
        *codes.SITUATIONS.items(),
    ]
    assert '<b id="rappel-dossier">WA-2021-000901</b>' in residence
    answer = robot.post(STEPS[1][0], {n: values[n] for n in STEPS[1][1]}, token)
    documents = robot.get(answer.headers["location"]).text
    boxes = re.findall(
        r'<input type="checkbox" id="pieces-([a-z_0-9]+)" name="pieces" value="([a-z_0-9]+)"> ([^<]*)</label>',
        documents,
    )
    assert [(box_id, value, html.unescape(label)) for box_id, value, label in boxes] == [
        (code, code, label) for code, label in codes.PIECES.items()
    ]
    answer = robot.post(STEPS[2][0], {"pieces": values["pieces"]}, token)
    decision = robot.get(answer.headers["location"]).text
    assert 'data-page="nouveau-decision"' in decision
    options = re.findall(r'<option value="([a-z_0-9]*)"[^>]*>([^<]*)</option>', decision)
    assert [(value, html.unescape(text)) for value, text in options] == [("", "-- Choisir --"), *codes.TITRES.items()]
    assert 'id="valider"' in decision


def test_a_file_is_stored_at_the_last_screen_with_a_ten_digit_number(robot: Portal) -> None:
    count_before = int(re.search(r'id="nombre-dossiers">([0-9]+)<', robot.get("/").text).group(1))
    values = application(1, nom="  O'Brien ", commune="Montauban  de  Bretagne", numero_passeport="ab 123 4567")
    answers = robot.create(values)
    assert [a.status_code for a in answers] == [303, 303, 303, 303]
    assert [a.headers["location"] for a in answers[:3]] == [path for path, _ in STEPS[1:]]
    location = answers[-1].headers["location"]
    numero = CONFIRMATION.fullmatch(location).group(1)
    assert re.fullmatch(r"82[0-9]{8}", numero)

    confirmation = robot.get(location)
    assert 'data-page="confirmation"' in confirmation.text
    assert f'Dossier enregistré : n° étranger <b id="numero-etranger">{numero}</b>' in confirmation.text
    assert '<span id="numero-dossier">WA-2021-000001</span>' in confirmation.text

    expected = {
        "numero_dossier": "WA-2021-000001",
        "numero_etranger": numero,
        "nom": "O'Brien",
        "prenom": "Siobhan Mary",
        "date_naissance": "03/02/1970",
        "nationalite": "britannique",
        "numero_passeport": "AB1234567",
        "date_expiration_passeport": "14/09/2031",
        "date_entree_france": "01/06/2015",
        "adresse": "4 place Nationale",
        "code_postal": "82000",
        "commune": "Montauban de Bretagne",
        "situation": "salarie",
        "pieces": "justificatif_installation|justificatif_residence_2020|passeport|photo",
        "titre": "carte_sejour_permanent_10_ans",
        "date_depot": "15/03/2021",
        "cree_par": "robot.etrangers",
    }
    rows = [row for row in robot.export() if row["numero_dossier"] == "WA-2021-000001"]
    assert len(rows) == 1
    assert {name: value for name, value in rows[0].items() if name != "cree_le"} == expected
    assert re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}", rows[0]["cree_le"])

    found = robot.search(" WA-2021-000001 ")
    assert 'data-page="recherche"' in found.text
    assert f'<tr class="resultat" data-numero-dossier="WA-2021-000001" data-numero-etranger="{numero}">' in found.text
    assert found.text.count('class="resultat"') == 1

    detail = robot.get(f"/etrangers/{numero}")
    assert 'data-page="detail"' in detail.text
    shown = {k: html.unescape(v) for k, v in re.findall(r'<td id="valeur-([a-z_]+)">([^<]*)</td>', detail.text)}
    assert shown["numero_etranger"] == numero
    assert shown["situation"] == "Salarié"
    assert shown["titre"] == codes.TITRES["carte_sejour_permanent_10_ans"]
    assert shown["date_naissance"] == "03/02/1970"
    assert int(re.search(r'id="nombre-dossiers">([0-9]+)<', robot.get("/").text).group(1)) == count_before + 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"numero_passeport": "ab1234567"}, {"numero_passeport": "AB1234567"}),
        ({"numero_passeport": " 123 456 789 "}, {"numero_passeport": "123456789"}),
        ({"code_postal": "82 000"}, {"code_postal": "82000"}),
        ({"pieces": ["photo"]}, {"pieces": "photo"}),
        ({"pieces": list(codes.PIECES)}, {"pieces": "|".join(sorted(codes.PIECES))}),
        (
            {"situation": "frontalier", "titre": "titre_frontalier"},
            {"situation": "frontalier", "titre": "titre_frontalier"},
        ),
        ({"situation": "membre_famille", "titre": "carte_sejour_5_ans"}, {"titre": "carte_sejour_5_ans"}),
        ({"date_entree_france": "03/02/1970", "date_depot": "03/02/1970"}, {"date_depot": "03/02/1970"}),
    ],
)
def test_values_are_stored_as_the_export_shows_them(
    robot: Portal, typed: dict[str, object], stored: dict[str, str]
) -> None:
    number = 100 + len(robot.export())
    values = application(number, **typed)
    answers = robot.create(values)
    assert answers[-1].status_code == 303, field_errors(answers[-1].text)
    rows = [row for row in robot.export() if row["numero_dossier"] == values["numero_dossier"]]
    assert len(rows) == 1
    assert {name: rows[0][name] for name in stored} == stored


@pytest.mark.parametrize(
    ("step", "field", "value", "message"),
    [
        (1, "numero_dossier", "", "Ce champ est obligatoire"),
        (
            1,
            "numero_dossier",
            "WA 2021",
            "Numéro de dossier invalide (lettres, chiffres, « - », « / », « . » ou « _ », 40 caractères au plus)",
        ),
        (1, "nom", "   ", "Ce champ est obligatoire"),
        (1, "prenom", "", "Ce champ est obligatoire"),
        (1, "nationalite", "", "Ce champ est obligatoire"),
        (1, "date_naissance", "1970-02-03", "Date invalide (format attendu jj/mm/aaaa)"),
        (1, "date_naissance", "30/02/1970", "Date invalide (format attendu jj/mm/aaaa)"),
        (1, "date_naissance", "01/01/2999", "La date de naissance ne peut pas être dans le futur"),
        (1, "numero_passeport", "12345678", "Numéro de passeport invalide (9 lettres ou chiffres attendus)"),
        (1, "numero_passeport", "1234567890", "Numéro de passeport invalide (9 lettres ou chiffres attendus)"),
        (1, "numero_passeport", "12345678-", "Numéro de passeport invalide (9 lettres ou chiffres attendus)"),
        (
            1,
            "date_expiration_passeport",
            "03/02/1970",
            "La date d'expiration du passeport doit être postérieure à la date de naissance",
        ),
        (1, "date_expiration_passeport", "31/09/2031", "Date invalide (format attendu jj/mm/aaaa)"),
        (2, "date_entree_france", "", "Ce champ est obligatoire"),
        (2, "date_entree_france", "02/02/1970", "La date d'entrée en France ne peut pas précéder la date de naissance"),
        (2, "date_entree_france", "01/01/2999", "La date d'entrée en France ne peut pas être dans le futur"),
        (2, "adresse", "", "Ce champ est obligatoire"),
        (2, "code_postal", "8200", "Code postal invalide (5 chiffres attendus)"),
        (2, "code_postal", "82OOO", "Code postal invalide (5 chiffres attendus)"),
        (2, "commune", "", "Ce champ est obligatoire"),
        (2, "situation", "", "Ce champ est obligatoire"),
        (2, "situation", "retraite", "Valeur non reconnue : choisissez dans la liste"),
        (2, "date_depot", "15/03/21", "Date invalide (format attendu jj/mm/aaaa)"),
        (2, "date_depot", "31/05/2015", "La date de dépôt doit être postérieure ou égale à la date d'entrée en France"),
        (2, "date_depot", "01/01/2999", "La date de dépôt ne peut pas être dans le futur"),
        (3, "pieces", [], "Cochez au moins une pièce fournie"),
        (3, "pieces", ["photo", "permis_de_conduire"], "Valeur non reconnue : choisissez dans la liste"),
        (4, "titre", "", "Ce champ est obligatoire"),
        (4, "titre", "carte_resident", "Valeur non reconnue : choisissez dans la liste"),
        (
            4,
            "titre",
            "titre_frontalier",
            "Le titre « travailleur frontalier » est réservé à la situation « Travailleur frontalier »",
        ),
    ],
)
def test_invalid_values_are_refused_in_french_and_nothing_is_stored(
    robot: Portal, step: int, field: str, value: object, message: str
) -> None:
    values = application(500, **{field: value})
    values["numero_dossier"] = values["numero_dossier"] if field == "numero_dossier" else f"WA-REFUS-{step}-{field}"
    answers = robot.create(values)
    assert [a.status_code for a in answers] == [303] * (step - 1) + [200]
    refused = answers[-1].text
    assert f'data-page="{PAGES[step - 1]}"' in refused
    assert field_errors(refused) == {field: message}
    assert 'id="erreurs"' in refused
    names = STEPS[step - 1][1]
    texts = [n for n in names if n not in ("situation", "pieces", "titre")]
    assert typed_values(refused) == {n: str(values[n]).strip() for n in texts}
    if step == 2 and field != "situation":
        assert '<option value="salarie" selected>' in refused
    if step > 1:
        assert f'<b id="rappel-dossier">{values["numero_dossier"]}</b>' in refused
    assert values["numero_dossier"] not in {row["numero_dossier"] for row in robot.export()}


def test_a_frontier_worker_gets_the_frontier_document(robot: Portal) -> None:
    values = application(600, situation="frontalier", titre="carte_sejour_5_ans")
    answers = robot.create(values)
    assert [a.status_code for a in answers] == [303, 303, 303, 200]
    assert field_errors(answers[-1].text) == {
        "titre": "Un travailleur frontalier reçoit le titre « travailleur frontalier »"
    }


def test_a_refused_document_screen_keeps_the_ticked_boxes(robot: Portal) -> None:
    answers = robot.create(application(601, pieces=["photo", "inconnue"]))
    refused = answers[-1].text
    ticked = re.findall(
        r'<input type="checkbox" id="pieces-([a-z_0-9]+)" name="pieces" value="[a-z_0-9]+" checked>', refused
    )
    assert ticked == ["photo"]


def test_the_draft_stays_on_the_server_until_the_last_screen(robot: Portal) -> None:
    values = application(700)
    answers = robot.create(values, steps=3)
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert answers[-1].headers["location"] == "/dossiers/nouveau/decision"
    # Three screens submitted: nothing stored yet.
    assert 'id="aucun-resultat"' in robot.search("WA-2021-000700").text
    assert "WA-2021-000700" not in {row["numero_dossier"] for row in robot.export()}
    decision = robot.get("/dossiers/nouveau/decision")
    assert 'data-page="nouveau-decision"' in decision.text
    assert '<b id="rappel-nom">Siobhan Mary O&#39;Brien</b>' in decision.text
    # Opening screen 1 again starts a new draft: the later screens send back to it.
    robot.get("/dossiers/nouveau")
    for path, _ in STEPS[1:]:
        assert robot.get(path).headers["location"] == "/dossiers/nouveau"
    answer = robot.post("/dossiers/nouveau/decision", {"titre": "carte_sejour_5_ans"}, token_of(decision.text))
    assert answer.headers["location"] == "/dossiers/nouveau"
    assert "WA-2021-000700" not in {row["numero_dossier"] for row in robot.export()}


def test_later_screens_need_the_earlier_ones(robot: Portal) -> None:
    values = application(701)
    robot.create(values, steps=1)
    assert robot.get("/dossiers/nouveau/decision").headers["location"] == "/dossiers/nouveau/residence"
    assert robot.get("/dossiers/nouveau/pieces").headers["location"] == "/dossiers/nouveau/residence"
    assert robot.get("/dossiers/nouveau/residence").status_code == 200


def test_an_application_number_is_stored_once(robot: Portal, server: ThreadedServer) -> None:
    first = robot.create(application(800))
    numero = CONFIRMATION.fullmatch(first[-1].headers["location"]).group(1)
    duplicate = f"Un dossier existe déjà pour ce numéro de dossier (n° étranger {numero})"

    again = robot.create(application(800, nom="Autre"))
    assert len(again) == 1 and again[0].status_code == 200
    assert field_errors(again[0].text) == {"numero_dossier": duplicate}

    # Two agents past screen 1 with the same number at the same time: the second final submit is refused.
    other = Portal(server.url)
    try:
        other.login(username="agent.etrangers", password="demo-agent-etrangers-2027")
        values = application(801)
        token_a, token_b = token_of(robot.get(STEPS[0][0]).text), token_of(other.get(STEPS[0][0]).text)
        for path, names in STEPS[:3]:
            data = {n: values[n] for n in names}
            assert robot.post(path, data, token_a).status_code == 303
            assert other.post(path, data, token_b).status_code == 303
        last_path, last_names = STEPS[3]
        data = {n: values[n] for n in last_names}
        stored = robot.post(last_path, data, token_a)
        assert stored.status_code == 303
        second = CONFIRMATION.fullmatch(stored.headers["location"]).group(1)
        refused = other.post(last_path, data, token_b)
        assert refused.status_code == 200
        assert field_errors(refused.text) == {
            "_form": f"Un dossier existe déjà pour ce numéro de dossier (n° étranger {second})"
        }
    finally:
        other.close()
    numbers = [row["numero_dossier"] for row in robot.export()]
    assert numbers.count("WA-2021-000800") == 1
    assert numbers.count("WA-2021-000801") == 1


def test_the_unique_constraint_decides_between_concurrent_submissions(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "etrangers.sqlite"))
    db.create()
    values = {name: str(value) for name, value in application(1).items()}
    values["pieces"] = "passeport|photo"
    with db.session() as session:
        numero = repository.create(session, values, created_by="robot.etrangers").numero_etranger
    with db.session() as session, pytest.raises(repository.DuplicateDossier) as refused:
        repository.create(session, values, created_by="agent.etrangers")
    assert refused.value.numero_etranger == numero == "8200000001"
    with db.session() as session:
        values["numero_dossier"] = "WA-2021-000002"
        assert repository.create(session, values, created_by="robot.etrangers").numero_etranger == "8200000002"
    db.dispose()


def test_search_by_application_number(robot: Portal) -> None:
    assert 'id="aucun-resultat"' in robot.search("WA-0000-INCONNU").text
    assert "Aucun dossier trouvé pour ce numéro de dossier" in robot.search("WA-0000-INCONNU").text
    empty = robot.search("  ")
    assert '<p class="erreur" id="numero_dossier-erreur">Saisissez un numéro de dossier</p>' in empty.text
    assert 'id="aucun-resultat"' not in robot.get("/recherche").text


def test_export_is_behind_the_login_and_semicolon_separated(portal: Portal) -> None:
    assert portal.get("/export.csv").headers["location"] == "/login?next=%2Fexport.csv"
    portal.login()
    answer = portal.get("/export.csv")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="dossiers_etrangers.csv"' in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8").split("\r\n")
    assert lines[0] == (
        "numero_dossier;numero_etranger;nom;prenom;date_naissance;nationalite;numero_passeport;"
        "date_expiration_passeport;date_entree_france;adresse;code_postal;commune;situation;pieces;titre;"
        "date_depot;cree_le;cree_par"
    )
    assert tuple(lines[0].split(";")) == fields.EXPORT_COLUMNS


# ----------------------------------------------------------------------------- faults


def test_fail_rate_one_spares_only_the_login_page(faulty: Callable[..., Portal]) -> None:
    portal = faulty(fail_rate=1.0)
    login = portal.get("/login")
    assert login.status_code == 200
    assert portal.get("/static/style.css").status_code == 200
    for answer in (
        portal.post("/login", {"username": "robot.etrangers", "password": "demo-etrangers-2027"}, token_of(login.text)),
        portal.get("/"),
        portal.search("WA-2021-000001"),
        portal.get("/dossiers/nouveau"),
        portal.get("/export.csv"),
    ):
        assert answer.status_code == 500
        assert 'id="erreur" data-status="500"' in answer.text
        assert SERVER_ERROR in answer.text


def test_lost_confirmation_stores_the_file_but_answers_500(faulty: Callable[..., Portal]) -> None:
    portal = faulty(lost_confirmation_rate=1.0)
    portal.login()
    answers = portal.create(application(1))
    assert [a.status_code for a in answers] == [303, 303, 303, 500]
    assert SERVER_ERROR in answers[-1].text
    assert [(row["numero_dossier"], row["numero_etranger"]) for row in portal.export()] == [
        ("WA-2021-000001", "8200000001")
    ]
    assert 'data-numero-etranger="8200000001"' in portal.search("WA-2021-000001").text
    # Retrying blindly is refused at screen 1, with the number the robot missed.
    retry = portal.create(application(1))
    assert field_errors(retry[0].text) == {
        "numero_dossier": "Un dossier existe déjà pour ce numéro de dossier (n° étranger 8200000001)"
    }


def test_session_expiry_drops_the_draft(faulty: Callable[..., Portal]) -> None:
    portal = faulty(session_max_requests=3)
    assert portal.login().status_code == 303
    answers = portal.create(application(1), steps=2)  # GET screen 1, POST 1, POST 2
    assert [a.status_code for a in answers] == [303, 303]
    fourth = portal.get("/dossiers/nouveau/pieces")
    assert fourth.status_code == 303
    location = fourth.headers["location"]
    assert location == "/login?" + urlencode({"next": "/dossiers/nouveau/pieces", "expiree": "1"})
    assert f'<p class="message" id="message">{EXPIRED}</p>' in portal.get(location).text
    assert portal.login().status_code == 303
    # A new session has no draft: back to screen 1.
    assert portal.get("/dossiers/nouveau/pieces").headers["location"] == "/dossiers/nouveau"


def test_latency_is_added_to_every_request(faulty: Callable[..., Portal]) -> None:
    portal = faulty(latency_ms=300)
    started = time.perf_counter()
    portal.get("/login")
    assert time.perf_counter() - started >= 0.3


def test_the_fixture_serves_a_portal_named_by_its_connection(live_foreigners_portal) -> None:  # noqa: F811
    import json

    live: LiveForeignersPortal = live_foreigners_portal(host="127.0.0.41", lost_confirmation_rate=1.0)
    connection = json.loads(os.environ["AIRFLOW_CONN_FOREIGNERS_PORTAL"])
    assert connection == {
        "conn_type": "http",
        "host": "127.0.0.41",
        "port": live.server.port,
        "schema": "http",
        "login": "robot.etrangers",
        "password": "demo-etrangers-2027",
    }
    assert live.url == f"http://127.0.0.41:{live.server.port}"
    assert live.db_path.exists()
    assert live.export() == []
    client = Portal(live.url)
    try:
        client.login()
        assert [a.status_code for a in client.create(application(1))] == [303, 303, 303, 500]  # the fault applies
    finally:
        client.close()
    (row,) = live.export()
    assert (row["numero_dossier"], row["numero_etranger"], row["cree_par"]) == (
        "WA-2021-000001",
        "8200000001",
        "robot.etrangers",
    )


# ----------------------------------------------------------------------------- pure functions, settings


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({}, dict.fromkeys(STEPS[0][1], "Ce champ est obligatoire")),
        ({**application(1), "numero_dossier": "A" * 40}, {}),
        ({**application(1), "numero_dossier": "A" * 41}, {"numero_dossier": "invalide"}),
        ({**application(1), "numero_dossier": "-WA1"}, {"numero_dossier": "invalide"}),
        ({**application(1), "numero_dossier": "wa/2021_1.b"}, {}),
        (
            {**application(1), "nationalite": "Franco-Britannique", "numero_passeport": "12345678"},
            {"numero_passeport": "9"},
        ),
        ({**application(1), "nationalite": "irlandaise", "numero_passeport": "P12345"}, {}),
        ({**application(1), "nationalite": "irlandaise", "numero_passeport": "P1234567890A"}, {}),
        ({**application(1), "nationalite": "irlandaise", "numero_passeport": "P1234"}, {"numero_passeport": "6 à 12"}),
        (
            {**application(1), "nationalite": "irlandaise", "numero_passeport": "P1234567890AB"},
            {"numero_passeport": "6 à 12"},
        ),
        ({**application(1), "date_naissance": "25/11/2026"}, {}),
        ({**application(1), "date_naissance": "26/11/2026"}, {"date_naissance": "futur"}),
        ({**application(1), "date_expiration_passeport": "04/02/1970"}, {}),
        ({**application(1), "date_expiration_passeport": "02/02/1970"}, {"date_expiration_passeport": "postérieure"}),
    ],
)
def test_check_identite(form: dict[str, object], errors: dict[str, str]) -> None:
    checked = check_identite(form, today=TODAY)
    assert set(checked.errors) == set(errors)
    for name, part in errors.items():
        assert part in checked.errors[name]


@pytest.mark.parametrize(
    ("form", "birth", "errors"),
    [
        ({**application(1), "date_depot": "25/11/2026"}, None, {}),
        ({**application(1), "date_depot": "26/11/2026"}, None, {"date_depot": "futur"}),
        ({**application(1), "date_entree_france": "01/01/1960"}, None, {}),
        (
            {**application(1), "date_entree_france": "01/01/1960"},
            dt.date(1970, 2, 3),
            {"date_entree_france": "précéder"},
        ),
        ({**application(1), "date_entree_france": "16/03/2021"}, None, {"date_depot": "postérieure ou égale"}),
        ({**application(1), "code_postal": "820001"}, None, {"code_postal": "5 chiffres"}),
    ],
)
def test_check_residence(form: dict[str, object], birth: dt.date | None, errors: dict[str, str]) -> None:
    checked = check_residence(form, birth=birth, today=TODAY)
    assert set(checked.errors) == set(errors)
    for name, part in errors.items():
        assert part in checked.errors[name]


def test_check_pieces_and_decision() -> None:
    assert check_pieces({"pieces": ["photo", "passeport", "photo"]}).cleaned == {"pieces": "passeport|photo"}
    assert check_pieces({"pieces": "photo"}).cleaned == {"pieces": "photo"}
    assert check_pieces({"pieces": ["", " "]}).errors == {"pieces": "Cochez au moins une pièce fournie"}
    assert check_decision({"titre": "titre_frontalier"}, situation="frontalier").ok
    assert check_decision({"titre": "carte_sejour_5_ans"}, situation="etudiant").ok
    assert not check_decision({"titre": "carte_sejour_5_ans"}, situation="frontalier").ok


def test_foreigner_numbers_are_ten_digits() -> None:
    assert [repository.foreigner_number(n) for n in (1, 42, 99_999_999)] == ["8200000001", "8200000042", "8299999999"]


def test_settings_from_env(tmp_path: Path) -> None:
    settings = ForeignersPortalSettings.from_env({"RPA_DATA_DIR": str(tmp_path)})
    assert settings.db_url == sqlite_url(tmp_path / "sandbox" / "foreigners_portal.sqlite")
    assert settings.faults == FaultSettings()
    environ = {
        "RPA_FOREIGNERS_PORTAL_DB_URL": "sqlite:///etrangers.db",
        "RPA_SANDBOX_FAIL_RATE": "0.5",
        "RPA_FOREIGNERS_PORTAL_FAIL_RATE": "0.1",
        "RPA_FOREIGNERS_PORTAL_LOST_CONFIRMATION_RATE": "0.2",
        "RPA_HR_PORTAL_SESSION_MAX_REQUESTS": "3",
        "RPA_SANDBOX_SECRET": "s",
    }
    settings = ForeignersPortalSettings.from_env(environ)
    assert settings.db_url == "sqlite:///etrangers.db"
    assert settings.faults == FaultSettings(fail_rate=0.1, lost_confirmation_rate=0.2)
    assert settings.secret_key == "s"


# ----------------------------------------------------------------------------- python -m sandbox


def test_the_registry_serves_the_foreigners_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    (entry,) = [entry for entry in APPS if entry.name == "foreigners_portal"]
    assert entry.title == "Application étrangers"
    assert entry.port({}) == 8083
    assert entry.port({"RPA_FOREIGNERS_PORTAL_PORT": "9083"}) == 9083
    assert entry.demo_logins == (
        ("robot.etrangers", "demo-etrangers-2027"),
        ("agent.etrangers", "demo-agent-etrangers-2027"),
    )
    assert parse_args(["--only", "foreigners_portal"]).only == ["foreigners_portal"]
    monkeypatch.setenv("RPA_FOREIGNERS_PORTAL_FAIL_RATE", "0.25")
    assert "fail_rate=0.25" in entry.faults()


def test_python_m_sandbox_serves_it_and_reset_empties_its_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # A file beforehand, which --reset must remove.
    settings = ForeignersPortalSettings(
        db_url=sqlite_url(data_dir / "sandbox" / "foreigners_portal.sqlite"), secret_key="x"
    )
    with ThreadedServer(create_app(settings)) as before:
        client = Portal(before.url)
        client.login()
        assert client.create(application(1))[-1].status_code == 303
        client.close()

    sandbox = SandboxProcess("foreigners_portal", data_dir)
    try:
        portal = sandbox.client(Portal)
        assert portal.login().status_code == 303
        assert portal.export() == []  # --reset emptied it
        portal.close()
        output = sandbox.interrupt()
    finally:
        sandbox.kill()
    assert f"Application étrangers: {sandbox.url}/" in output
    assert "robot.etrangers / demo-etrangers-2027" in output
    assert "Portail RH" not in output
