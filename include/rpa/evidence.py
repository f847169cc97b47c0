"""Evidence of a robot's failure: a screenshot and the page's HTML, personal data redacted.

When the target refuses a record or keeps failing, the person who looks into it wants to
see the page as the robot saw it: the error messages, which step, which fields were
flagged. Not the worker's data: before anything is captured, the page itself is redacted
in the browser (every typed value and every text outside labels, headings, buttons and the
app's messages becomes "•••"), then the HTML goes through :func:`mask_text` as well (NIR,
IBAN, e-mail addresses left in the app's messages). The page is lost for the robot
afterwards: call this only before navigating elsewhere.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from include.rpa.pii import mask_text

log = logging.getLogger(__name__)

REDACTED = "•••"
# Texts kept as they are: what the app itself says, not what was typed or stored.
KEPT_TEXT = (
    "title, h1, h2, h3, h4, label, legend, th, dt, button, option, nav, a, "
    ".erreur, #erreur, #erreur-formulaire, #message, #erreur-connexion, [data-rpa-keep]"
)
_REDACT_JS = """
const kept = arguments[0], mark = arguments[1];
for (const field of document.querySelectorAll('input, textarea')) {
  const type = (field.getAttribute('type') || '').toLowerCase();
  if (['hidden', 'submit', 'button', 'radio', 'checkbox'].includes(type)) {
    if (type === 'hidden') field.setAttribute('value', mark);
    continue;
  }
  field.value = field.value ? mark : '';
  field.setAttribute('value', field.value);
  if (field.tagName === 'TEXTAREA') field.textContent = field.value;
}
const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
const texts = [];
while (walker.nextNode()) texts.push(walker.currentNode);
for (const node of texts) {
  const parent = node.parentElement;
  if (!node.nodeValue.trim() || !parent || parent.closest(kept) || parent.closest('script, style')) continue;
  node.nodeValue = mark;
}
return document.documentElement.outerHTML;
"""
_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def capture(driver: WebDriver, folder: Path, name: str) -> list[str]:
    """Redact the page, then save ``<name>.png`` and ``<name>.html`` in ``folder``; the file names saved.

    Never raises: a browser that cannot answer any more simply leaves no evidence (logged).
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", name).strip("_") or "page"
    saved: list[str] = []
    try:
        html = driver.execute_script(_REDACT_JS, KEPT_TEXT, REDACTED)
    except WebDriverException as exc:
        log.warning("Capture impossible (page non lisible) : %s", type(exc).__name__)
        return saved
    (folder / f"{stem}.html").write_text(mask_text(str(html or "")), encoding="utf-8")
    saved.append(f"{stem}.html")
    try:
        (folder / f"{stem}.png").write_bytes(driver.get_screenshot_as_png())
        saved.append(f"{stem}.png")
    except WebDriverException as exc:
        log.warning("Capture d'écran impossible : %s", type(exc).__name__)
    return saved
