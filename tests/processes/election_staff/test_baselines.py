"""The benchmark's two baselines (benchmarks/hr_portal_baselines.py) against the real sandbox portal.

Each test gets a portal of its own with a fresh SQLite database, so that the export holds
exactly what the baseline created. One headless Chromium for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from benchmarks.hr_portal_baselines import naive_robot, post_over_http
from include.processes.election_staff.columns import COLUMNS
from include.processes.election_staff.hr_portal import site_choice
from include.rpa.browser import open_browser
from scripts.harness.app_client import read_export
from scripts.harness.sandbox_apps import LiveApp
from tests.processes.election_staff.test_hr_portal_pages import (
    PASSWORD,
    SITES,
    USER,
    expected_export,
    nir_for,
    valid_row,
)

BAD_IBAN = "FR1520041010050500013M02606"  # key 15, not 14


def three_rows(first: int) -> list[dict[str, str]]:
    """Three distinct valid rows: a site written differently from the portal's option, the
    portal's own option, and a site the portal does not list ("Autre" + free text)."""
    return [
        valid_row(nir=nir_for(first), nom="Martin", prenom="Claire"),
        valid_row(
            nir=nir_for(first + 1),
            nom="Bernard",
            nom_usage="Durand",
            prenom="Julie",
            bic="PSSTFRPPTOU",
            site="Moissac – Salle des fêtes",
            fonction="chef de table",
            statut="retraité",
        ),
        valid_row(nir=nir_for(first + 2), nom="Petit", prenom="Léa", email="", site="Valence – Salle des fêtes"),
    ]


def export(url: str) -> dict[str, dict[str, str]]:
    """The portal's /export.csv by NIR, fetched with a session of its own."""
    return {row["nir"]: row for row in read_export(url, USER, PASSWORD)}


def assert_exported(url: str, rows: list[dict[str, str]]) -> None:
    """The portal's export holds exactly these rows' NIRs, each with every field as meant."""
    stored = export(url)
    assert set(stored) == {row["nir"] for row in rows}
    for row in rows:
        option, other = site_choice(list(SITES), row["site"])
        site = other or option  # the stored site: the portal's option, or the free text of "Autre"
        assert {name: stored[row["nir"]][name] for name in COLUMNS} == expected_export(row, site=site)
        assert stored[row["nir"]]["cree_par"] == USER
        assert stored[row["nir"]]["matricule"].startswith("V")
    assert len({row["matricule"] for row in stored.values()}) == len(rows)


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with open_browser(label="test-baselines") as browser:
        yield browser


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[str]:
    server = LiveApp("hr_portal", tmp_path / "hr_portal.sqlite")
    yield server.url
    server.stop()


def test_post_over_http_creates_each_worker(portal: str) -> None:
    rows = three_rows(11)
    seconds = post_over_http(portal, USER, PASSWORD, rows)
    assert len(seconds) == 3
    assert all(0 < s < 5 for s in seconds)
    assert_exported(portal, rows)


def test_post_over_http_raises_on_a_refused_record(portal: str) -> None:
    row = valid_row(nir=nir_for(14))
    post_over_http(portal, USER, PASSWORD, [row])
    with pytest.raises(RuntimeError, match=r"refused step 1 \(identity\): nir: .*déjà enregistré") as dup:
        post_over_http(portal, USER, PASSWORD, [row])
    assert row["nir"] not in str(dup.value)

    with pytest.raises(
        RuntimeError,
        match=r"^HR portal refused step 2 \(address and bank\): iban: IBAN invalide : clé de contrôle incorrecte$",
    ) as bad:
        post_over_http(portal, USER, PASSWORD, [valid_row(nir=nir_for(15), iban=BAD_IBAN)])
    assert BAD_IBAN not in str(bad.value)
    assert set(export(portal)) == {row["nir"]}


def test_post_over_http_raises_on_a_refused_login(portal: str) -> None:
    with pytest.raises(RuntimeError, match=r"^HR portal refused login: erreur-connexion: Identifiant"):
        post_over_http(portal, USER, "mauvais", [])


def test_naive_robot_creates_each_worker(driver: WebDriver, portal: str) -> None:
    rows = three_rows(21)
    seconds = naive_robot(driver, portal, USER, PASSWORD, rows)
    assert len(seconds) == 3
    assert all(0 < s < 10 for s in seconds)
    assert_exported(portal, rows)


def test_naive_robot_raises_on_a_refused_record(driver: WebDriver, portal: str) -> None:
    row = valid_row(nir=nir_for(24), iban=BAD_IBAN)
    with pytest.raises(
        RuntimeError,
        match=r"^HR portal refused step 2 \(address and bank\): iban: IBAN invalide : clé de contrôle incorrecte$",
    ) as bad:
        naive_robot(driver, portal, USER, PASSWORD, [row])
    assert BAD_IBAN not in str(bad.value)
    assert export(portal) == {}
