"""Masking of personal data: NIR, IBAN, e-mail addresses, names.

Everything that leaves a run folder for a person to read (reports' quarantine
tables, alerts, logs) goes through these functions.
"""

from __future__ import annotations

import re

# NIR: 15 characters, spaces allowed between the groups, Corsica 2A/2B.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])[1-478][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ABab])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?"
    r"(?![0-9A-Za-z])"
)
# IBAN: 2 letters, 2 check digits, 11 to 30 alphanumerics, spaces allowed every 4.
_IBAN = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}\d{2}(?:[ ]?[0-9A-Za-z]){11,30}(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def mask_text(text: str) -> str:
    """Replace every NIR, IBAN and e-mail address in free text, whatever the text."""
    text = _EMAIL.sub("[courriel masqué]", text)
    text = _IBAN.sub("[IBAN masqué]", text)
    return _NIR.sub("[NIR masqué]", text)


def initials(*names: str) -> str:
    """'Dupont', 'Jean-Marie' -> 'D. J.': enough for an agent to double-check a row."""
    letters = [name.strip()[0].upper() + "." for name in names if name and name.strip()]
    return " ".join(letters)
