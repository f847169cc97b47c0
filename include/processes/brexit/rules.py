"""Rules of a Withdrawal Agreement residence-permit file, in two layers.

(a) Row rules (pandera, vectorised): a malformed row of the portal's export goes to quarantine
    with French reasons, as for the election files: empty required field, date that is not a
    real jj/mm/aaaa date (Excel traps named: serial number, two-digit year, American order,
    "####"), malformed or duplicated file number, malformed passport number (Excel's lost
    leading zero named), postal code, unknown situation, document names not recognised.

(b) The business decision over one normalised, well-formed file: :func:`decide` says whether
    the file is entered (``saisir``), incomplete (``incomplet``: a letter lists the missing
    documents), not eligible (``non_eligible``) or left to a human (``a_arbitrer``), with the
    card to issue, the missing documents and French sentences.

Sources (docs/domain/brexit.md, "Withdrawal Agreement residence permits"): the Withdrawal Agreement
(17/10/2019), décret n° 2020-1417 du 19/11/2020, arrêté du 20/11/2020 (documents).

- Eligible: British nationals legally resident in France before 1 January 2021, frontier
  workers, family members (of any nationality; those joining after 2020 included:
  Withdrawal Agreement art. 10(1)(e)). A French national is not a foreigner and needs no
  residence permit: a French-British dual national is not eligible.
- Passport valid on the filing date (docs/domain/brexit.md: "valid passport"); valid through its expiry
  day.
- Filing online until 30 September 2021; later only with a legitimate reason: coming of age,
  family joining (docs/domain/brexit.md). Other reasons are assessed case by case (Withdrawal Agreement
  art. 18(1)(d)): a human decides.
- Card: 10-year "séjour permanent" at 5 full years of residence on the filing date, 5-year
  card below, the frontier workers' document for frontier workers (docs/domain/brexit.md).
- Documents: passport, photo, proof of settling date, proof of residence in 2020, and below
  5 years proof of activity or resources and health insurance (docs/domain/brexit.md; per situation in
  config/brexit.toml).

Dates, windows, reasons and document lists come from config/brexit.toml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from include.processes.brexit.codes import PIECES, SITUATIONS, TITRES, join_codes, split_codes
from include.processes.brexit.columns import COLUMNS, DATE_COLUMNS, LABELS, NON_EMPTY
from include.processes.brexit.config import BrexitSettings
from include.rpa.checks import communes
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.normalize import canonical_choice, on_unique, parse_dates
from include.rpa.pii import mask_text
from include.rpa.text import strip_accents

# --------------------------------------------------------------------------- free text -> codes

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def words(text: str) -> str:
    """'Photo d’identité (PDF)' -> 'photo d identite pdf': lower case, no accents, words only."""
    return _NON_ALNUM.sub(" ", strip_accents(text or "").lower()).strip()


# Nationality. Decision: the UK's constituent nations (English, Scottish, Welsh, Northern
# Irish) and the usual names of the UK and its ISO codes (GB, GBR, UK) mean British. "Irish"
# alone means Ireland (an EU state): not British. French in any combination means a French
# national (CESEDA L.110-1: a foreigner is a person without French nationality).
BRITISH = "britannique"
FRENCH = "française"
FRENCH_BRITISH = "franco-britannique"
_BRITISH_WORDS = frozenset(
    {
        "britannique",
        "britanique",
        "britanniques",
        "british",
        "gb",
        "gbr",
        "uk",
        "anglaise",
        "anglais",
        "english",
        "ecossaise",
        "ecossais",
        "scottish",
        "galloise",
        "gallois",
        "welsh",
    }
)
_BRITISH_PHRASES = (
    "royaume uni",
    "united kingdom",
    "grande bretagne",
    "great britain",
    "nord irlandais",
    "nord irlandaise",
    "northern irish",
    "irlande du nord",
    "northern ireland",
)
_FRENCH_WORDS = frozenset({"francaise", "francais", "french", "fra", "france", "franco"})


def normalise_nationality(text: str) -> str:
    """'British', 'Royaume-Uni', 'GBR', 'Anglaise'... -> 'britannique'; with French ->
    'franco-britannique'; French alone -> 'française'; anything else: lower case, spaces
    collapsed (e.g. 'irlandaise', 'américaine')."""
    key = words(text)
    tokens = set(key.split())
    padded = f" {key} "
    british = bool(tokens & _BRITISH_WORDS) or any(f" {p} " in padded for p in _BRITISH_PHRASES)
    french = bool(tokens & _FRENCH_WORDS)
    if british and french:
        return FRENCH_BRITISH
    if british:
        return BRITISH
    if french:
        return FRENCH
    return " ".join((text or "").replace("\u2019", "'").split()).lower()


SITUATION_SYNONYMS: dict[str, str] = {
    **{code: code for code in SITUATIONS},
    **{label: code for code, label in SITUATIONS.items()},
    "salarié(e)": "salarie",
    "salariée": "salarie",
    "employé": "salarie",
    "employée": "salarie",
    "employed": "salarie",
    "employee": "salarie",
    "indépendante": "independant",
    "indépendant(e)": "independant",
    "travailleur indépendant": "independant",
    "travailleuse indépendante": "independant",
    "auto-entrepreneur": "independant",
    "auto-entrepreneuse": "independant",
    "micro-entrepreneur": "independant",
    "profession libérale": "independant",
    "self-employed": "independant",
    "étudiante": "etudiant",
    "étudiant(e)": "etudiant",
    "student": "etudiant",
    "inactive": "inactif",
    "inactif(ve)": "inactif",
    "retraité": "inactif",
    "retraitée": "inactif",
    "retraité(e)": "inactif",
    "retired": "inactif",
    "sans activité": "inactif",
    "economically inactive": "inactif",
    "demandeuse d'emploi": "demandeur_emploi",
    "demandeur(se) d'emploi": "demandeur_emploi",
    "demandeur/demandeuse d'emploi": "demandeur_emploi",
    "chômeur": "demandeur_emploi",
    "chômeuse": "demandeur_emploi",
    "en recherche d'emploi": "demandeur_emploi",
    "jobseeker": "demandeur_emploi",
    "job seeker": "demandeur_emploi",
    "frontalier": "frontalier",
    "frontalière": "frontalier",
    "frontalier(ère)": "frontalier",
    "travailleuse frontalière": "frontalier",
    "frontier worker": "frontalier",
    "cross-border worker": "frontalier",
    "membre de la famille": "membre_famille",
    "membre de famille d'un ressortissant britannique": "membre_famille",
    "conjoint": "membre_famille",
    "conjointe": "membre_famille",
    "conjoint(e)": "membre_famille",
    "enfant": "membre_famille",
    "ascendant": "membre_famille",
    "family member": "membre_famille",
}

# Document names as applicants and the portal write them -> codes.PIECES. The codes and
# their labels are recognised too. Matching is on whole names (case, accents, punctuation and
# plural "s" ignored; "copie du ..." and a trailing file type dropped).
DOCUMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "passeport": (
        "passeport",
        "passport",
        "passeport britannique",
        "passeport valide",
        "passeport en cours de validité",
        "pages du passeport",
    ),
    "photo": (
        "photo",
        "photo d'identité",
        "photographie",
        "photographie d'identité",
        "photo identité",
        "e-photo",
        "photo numérique",
        "identity photo",
        "passport photo",
    ),
    "justificatif_installation": (
        "justificatif d'installation",
        "justificatif de la date d'installation",
        "justificatif de date d'installation",
        "preuve d'installation",
        "preuve de la date d'installation",
        "justificatif d'arrivée",
        "justificatif de la date d'arrivée",
        "preuve de la date d'arrivée",
        "bail",
        "contrat de bail",
        "contrat de location",
        "acte d'achat",
        "acte de vente",
        "titre de propriété",
        "attestation d'hébergement",
        "proof of arrival",
    ),
    "justificatif_residence_2020": (
        "justificatif de résidence 2020",
        "justificatif de résidence en 2020",
        "justificatif de domicile 2020",
        "preuve de résidence 2020",
        "preuve de résidence en 2020",
        "attestation de domicile 2020",
        "facture 2020",
        "avis d'imposition 2020",
        "avis d'impôt 2020",
        "taxe d'habitation 2020",
        "avis de taxe d'habitation 2020",
        "quittance de loyer 2020",
        "proof of residence 2020",
    ),
    "justificatif_activite": (
        "justificatif d'activité",
        "justificatif de ressources",
        "justificatif d'activité ou de ressources",
        "contrat de travail",
        "bulletin de salaire",
        "fiche de paie",
        "fiche de paye",
        "attestation employeur",
        "attestation de l'employeur",
        "extrait kbis",
        "kbis",
        "attestation urssaf",
        "avis de situation sirene",
        "certificat de scolarité",
        "carte d'étudiant",
        "attestation d'inscription pôle emploi",
        "inscription pôle emploi",
        "attestation pôle emploi",
        "attestation france travail",
        "relevé bancaire",
        "avis de pension",
        "attestation de pension",
        "pension de retraite",
        "justificatif de retraite",
        "payslip",
        "employment contract",
    ),
    "assurance_maladie": (
        "assurance maladie",
        "attestation d'assurance maladie",
        "attestation cpam",
        "attestation de droits",
        "attestation de droits cpam",
        "attestation de droits à l'assurance maladie",
        "carte vitale",
        "formulaire s1",
        "s1",
        "ceam",
        "carte européenne d'assurance maladie",
        "ehic",
        "ghic",
        "assurance santé privée",
        "assurance maladie privée",
        "health insurance",
    ),
    "justificatif_lien_familial": (
        "justificatif du lien familial",
        "justificatif de lien familial",
        "lien familial",
        "acte de mariage",
        "certificat de mariage",
        "livret de famille",
        "acte de naissance",
        "extrait d'acte de naissance",
        "attestation de pacs",
        "pacs",
        "certificat de partenariat civil",
        "civil partnership certificate",
        "marriage certificate",
        "birth certificate",
    ),
    "justificatif_emploi_frontalier": (
        "justificatif d'emploi en france",
        "justificatif d'emploi frontalier",
        "attestation d'emploi frontalier",
        "attestation de travailleur frontalier",
        "certificat de travailleur frontalier",
        "contrat de travail en france",
        "attestation employeur en france",
    ),
}
# Separators of the "pieces" cell: , ; | and line breaks.
_DOCUMENT_SEPARATORS = re.compile(r"[,;|\n\r]+")
_DROPPED_PREFIX = re.compile(r"^(?:photo)?copies? (?:de la |de l |du |des |de |d )?|^scan (?:de la |du |des |de |d )?")
_DROPPED_SUFFIX = re.compile(r" (?:pdf|jpg|jpeg|png|scan)$")


def _singular(key: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in key.split())


@lru_cache(maxsize=4096)
def _document_key(text: str) -> str:
    key = words(text)
    key = _DROPPED_SUFFIX.sub("", _DROPPED_PREFIX.sub("", key))
    return _singular(key)


def _document_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in PIECES.items():
        for name in (code, label, *DOCUMENT_SYNONYMS.get(code, ())):
            table[_document_key(name)] = code
    return table


_DOCUMENTS = _document_table()


def split_documents(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Free text of the ``pieces`` cell -> (sorted document codes, names not recognised).

    "Passeport ; photo d'identité | Carte Vitale" -> ('assurance_maladie', 'passeport', 'photo').
    A name joining two known names with "et" or "+" counts as both.
    """
    codes: set[str] = set()
    unknown: list[str] = []
    for part in _DOCUMENT_SEPARATORS.split(text or ""):
        name = " ".join(part.split())
        if not name:
            continue
        code = _DOCUMENTS.get(_document_key(name))
        if code:
            codes.add(code)
            continue
        pieces = [p for p in re.split(r"\s+(?:et|\+|&)\s+|\s*\+\s*", name) if p.strip()]
        found = [_DOCUMENTS.get(_document_key(p)) for p in pieces]
        if len(pieces) > 1 and all(found):
            codes.update(c for c in found if c)
        else:
            unknown.append(name)
    return tuple(sorted(codes)), tuple(unknown)


def late_reason_code(text: str, settings: BrexitSettings) -> str | None:
    """The accepted late-filing reason the applicant's text names, or None.

    Accepted: the text is a reason's code, label or synonym (case, accents and punctuation
    ignored), or starts with one followed by ":", "-", "(" or "," and details. Anything else
    ("pas encore majeur", a story) is for a human to judge.
    """
    plain = " ".join(strip_accents(text or "").lower().replace("\u2019", "'").split())
    key = words(plain)
    if not key:
        return None
    for reason in settings.late_reasons:
        for phrase in (reason.code, reason.label, *reason.synonyms):
            written = " ".join(strip_accents(phrase).lower().split())
            if key == words(written):
                return reason.code
            if plain.startswith(written) and plain[len(written) :].lstrip()[:1] in (":", "-", "(", ",", "–"):
                return reason.code
    return None


# --------------------------------------------------------------------------- (a) row rules

# Helper columns added by normalise(); not part of the output.
PARSED = {c: f"_{c}" for c in DATE_COLUMNS}
PASSPORT_RAW, CP_FORMED, DOCUMENTS, UNKNOWN_DOCUMENTS = "_passeport_brut", "_cp_forme", "_pieces", "_pieces_inconnues"
HELPERS = (*PARSED.values(), PASSPORT_RAW, CP_FORMED, DOCUMENTS, UNKNOWN_DOCUMENTS)
_UNKNOWN_JOIN = "\x1f"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


REASONS: dict[str, str] = {
    **{f"requis:{c}": f"Champ obligatoire vide : {LABELS[c]}" for c in COLUMNS if c in NON_EMPTY},
    "numero_dossier_format": "N° de dossier mal formé (format du portail attendu, par exemple WA-2021-000123)",
    "numero_dossier_doublon": (
        "N° de dossier déjà présent plus haut dans l'envoi : seule sa première ligne est prise en compte"
    ),
    **{f"date:{c}": f"{_capitalised(LABELS[c])} invalide (format attendu jj/mm/aaaa)" for c in DATE_COLUMNS},
    "numero_passeport": (
        "N° de passeport mal formé (9 lettres ou chiffres pour un passeport britannique, 6 à 12 sinon)"
    ),
    "code_postal_format": "Code postal invalide (5 chiffres attendus)",
    "code_postal_commune": "Code postal incohérent avec la commune",
    "situation": (
        "Situation non reconnue (salarié, indépendant, étudiant, inactif, demandeur d'emploi, "
        "travailleur frontalier, membre de famille)"
    ),
    "pieces_inconnues": "Pièce(s) fournie(s) non reconnue(s), à requalifier dans la liste des pièces",
}


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical values (codes, normalised nationality, padded postal code...) and parsed dates.

    Never drops a row; a value that cannot be normalised stays as sent and fails its rule.
    """
    out = frame.copy()
    for column in COLUMNS:
        if column not in out:
            out[column] = ""
        out[column] = out[column].fillna("").astype(str).str.strip()
    for column in ("nom", "prenom", "adresse", "commune", "motif_depot_tardif"):
        out[column] = out[column].str.replace("[ \t\u00a0\u202f]+", " ", regex=True).str.replace("\u2019", "'")
    out["numero_dossier"] = out["numero_dossier"].str.upper().str.replace(r"\s*[-–—_]\s*", "-", regex=True)
    out[PASSPORT_RAW] = out["numero_passeport"]
    out["numero_passeport"] = out["numero_passeport"].str.upper().str.replace(r"[\s.\-]", "", regex=True)
    out["nationalite"] = on_unique(out["nationalite"], lambda u: u.map(normalise_nationality))
    out["situation"] = canonical_choice(out["situation"], SITUATION_SYNONYMS)
    out["code_postal"] = communes.pad_postal_code(out["code_postal"].str.replace("[ \t\u00a0\u202f]", "", regex=True))
    out[CP_FORMED] = out["code_postal"].str.fullmatch(r"[0-9]{5}")
    documents = on_unique(out["pieces"], lambda u: u.map(split_documents))
    out[DOCUMENTS] = documents.map(lambda pair: join_codes(pair[0]))
    out[UNKNOWN_DOCUMENTS] = documents.map(lambda pair: _UNKNOWN_JOIN.join(pair[1]))
    for column, helper in PARSED.items():
        out[helper] = parse_dates(out[column])
    return out


def _empty(values: pd.Series) -> pd.Series:
    return values == ""


def _passport_ok(n: pd.DataFrame) -> pd.Series:
    number = n["numero_passeport"]
    british = n["nationalite"].isin([BRITISH, FRENCH_BRITISH])
    return _empty(number) | number.str.fullmatch(r"[A-Z0-9]{9}").where(british, number.str.fullmatch(r"[A-Z0-9]{6,12}"))


def _postal_commune(n: pd.DataFrame) -> pd.Series:
    # A frontier worker lives abroad: the French reference cannot check the address.
    exempt = ~n[CP_FORMED] | _empty(n["commune"]) | (n["situation"] == "frontalier")
    result = pd.Series(True, index=n.index)
    checked = ~exempt
    if checked.any():
        result[checked] = communes.matches(n.loc[checked, "code_postal"], n.loc[checked, "commune"])
    return result


RuleFunction = Callable[[pd.DataFrame, BrexitSettings], pd.Series]

# rule id -> vectorised function of the normalised frame: True where the row passes or the rule
# does not apply (an empty field: its "requis" rule says so).
RULES: dict[str, RuleFunction] = {
    "numero_dossier_format": lambda n, s: (
        _empty(n["numero_dossier"]) | n["numero_dossier"].str.fullmatch(s.file_number_pattern)
    ),
    "numero_dossier_doublon": lambda n, s: (
        ~(n["numero_dossier"].str.fullmatch(s.file_number_pattern) & n["numero_dossier"].duplicated(keep="first"))
    ),
    **{f"date:{c}": (lambda n, s, c=c: _empty(n[c]) | n[PARSED[c]].notna()) for c in DATE_COLUMNS},
    "numero_passeport": lambda n, s: _passport_ok(n),
    "code_postal_format": lambda n, s: _empty(n["code_postal"]) | n[CP_FORMED],
    "code_postal_commune": lambda n, s: _postal_commune(n),
    "situation": lambda n, s: _empty(n["situation"]) | n["situation"].isin(list(SITUATIONS)),
    "pieces_inconnues": lambda n, s: _empty(n[UNKNOWN_DOCUMENTS]),
}
RULE_ORDER = [f"requis:{c}" for c in COLUMNS if c in NON_EMPTY] + list(RULES)


def build_schema(settings: BrexitSettings) -> pa.DataFrameSchema:
    """The pandera schema: one named check per non-empty column and per rule."""
    from include.rpa.validation import rules_schema

    return rules_schema(COLUMNS, NON_EMPTY, RULES, settings)


def date_hint(text: str) -> str:
    """What an Excel trap did to a date cell, as a French detail ('' when nothing is known)."""
    value = (text or "").strip()
    if not value:
        return ""
    if set(value) <= {"#"}:
        return " : « ##### » (colonne trop étroite dans Excel lors de l'enregistrement)"
    if re.fullmatch(r"[0-9]{4,5}(?:[.,]0+)?", value):
        return " : nombre de série Excel (cellule au format Nombre), à ressaisir au format jj/mm/aaaa"
    if re.fullmatch(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}", value):
        return " : année sur deux chiffres"
    match = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-][0-9]{4}", value)
    if match and int(match[1]) <= 12 < int(match[2]) <= 31:
        return " : ordre mois/jour/année à l'américaine ?"
    return ""


def passport_hint(text: str) -> str:
    """What Excel did to a passport number, as a French detail ('' when nothing is known)."""
    value = re.sub(r"\s", "", (text or "").upper())
    if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?E\+?[0-9]+", value):
        return " : notation scientifique d'Excel, à ressaisir dans une colonne au format Texte"
    value = re.sub(r"[.\-]", "", value)
    if re.fullmatch(r"[0-9]{8}", value):
        return " : 8 chiffres, le zéro initial a sans doute été perdu par Excel"
    return ""


def _documents_hint(unknown: str) -> str:
    names = [n[:40] for n in unknown.split(_UNKNOWN_JOIN) if n]
    return " : " + ", ".join(f"« {mask_text(n)} »" for n in names) if names else ""


def quarantine_reasons(frame: pd.DataFrame, settings: BrexitSettings) -> tuple[pd.Series, dict[str, int]]:
    """(French reasons by quarantined row index of the normalised frame, reason -> rows)."""
    from include.rpa.validation import failed_rules, reasons_by_row

    failures = failed_rules(frame, build_schema(settings))
    if failures.empty:
        return pd.Series(dtype="str"), {}
    details: list[str] = []
    first_seen = _first_occurrences(frame)
    for index, rule in zip(failures["index"].tolist(), failures["rule"].tolist(), strict=True):
        if rule.startswith("date:"):
            details.append(date_hint(frame.at[index, rule.removeprefix("date:")]))
        elif rule == "numero_passeport":
            details.append(passport_hint(frame.at[index, PASSPORT_RAW]))
        elif rule == "pieces_inconnues":
            details.append(_documents_hint(frame.at[index, UNKNOWN_DOCUMENTS]))
        elif rule == "numero_dossier_doublon":
            details.append(" ; première occurrence : " + first_seen.get(frame.at[index, "numero_dossier"], "?"))
        else:
            details.append("")
    failures = failures.assign(detail=details)
    reasons = reasons_by_row(failures, REASONS, RULE_ORDER)
    counts = failures["rule"].map(REASONS).value_counts()
    return reasons, {str(k): int(v) for k, v in counts.items()}


def _first_occurrences(frame: pd.DataFrame) -> dict[str, str]:
    if FILE_COLUMN not in frame or LINE_COLUMN not in frame:
        return {}
    first = frame[~frame["numero_dossier"].duplicated(keep="first")]
    return {
        number: f"{name}, ligne {line}"
        for number, name, line in zip(first["numero_dossier"], first[FILE_COLUMN], first[LINE_COLUMN], strict=True)
    }


# --------------------------------------------------------------------------- (b) the decision

Outcome = Literal["saisir", "incomplet", "non_eligible", "a_arbitrer"]
OUTCOMES: tuple[Outcome, ...] = ("saisir", "incomplet", "non_eligible", "a_arbitrer")

# Decision rule id -> French label (counts in validation.json and the report).
DECISION_RULES: dict[str, str] = {
    "eligible": "Éligible",
    "famille_rejoignant": "Membre de famille installé après le 31/12/2020",
    "depot_tardif_admis": "Dépôt tardif pour un motif admis",
    "pieces_manquantes": "Pièces manquantes",
    "nationalite_non_britannique": "Nationalité non britannique (hors membre de famille)",
    "nationalite_francaise": "Nationalité française",
    "passeport_expire": "Passeport expiré à la date de dépôt",
    "installation_apres_date_limite": "Installation en France après le 31/12/2020",
    "depot_tardif_sans_motif": "Dépôt après la date limite sans motif",
    "installation_proche_date_limite": "Date d'installation trop proche du 01/01/2021",
    "motif_tardif_a_apprecier": "Dépôt tardif : motif à apprécier",
    "motif_tardif_incoherent": "Dépôt tardif : motif contredit par le dossier",
    "entree_avant_naissance": "Dates contradictoires : entrée avant la naissance",
    "depot_avant_naissance": "Dates contradictoires : dépôt avant la naissance",
    "depot_avant_entree": "Dates contradictoires : dépôt avant l'entrée en France",
    "passeport_avant_naissance": "Dates contradictoires : passeport expiré avant la naissance",
}
# A frontier worker's proof of activity (contract, payslips) is from the employer in France,
# so it proves the employment in France the frontier workers' document asks for.
EQUIVALENT_DOCUMENTS: dict[str, dict[str, str]] = {
    "frontalier": {"justificatif_emploi_frontalier": "justificatif_activite"},
}


@dataclass(frozen=True)
class Dossier:
    """One well-formed application, normalised (see :func:`normalise`)."""

    numero_dossier: str
    date_naissance: dt.date
    nationalite: str  # normalise_nationality()
    date_expiration_passeport: dt.date
    date_entree_france: dt.date  # frontier worker: start of the work in France
    situation: str  # a code of codes.SITUATIONS
    pieces: frozenset[str]  # codes of codes.PIECES
    date_depot: dt.date
    motif_depot_tardif: str = ""


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    titre: str | None  # a code of codes.TITRES; None when not eligible or not computable
    pieces_manquantes: tuple[str, ...]  # codes, sorted
    motifs: tuple[str, ...]  # French sentences for the agent
    regles: tuple[str, ...]  # ids of DECISION_RULES behind the outcome
    annees_residence: int | None  # full years from settling to filing; None if dates contradict


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (the anniversary day counts): 2016-03-15 ->
    2021-03-15 is 5, to 2021-03-14 is 4. A 29 February start reaches its anniversary on
    1 March in common years."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def card_for(situation: str, years: int, settings: BrexitSettings) -> str:
    """The card to issue: frontier workers' document, else 10 years at ``permanent_residence_years``
    of residence on the filing date, else 5 years."""
    if situation == "frontalier":
        return "titre_frontalier"
    if years >= settings.permanent_residence_years:
        return "carte_sejour_permanent_10_ans"
    return "carte_sejour_5_ans"


def required_documents(
    situation: str, years: int | None, settled_before_cutoff: bool, settings: BrexitSettings
) -> tuple[str, ...]:
    """Documents the file must hold (codes, sorted). Unknown years count as below 5."""
    documents = set(settings.required_documents[situation])
    if situation == "membre_famille" and settled_before_cutoff:
        documents.update(settings.family_before_cutoff_documents)
    if situation not in settings.duration_exempt_situations and (
        years is None or years < settings.permanent_residence_years
    ):
        documents.update(settings.below_permanent_documents)
    return tuple(sorted(documents))


def missing_documents(file: Dossier, years: int | None, settings: BrexitSettings) -> tuple[str, ...]:
    provided = set(file.pieces)
    for needed, substitute in EQUIVALENT_DOCUMENTS.get(file.situation, {}).items():
        if substitute in provided:
            provided.add(needed)
    settled_before = file.date_entree_france < settings.residence_cutoff
    required = required_documents(file.situation, years, settled_before, settings)
    return tuple(code for code in required if code not in provided)


def _contradictions(file: Dossier) -> list[tuple[str, str]]:
    """Dates that cannot all be true: a human must find which one is wrong."""
    found = []
    birth, entry, filing = file.date_naissance, file.date_entree_france, file.date_depot
    if entry < birth:
        found.append(
            (
                "entree_avant_naissance",
                f"Dates contradictoires : entrée en France le {_fr(entry)}, avant la naissance ({_fr(birth)}).",
            )
        )
    if filing < birth:
        found.append(
            (
                "depot_avant_naissance",
                f"Dates contradictoires : demande déposée le {_fr(filing)}, avant la naissance ({_fr(birth)}).",
            )
        )
    elif filing < entry:
        found.append(
            (
                "depot_avant_entree",
                f"Dates contradictoires : demande déposée le {_fr(filing)}, avant l'entrée en France "
                f"déclarée ({_fr(entry)}).",
            )
        )
    if file.date_expiration_passeport < birth:
        found.append(
            (
                "passeport_avant_naissance",
                f"Dates contradictoires : passeport expiré le {_fr(file.date_expiration_passeport)}, "
                f"avant la naissance ({_fr(birth)}).",
            )
        )
    return found


def _late_reason_problem(code: str, file: Dossier, settings: BrexitSettings) -> str | None:
    """Why the reason named does not fit the file (None: it fits, or nothing to check)."""
    label = settings.late_reason(code).label
    deadline = settings.filing_deadline
    if code == "majorite":
        adult = anniversary(file.date_naissance, 18)
        if adult <= deadline:
            return (
                f"Motif de dépôt tardif « {label} » invoqué, mais le demandeur était majeur dès le "
                f"{_fr(adult)}, avant la date limite du {_fr(deadline)} : à apprécier par un agent."
            )
    if code == "regroupement_familial" and (
        file.situation != "membre_famille" or file.date_entree_france < settings.residence_cutoff
    ):
        return (
            f"Motif de dépôt tardif « {label} » invoqué, mais le dossier n'est pas celui d'un membre de "
            f"famille installé après le {_fr(settings.residence_cutoff - dt.timedelta(days=1))} : "
            "à apprécier par un agent."
        )
    return None


def decide(file: Dossier, settings: BrexitSettings) -> Decision:
    """The outcome of one well-formed file.

    Order: contradictory dates (a human, nothing else can be trusted), then every reason of
    ineligibility (``non_eligible``), then what the rules cannot decide (``a_arbitrer``), then
    missing documents (``incomplet``), else ``saisir``.
    """
    cutoff, deadline = settings.residence_cutoff, settings.filing_deadline
    last_day = _fr(cutoff - dt.timedelta(days=1))
    contradictions = _contradictions(file)
    if contradictions:
        missing = missing_documents(file, None, settings)
        return Decision(
            outcome="a_arbitrer",
            titre=None,
            pieces_manquantes=missing,
            motifs=tuple(m for _, m in contradictions) + _missing_sentence(missing),
            regles=tuple(r for r, _ in contradictions),
            annees_residence=None,
        )

    years = full_years(file.date_entree_france, file.date_depot)
    family = file.situation == "membre_famille"
    joining_family = family and file.date_entree_france >= cutoff
    ineligible: list[tuple[str, str]] = []
    undecided: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []

    # Nationality (Withdrawal Agreement art. 10: UK nationals and their family members).
    if file.nationalite in (FRENCH, FRENCH_BRITISH):
        ineligible.append(
            (
                "nationalite_francaise",
                "Nationalité française déclarée : un ressortissant français n'a pas besoin de titre de séjour.",
            )
        )
    elif file.nationalite != BRITISH and not family:
        ineligible.append(
            (
                "nationalite_non_britannique",
                f"Nationalité déclarée « {file.nationalite} » : l'accord de retrait ne concerne que les "
                "ressortissants britanniques et les membres de leur famille.",
            )
        )
    # Passport valid on the filing date, its expiry day included.
    if file.date_expiration_passeport < file.date_depot:
        ineligible.append(
            (
                "passeport_expire",
                f"Passeport expiré le {_fr(file.date_expiration_passeport)}, avant le dépôt de la demande "
                f"({_fr(file.date_depot)}) : un passeport en cours de validité est exigé.",
            )
        )
    # Settled before the cutoff (family members joining later excepted).
    first, last = settings.arbitration_window
    if joining_family:
        notes.append(
            (
                "famille_rejoignant",
                f"Membre de famille installé le {_fr(file.date_entree_france)}, après le {last_day} : admis "
                "à rejoindre un ressortissant britannique.",
            )
        )
    elif not family and file.date_entree_france > last:
        what = "Activité frontalière commencée" if file.situation == "frontalier" else "Installation en France"
        ineligible.append(
            (
                "installation_apres_date_limite",
                f"{what} le {_fr(file.date_entree_france)}, après le {last_day} : l'accord de retrait exige "
                f"une situation antérieure au {_fr(cutoff)}.",
            )
        )
    elif not family and first <= file.date_entree_france <= last:
        days = abs((file.date_entree_france - cutoff).days)
        what = "Date de début d'activité frontalière" if file.situation == "frontalier" else "Date d'installation"
        undecided.append(
            (
                "installation_proche_date_limite",
                f"{what} déclarée ({_fr(file.date_entree_france)}) à {days} jour(s) du "
                f"{_fr(cutoff)} : vérifier sur les justificatifs qu'elle est antérieure au {_fr(cutoff)}.",
            )
        )
    # Filed by the deadline, or later for an accepted reason.
    if file.date_depot > deadline:
        late = f"Demande déposée le {_fr(file.date_depot)}, après la date limite du {_fr(deadline)}"
        code = late_reason_code(file.motif_depot_tardif, settings)
        if joining_family:
            notes.append(("depot_tardif_admis", f"{late} : admis pour un membre de famille arrivé après 2020."))
        elif not file.motif_depot_tardif.strip():
            ineligible.append(("depot_tardif_sans_motif", f"{late}, sans motif de dépôt tardif."))
        elif code is None:
            undecided.append(
                (
                    "motif_tardif_a_apprecier",
                    f"{late}, avec un motif qui n'est pas dans la liste des motifs admis : à apprécier par un agent.",
                )
            )
        elif problem := _late_reason_problem(code, file, settings):
            undecided.append(("motif_tardif_incoherent", problem))
        else:
            notes.append(("depot_tardif_admis", f"{late} : motif admis ({settings.late_reason(code).label})."))

    missing = missing_documents(file, years, settings)
    if ineligible:
        return Decision(
            "non_eligible", None, missing, tuple(m for _, m in ineligible), tuple(r for r, _ in ineligible), years
        )
    titre = card_for(file.situation, years, settings)
    if undecided:
        motifs = tuple(m for _, m in undecided) + _missing_sentence(missing)
        return Decision("a_arbitrer", titre, missing, motifs, tuple(r for r, _ in undecided), years)
    if missing:
        motifs = (*_missing_sentence(missing), *(m for _, m in notes))
        return Decision("incomplet", titre, missing, motifs, ("pieces_manquantes", *(r for r, _ in notes)), years)
    if file.situation == "frontalier":
        summary = f"Éligible : travailleur frontalier, {TITRES[titre]}."
    else:
        summary = f"Éligible : {years} an(s) de résidence au dépôt, {TITRES[titre]}."
    return Decision("saisir", titre, (), (summary, *(m for _, m in notes)), ("eligible", *(r for r, _ in notes)), years)


def _missing_sentence(missing: Iterable[str]) -> tuple[str, ...]:
    wanted = set(missing)
    labels = [label for code, label in PIECES.items() if code in wanted]  # the vocabulary's order
    return (f"Pièce(s) manquante(s) : {' ; '.join(labels)}.",) if labels else ()


def dossiers_of(frame: pd.DataFrame) -> list[Dossier]:
    """A Dossier per row of the normalised frame (helper columns included), in order."""
    days = {c: [None if pd.isna(v) else v.date() for v in frame[PARSED[c]]] for c in DATE_COLUMNS}
    motifs = frame["motif_depot_tardif"] if "motif_depot_tardif" in frame else pd.Series("", index=frame.index)
    fields = {
        "numero_dossier": frame["numero_dossier"],
        **days,
        "nationalite": frame["nationalite"],
        "situation": frame["situation"],
        "pieces": [frozenset(split_codes(documents)) for documents in frame[DOCUMENTS]],
        "motif_depot_tardif": [motif or "" for motif in motifs.fillna("")],
    }
    return [Dossier(**dict(zip(fields, values, strict=True))) for values in zip(*fields.values(), strict=True)]
