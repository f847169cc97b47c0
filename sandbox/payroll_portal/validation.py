"""Server-side checks of the new-allowance form, with the French messages shown next
to the fields. Pure functions: the database check (one allowance per worker and round)
is the routes' job.

Decimals are typed the French way (``12,5``, ``126,00``; a dot is accepted too, spaces
are ignored, at most 2 decimals) and kept as integers: hundredths of an hour, cents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.common.forms import SPACES as _SPACES
from sandbox.common.forms import CheckedForm
from sandbox.payroll_portal.fields import (
    CEILING_CENTS,
    FORM_FIELDS,
    MAX_HOURS,
    MODE_ENVELOPE,
    MODES,
    OPTIONAL,
    SCRUTINS,
    YES_NO,
)
from sandbox.payroll_portal.repository import NewAllowance

MESSAGES = {
    "requis": "Ce champ est obligatoire",
    "choix": "Valeur non reconnue : choisissez dans la liste",
    "heures_format": "Nombre d'heures invalide (nombre décimal attendu, par exemple 12,5)",
    "heures_bornes": "Le nombre d'heures doit être supérieur à 0 et inférieur ou égal à 200",
    "plis_format": "Nombre de plis invalide (nombre entier positif ou nul attendu)",
    "plis_requis": "Le nombre de plis est obligatoire pour une rémunération à l'enveloppe",
    "montant_format": "Montant invalide (format attendu 126,00)",
    "montant_positif": "Le montant doit être supérieur à 0",
    "montant_plafond": "Montant supérieur au plafond de 600,00 € par scrutin",
    "doublon": "Une indemnité existe déjà pour ce scrutin (n° {numero})",
}

_DECIMAL = re.compile(r"^-?[0-9]{1,9}(?:[.,][0-9]{1,2})?$")
_INTEGER = re.compile(r"^[0-9]{1,7}$")


@dataclass
class Checked(CheckedForm):
    MESSAGES = MESSAGES

    allowance: NewAllowance | None = None  # what is kept, when there is no error


def parse_decimal(value: str) -> Decimal | None:
    """'12,5' -> Decimal('12.5'); '1 126.00' -> Decimal('1126.00'); None if not a number with at most 2 decimals."""
    compact = _SPACES.sub("", value)
    if not _DECIMAL.match(compact):
        return None
    return Decimal(compact.replace(",", "."))


def hundredths(value: Decimal) -> int:
    """Decimal('12.5') -> 1250 (exact: at most 2 decimals)."""
    return int(value * 100)


def check_allowance(form: Mapping[str, Any]) -> Checked:
    checked = Checked()
    for name in FORM_FIELDS:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        checked.values[name] = value
        if not value and name not in OPTIONAL:
            checked.fail(name, "requis")
    values = checked.values
    for name, choices in (("scrutin", SCRUTINS), ("mode", MODES), ("chef_de_table", YES_NO)):
        if values[name] and values[name] not in choices:
            checked.fail(name, "choix")

    hours = parse_decimal(values["heures"]) if values["heures"] else None
    if values["heures"]:
        if hours is None:
            checked.fail("heures", "heures_format")
        elif not 0 < hours <= MAX_HOURS:
            checked.fail("heures", "heures_bornes")

    envelopes: int | None = None
    if values["plis"]:
        compact = _SPACES.sub("", values["plis"])
        if _INTEGER.match(compact):
            envelopes = int(compact)
        else:
            checked.fail("plis", "plis_format")
    elif values["mode"] == MODE_ENVELOPE:
        checked.fail("plis", "plis_requis")

    amount = parse_decimal(values["montant"].removesuffix("€")) if values["montant"] else None
    if values["montant"]:
        if amount is None:
            checked.fail("montant", "montant_format")
        elif amount <= 0:
            checked.fail("montant", "montant_positif")
        elif hundredths(amount) > CEILING_CENTS:
            checked.fail("montant", "montant_plafond")

    if checked.ok and hours is not None and amount is not None:
        checked.allowance = NewAllowance(
            scrutin=values["scrutin"],
            mode=values["mode"],
            heures_centiemes=hundredths(hours),
            plis=envelopes,
            chef_de_table=values["chef_de_table"] == "oui",
            montant_centimes=hundredths(amount),
        )
    return checked
