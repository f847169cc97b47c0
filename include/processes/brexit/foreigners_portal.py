"""Page objects of the foreigners' office application ("AGDREF"; the sandbox's
``sandbox.foreigners_portal`` stands in for it), where the Brexit robot enters each
Withdrawal Agreement residence-permit file, and the robot's target.

    portal = ForeignersPortal(base_url, user, password)
    portal.log_in(driver)
    numero_etranger = portal.find(driver, record["numero_dossier"]) or portal.create(driver, record)

``record``: ``numero_dossier``, ``nom``, ``prenom``, ``date_naissance``, ``nationalite``,
``numero_passeport``, ``date_expiration_passeport``, ``date_entree_france``, ``adresse``,
``code_postal``, ``commune``, ``situation`` (a code of ``codes.SITUATIONS``), ``pieces``
(codes of ``codes.PIECES`` joined by "|"), ``titre`` (a code of ``codes.TITRES``),
``date_depot``; dates ISO ``YYYY-MM-DD``, typed dd/mm/yyyy as the application wants them.

A new file takes four screens (identity, residence history, documents, decision) and is
stored only by the last one's submit, which shows its 10-digit foreigner number: six page
loads a record with the search. Search before creating: after a lost confirmation (the
file stored, the answer a 500) the search finds it; creating it again is refused with
:class:`DossierExists`, which carries the existing foreigner number.

Exceptions: see ``include.rpa.pages`` (PageChanged, TargetRefused, TargetUnavailable,
SessionExpired, LoginRefused).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import ClassVar

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from include.processes.brexit.codes import split_codes
from include.rpa.browser import SET_VALUE_JS_FUNCTIONS
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
    css,
)

_NUMERO_ETRANGER = re.compile(r"[0-9]{10}")
_DUPLICATE = re.compile(r"existe déjà pour ce numéro de dossier \(n° étranger ([0-9]{10})\)")

# Text fields, selects (by option value: the codes) and one group of checkboxes (exactly
# the wanted codes checked), in ONE script call. Returns null, or [kind, detail] for what
# cannot be done: ["element", css], ["option", css, code], ["checkbox", [codes]].
_FILL_CODES_JS = (
    SET_VALUE_JS_FUNCTIONS
    + """
const [values, selects, boxes, wanted] = arguments;
for (const [selector, text] of values) {
  const element = document.querySelector(selector);
  if (!element) return ['element', selector];
  rpaSetValue(element, text);
}
for (const [selector, code] of selects) {
  const element = document.querySelector(selector);
  if (!element || !element.options) return ['element', selector];
  if (!Array.from(element.options).some((o) => o.value === code)) return ['option', selector, code];
  rpaSetValue(element, code);
}
if (boxes !== null) {
  const all = Array.from(document.querySelectorAll(boxes));
  if (all.length === 0) return ['element', boxes];
  const offered = new Set(all.map((box) => box.value));
  const missing = wanted.filter((code) => !offered.has(code));
  if (missing.length) return ['checkbox', missing];
  for (const box of all) {
    if (box.checked !== wanted.includes(box.value)) box.click();
    if (box.checked !== wanted.includes(box.value)) return ['checkbox', [box.value]];
  }
}
return null;
"""
)


class DossierExists(AlreadyExists):
    """The application already holds a file with this application number
    (``numero_etranger``, also ``receipt``): search before creating."""

    def __init__(self, page: str, messages: Mapping[str, str], numero_etranger: str) -> None:
        self.numero_etranger = numero_etranger
        super().__init__(page, messages, numero_etranger)


class ForeignersPage(Page):
    """A page of the foreigners' office application (the base conventions are its own)."""

    def _refusal(self, messages: dict[str, str]) -> TargetRefused:
        for text in messages.values():
            duplicate = _DUPLICATE.search(text)
            if duplicate:
                return DossierExists(self.NAME, messages, duplicate.group(1))
        return TargetRefused(self.NAME, messages)

    def _fill_codes(
        self,
        values: Mapping[Locator, str] | None = None,
        *,
        selects: Mapping[Locator, str] | None = None,
        checkboxes: Locator | None = None,
        wanted: Iterable[str] = (),
    ) -> None:
        """Fill text fields, choose options by value (a code) and set a group of checkboxes
        to exactly the ``wanted`` codes (by their ``value``), in one script call.

        A missing element, option or checkbox raises :class:`PageChanged` (a code the
        application does not offer: it changed, or the code list did).
        """
        failed = self.driver.execute_script(
            _FILL_CODES_JS,
            [[css(locator), "" if text is None else str(text)] for locator, text in (values or {}).items()],
            [[css(locator), code] for locator, code in (selects or {}).items()],
            css(checkboxes) if checkboxes is not None else None,
            list(wanted),
        )
        if not failed:
            return
        locators = [*(values or {}), *(selects or {}), *([checkboxes] if checkboxes else [])]
        by_css = {css(locator): locator for locator in locators}
        if failed[0] == "checkbox" and checkboxes is not None:
            codes = ", ".join(failed[1])
            raise PageChanged(self.NAME, f"case à cocher « {codes} »", checkboxes)
        locator = by_css.get(failed[1], (By.CSS_SELECTOR, failed[1]))
        if failed[0] == "option":
            raise PageChanged(self.NAME, f"{locator[1]} : option « {failed[2]} »", locator)
        raise PageChanged(self.NAME, locator[1], locator)


# --------------------------------------------------------------------------- login, home, search


class HomePage(ForeignersPage):
    PAGE = "accueil"
    NAME = "Accueil (étrangers)"
    PATH = "/"

    _FILE_COUNT = (By.ID, "nombre-dossiers")

    def search(self, numero_dossier: str) -> SearchResults:
        return SearchResults.for_dossier(self.driver, self.base_url, numero_dossier, timeout=self.timeout)

    def new_file(self) -> IdentityStep:
        return IdentityStep.open(self.driver, self.base_url, timeout=self.timeout)

    def file_count(self) -> int:
        text = self._text(self._FILE_COUNT, required=True)
        if not text.isdigit():
            raise PageChanged(self.NAME, "nombre-dossiers", self._FILE_COUNT, "nombre attendu")
        return int(text)


class LoginPage(ForeignersPage, IntranetLoginPage):
    """The intranet's login form; leads to the application's home page."""

    NAME = "Connexion (étrangers)"

    def log_in(self, user: str, password: str) -> HomePage:
        return self._log_in(user, password, HomePage)


class ForeignersReceipts(ReceiptPages):
    RECEIPT_ATTRIBUTE = "data-numero-etranger"
    RECEIPT_PATTERN = _NUMERO_ETRANGER
    RECEIPT_NAME = "numéro étranger"
    RECEIPT_FORMAT = "10 chiffres attendus"


class SearchResults(ForeignersPage, ForeignersReceipts, SearchResultsPage):
    """The search page after a search by application number (a GET form: loading its URL is submitting it)."""

    PAGE = "recherche"
    NAME = "Rechercher un dossier (étrangers)"
    PATH = "/recherche"

    @classmethod
    def for_dossier(
        cls, driver: WebDriver, base_url: str, numero_dossier: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> SearchResults:
        numero_dossier = (numero_dossier or "").strip()
        if not numero_dossier:
            raise ValueError("numéro de dossier vide : rien à rechercher")
        return cls.open(driver, base_url, params={"numero_dossier": numero_dossier}, timeout=timeout)

    def numeros_etranger(self) -> list[str]:
        """Every foreigner number found (the application holds one file per application number at most)."""
        return self.receipts()

    def numero_etranger(self) -> str | None:
        """The foreigner number of the file with this application number, None when "Aucun dossier trouvé"."""
        return self.receipt()


# --------------------------------------------------------------------------- creation, 4 screens


class IdentityStep(ForeignersPage):
    """Screen 1 of 4. Opening it starts a new draft on the server."""

    PAGE = "nouveau-identite"
    NAME = "Nouveau dossier — identité"
    PATH = "/dossiers/nouveau"

    _TEXT_FIELDS: ClassVar[Mapping[str, Locator]] = {
        name: (By.ID, name) for name in ("numero_dossier", "nom", "prenom", "nationalite", "numero_passeport")
    }
    _DATES: ClassVar[Mapping[str, Locator]] = {
        name: (By.ID, name) for name in ("date_naissance", "date_expiration_passeport")
    }
    _NEXT = (By.ID, "suivant")

    def fill(self, record: Mapping[str, str]) -> IdentityStep:
        values = {locator: _value(record, name) for name, locator in self._TEXT_FIELDS.items()}
        values.update({locator: portal_date(_value(record, name)) for name, locator in self._DATES.items()})
        self._fill_codes(values)
        return self

    def next(self) -> ResidenceStep:
        return self._submit(self._NEXT, ResidenceStep, "suivant")


class ResidenceStep(ForeignersPage):
    """Screen 2 of 4: residence history (reached from screen 1 only: the draft lives on the server)."""

    PAGE = "nouveau-residence"
    NAME = "Nouveau dossier — historique de résidence"

    _TEXT_FIELDS: ClassVar[Mapping[str, Locator]] = {
        name: (By.ID, name) for name in ("adresse", "code_postal", "commune")
    }
    _DATES: ClassVar[Mapping[str, Locator]] = {name: (By.ID, name) for name in ("date_entree_france", "date_depot")}
    _SITUATION = (By.ID, "situation")
    _NEXT = (By.ID, "suivant")

    def fill(self, record: Mapping[str, str]) -> ResidenceStep:
        values = {locator: _value(record, name) for name, locator in self._TEXT_FIELDS.items()}
        values.update({locator: portal_date(_value(record, name)) for name, locator in self._DATES.items()})
        self._fill_codes(values, selects={self._SITUATION: _value(record, "situation").strip()})
        return self

    def next(self) -> DocumentsStep:
        return self._submit(self._NEXT, DocumentsStep, "suivant")


class DocumentsStep(ForeignersPage):
    """Screen 3 of 4: one checkbox per document code (``<input name="pieces" value="<code>">``)."""

    PAGE = "nouveau-pieces"
    NAME = "Nouveau dossier — pièces fournies"

    _CHECKBOXES = (By.CSS_SELECTOR, "input[type='checkbox'][name='pieces']")
    _NEXT = (By.ID, "suivant")

    def fill(self, record: Mapping[str, str]) -> DocumentsStep:
        self._fill_codes(checkboxes=self._CHECKBOXES, wanted=split_codes(_value(record, "pieces")))
        return self

    def next(self) -> DecisionStep:
        return self._submit(self._NEXT, DecisionStep, "suivant")


class DecisionStep(ForeignersPage):
    """Screen 4 of 4: the residence document; its submit stores the file."""

    PAGE = "nouveau-decision"
    NAME = "Nouveau dossier — décision"

    _TITRE = (By.ID, "titre")
    _SUBMIT = (By.ID, "valider")

    def fill(self, record: Mapping[str, str]) -> DecisionStep:
        self._fill_codes(selects={self._TITRE: _value(record, "titre").strip()})
        return self

    def submit(self) -> Confirmation:
        return self._submit(self._SUBMIT, Confirmation, "valider")


class Confirmation(ForeignersPage, ForeignersReceipts, ConfirmationPage):
    PAGE = "confirmation"
    NAME = "Dossier enregistré (étrangers)"
    RECEIPT_LOCATOR = (By.ID, "numero-etranger")

    def numero_etranger(self) -> str:
        return self.receipt()


# --------------------------------------------------------------------------- services


def log_in(driver: WebDriver, base_url: str, user: str, password: str) -> HomePage:
    return LoginPage.open(driver, base_url).log_in(user, password)


def find_file(driver: WebDriver, base_url: str, numero_dossier: str) -> str | None:
    """The foreigner number of the file with this application number, or None (one page load; needs a session)."""
    return SearchResults.for_dossier(driver, base_url, numero_dossier).numero_etranger()


def create_file(driver: WebDriver, base_url: str, record: Mapping[str, str]) -> str:
    """Type a valid record into the four screens; the new foreigner number (five page loads; needs a session).

    Does not search first: call :func:`find_file` before, so that a file stored by an
    earlier, interrupted attempt is not created twice (the application would refuse it
    with :class:`DossierExists`).
    """
    identity = IdentityStep.open(driver, base_url).fill(record)
    residence = identity.next().fill(record)
    documents = residence.next().fill(record)
    return documents.next().fill(record).submit().numero_etranger()


class ForeignersPortal(IntranetApp):
    """The Brexit robot's services on the foreigners' office application (a :class:`include.rpa.robot.Target`)."""

    LOGIN_PAGE = LoginPage

    def find(self, driver: WebDriver, numero_dossier: str) -> str | None:
        """The foreigner number of the file with this application number, or None."""
        return find_file(driver, self.base_url, numero_dossier)

    def create(self, driver: WebDriver, record: Mapping[str, str]) -> str:
        """Type the record into the four screens; its new 10-digit foreigner number."""
        return create_file(driver, self.base_url, record)


def _value(record: Mapping[str, str], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value)
