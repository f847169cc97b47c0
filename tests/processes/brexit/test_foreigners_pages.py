"""The foreigners' office page objects and the Brexit robot's target, in a real headless
Chromium against the real sandbox application ("AGDREF" stand-in).

One browser for the module. Each application runs on its own loopback address: cookies
are per host, not per port, so two apps on one address would share a session cookie.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from include.processes.brexit.foreigners_portal import (
    DecisionStep,
    DocumentsStep,
    DossierExists,
    ForeignersPortal,
    HomePage,
    IdentityStep,
)
from include.rpa.browser import open_browser
from include.rpa.ledger import Ledger
from include.rpa.pages import AlreadyExists, LoginRefused, PageChanged, TargetRefused, TargetUnavailable
from include.rpa.robot import ENTERED, FOUND, Job, RecordLoop, RobotPolicy
from tests.foreigners_fixtures import PASSWORD, USER, live_foreigners_portal  # noqa: F401

PROCESS, SCOPE = "test_brexit", "2021"
DATES = ("date_naissance", "date_expiration_passeport", "date_entree_france", "date_depot")


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with open_browser(label="test-foreigners") as browser:
        yield browser


def record(number: int, **overrides: str) -> dict[str, str]:
    """A file as the Brexit pipeline hands it on: ISO dates, codes, documents joined by "|"."""
    values = {
        "numero_dossier": f"WA-2021-{number:06d}",
        "nom": "O'Brien",
        "prenom": "Siobhan Mary",
        "date_naissance": "1970-02-03",
        "nationalite": "britannique",
        "numero_passeport": "123456789",
        "date_expiration_passeport": "2031-09-14",
        "date_entree_france": "2015-06-01",
        "adresse": "4 place Nationale",
        "code_postal": "82000",
        "commune": "Montauban",
        "situation": "salarie",
        "pieces": "justificatif_installation|justificatif_residence_2020|passeport|photo",
        "titre": "carte_sejour_permanent_10_ans",
        "date_depot": "2021-03-15",
    }
    return {**values, **overrides}


def french(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def expected_row(values: dict[str, str], numero_etranger: str) -> dict[str, str]:
    """What the export must hold for a record: the typed values, dates dd/mm/yyyy."""
    row = {**values, "numero_etranger": numero_etranger}
    for name in DATES:
        row[name] = french(values[name])
    return row


def without_audit(row: dict[str, str]) -> dict[str, str]:
    assert row["cree_par"] == USER
    return {name: value for name, value in row.items() if name not in ("cree_le", "cree_par")}


def test_create_find_and_refuse_a_second_file(driver: WebDriver, live_foreigners_portal) -> None:  # noqa: F811
    live = live_foreigners_portal(host="127.0.0.51")
    portal = ForeignersPortal(live.url, USER, PASSWORD)
    first = record(1)
    frontier = record(
        2,
        nom="Mac Lochlainn-Évrard",
        prenom="Ciarán",
        numero_passeport="AB1234567",
        situation="frontalier",
        pieces="justificatif_emploi_frontalier|passeport|photo",
        titre="titre_frontalier",
        adresse="Chemin de l'Église, lieu-dit « Les Granges »",
        code_postal="31000",
        commune="Toulouse",
    )
    family = record(
        3,
        nationalite="irlandaise",
        numero_passeport="PA1234567X",  # not British: 6 to 12 characters
        situation="membre_famille",
        date_entree_france="2022-09-01",
        date_depot="2022-10-03",
        pieces="justificatif_lien_familial|passeport|photo",
        titre="carte_sejour_5_ans",
    )
    files = [first, frontier, family]
    portal.log_in(driver)
    assert portal.find(driver, first["numero_dossier"]) is None
    numbers = [portal.create(driver, values) for values in files]
    assert numbers == ["8200000001", "8200000002", "8200000003"]
    assert [portal.find(driver, values["numero_dossier"]) for values in files] == numbers
    assert HomePage.open(driver, live.url).file_count() == 3

    rows = live.export()
    assert [without_audit(row) for row in rows] == [
        expected_row(values, number) for values, number in zip(files, numbers, strict=True)
    ]

    with pytest.raises(DossierExists) as refused:
        portal.create(driver, record(1, nom="Autre"))
    assert isinstance(refused.value, AlreadyExists)
    assert refused.value.receipt == refused.value.numero_etranger == "8200000001"
    assert "n° étranger 8200000001" in str(refused.value)
    assert len(live.export()) == 3


@pytest.mark.parametrize(
    ("overrides", "page", "field", "message"),
    [
        (
            {"numero_passeport": "12345678"},
            IdentityStep.NAME,
            "numero_passeport",
            "Numéro de passeport invalide (9 lettres ou chiffres attendus)",
        ),
        (
            {"date_depot": "2015-05-31"},
            "Nouveau dossier — historique de résidence",
            "date_depot",
            "La date de dépôt doit être postérieure ou égale à la date d'entrée en France",
        ),
        ({"pieces": ""}, DocumentsStep.NAME, "pieces", "Cochez au moins une pièce fournie"),
        (
            {"titre": "titre_frontalier"},
            DecisionStep.NAME,
            "titre",
            "Le titre « travailleur frontalier » est réservé à la situation « Travailleur frontalier »",
        ),
    ],
)
def test_an_invalid_record_is_refused_with_the_application_message(
    driver: WebDriver,
    live_foreigners_portal,  # noqa: F811
    overrides: dict[str, str],
    page: str,
    field: str,
    message: str,
) -> None:
    live = live_foreigners_portal(host="127.0.0.52")
    portal = ForeignersPortal(live.url, USER, PASSWORD)
    portal.log_in(driver)
    with pytest.raises(TargetRefused) as refused:
        portal.create(driver, record(10, **overrides))
    assert not isinstance(refused.value, AlreadyExists)
    assert refused.value.page == page
    assert refused.value.messages == {field: message}
    assert message in str(refused.value)
    assert portal.find(driver, "WA-2021-000010") is None
    assert live.export() == []


def test_a_code_the_application_does_not_offer_means_it_changed(driver: WebDriver, live_foreigners_portal) -> None:  # noqa: F811
    live = live_foreigners_portal(host="127.0.0.53")
    portal = ForeignersPortal(live.url, USER, PASSWORD)
    portal.log_in(driver)
    with pytest.raises(PageChanged, match="situation : option « retraite »"):
        portal.create(driver, record(20, situation="retraite"))
    with pytest.raises(PageChanged, match="case à cocher « permis_de_conduire »"):
        portal.create(driver, record(21, pieces="passeport|permis_de_conduire"))
    assert live.export() == []


def test_a_wrong_password_is_refused(driver: WebDriver, live_foreigners_portal) -> None:  # noqa: F811
    live = live_foreigners_portal(host="127.0.0.54")
    with pytest.raises(LoginRefused, match="Identifiant ou mot de passe incorrect"):
        ForeignersPortal(live.url, USER, "demo-rh-2027").log_in(driver)


def test_a_lost_confirmation_fails_the_create_but_the_search_finds_the_file(
    driver: WebDriver,
    live_foreigners_portal,  # noqa: F811
) -> None:
    live = live_foreigners_portal(host="127.0.0.55", lost_confirmation_rate=1.0)
    portal = ForeignersPortal(live.url, USER, PASSWORD)
    portal.log_in(driver)
    values = record(30)
    with pytest.raises(TargetUnavailable, match="page d'erreur 500"):
        portal.create(driver, values)
    assert portal.find(driver, values["numero_dossier"]) == "8200000001"
    assert [without_audit(row) for row in live.export()] == [expected_row(values, "8200000001")]


def test_the_record_loop_enters_each_file_once_through_lost_confirmations_and_expiries(
    driver: WebDriver,
    live_foreigners_portal,  # noqa: F811
    tmp_path: Path,
) -> None:
    # 9 requests type a file (search, 4 screens and their redirects): sessions expire mid-file.
    live = live_foreigners_portal(host="127.0.0.56", lost_confirmation_rate=1.0, session_max_requests=12)
    records = [record(40 + i) for i in range(3)]
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.plan(PROCESS, SCOPE, {r["numero_dossier"]: "h" for r in records})
    loop = RecordLoop(
        driver,
        ForeignersPortal(live.url, USER, PASSWORD),
        ledger,
        process=PROCESS,
        scope=SCOPE,
        worker="t",
        policy=RobotPolicy(backoff_seconds=0.05, max_backoff_seconds=0.1),
    )
    loop.run([Job(r["numero_dossier"], r, f"ligne{i}") for i, r in enumerate(records)])
    outcomes = Counter(o.result for o in loop.result.outcomes)
    assert outcomes == {FOUND: 3} and ENTERED not in outcomes
    assert loop.result.logins > 1  # the sessions did expire
    rows = live.export()
    assert [row["numero_dossier"] for row in rows] == [r["numero_dossier"] for r in records]
    receipts = [ledger.get(PROCESS, SCOPE, r["numero_dossier"])["receipt"] for r in records]
    assert receipts == [row["numero_etranger"] for row in rows] == ["8200000001", "8200000002", "8200000003"]
