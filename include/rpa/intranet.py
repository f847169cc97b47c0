"""What the prefecture's intranet applications share, so that each process's page objects
need only their own screens: the login form (and its refusal), French dates, and the
robot's service object on an application reached through a Connection.

Conventions of the intranet (and of the sandbox's stand-ins): a login page
``data-page="login"`` at ``/login`` with ``#username``, ``#password``, a ``#connexion``
button and a refusal in ``#erreur-connexion``; dates typed and exported dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, ClassVar

from selenium.webdriver.common.by import By

from include.rpa.pages import LoginRefused, P, Page

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FR_DATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")


class IntranetLoginPage(Page):
    """The intranet's login form; a subclass names the application's home page in ``log_in``."""

    PAGE = "login"
    NAME = "Connexion"
    PATH = "/login"

    _USERNAME = (By.ID, "username")
    _PASSWORD = (By.ID, "password")
    _SUBMIT = (By.ID, "connexion")
    _ERROR = (By.ID, "erreur-connexion")

    def log_in(self, user: str, password: str) -> Page:
        """Log in; the application's home page (a subclass names it)."""
        raise NotImplementedError

    def _log_in(self, user: str, password: str, home: type[P]) -> P:
        """Fill and submit the login form; the ``home`` page the app shows next."""
        self._fill(self._USERNAME, user)
        self._fill(self._PASSWORD, password)
        if self._click_and_wait(self._SUBMIT, "connexion").get("page") == self.PAGE:
            error = self._text(self._ERROR)
            raise LoginRefused(self.NAME, f"connexion refusée ({error or 'sans message'})")
        return home(self.driver, self.base_url, timeout=self.timeout)


class IntranetApp:
    """The robot's services on one application (an :class:`include.rpa.robot.Target`): log in
    (through the application's ``LOGIN_PAGE``), find a record by business key, create it
    (subclasses implement both with their page objects)."""

    LOGIN_PAGE: ClassVar[type[IntranetLoginPage]]

    def __init__(self, base_url: str, user: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.user = user
        self._password = password

    def log_in(self, driver: WebDriver) -> None:
        self.LOGIN_PAGE.open(driver, self.base_url).log_in(self.user, self._password)


def portal_date(value: str) -> str:
    """ISO ``2027-03-29`` -> ``29/03/2027`` (the intranet's format); dd/mm/yyyy and "" unchanged."""
    value = value.strip()
    if not value or _FR_DATE.fullmatch(value):
        return value
    if not _ISO_DATE.fullmatch(value):
        raise ValueError("date ISO AAAA-MM-JJ attendue")  # the value is not quoted: personal data
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
