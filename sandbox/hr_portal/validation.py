"""Server-side checks of the creation form, with the French messages shown
next to the fields. Pure functions: the database check (NIR already
registered) is the routes' job.

Each ``check_*`` takes the posted form and returns what to redisplay (as
typed), the cleaned values to keep (compact NIR, IBAN, BIC and phone, dates
as dd/mm/yyyy) and the errors by field name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum, InvalidChecksumDigits, SchwiftyException
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fr import nir as stdnum_nir

from sandbox.common.forms import SPACES as _SPACES
from sandbox.common.forms import CheckedForm, parse_date
from sandbox.hr_portal.fields import (
    ADRESSE,
    AFFECTATION,
    FONCTIONS,
    IDENTITE,
    OPTIONAL,
    SEXES,
    SITE_OTHER,
    SITES,
    STATUTS,
)

MESSAGES = {
    "requis": "Ce champ est obligatoire",
    "date": "Date invalide (format attendu jj/mm/aaaa)",
    "date_future": "La date de naissance ne peut pas être dans le futur",
    "dates_ordre": "La date de fin doit être postérieure ou égale à la date de début",
    "choix": "Valeur non reconnue : choisissez dans la liste",
    "nir_format": "NIR mal formé (15 caractères attendus, 2A/2B pour la Corse)",
    "nir_cle": "NIR invalide : clé de contrôle incorrecte",
    "nir_sexe": "NIR incohérent avec le sexe déclaré",
    "nir_annee": "NIR incohérent avec l'année de naissance",
    "nir_mois": "NIR incohérent avec le mois de naissance",
    "nir_doublon": "Ce NIR est déjà enregistré (matricule {matricule})",
    "code_postal": "Code postal invalide (5 chiffres attendus)",
    "email": "Adresse e-mail mal formée",
    "telephone": "Numéro de téléphone mal formé",
    "iban_format": "IBAN mal formé",
    "iban_cle": "IBAN invalide : clé de contrôle incorrecte",
    "iban_rib": "IBAN invalide : clé RIB incorrecte",
    "bic": "BIC mal formé (8 ou 11 caractères)",
}

_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
_PHONE = re.compile(r"^(?:0[1-9][0-9]{8}|\+[1-9][0-9]{7,14})$")
_PHONE_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-()]")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


@dataclass
class Checked(CheckedForm):
    MESSAGES = MESSAGES

    cleaned: dict[str, str] = field(default_factory=dict)  # what is kept


def compact_nir(value: str) -> str:
    """'2 95 10 99 126 111 93' -> '295109912611193' (how the portal searches and stores)."""
    return stdnum_nir.compact(_SPACES.sub("", value))


def _read(form: Mapping[str, Any], names: tuple[str, ...]) -> Checked:
    checked = Checked()
    for name in names:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        checked.values[name] = value
        checked.cleaned[name] = _SPACES.sub(" ", value)
        if not value and name not in OPTIONAL:
            checked.fail(name, "requis")
    return checked


def _date(checked: Checked, name: str) -> dt.date | None:
    value = checked.cleaned[name]
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        checked.fail(name, "date")
    return parsed


def _choice(checked: Checked, name: str, choices: tuple[str, ...] | Mapping[str, str]) -> None:
    if checked.cleaned[name] and checked.cleaned[name] not in choices:
        checked.fail(name, "choix")


def check_identite(form: Mapping[str, Any], today: dt.date | None = None) -> Checked:
    checked = _read(form, IDENTITE)
    _choice(checked, "sexe", SEXES)
    birth = _date(checked, "date_naissance")
    if birth is not None and birth > (today or dt.date.today()):
        checked.fail("date_naissance", "date_future")
    if checked.cleaned["nir"]:
        number = compact_nir(checked.cleaned["nir"])
        checked.cleaned["nir"] = number
        try:
            stdnum_nir.validate(number)
        except InvalidChecksum:
            checked.fail("nir", "nir_cle")
        except ValidationError:
            checked.fail("nir", "nir_format")
        else:
            _nir_consistency(checked, number, checked.cleaned["sexe"], birth)
    return checked


def _nir_consistency(checked: Checked, number: str, sexe: str, birth: dt.date | None) -> None:
    """Sex digit (1 man, 2 woman; other digits are temporary numbers), year, and month when 01-12."""
    if sexe in SEXES and number[0] in "12" and number[0] != {"M": "1", "F": "2"}[sexe]:
        checked.fail("nir", "nir_sexe")
    if birth is None:
        return
    if number[1:3] != f"{birth.year % 100:02d}":
        checked.fail("nir", "nir_annee")
    month = int(number[3:5])
    if 1 <= month <= 12 and month != birth.month:
        checked.fail("nir", "nir_mois")


def check_adresse(form: Mapping[str, Any]) -> Checked:
    checked = _read(form, ADRESSE)
    cleaned = checked.cleaned
    postal_code = _SPACES.sub("", cleaned["code_postal"])
    cleaned["code_postal"] = postal_code
    if postal_code and not _POSTAL_CODE.match(postal_code):
        checked.fail("code_postal", "code_postal")
    if cleaned["email"] and not _EMAIL.match(cleaned["email"]):
        checked.fail("email", "email")
    if cleaned["telephone"]:
        cleaned["telephone"] = _PHONE_SEPARATORS.sub("", cleaned["telephone"])
        if not _PHONE.match(cleaned["telephone"]):
            checked.fail("telephone", "telephone")
    if cleaned["iban"]:
        try:
            cleaned["iban"] = IBAN(cleaned["iban"], validate_bban=True).compact
        except InvalidChecksumDigits:
            checked.fail("iban", "iban_cle")
        except InvalidBBANChecksum:
            checked.fail("iban", "iban_rib")
        except SchwiftyException:
            checked.fail("iban", "iban_format")
    if cleaned["bic"]:
        cleaned["bic"] = _SPACES.sub("", cleaned["bic"]).upper()
        if not _BIC.match(cleaned["bic"]):
            checked.fail("bic", "bic")
    return checked


def check_affectation(form: Mapping[str, Any]) -> Checked:
    checked = _read(form, AFFECTATION)
    cleaned = checked.cleaned
    _choice(checked, "statut", STATUTS)
    _choice(checked, "fonction", FONCTIONS)
    if cleaned["site"] == SITE_OTHER:
        if not cleaned["site_autre"]:
            checked.fail("site_autre", "requis")
        cleaned["site"] = cleaned["site_autre"]
    else:
        _choice(checked, "site", SITES)
    del cleaned["site_autre"]
    start, end = _date(checked, "date_debut"), _date(checked, "date_fin")
    if start is not None and end is not None and start > end:
        checked.fail("date_fin", "dates_ordre")
    return checked
