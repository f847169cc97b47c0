"""Page objects of the HR portal ("Portail RH"), where the robot creates each temporary
election worker's file.

    home = LoginPage.open(driver, base_url).log_in(user, password)
    matricule = home.search(nir).matricule()  # None: not there yet
    if matricule is None:
        matricule = home.new_worker().fill(row).next().fill(row).next().fill(row).submit().matricule()

or, without the home page, :func:`find_worker` and :func:`create_worker`. ``row`` is a
valid row of the onboarding (canonical keys of ``columns.COLUMNS``, dates ISO
``YYYY-MM-DD``, NIR and IBAN compact); dates are typed dd/mm/yyyy as the portal wants.

A record costs five page loads: the search, the three steps of the form, the
confirmation. Search before creating: after a lost confirmation (the portal stored the
worker but answered a 500) the search finds it; creating it again would be refused with
:class:`AlreadyRegistered`, which carries the existing matricule.

Exceptions: see ``include.rpa.pages`` (PageChanged, TargetRefused, TargetUnavailable,
SessionExpired, LoginRefused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from include.rpa.intranet import IntranetApp, IntranetLoginPage, portal_date
from include.rpa.pages import (
    DEFAULT_TIMEOUT,
    AlreadyExists,
    ConfirmationPage,
    Locator,
    Page,
    PageChanged,
    ReceiptPages,
    SearchResultsPage,
    TargetRefused,
)
from include.rpa.text import strip_accents

SITE_OTHER = "Autre"
_MATRICULE = re.compile(r"V[0-9]{7}")
_DUPLICATE = re.compile(r"déjà enregistré \(matricule (V[0-9]{7})\)")
_DASHES = re.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACES = re.compile(r"\s+")


class AlreadyRegistered(AlreadyExists):
    """The portal already holds a worker with this NIR (``matricule``): search before creating."""

    def __init__(self, page: str, messages: Mapping[str, str], matricule: str) -> None:
        self.matricule = matricule
        super().__init__(page, messages, matricule)


class HrPortalPage(Page):
    """A page of the HR portal (the base conventions are the portal's)."""

    def _refusal(self, messages: dict[str, str]) -> TargetRefused:
        for text in messages.values():
            duplicate = _DUPLICATE.search(text)
            if duplicate:
                return AlreadyRegistered(self.NAME, messages, duplicate.group(1))
        return TargetRefused(self.NAME, messages)


# --------------------------------------------------------------------------- login, home, search


class LoginPage(HrPortalPage, IntranetLoginPage):
    def log_in(self, user: str, password: str) -> HomePage:
        return self._log_in(user, password, HomePage)


class HomePage(HrPortalPage):
    PAGE = "accueil"
    NAME = "Accueil"
    PATH = "/"

    _WORKER_COUNT = (By.ID, "nombre-dossiers")

    def search(self, nir: str) -> SearchResults:
        return SearchResults.for_nir(self.driver, self.base_url, nir, timeout=self.timeout)

    def new_worker(self) -> IdentityStep:
        return IdentityStep.open(self.driver, self.base_url, timeout=self.timeout)

    def worker_count(self) -> int:
        text = self._text(self._WORKER_COUNT, required=True)
        if not text.isdigit():
            raise PageChanged(self.NAME, "nombre-dossiers", self._WORKER_COUNT, "nombre attendu")
        return int(text)


class HrReceipts(ReceiptPages):
    RECEIPT_ATTRIBUTE = "data-matricule"
    RECEIPT_PATTERN = _MATRICULE
    RECEIPT_NAME = "matricule"
    RECEIPT_FORMAT = "format V0000000 attendu"


class SearchResults(HrPortalPage, HrReceipts, SearchResultsPage):
    """The search page after a search by NIR (a GET form: loading its URL is submitting it)."""

    PAGE = "recherche"
    NAME = "Rechercher un vacataire"
    PATH = "/recherche"

    @classmethod
    def for_nir(cls, driver: WebDriver, base_url: str, nir: str, *, timeout: float = DEFAULT_TIMEOUT) -> SearchResults:
        if not _compact(nir):
            raise ValueError("NIR vide : rien à rechercher")
        return cls.open(driver, base_url, params={"nir": _compact(nir)}, timeout=timeout)

    def matricules(self) -> list[str]:
        """Every matricule found (the portal holds one worker per NIR at most)."""
        return self.receipts()

    def matricule(self) -> str | None:
        """The matricule of the worker with this NIR, None when "Aucun vacataire trouvé"."""
        return self.receipt()


# --------------------------------------------------------------------------- creation, 3 steps


class IdentityStep(HrPortalPage):
    """Step 1 of 3. Opening it starts a new draft on the server."""

    PAGE = "nouveau-identite"
    NAME = "Nouveau vacataire — identité"
    PATH = "/vacataires/nouveau"

    _TEXT_FIELDS: ClassVar[Mapping[str, Locator]] = {
        name: (By.ID, name) for name in ("nom", "nom_usage", "prenom", "lieu_naissance", "nir")
    }
    _BIRTH_DATE = (By.ID, "date_naissance")
    _SEXE: ClassVar[Mapping[str, Locator]] = {"M": (By.ID, "sexe-M"), "F": (By.ID, "sexe-F")}
    _NEXT = (By.ID, "suivant")

    def fill(self, worker: Mapping[str, str]) -> IdentityStep:
        sexe = _value(worker, "sexe")
        if sexe not in self._SEXE:
            raise ValueError(f"sexe attendu M ou F, reçu {sexe!r}")
        values = {locator: _value(worker, name) for name, locator in self._TEXT_FIELDS.items()}
        values[self._BIRTH_DATE] = portal_date(_value(worker, "date_naissance"))
        self._fill_all(values, checked=[self._SEXE[sexe]])
        return self

    def next(self) -> AddressStep:
        return self._submit(self._NEXT, AddressStep, "suivant")


class AddressStep(HrPortalPage):
    """Step 2 of 3 (reached from step 1 only: the draft lives in the server session)."""

    PAGE = "nouveau-adresse"
    NAME = "Nouveau vacataire — adresse et banque"

    _TEXT_FIELDS: ClassVar[Mapping[str, Locator]] = {
        name: (By.ID, name) for name in ("adresse", "code_postal", "commune", "email", "telephone", "iban", "bic")
    }
    _NEXT = (By.ID, "suivant")

    def fill(self, worker: Mapping[str, str]) -> AddressStep:
        self._fill_all({locator: _value(worker, name) for name, locator in self._TEXT_FIELDS.items()})
        return self

    def next(self) -> AssignmentStep:
        return self._submit(self._NEXT, AssignmentStep, "suivant")


class AssignmentStep(HrPortalPage):
    """Step 3 of 3: status, site, function, contract dates."""

    PAGE = "nouveau-affectation"
    NAME = "Nouveau vacataire — affectation"

    _STATUT = (By.ID, "statut")
    _SITE = (By.ID, "site")
    _SITE_OTHER = (By.ID, "site_autre")
    _FONCTION = (By.ID, "fonction")
    _START = (By.ID, "date_debut")
    _END = (By.ID, "date_fin")
    _SUBMIT = (By.ID, "valider")

    def fill(self, worker: Mapping[str, str]) -> AssignmentStep:
        site, other = site_choice(self._options(self._SITE), _value(worker, "site"))
        self._fill_all(
            {
                self._SITE_OTHER: other,
                self._START: portal_date(_value(worker, "date_debut")),
                self._END: portal_date(_value(worker, "date_fin")),
            },
            options={
                self._STATUT: _value(worker, "statut"),
                self._FONCTION: _value(worker, "fonction"),
                self._SITE: site,
            },
        )
        return self

    def submit(self) -> Confirmation:
        return self._submit(self._SUBMIT, Confirmation, "valider")


class Confirmation(HrPortalPage, HrReceipts, ConfirmationPage):
    PAGE = "confirmation"
    NAME = "Dossier créé"
    RECEIPT_LOCATOR = (By.ID, "matricule")

    def matricule(self) -> str:
        return self.receipt()


# --------------------------------------------------------------------------- services


def log_in(driver: WebDriver, base_url: str, user: str, password: str) -> HomePage:
    return LoginPage.open(driver, base_url).log_in(user, password)


def find_worker(driver: WebDriver, base_url: str, nir: str) -> str | None:
    """The matricule of the worker with this NIR, or None (one page load; needs a session)."""
    return SearchResults.for_nir(driver, base_url, nir).matricule()


def create_worker(driver: WebDriver, base_url: str, worker: Mapping[str, str]) -> str:
    """Type a valid row into the three steps; the new matricule (four page loads; needs a session).

    Does not search first: call :func:`find_worker` before, so that a worker stored by an
    earlier, interrupted attempt is not created twice (the portal would refuse it with
    :class:`AlreadyRegistered`).
    """
    identity = IdentityStep.open(driver, base_url).fill(worker)
    return identity.next().fill(worker).next().fill(worker).submit().matricule()


class HrPortal(IntranetApp):
    """The robot's services on the HR portal: the :class:`include.rpa.robot.Target` of onboarding."""

    LOGIN_PAGE = LoginPage

    def find(self, driver: WebDriver, key: str) -> str | None:
        return find_worker(driver, self.base_url, key)

    def create(self, driver: WebDriver, record: Mapping[str, str]) -> str:
        return create_worker(driver, self.base_url, record)


# --------------------------------------------------------------------------- values


def site_choice(options: list[str], site: str) -> tuple[str, str]:
    """(option to select, text for "Autre") for a site.

    The site is the portal's option when they match case-, accent-, space- and
    dash-insensitively ("Montauban - salle Eurythmie" is "Montauban – Salle Eurythmie");
    otherwise "Autre" and the site as written.
    """
    wanted = site_key(site)
    for option in options:
        if option != SITE_OTHER and wanted and site_key(option) == wanted:
            return option, ""
    return SITE_OTHER, _SPACES.sub(" ", site).strip()


def site_key(text: str) -> str:
    text = strip_accents(_SPACES.sub(" ", text).strip()).casefold()
    return _DASHES.sub("-", text)


def _value(worker: Mapping[str, str], name: str) -> str:
    value = worker.get(name)
    return "" if value is None else str(value)


def _compact(nir: str) -> str:
    return re.sub(r"\s+", "", nir).upper()
