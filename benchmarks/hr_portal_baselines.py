"""Two baselines to measure the HR-portal robot against (``include/processes/election_staff/hr_portal.py``).

- :func:`post_over_http`: the floor no robot can beat. One ``httpx.Client`` sends exactly
  what a browser sends (the step-1 GET that starts the draft, the three form POSTs, each
  followed by the GET of the page it redirects to) and renders nothing.
- :func:`naive_robot`: how a typical Robot Framework SeleniumLibrary robot types: one
  WebDriver round trip per element lookup, per ``clear()``, per ``send_keys()``, per click,
  and an explicit wait for the next page's ``body[data-page]`` marker after each submit.

Both take rows as the onboarding hands them on (canonical keys of ``columns.COLUMNS``,
dates ISO ``YYYY-MM-DD``, NIR and IBAN compact, "" for an empty optional value), type the
same values as the real robot (dates dd/mm/yyyy with :func:`portal_date`, the site chosen
with :func:`site_choice`), create one worker per row WITHOUT searching for it first (the
real robot searches: one page load more) and return the seconds spent on each record,
login excluded. Neither retries: a record the portal refuses raises :class:`RuntimeError`
whose message names the step, the fields and the portal's own messages, never the values
(personal data).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from include.processes.election_staff.hr_portal import portal_date, site_choice

LOGIN = "/login"
STEP_1 = "/vacataires/nouveau"  # GET starts a new draft
STEP_2 = "/vacataires/nouveau/adresse"
STEP_3 = "/vacataires/nouveau/affectation"
HTTP_TIMEOUT = 10.0
WAIT_TIMEOUT = 10.0
# SeleniumLibrary's "Wait Until ..." keywords check, then sleep 0.2 s before checking again.
WAIT_POLL = 0.2

RADIOS = frozenset({"sexe"})
SELECTS = frozenset({"statut", "site", "fonction"})
_MATRICULE = re.compile(r"V[0-9]{7}")

# What the portal's pages hold (sandbox/hr_portal/templates): read with regular expressions,
# the cheapest parsing there is, since the floor must not pay for an HTML parser either.
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
_PAGE = re.compile(r'<body data-page="([^"]*)"')
_ERRORS = re.compile(r'<(?:span|p) class="erreur" id="([^"]+)">(.*?)</(?:span|p)>', re.S)
_CONFIRMED = re.compile(r'<b id="matricule">([^<]*)</b>')
_SITE_SELECT = re.compile(r'<select id="site"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>(.*?)</option>', re.S)

# The naive robot's locators.
_ERROR_ELEMENTS = (By.CSS_SELECTOR, ".erreur")
_MATRICULE_ELEMENT = (By.ID, "matricule")


# --------------------------------------------------------------------------- the form's values


def identity_fields(row: Mapping[str, str]) -> dict[str, str]:
    """Step 1's fields in the form's order, as the real robot types them."""
    return {
        "nom": _value(row, "nom"),
        "nom_usage": _value(row, "nom_usage"),
        "prenom": _value(row, "prenom"),
        "sexe": _value(row, "sexe"),
        "date_naissance": portal_date(_value(row, "date_naissance")),
        "lieu_naissance": _value(row, "lieu_naissance"),
        "nir": _value(row, "nir"),
    }


def address_fields(row: Mapping[str, str]) -> dict[str, str]:
    """Step 2's fields in the form's order."""
    names = ("adresse", "code_postal", "commune", "email", "telephone", "iban", "bic")
    return {name: _value(row, name) for name in names}


def assignment_fields(row: Mapping[str, str], site_options: Sequence[str]) -> dict[str, str]:
    """Step 3's fields in the form's order; ``site`` is an option's visible text ("Autre" + ``site_autre``)."""
    site, other = site_choice(list(site_options), _value(row, "site"))
    return {
        "statut": _value(row, "statut"),
        "site": site,
        "site_autre": other,
        "fonction": _value(row, "fonction"),
        "date_debut": portal_date(_value(row, "date_debut")),
        "date_fin": portal_date(_value(row, "date_fin")),
    }


def _value(row: Mapping[str, str], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- floor: HTTP only


def post_over_http(base_url: str, user: str, password: str, rows: Sequence[Mapping[str, str]]) -> list[float]:
    """Create one worker per row with plain HTTP requests; the seconds each record took.

    Logs in once (not timed). Per record, exactly a browser's requests: GET step 1 (starts
    the draft, gives the form's CSRF token), POST step 1, 2 and 3, each answered by a 303
    that is followed (GET of the next step, then of the confirmation page), and the
    matricule read from the confirmation page. No search (the real robot searches first).
    Raises :class:`RuntimeError` if the login or a record is refused, or if a page is not
    the expected one.
    """
    with httpx.Client(base_url=base_url.rstrip("/"), follow_redirects=True, timeout=HTTP_TIMEOUT) as http:
        _http_log_in(http, user, password)
        return [_timed(partial(_http_create, http, row)) for row in rows]


def _http_log_in(http: httpx.Client, user: str, password: str) -> None:
    form = _expect(http.get(LOGIN), "login", "login page")
    data = {"csrf_token": _csrf_token(form), "next": "/", "username": user, "password": password}
    _expect(http.post(LOGIN, data=data), "accueil", "login")


def _http_create(http: httpx.Client, row: Mapping[str, str]) -> str:
    """One record: four page loads after the step-1 GET; the new matricule."""
    page = _expect(http.get(STEP_1), "nouveau-identite", "step 1 (open)")
    page = _post(http, STEP_1, page, identity_fields(row), "nouveau-adresse", "step 1 (identity)")
    page = _post(http, STEP_2, page, address_fields(row), "nouveau-affectation", "step 2 (address and bank)")
    options = _site_options(page)
    fields = assignment_fields(row, list(options))
    fields["site"] = options[fields["site"]]
    page = _post(http, STEP_3, page, fields, "confirmation", "step 3 (assignment)")
    return _confirmed_matricule(page)


def _post(http: httpx.Client, path: str, form: str, fields: Mapping[str, str], expected: str, step: str) -> str:
    """Submit a form with its own CSRF token; the page it leads to (after redirects)."""
    return _expect(http.post(path, data={"csrf_token": _csrf_token(form), **fields}), expected, step)


def _expect(response: httpx.Response, expected: str, step: str) -> str:
    """The response's HTML if it is the ``expected`` page, else :class:`RuntimeError` saying what came."""
    text = response.text
    found = _PAGE.search(text)
    page = found.group(1) if found else None
    if response.status_code == 200 and page == expected:
        return text
    errors = {key.removesuffix("-erreur"): html.unescape(message).strip() for key, message in _ERRORS.findall(text)}
    if errors and response.status_code == 200:
        details = " ; ".join(f"{field}: {message}" for field, message in errors.items())
        raise RuntimeError(f"HR portal refused {step}: {details}")
    shown = f'page "{page}"' if page else "a page without data-page"
    raise RuntimeError(f"HR portal: {step} gave HTTP {response.status_code}, {shown} instead of page {expected!r}")


def _csrf_token(page: str) -> str:
    found = _CSRF.search(page)
    if found is None:
        raise RuntimeError("HR portal: no CSRF token in the form")
    return html.unescape(found.group(1))


def _site_options(page: str) -> dict[str, str]:
    """Step 3's site options: visible text -> value (what a browser posts), the placeholder left out."""
    select = _SITE_SELECT.search(page)
    if select is None:
        raise RuntimeError("HR portal: no site list on step 3")
    options = {html.unescape(text).strip(): html.unescape(value) for value, text in _OPTION.findall(select.group(1))}
    return {text: value for text, value in options.items() if value}


def _confirmed_matricule(page: str) -> str:
    found = _CONFIRMED.search(page)
    matricule = found.group(1).strip() if found else ""
    if not _MATRICULE.fullmatch(matricule):
        raise RuntimeError("HR portal: no matricule V0000000 on the confirmation page")
    return matricule


# --------------------------------------------------------------------------- naive Selenium robot


def naive_robot(
    driver: WebDriver,
    base_url: str,
    user: str,
    password: str,
    rows: Sequence[Mapping[str, str]],
    *,
    timeout: float = WAIT_TIMEOUT,
) -> list[float]:
    """Create one worker per row as a typical Robot Framework SeleniumLibrary robot would.

    Per field, SeleniumLibrary's keywords: ``Input Text`` (``find_element``, ``clear()``,
    ``send_keys(value)``; empty values too), ``Select From List By Label``
    (``Select(...).select_by_visible_text``), ``Select Radio Button`` / ``Click Button``
    (``click()``), then ``Wait Until Page Contains Element`` for the next page's
    ``body[data-page]`` marker (a ``WebDriverWait`` polling every 0.2 s, as that keyword
    does). The portal's date inputs are ``type="text"`` with a jj/mm/aaaa hint, so dates are
    typed as dd/mm/yyyy text. The site list's option texts are read one by one (``Get List
    Items``) to choose the site as the real robot does.

    Logs in once (not timed). Per record: open the new-worker form (GET
    /vacataires/nouveau), fill and submit the three steps, read the matricule. No search
    (the real robot searches first; the HTTP floor does not either). Raises
    :class:`RuntimeError` if the login or a record is refused (the page shows
    ``.erreur`` messages instead of the next page), or if no matricule is shown; a page
    that never comes raises Selenium's ``TimeoutException``.
    """
    base = base_url.rstrip("/")
    _naive_log_in(driver, base, user, password, timeout)
    return [_timed(partial(_naive_create, driver, base, row, timeout)) for row in rows]


def _naive_log_in(driver: WebDriver, base: str, user: str, password: str, timeout: float) -> None:
    driver.get(base + LOGIN)
    _wait_for_page(driver, "login", "login page", timeout)
    _input_text(driver, "username", user)
    _input_text(driver, "password", password)
    _click_and_wait(driver, "connexion", "accueil", "login", timeout)


def _naive_create(driver: WebDriver, base: str, row: Mapping[str, str], timeout: float) -> str:
    """One record: the step-1 page, three submits, the matricule."""
    driver.get(base + STEP_1)
    _wait_for_page(driver, "nouveau-identite", "step 1 (open)", timeout)
    _fill(driver, identity_fields(row))
    _click_and_wait(driver, "suivant", "nouveau-adresse", "step 1 (identity)", timeout)
    _fill(driver, address_fields(row))
    _click_and_wait(driver, "suivant", "nouveau-affectation", "step 2 (address and bank)", timeout)
    _fill(driver, assignment_fields(row, _option_texts(driver, "site")))
    _click_and_wait(driver, "valider", "confirmation", "step 3 (assignment)", timeout)
    return _shown_matricule(driver)


def _fill(driver: WebDriver, fields: Mapping[str, str]) -> None:
    """Each field with its keyword, in the form's order."""
    for name, value in fields.items():
        if name in RADIOS:
            driver.find_element(By.ID, f"{name}-{value}").click()
        elif name in SELECTS:
            Select(driver.find_element(By.ID, name)).select_by_visible_text(value)
        else:
            _input_text(driver, name, value)


def _input_text(driver: WebDriver, element_id: str, value: str) -> None:
    """SeleniumLibrary's ``Input Text``: find, clear, type."""
    element = driver.find_element(By.ID, element_id)
    element.clear()
    element.send_keys(value)


def _option_texts(driver: WebDriver, element_id: str) -> list[str]:
    """SeleniumLibrary's ``Get List Items``: every option's text, one round trip each."""
    return [option.text for option in Select(driver.find_element(By.ID, element_id)).options]


def _click_and_wait(driver: WebDriver, button_id: str, expected: str, step: str, timeout: float) -> None:
    driver.find_element(By.ID, button_id).click()
    _wait_for_page(driver, expected, step, timeout)


def _wait_for_page(driver: WebDriver, expected: str, step: str, timeout: float) -> None:
    """Wait for ``body[data-page=expected]``; error messages shown instead raise :class:`RuntimeError`."""
    marker = (By.CSS_SELECTOR, f'body[data-page="{expected}"]')

    def arrived_or_refused(driver: WebDriver) -> str | None:
        if driver.find_elements(*marker):
            return "arrived"
        if driver.find_elements(*_ERROR_ELEMENTS):
            return "refused"
        return None

    if WebDriverWait(driver, timeout, poll_frequency=WAIT_POLL).until(arrived_or_refused) == "refused":
        errors = {
            (element.get_attribute("id") or "page").removesuffix("-erreur"): element.text.strip()
            for element in driver.find_elements(*_ERROR_ELEMENTS)
        }
        details = " ; ".join(f"{field}: {message}" for field, message in errors.items())
        raise RuntimeError(f"HR portal refused {step}: {details}")


def _shown_matricule(driver: WebDriver) -> str:
    elements = driver.find_elements(*_MATRICULE_ELEMENT)
    matricule = elements[0].text.strip() if elements else ""
    if not _MATRICULE.fullmatch(matricule):
        raise RuntimeError("HR portal: no matricule V0000000 on the confirmation page")
    return matricule
