"""Page objects of the payroll portal ("Portail paie"), where the payment robot enters each
worker's allowance for the round, and the robot's target.

    portal = PayrollPortal(base_url, user, password, scrutin="presidentielle-2027-t1",
                           matricules={nir: matricule})
    portal.log_in(driver)
    numero = portal.find(driver, nir) or portal.create(driver, record)

``record``: ``nir``, ``matricule``, ``mode`` ("enveloppe"/"heure"), ``heures`` and
``montant`` as decimal text with a dot ("12.50", "126.00"), ``plis`` (may be ""),
``chef_de_table`` ("oui"/"non"). Typed as the portal wants them (decimal comma).

The portal takes one allowance per worker and round: searching the worker's payroll file
for the round's allowance first makes a lost confirmation harmless; creating it twice is
refused with :class:`AllowanceExists`, which carries the existing number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import quote

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from include.rpa.intranet import IntranetApp, IntranetLoginPage
from include.rpa.pages import AlreadyExists, Locator, Page, PageChanged, TargetRefused

_NUMERO = re.compile(r"I[0-9]{7}")
_DUPLICATE = re.compile(r"existe déjà pour ce scrutin \(n° (I[0-9]{7})\)")


class AllowanceExists(AlreadyExists):
    """The worker already has an allowance for this round (``receipt``: its number)."""


class PayrollPage(Page):
    def _refusal(self, messages: dict[str, str]) -> TargetRefused:
        for text in messages.values():
            duplicate = _DUPLICATE.search(text)
            if duplicate:
                return AllowanceExists(self.NAME, messages, duplicate.group(1))
        return TargetRefused(self.NAME, messages)


class HomePage(PayrollPage):
    PAGE = "accueil"
    NAME = "Accueil (paie)"
    PATH = "/"


class LoginPage(PayrollPage, IntranetLoginPage):
    """The intranet's login form; leads to the payroll home page."""

    NAME = "Connexion (paie)"

    def log_in(self, user: str, password: str) -> HomePage:
        return self._log_in(user, password, HomePage)


class WorkerFile(PayrollPage):
    """A worker's payroll file: identity and the allowances already entered, by round."""

    PAGE = "dossier"
    NAME = "Dossier de paie"

    _ALLOWANCES = (By.CSS_SELECTOR, "tr.indemnite[data-numero][data-scrutin]")

    @classmethod
    def of(cls, driver: WebDriver, base_url: str, matricule: str) -> WorkerFile:
        return cls.open(driver, base_url, path=f"/dossiers/{quote(matricule)}")

    def allowances(self) -> dict[str, str]:
        """Round id -> allowance number."""
        numbers = self._attributes(self._ALLOWANCES, "data-numero")
        rounds = self._attributes(self._ALLOWANCES, "data-scrutin")
        for number in numbers:
            if not _NUMERO.fullmatch(number or ""):
                raise PageChanged(self.NAME, "numéro d'indemnité", self._ALLOWANCES, "format I0000000 attendu")
        return {str(r): str(n) for r, n in zip(rounds, numbers, strict=True)}


class NewAllowance(PayrollPage):
    PAGE = "nouvelle-indemnite"
    NAME = "Nouvelle indemnité"

    _SCRUTIN, _MODE = (By.ID, "scrutin"), (By.ID, "mode")
    _HEURES, _PLIS, _MONTANT = (By.ID, "heures"), (By.ID, "plis"), (By.ID, "montant")
    _LEAD: ClassVar[Mapping[str, Locator]] = {
        "oui": (By.ID, "chef_de_table-oui"),
        "non": (By.ID, "chef_de_table-non"),
    }
    _SUBMIT = (By.ID, "valider")

    @classmethod
    def of(cls, driver: WebDriver, base_url: str, matricule: str) -> NewAllowance:
        return cls.open(driver, base_url, path=f"/dossiers/{quote(matricule)}/indemnites/nouvelle")

    def fill(self, scrutin: str, record: Mapping[str, str]) -> NewAllowance:
        lead = record.get("chef_de_table", "non")
        if lead not in self._LEAD:
            raise ValueError("chef_de_table attendu oui ou non")
        self._fill_all(
            {
                self._SCRUTIN: scrutin,  # option values are the round ids
                self._MODE: record["mode"],
                self._HEURES: french_decimal(record["heures"]),
                self._PLIS: record.get("plis", ""),
                self._MONTANT: french_decimal(record["montant"]),
            },
            checked=[self._LEAD[lead]],
        )
        return self

    def submit(self) -> Confirmation:
        return self._submit(self._SUBMIT, Confirmation, "valider")


class Confirmation(PayrollPage):
    PAGE = "confirmation"
    NAME = "Indemnité enregistrée"

    _NUMERO = (By.ID, "numero")

    def numero(self) -> str:
        text = self._text(self._NUMERO, required=True)
        if not _NUMERO.fullmatch(text):
            raise PageChanged(self.NAME, "numero", self._NUMERO, "format I0000000 attendu")
        return text


class PayrollPortal(IntranetApp):
    """The payment robot's services on the payroll portal (a :class:`include.rpa.robot.Target`)."""

    LOGIN_PAGE = LoginPage

    def __init__(self, base_url: str, user: str, password: str, *, scrutin: str, matricules: Mapping[str, str]) -> None:
        super().__init__(base_url, user, password)
        self.scrutin = scrutin
        self.matricules = matricules

    def find(self, driver: WebDriver, key: str) -> str | None:
        """The round's allowance number in the worker's payroll file, or None."""
        return WorkerFile.of(driver, self.base_url, self.matricules[key]).allowances().get(self.scrutin)

    def create(self, driver: WebDriver, record: Mapping[str, str]) -> str:
        form = NewAllowance.of(driver, self.base_url, record["matricule"]).fill(self.scrutin, record)
        return form.submit().numero()


def french_decimal(value: str) -> str:
    """ "126.00" -> "126,00" (the portal's decimal comma)."""
    return str(value).strip().replace(".", ",")
