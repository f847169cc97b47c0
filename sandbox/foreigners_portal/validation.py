"""Server-side checks of the four screens of the creation form, with the French messages
shown next to the fields. Pure functions: the database check (application number already
stored) is the routes' job.

Each ``check_*`` takes the posted form (and what an earlier screen of the draft holds,
for the checks across screens) and returns what to redisplay (as typed), the cleaned
values to keep (spaces trimmed and collapsed, passport number compact and upper case,
dates as dd/mm/yyyy, documents as codes joined by "|") and the errors by field name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.common.forms import SPACES as _SPACES
from sandbox.common.forms import CheckedForm, parse_date
from sandbox.foreigners_portal.fields import (
    DECISION,
    FRONTIER_SITUATION,
    FRONTIER_TITRE,
    IDENTITE,
    PIECES,
    RESIDENCE,
    SITUATIONS,
    TITRES,
    join_codes,
)

MESSAGES = {
    "requis": "Ce champ est obligatoire",
    "date": "Date invalide (format attendu jj/mm/aaaa)",
    "choix": "Valeur non reconnue : choisissez dans la liste",
    "numero_dossier": (
        "Numéro de dossier invalide (lettres, chiffres, « - », « / », « . » ou « _ », 40 caractères au plus)"
    ),
    "doublon": "Un dossier existe déjà pour ce numéro de dossier (n° étranger {numero})",
    "naissance_future": "La date de naissance ne peut pas être dans le futur",
    "passeport": "Numéro de passeport invalide (9 lettres ou chiffres attendus)",
    "passeport_etranger": "Numéro de passeport invalide (6 à 12 lettres ou chiffres attendus)",
    "passeport_expiration": "La date d'expiration du passeport doit être postérieure à la date de naissance",
    "code_postal": "Code postal invalide (5 chiffres attendus)",
    "entree_naissance": "La date d'entrée en France ne peut pas précéder la date de naissance",
    "entree_future": "La date d'entrée en France ne peut pas être dans le futur",
    "depot_future": "La date de dépôt ne peut pas être dans le futur",
    "depot_entree": "La date de dépôt doit être postérieure ou égale à la date d'entrée en France",
    "pieces_aucune": "Cochez au moins une pièce fournie",
    "titre_frontalier": "Le titre « travailleur frontalier » est réservé à la situation « Travailleur frontalier »",
    "frontalier_titre": "Un travailleur frontalier reçoit le titre « travailleur frontalier »",
}

_NUMERO_DOSSIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$")
# A British passport number is 9 letters or digits; other nationals' (family members) 6 to 12.
_BRITISH_PASSPORT = re.compile(r"^[A-Z0-9]{9}$")
_OTHER_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")


@dataclass
class Checked(CheckedForm):
    MESSAGES = MESSAGES

    cleaned: dict[str, str] = field(default_factory=dict)  # what is kept


def is_british(nationalite: str) -> bool:
    """'britannique', 'Franco-britannique', 'BRITANNIQUE' -> True (as the pipeline writes it)."""
    return "britannique" in nationalite.casefold()


def _read(form: Mapping[str, Any], names: tuple[str, ...]) -> Checked:
    checked = Checked()
    for name in names:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        checked.values[name] = value
        checked.cleaned[name] = _SPACES.sub(" ", value)
        if not value:
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


def _choice(checked: Checked, name: str, choices: Mapping[str, str]) -> None:
    if checked.cleaned[name] and checked.cleaned[name] not in choices:
        checked.fail(name, "choix")


def check_identite(form: Mapping[str, Any], today: dt.date | None = None) -> Checked:
    """Screen 1: application number, identity, passport."""
    checked = _read(form, IDENTITE)
    cleaned = checked.cleaned
    if cleaned["numero_dossier"] and not _NUMERO_DOSSIER.match(cleaned["numero_dossier"]):
        checked.fail("numero_dossier", "numero_dossier")
    birth = _date(checked, "date_naissance")
    if birth is not None and birth > (today or dt.date.today()):
        checked.fail("date_naissance", "naissance_future")
        birth = None  # no comparison with a refused date
    if cleaned["numero_passeport"]:
        cleaned["numero_passeport"] = _SPACES.sub("", cleaned["numero_passeport"]).upper()
        if is_british(cleaned["nationalite"]):
            if not _BRITISH_PASSPORT.match(cleaned["numero_passeport"]):
                checked.fail("numero_passeport", "passeport")
        elif not _OTHER_PASSPORT.match(cleaned["numero_passeport"]):
            checked.fail("numero_passeport", "passeport_etranger")
    expiry = _date(checked, "date_expiration_passeport")
    if birth is not None and expiry is not None and expiry <= birth:
        checked.fail("date_expiration_passeport", "passeport_expiration")
    return checked


def check_residence(form: Mapping[str, Any], birth: dt.date | None = None, today: dt.date | None = None) -> Checked:
    """Screen 2: residence history (``birth``: the date of birth of screen 1)."""
    checked = _read(form, RESIDENCE)
    cleaned = checked.cleaned
    today = today or dt.date.today()
    postal_code = _SPACES.sub("", cleaned["code_postal"])
    cleaned["code_postal"] = postal_code
    if postal_code and not _POSTAL_CODE.match(postal_code):
        checked.fail("code_postal", "code_postal")
    _choice(checked, "situation", SITUATIONS)
    entry = _date(checked, "date_entree_france")
    if entry is not None and birth is not None and entry < birth:
        checked.fail("date_entree_france", "entree_naissance")
        entry = None  # no comparison with a refused date
    elif entry is not None and entry > today:
        checked.fail("date_entree_france", "entree_future")
        entry = None
    filed = _date(checked, "date_depot")
    if filed is not None:
        if filed > today:
            checked.fail("date_depot", "depot_future")
        if entry is not None and filed < entry:
            checked.fail("date_depot", "depot_entree")
    return checked


def posted_codes(form: Mapping[str, Any], name: str) -> list[str]:
    """Every value posted under ``name`` (checkboxes): a form's ``getlist``, a list, or one text."""
    getlist = getattr(form, "getlist", None)
    raw = getlist(name) if callable(getlist) else form.get(name, [])
    values = [raw] if isinstance(raw, str) else list(raw or [])
    return [value.strip() for value in values if isinstance(value, str) and value.strip()]


def check_pieces(form: Mapping[str, Any]) -> Checked:
    """Screen 3: the documents provided, one checkbox each (at least one)."""
    checked = Checked()
    codes = posted_codes(form, "pieces")
    checked.values["pieces"] = checked.cleaned["pieces"] = join_codes(codes)
    if not codes:
        checked.fail("pieces", "pieces_aucune")
    elif any(code not in PIECES for code in codes):
        checked.fail("pieces", "choix")
    return checked


def check_decision(form: Mapping[str, Any], situation: str = "") -> Checked:
    """Screen 4: the residence document (``situation``: the code chosen on screen 2)."""
    checked = _read(form, DECISION)
    _choice(checked, "titre", TITRES)
    titre = checked.cleaned["titre"]
    if titre in TITRES and situation in SITUATIONS:
        if titre == FRONTIER_TITRE and situation != FRONTIER_SITUATION:
            checked.fail("titre", "titre_frontalier")
        elif situation == FRONTIER_SITUATION and titre != FRONTIER_TITRE:
            checked.fail("titre", "frontalier_titre")
    return checked
