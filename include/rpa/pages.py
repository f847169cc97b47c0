"""Page-object base for the robots: a page object per screen of a target app.

A page object offers services ("create a worker", "search by NIR"), hides WebDriver and
the locators, checks in its constructor that the right page loaded, and returns the next
page object (SeleniumHQ's page-object guidance). Explicit waits only: ``open_browser()``
turns implicit waits off and every wait here is a ``WebDriverWait`` polling every 0.1 s.

What the target app did is told by the exception, so that the robot can file each record
as done, a business failure or an application failure:

- :class:`PageChanged`: the expected page or one of its elements is missing: the app
  changed (or a locator is wrong). Loud, names the page and the element; someone must look.
- :class:`TargetRefused`: the app refused the record (server-side validation), with the
  French messages shown next to the fields. A BUSINESS failure: never retried.
- :class:`TargetUnavailable` (and :class:`SessionExpired`): error page (HTTP 500...),
  timeout, network error, expired session. An APPLICATION failure: retried (after logging
  in again for an expired session).
- :class:`LoginRefused`: the robot's own login was refused (configuration).

Conventions of the prefecture's intranet apps (and of their sandbox stand-ins): every page
has ``<body data-page="...">``, an error page ``data-page="erreur"`` with
``#erreur[data-status]``, a login page ``data-page="login"`` with a notice ``#message``,
each validation message in ``<span class="erreur" id="<field>-erreur">``. A subclass for an
app with other conventions overrides the class attributes.

Speed: every WebDriver command is a round trip to chromedriver (10-15 ms on a busy
2-core machine), so a form is filled with one script call (:meth:`Page._fill_all`), a
button clicked by script with the document flagged in the same call, and the page check
is one script per poll. Messages are French and technical and never quote what was typed
(no personal data): field names and the app's own messages only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlencode, urlsplit

from selenium.common.exceptions import NoSuchElementException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from include.rpa.browser import SET_VALUE_JS_FUNCTIONS, set_value, wait
from include.rpa.errors import NotRetried, RpaError

Locator = tuple[str, str]
P = TypeVar("P", bound="Page")

DEFAULT_TIMEOUT = 10.0

# The page's state once its document has loaded; null while it loads, or while the document
# flagged by a click (_CLICK_JS) is still the one shown. One script per poll.
_STATE_JS = """
if (document.readyState !== 'complete' || !document.body || document.documentElement.dataset.rpaLeft) return null;
return {url: location.href, page: document.body.getAttribute(arguments[0])};
"""
# What chromedriver may answer while one document replaces another: poll again.
_TRANSIENT = ("does not belong to the document", "Cannot find context", "Execution context was destroyed")
_CLICK_JS = """
const element = document.querySelector(arguments[0]);
if (!element) return false;
document.documentElement.dataset.rpaLeft = '1';
element.click();
return true;
"""
# [css, kind, text] entries: "value" sets a field like browser.set_value (the prototype's
# setter, then input and change), "option" chooses an option by visible text, "check"
# clicks a radio button or checkbox unless checked. Returns null, or [index, "element" |
# "option" | "check"] for the first entry that cannot be done.
_FILL_JS = (
    SET_VALUE_JS_FUNCTIONS
    + """
const entries = arguments[0];
for (let i = 0; i < entries.length; i++) {
  const [css, kind, text] = entries[i];
  const element = document.querySelector(css);
  if (!element) return [i, 'element'];
  if (kind === 'value') {
    rpaSetValue(element, text);
  } else if (kind === 'option') {
    const option = element.options ? Array.from(element.options).find((o) => o.text.trim() === text) : null;
    if (!option) return [i, 'option'];
    element.value = option.value;
    option.selected = true;
    rpaFire(element);
  } else if (kind === 'check') {
    if (!element.checked) element.click();
    if (!element.checked) return [i, 'check'];
  }
}
return null;
"""
)
_OPTIONS_JS = """
const element = document.querySelector(arguments[0]);
return element && element.options ? Array.from(element.options, (o) => o.text.trim()) : null;
"""
_TEXTS_JS = """
return Array.from(document.querySelectorAll(arguments[0]), (e) => [e.id, (e.innerText || '').trim()]);
"""
_ATTRIBUTES_JS = "return Array.from(document.querySelectorAll(arguments[0]), (e) => e.getAttribute(arguments[1]));"


# --------------------------------------------------------------------------- exceptions


class TargetError(RpaError):
    """Something about the target app; ``page`` is the French name of the page concerned."""

    def __init__(self, page: str, message: str) -> None:
        self.page = page
        super().__init__(f"Page « {page} » : {message}")


class PageChanged(TargetError):
    """An expected page or element is missing: the target app changed."""

    def __init__(self, page: str, element: str, locator: Locator, detail: str = "") -> None:
        self.element = element
        self.locator = locator
        message = f"élément « {element} » introuvable ({describe(locator)})"
        super().__init__(page, message + (f" ; {detail}" if detail else ""))


class TargetRefused(TargetError):
    """The app refused the record; ``messages`` maps each field (or the form) to its French message."""

    def __init__(self, page: str, messages: Mapping[str, str]) -> None:
        self.messages = dict(messages)
        details = " ; ".join(f"{field} : {text}" for field, text in self.messages.items())
        super().__init__(page, f"saisie refusée par l'application — {details}")


class AlreadyExists(TargetRefused):
    """The app refused to create the record because it already holds it (``receipt``: its file number)."""

    def __init__(self, page: str, messages: Mapping[str, str], receipt: str) -> None:
        self.receipt = receipt
        super().__init__(page, messages)


class TargetUnavailable(TargetError):
    """Error page (HTTP 500...), timeout or network error: the app misbehaved, try again later."""


class SessionExpired(TargetUnavailable):
    """The login page came instead of the expected page: log in again, then start the record over."""


class LoginRefused(TargetError, NotRetried):
    """The app refused the robot's login (wrong user or password: a configuration problem, not retried)."""


def describe(locator: Locator) -> str:
    """``(By.ID, "nir")`` -> ``id=nir``: how a message names a locator."""
    return f"{locator[0]}={locator[1]}"


def css(locator: Locator) -> str:
    """The CSS selector of an id or CSS locator (what the one-call scripts take)."""
    by, value = locator
    if by == By.CSS_SELECTOR:
        return value
    if by == By.ID:
        return '[id="' + value.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    raise TypeError(f"only id and CSS locators can be used in a script, not {by!r}")


# --------------------------------------------------------------------------- base class


class Page:
    """One page of a target app, checked on construction.

    A subclass sets ``PAGE`` (its marker value), ``NAME`` (French, for messages), and
    ``PATH`` if it can be opened directly with :meth:`open`; locators are private class
    attributes; services return the next page object.
    """

    PAGE: ClassVar[str]
    NAME: ClassVar[str]
    PATH: ClassVar[str | None] = None

    MARKER_ATTRIBUTE: ClassVar[str] = "data-page"
    ERROR_PAGE: ClassVar[str | None] = "erreur"
    LOGIN_PAGE: ClassVar[str | None] = "login"
    _ERROR_MESSAGE: ClassVar[Locator] = (By.ID, "erreur")
    _LOGIN_NOTICE: ClassVar[Locator] = (By.ID, "message")
    _FIELD_ERRORS: ClassVar[Locator] = (By.CSS_SELECTOR, "span.erreur[id$='-erreur'], #erreur-formulaire")
    _FIELD_ERROR_SUFFIX: ClassVar[str] = "-erreur"
    # 404/405: the URL we know is gone, the app changed. Any other error status: unavailable.
    _CHANGED_STATUSES: ClassVar[frozenset[str]] = frozenset({"404", "405"})

    def __init__(
        self,
        driver: WebDriver,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        """Check that this page is shown (``state``: already read by the previous page, internal)."""
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._check(state if state is not None else self._state())

    @classmethod
    def open(
        cls,
        driver: WebDriver,
        base_url: str,
        *,
        params: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        path: str | None = None,
    ) -> Self:
        """Load ``PATH`` (or ``path``, for a page whose address names a record; ``params`` as a
        query string) and check the page."""
        path = path or cls.PATH
        if path is None:
            raise TypeError(f"{cls.__name__} cannot be opened directly (no PATH)")
        url = base_url.rstrip("/") + path + (f"?{urlencode(params)}" if params else "")
        try:
            driver.get(url)
        except TimeoutException:
            raise TargetUnavailable(cls.NAME, "délai de chargement dépassé") from None
        except WebDriverException as exc:
            if "net::ERR_" not in (exc.msg or ""):
                raise
            raise TargetUnavailable(cls.NAME, f"application injoignable ({_net_error(exc.msg)})") from None
        return cls(driver, base_url, timeout=timeout)

    def wait_for_page_to_load(self) -> Self:
        """Wait for the document, then check it is this page (or raise what it is instead)."""
        self._check(self._state())
        return self

    # ----------------------------------------------------------------------- page checks

    def _state(self, after: str = "") -> dict[str, Any]:
        def loaded(driver: WebDriver) -> dict[str, Any] | None:
            try:
                return driver.execute_script(_STATE_JS, self.MARKER_ATTRIBUTE)
            except WebDriverException as exc:
                if any(text in (exc.msg or "") for text in _TRANSIENT):
                    return None
                raise

        try:
            return wait(self.driver, self.timeout).until(loaded)
        except TimeoutException:
            what = f"pas de nouvelle page après « {after} »" if after else "page non chargée"
            raise TargetUnavailable(self.NAME, f"{what} en {self.timeout:g} s") from None

    def _check(self, state: Mapping[str, Any]) -> None:
        page, url = state.get("page"), str(state.get("url") or "")
        if page == self.PAGE:
            return
        if url.startswith("chrome-error:"):
            raise TargetUnavailable(self.NAME, "application injoignable (erreur réseau du navigateur)")
        if self.ERROR_PAGE is not None and page == self.ERROR_PAGE:
            self._raise_error_page()
        if self.LOGIN_PAGE is not None and page == self.LOGIN_PAGE:
            notice = self._text(self._LOGIN_NOTICE)
            expired = "page de connexion affichée à la place : session expirée"
            raise SessionExpired(self.NAME, expired + (f" ({notice})" if notice else ""))
        shown = f'{self.MARKER_ATTRIBUTE}="{page}"' if page is not None else f"pas d'attribut {self.MARKER_ATTRIBUTE}"
        raise PageChanged(
            self.NAME, "marqueur de page", self._marker(), f"page affichée : {shown} ({urlsplit(url).path or url[:40]})"
        )

    def _marker(self) -> Locator:
        return (By.CSS_SELECTOR, f'body[{self.MARKER_ATTRIBUTE}="{self.PAGE}"]')

    def _raise_error_page(self) -> None:
        status = next(iter(self._attributes(self._ERROR_MESSAGE, "data-status")), None) or ""
        text = self._text(self._ERROR_MESSAGE)
        what = f"page d'erreur {status or '(statut inconnu)'} de l'application" + (f" : {text}" if text else "")
        if status in self._CHANGED_STATUSES:
            raise PageChanged(self.NAME, "page", self._marker(), what)
        raise TargetUnavailable(self.NAME, what)

    # ----------------------------------------------------------------------- element helpers

    def _find(self, locator: Locator, name: str | None = None) -> WebElement:
        """The element, or :class:`PageChanged` naming it (the page has loaded: no waiting)."""
        try:
            return self.driver.find_element(*locator)
        except NoSuchElementException:
            raise PageChanged(self.NAME, name or locator[1], locator) from None

    def _fill(self, locator: Locator, value: str | None, name: str | None = None) -> None:
        """Set one field's value by script, firing ``input`` and ``change`` (``browser.set_value``)."""
        set_value(self.driver, self._find(locator, name), "" if value is None else value)

    def _select(self, locator: Locator, text: str, name: str | None = None) -> None:
        """Choose the option of a ``<select>`` whose visible text is ``text``."""
        self._fill_all(options={locator: text}, names={locator: name} if name else None)

    def _radio(self, locator: Locator, name: str | None = None) -> None:
        """Check a radio button (or checkbox)."""
        self._fill_all(checked=[locator], names={locator: name} if name else None)

    def _fill_all(
        self,
        values: Mapping[Locator, str | None] | None = None,
        *,
        options: Mapping[Locator, str] | None = None,
        checked: Iterable[Locator] = (),
        names: Mapping[Locator, str] | None = None,
    ) -> None:
        """Fill fields, choose options and check radio buttons in ONE script call.

        The first missing element (or option) raises :class:`PageChanged` naming it
        (``names[locator]``, else the locator's value).
        """
        entries: list[tuple[Locator, str, str]] = [
            *((loc, "value", "" if text is None else str(text)) for loc, text in (values or {}).items()),
            *((loc, "option", text) for loc, text in (options or {}).items()),
            *((loc, "check", "") for loc in checked),
        ]
        failed = self.driver.execute_script(_FILL_JS, [[css(loc), kind, text] for loc, kind, text in entries])
        if failed:
            locator, _, text = entries[failed[0]]
            name = (names or {}).get(locator) or locator[1]
            if failed[1] == "option":
                raise PageChanged(self.NAME, f"{name} : option « {text} »", locator)
            raise PageChanged(self.NAME, name, locator, "case non cochable" if failed[1] == "check" else "")

    def _options(self, locator: Locator, name: str | None = None) -> list[str]:
        """The visible texts of a ``<select>``'s options."""
        found = self.driver.execute_script(_OPTIONS_JS, css(locator))
        if found is None:
            raise PageChanged(self.NAME, name or locator[1], locator, "liste de choix attendue")
        return list(found)

    def _text(self, locator: Locator, name: str | None = None, *, required: bool = False) -> str:
        """The visible text of the first matching element ("" if none, or PageChanged if required)."""
        found = self.driver.execute_script(_TEXTS_JS, css(locator))
        if not found and required:
            raise PageChanged(self.NAME, name or locator[1], locator)
        return found[0][1] if found else ""

    def _attributes(self, locator: Locator, attribute: str) -> list[str | None]:
        """An attribute of every matching element, in document order."""
        return list(self.driver.execute_script(_ATTRIBUTES_JS, css(locator), attribute))

    def _click_and_wait(self, locator: Locator, name: str | None = None) -> dict[str, Any]:
        """Click (a submit button, a link) and wait for the next document; return its state.

        The element is clicked by script in the same call that flags this document: the
        wait ends when a document without the flag has loaded (a redisplay included).
        """
        try:
            clicked = self.driver.execute_script(_CLICK_JS, css(locator))
        except TimeoutException:
            raise TargetUnavailable(self.NAME, f"délai de chargement dépassé après « {name or locator[1]} »") from None
        if not clicked:
            raise PageChanged(self.NAME, name or locator[1], locator)
        return self._state(after=name or locator[1])

    def _submit(self, locator: Locator, next_page: type[P], name: str | None = None) -> P:
        """Submit this page's form; this page again means the app refused it (:class:`TargetRefused`)."""
        state = self._click_and_wait(locator, name)
        if state.get("page") == self.PAGE:
            messages = self._validation_messages()
            if not messages:
                raise PageChanged(
                    self.NAME, "messages d'erreur", self._FIELD_ERRORS, "formulaire réaffiché sans message"
                )
            raise self._refusal(messages)
        return next_page(self.driver, self.base_url, timeout=self.timeout, state=state)

    def _validation_messages(self) -> dict[str, str]:
        """Each validation message shown, by field name (the element's id without its suffix)."""
        found = self.driver.execute_script(_TEXTS_JS, css(self._FIELD_ERRORS))
        return {(key or "formulaire").removesuffix(self._FIELD_ERROR_SUFFIX): text for key, text in found}

    def _refusal(self, messages: dict[str, str]) -> TargetRefused:
        """The exception for a refused form (a subclass may recognise particular refusals)."""
        return TargetRefused(self.NAME, messages)


def _net_error(message: str | None) -> str:
    text = message or ""
    start = text.find("net::ERR_")
    return text[start:].split()[0] if start >= 0 else "erreur réseau"


class ReceiptPages:
    """How a target app shows a record's receipt (its file number), for the search page and the
    confirmation page: search result rows ``#resultats tr.resultat[<attribute>]`` or an
    ``#aucun-resultat`` element; a confirmation element holding the number."""

    RECEIPT_ATTRIBUTE: ClassVar[str]  # e.g. "data-matricule"
    RECEIPT_PATTERN: ClassVar[re.Pattern[str]]
    RECEIPT_NAME: ClassVar[str]  # French, in PageChanged: "matricule"
    RECEIPT_FORMAT: ClassVar[str]  # French: "format V0000000 attendu"


class SearchResultsPage(Page, ReceiptPages):
    """A search by business key: the receipts of the rows found (one at most)."""

    def receipts(self) -> list[str]:
        """Every receipt found, in one script call ([] when "aucun résultat")."""
        attribute = self.RECEIPT_ATTRIBUTE
        rows_locator: Locator = (By.CSS_SELECTOR, f"#resultats tr.resultat[{attribute}]")
        outcome_locator: Locator = (By.CSS_SELECTOR, f"#resultats tr.resultat[{attribute}], #aucun-resultat")
        outcome = self._attributes(outcome_locator, attribute)
        if not outcome:
            raise PageChanged(self.NAME, "résultats ou aucun-resultat", outcome_locator)
        rows = [value for value in outcome if value is not None]
        for value in rows:
            if not self.RECEIPT_PATTERN.fullmatch(value):
                raise PageChanged(self.NAME, f"{self.RECEIPT_NAME} d'un résultat", rows_locator, self.RECEIPT_FORMAT)
        return rows

    def receipt(self) -> str | None:
        """The receipt of the record searched, None when none was found."""
        found = self.receipts()
        if len(found) > 1:
            rows_locator: Locator = (By.CSS_SELECTOR, f"#resultats tr.resultat[{self.RECEIPT_ATTRIBUTE}]")
            raise PageChanged(self.NAME, "résultat unique", rows_locator, f"{len(found)} dossiers pour une clé")
        return found[0] if found else None


class ConfirmationPage(Page, ReceiptPages):
    """The page after a creation, showing the new record's receipt in ``RECEIPT_LOCATOR``."""

    RECEIPT_LOCATOR: ClassVar[Locator]

    def receipt(self) -> str:
        text = self._text(self.RECEIPT_LOCATOR, required=True)
        if not self.RECEIPT_PATTERN.fullmatch(text):
            raise PageChanged(self.NAME, self.RECEIPT_NAME, self.RECEIPT_LOCATOR, self.RECEIPT_FORMAT)
        return text
