"""Service records of the workers (one row per worker and day worked): columns, row rules.

Input of ``election_staff_payment``: the sites' records, French CSV or XLSX, with
``nir``, ``date``, ``site``, ``fonction``, ``heures``, ``plis`` (envelopes; may be empty
when paid by the hour). A row is valid when its worker is known (onboarded: ``entered``
or ``verified`` in the ledger for the election), its date is a day of the election's
period and of the worker's contract, its hours are a number between 0 and the daily
maximum, its envelopes a non-negative integer (required when paid by the envelope), and
no other row has the same worker and day. Every failed rule gives a French reason;
nothing is dropped (same accounting identity as onboarding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from include.processes.election_staff.config import Election
from include.rpa.intake import ColumnSpec
from include.rpa.normalize import parse_dates

COLUMNS = ("nir", "date", "site", "fonction", "heures", "plis")
REQUIRED = frozenset({"nir", "date", "heures"})
SPEC = ColumnSpec(
    columns=COLUMNS,
    required=REQUIRED,
    synonyms={
        "nir": ["numéro de sécurité sociale", "n° sécu", "NSS", "n° INSEE", "sécurité sociale"],
        "date": ["jour", "date de travail", "date du service", "journée"],
        "site": ["site d'affectation", "lieu", "centre de mise sous pli"],
        "fonction": ["poste", "rôle"],
        "heures": ["heures travaillées", "nombre d'heures", "durée (h)", "h"],
        "plis": ["enveloppes", "nombre de plis", "plis réalisés", "nb plis"],
    },
    labels={"nir": "NIR", "date": "date", "site": "site", "fonction": "fonction", "heures": "heures", "plis": "plis"},
)

# Helper columns added by normalise().
DAY, HOURS, ENVELOPES, KNOWN, START, END = "_jour", "_heures", "_plis", "_connu", "_debut", "_fin"

REASONS: dict[str, str] = {
    **{f"requis:{c}": f"{SPEC.label(c).capitalize()} manquant(e)" for c in REQUIRED},
    "vacataire_inconnu": "Vacataire inconnu (pas de dossier créé dans le portail RH pour cette élection)",
    "date_invalide": "Date invalide (format attendu jj/mm/aaaa)",
    "date_hors_periode": "Date hors de la période de mise sous pli",
    "date_hors_contrat": "Date hors des dates du contrat du vacataire",
    "heures_invalides": "Heures invalides (nombre attendu, par exemple 7,5)",
    "heures_hors_bornes": "Heures hors bornes (entre 0 et le maximum journalier)",
    "plis_invalides": "Nombre de plis invalide (entier positif ou nul attendu)",
    "plis_manquants": "Nombre de plis manquant (paiement à l'enveloppe)",
    "doublon": "Même vacataire et même jour sur plusieurs lignes (toutes écartées)",
}


@dataclass(frozen=True)
class Workers:
    """The election's onboarded workers: NIR -> contract dates (and matricule, name, IBAN)."""

    table: pd.DataFrame  # index nir; columns date_debut, date_fin (datetime64), and more


def normalise(raw: pd.DataFrame, workers: Workers) -> pd.DataFrame:
    frame = raw.copy()
    for column in COLUMNS:
        frame[column] = frame[column].fillna("").astype("string").str.strip()
    frame["nir"] = frame["nir"].str.replace(r"[ .]", "", regex=True).str.upper()
    frame[DAY] = parse_dates(frame["date"])
    hours = frame["heures"].str.replace(",", ".", regex=False).str.replace(" ", "", regex=False)
    hm = hours.str.extract(r"^([0-9]{1,2})h([0-9]{2})?$")
    as_hm = pd.to_numeric(hm[0], errors="coerce") + pd.to_numeric(hm[1], errors="coerce").fillna(0) / 60
    frame[HOURS] = pd.to_numeric(hours.where(~hours.str.contains("h", regex=False), ""), errors="coerce")
    frame[HOURS] = frame[HOURS].fillna(as_hm)
    envelopes = frame["plis"].str.replace(r"[ \u00a0\u202f]", "", regex=True)
    frame[ENVELOPES] = pd.to_numeric(envelopes.where(envelopes.str.fullmatch(r"[0-9]+"), None), errors="coerce")
    known = workers.table
    frame[KNOWN] = frame["nir"].isin(known.index)
    frame[START] = frame["nir"].map(known["date_debut"]).astype("datetime64[ns]")
    frame[END] = frame["nir"].map(known["date_fin"]).astype("datetime64[ns]")
    return frame


def _filled(s: pd.Series) -> pd.Series:
    return s != ""


def _in_period(n: pd.DataFrame, election: Election) -> pd.Series:
    return n[DAY].between(pd.Timestamp(election.period_start), pd.Timestamp(election.period_end))


RULES: dict[str, Callable[[pd.DataFrame, Election], pd.Series]] = {
    "vacataire_inconnu": lambda n, e: ~_filled(n["nir"]) | n[KNOWN],
    "date_invalide": lambda n, e: ~_filled(n["date"]) | n[DAY].notna(),
    "date_hors_periode": lambda n, e: n[DAY].isna() | _in_period(n, e),
    # Only said of a day of the period (outside it, the period's reason says enough).
    "date_hors_contrat": lambda n, e: n[DAY].isna() | ~n[KNOWN] | ~_in_period(n, e) | n[DAY].between(n[START], n[END]),
    "heures_invalides": lambda n, e: ~_filled(n["heures"]) | n[HOURS].notna(),
    "heures_hors_bornes": lambda n, e: (
        n[HOURS].isna() | n[HOURS].between(0, float(e.pay.max_hours_per_day if e.pay else 24))
    ),
    "plis_invalides": lambda n, e: ~_filled(n["plis"]) | n[ENVELOPES].notna(),
    "plis_manquants": lambda n, e: (e.pay is None or e.pay.mode != "enveloppe") | _filled(n["plis"]),
    "doublon": lambda n, e: ~n.duplicated(subset=["nir", DAY], keep=False) | n[DAY].isna() | ~_filled(n["nir"]),
}


def build_schema(election: Election) -> pa.DataFrameSchema:
    """The pandera schema: one named check per required column and per rule."""
    from include.rpa.validation import rules_schema

    return rules_schema(COLUMNS, REQUIRED, RULES, election, dtype="string")


def split(raw: pd.DataFrame, election: Election, workers: Workers) -> tuple[pd.DataFrame, pd.Series]:
    """(normalised frame, French reasons by quarantined row index)."""
    from include.rpa.validation import failed_rules, reasons_by_row

    frame = normalise(raw, workers)
    failures = failed_rules(frame, build_schema(election))
    order = [f"requis:{c}" for c in COLUMNS] + list(RULES)
    return frame, reasons_by_row(failures, REASONS, order)
