"""Row rules of a worker file: normalisation, then a lazy pandera schema whose
every failed check gives the row a French reason.

Rules are vectorised (NIR and IBAN checks included): 100,000 rows validate in
well under a second. See include/rpa/checks for the NIR, IBAN and commune checks.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

from include.processes.election_staff.columns import COLUMNS, FONCTIONS, LABELS, REQUIRED, STATUTS
from include.processes.election_staff.config import Election
from include.rpa.checks import communes, iban, nir
from include.rpa.normalize import canonical_choice, compact_phone, parse_dates

# Helper columns added by normalise(); not part of the output.
BIRTH, START, END, NIR_RAW = "_date_naissance", "_date_debut", "_date_fin", "_nir_brut"
NIR_FORMED, NIR_SCIENTIFIC, IBAN_FORMED, CP_FORMED = "_nir_forme", "_nir_sci", "_iban_forme", "_cp_forme"
HELPERS = (BIRTH, START, END, NIR_RAW, NIR_FORMED, NIR_SCIENTIFIC, IBAN_FORMED, CP_FORMED)
DATE_COLUMNS = {"date_naissance": BIRTH, "date_debut": START, "date_fin": END}

SEXES = {
    "M": "M",
    "H": "M",
    "homme": "M",
    "masculin": "M",
    "monsieur": "M",
    "M.": "M",
    "Mr": "M",
    "F": "F",
    "femme": "F",
    "féminin": "F",
    "madame": "F",
    "Mme": "F",
}
STATUT_SYNONYMS = {
    **{s: s for s in STATUTS},
    "fonctionnaire": "agent public",
    "agent de la fonction publique": "agent public",
    "agent": "agent public",
    "retraitée": "retraité",
    "demandeuse d'emploi": "demandeur d'emploi",
    "chômeur": "demandeur d'emploi",
    "sans emploi": "demandeur d'emploi",
    "étudiante": "étudiant",
}
FONCTION_SYNONYMS = {
    **{f: f for f in FONCTIONS},
    "agent": "agent de mise sous pli",
    "agent MSP": "agent de mise sous pli",
    "mise sous pli": "agent de mise sous pli",
    "metteur sous pli": "agent de mise sous pli",
    "metteuse sous pli": "agent de mise sous pli",
    "vacataire": "agent de mise sous pli",
    "chef": "chef de table",
    "cheffe de table": "chef de table",
    "responsable de table": "chef de table",
}
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
PHONE_PATTERN = r"^(?:0[1-9][0-9]{8}|\+33[1-9][0-9]{8}|\+(?:[1-24-9][0-9]{0,2}|3[0-24-9][0-9]?)[0-9]{6,12})$"

# rule id -> French reason shown to the HR agent
REASONS: dict[str, str] = {
    **{f"requis:{c}": f"Champ obligatoire vide : {LABELS[c]}" for c in REQUIRED},
    "date_naissance": "Date de naissance invalide (format attendu jj/mm/aaaa)",
    "date_debut": "Date de début invalide (format attendu jj/mm/aaaa)",
    "date_fin": "Date de fin invalide (format attendu jj/mm/aaaa)",
    "dates_ordre": "Date de début postérieure à la date de fin",
    "age_minimum": "Âge inférieur au minimum requis à la date de début",
    "sexe": "Sexe non reconnu (attendu M, F ou H)",
    "nir_scientifique": (
        "NIR en notation scientifique (ex. 1,84128E+14) : Excel a tronqué le numéro, "
        "le ressaisir dans une colonne au format Texte"
    ),
    "nir_format": "NIR mal formé (15 caractères attendus, 2A/2B pour la Corse)",
    "nir_cle": "NIR invalide : clé de contrôle incorrecte",
    "nir_sexe": "NIR incohérent avec le sexe déclaré",
    "nir_annee": "NIR incohérent avec l'année de naissance",
    "nir_mois": "NIR incohérent avec le mois de naissance",
    "nir_doublon": "NIR déjà présent plus haut dans l'envoi : seule sa première ligne est prise en compte",
    "iban_format": "IBAN mal formé",
    "iban_cle": "IBAN invalide : clé de contrôle incorrecte",
    "iban_rib": "IBAN invalide : clé RIB incorrecte",
    "bic_format": "BIC mal formé (8 ou 11 caractères)",
    "code_postal_format": "Code postal invalide (5 chiffres attendus)",
    "code_postal_commune": "Code postal incohérent avec la commune",
    "email": "Adresse e-mail mal formée",
    "telephone": "Numéro de téléphone mal formé",
    "statut": "Statut non reconnu (agent public, retraité, demandeur d'emploi, étudiant, autre)",
    "fonction": "Fonction non reconnue (agent de mise sous pli, chef de table)",
}


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical values (compact NIR and IBAN, M/F, canonical statut...) and parsed dates.

    Never drops a row; a value that cannot be normalised stays as sent and fails
    its rule.
    """
    out = frame.copy()
    for column in ("nom", "nom_usage", "prenom", "adresse", "commune", "site", "lieu_naissance"):
        out[column] = out[column].str.replace("[ \t\u00a0\u202f]+", " ", regex=True).str.replace("\u2019", "'")
    out[NIR_RAW] = out["nir"]
    out["nir"] = nir.compact(out["nir"])
    out["iban"] = iban.compact(out["iban"])
    out["bic"] = iban.compact(out["bic"])
    out["sexe"] = canonical_choice(out["sexe"], SEXES)
    out["statut"] = canonical_choice(out["statut"], STATUT_SYNONYMS)
    out["fonction"] = canonical_choice(out["fonction"], FONCTION_SYNONYMS)
    out["code_postal"] = communes.pad_postal_code(out["code_postal"].str.replace("[ \t\u00a0\u202f]", "", regex=True))
    out["email"] = out["email"].str.lower()
    out["telephone"] = compact_phone(out["telephone"])
    for column, helper in DATE_COLUMNS.items():
        out[helper] = parse_dates(out[column])
    out[NIR_FORMED] = nir.is_well_formed(out["nir"])
    out[NIR_SCIENTIFIC] = nir.is_scientific(out[NIR_RAW])
    out[IBAN_FORMED] = iban.well_formed(out["iban"])
    out[CP_FORMED] = out["code_postal"].str.fullmatch(r"[0-9]{5}")
    # The BIC is derived from the IBAN's bank code when the file leaves it empty.
    derivable = (out["bic"] == "") & out[IBAN_FORMED]
    if derivable.any():
        out.loc[derivable, "bic"] = iban.bic_from_iban(out.loc[derivable, "iban"])
    return out


def _empty(values: pd.Series) -> pd.Series:
    return values == ""


def _years_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole years from ``start`` to ``end`` (birthday reached or not)."""
    years = end.dt.year - start.dt.year
    before_birthday = (end.dt.month < start.dt.month) | ((end.dt.month == start.dt.month) & (end.dt.day < start.dt.day))
    return years - before_birthday.astype(int)


def _age(n: pd.DataFrame, election: Election) -> pd.Series:
    known = n[BIRTH].notna() & n[START].notna()
    return ~known | (_years_between(n[BIRTH], n[START]) >= election.minimum_age)


def _nir_sexe(n: pd.DataFrame) -> pd.Series:
    known = n[NIR_FORMED] & n["sexe"].isin(["M", "F"])
    return ~known | (nir.sex_of(n["nir"]) == n["sexe"])


def _nir_birth(n: pd.DataFrame, check) -> pd.Series:
    known = n[NIR_FORMED] & n[BIRTH].notna()
    return ~known | check(n["nir"], n[BIRTH])


def _dates_order(n: pd.DataFrame) -> pd.Series:
    both = n[START].notna() & n[END].notna()
    return ~both | (n[START] <= n[END])


# rule id -> vectorised function of the normalised frame: True where the row
# passes or the rule does not apply (an empty optional field, say).
RULES: dict[str, Callable[[pd.DataFrame, Election], pd.Series]] = {
    "date_naissance": lambda n, e: _empty(n["date_naissance"]) | n[BIRTH].notna(),
    "date_debut": lambda n, e: _empty(n["date_debut"]) | n[START].notna(),
    "date_fin": lambda n, e: _empty(n["date_fin"]) | n[END].notna(),
    "dates_ordre": lambda n, e: _dates_order(n),
    "age_minimum": _age,
    "sexe": lambda n, e: _empty(n["sexe"]) | n["sexe"].isin(["M", "F"]),
    "nir_scientifique": lambda n, e: ~n[NIR_SCIENTIFIC],
    "nir_format": lambda n, e: _empty(n["nir"]) | n[NIR_SCIENTIFIC] | n[NIR_FORMED],
    "nir_cle": lambda n, e: ~n[NIR_FORMED] | nir.check_key(n["nir"]),
    "nir_sexe": lambda n, e: _nir_sexe(n),
    "nir_annee": lambda n, e: _nir_birth(n, nir.year_matches),
    "nir_mois": lambda n, e: _nir_birth(n, nir.month_matches),
    "nir_doublon": lambda n, e: ~(n[NIR_FORMED] & n["nir"].duplicated(keep="first")),
    "iban_format": lambda n, e: _empty(n["iban"]) | n[IBAN_FORMED],
    "iban_cle": lambda n, e: ~n[IBAN_FORMED] | iban.checksum_ok(n["iban"]),
    "iban_rib": lambda n, e: ~n["iban"].str.match(iban.FR_PATTERN) | iban.rib_key_ok(n["iban"]),
    "bic_format": lambda n, e: _empty(n["bic"]) | n["bic"].str.match(iban.BIC_PATTERN),
    "code_postal_format": lambda n, e: _empty(n["code_postal"]) | n[CP_FORMED],
    "code_postal_commune": lambda n, e: (
        ~n[CP_FORMED] | _empty(n["commune"]) | communes.matches(n["code_postal"], n["commune"])
    ),
    "email": lambda n, e: _empty(n["email"]) | n["email"].str.match(EMAIL_PATTERN),
    "telephone": lambda n, e: _empty(n["telephone"]) | n["telephone"].str.match(PHONE_PATTERN),
    "statut": lambda n, e: _empty(n["statut"]) | n["statut"].isin(STATUTS),
    "fonction": lambda n, e: _empty(n["fonction"]) | n["fonction"].isin(FONCTIONS),
}


def build_schema(election: Election) -> pa.DataFrameSchema:
    """The pandera schema: one named check per required column and per rule."""
    from include.rpa.validation import rules_schema

    return rules_schema(COLUMNS, REQUIRED, RULES, election)
