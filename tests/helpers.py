"""Shared test helpers: a valid worker row and a way to run the row rules on rows. The sandbox
apps as processes, the chromedriver server and the clients are the harness's (scripts/harness)."""

from __future__ import annotations

from include.processes.election_staff.columns import COLUMNS
from scripts.harness.processes import ChromedriverServer
from scripts.harness.sandbox_apps import SandboxProcess

__all__ = ["VALID_ROW", "ChromedriverServer", "SandboxProcess", "frame_of", "rules_failed"]

VALID_ROW = {
    "nom": "Dupont",
    "nom_usage": "",
    "prenom": "Marie",
    "sexe": "F",
    "date_naissance": "15/10/1995",
    "lieu_naissance": "Londres",
    "nir": "2 95 10 99 126 111 93",
    "adresse": "12 rue de la République",
    "code_postal": "82000",
    "commune": "Montauban",
    "email": "marie.dupont@example.fr",
    "telephone": "06 12 34 56 78",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "",
    "statut": "étudiant",
    "site": "Montauban - salle Eurythmie",
    "fonction": "agent de mise sous pli",
    "date_debut": "29/03/2027",
    "date_fin": "07/04/2027",
}


def frame_of(rows: list[dict[str, str]]):
    import pandas as pd

    records = [{c: row.get(c, "") for c in COLUMNS} for row in rows]
    frame = pd.DataFrame(records, columns=list(COLUMNS), dtype=str)
    frame["_fichier"] = "test.csv"
    frame["_ligne"] = range(2, len(frame) + 2)
    return frame


def rules_failed(rows: list[dict[str, str]]) -> list[set[str]]:
    """The rule ids each row fails (empty set: valid)."""
    from include.processes.election_staff import rules
    from include.processes.election_staff.config import get_election
    from include.rpa.validation import failed_rules

    frame = rules.normalise(frame_of(rows))
    failures = failed_rules(frame, rules.build_schema(get_election()))
    return [set(failures.loc[failures["index"] == i, "rule"]) for i in range(len(rows))]
