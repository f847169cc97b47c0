"""Reconciliation: read back what the HR portal stored and compare it, field by field,
with what the robot meant to type.

The portal's ``/export.csv`` is downloaded with the robot's account (no browser needed),
then every valid worker of the run that the ledger says is in the portal is compared:
each field of the row as validated, in the portal's representation (dates dd/mm/yyyy, the
site matched as the robot chose it), against the export; the matricule against the ledger's.
A worker missing from the export, present twice, or with any field different is a
mismatch; the ledger goes to ``verified`` or ``mismatch``. ``reconciliation.csv`` lists the
mismatches for HR (file, line, initials, matricule, the fields that differ: never values).
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from include.processes.election_staff.columns import COLUMNS, LABELS
from include.processes.election_staff.config import Election
from include.processes.election_staff.entry import (
    HR_PORTAL_CONN_ID,
    LEDGER_CONN_ID,
    LEDGER_PROCESS,
    PLAN_SUMMARY,
    load_valid,
    records_of,
)
from include.rpa.errors import RpaError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json
from include.rpa.reconcile import differing
from include.rpa.reconcile import parse_export as parse_rows

log = logging.getLogger(__name__)

RECONCILE_SUMMARY = "reconciliation.json"
RECONCILE_FILE = "reconciliation.csv"
MISSING = "absent du portail"
DUPLICATE = "présent plusieurs fois dans le portail"
MATRICULE = "matricule"
_SPACES = re.compile(r"\s+")


class ReconciliationMismatch(RpaError):
    """The portal holds something else than what was meant for some workers."""


def expected_value(column: str, value: str) -> str:
    """A validated row's value as the portal should show it in its export."""
    from include.processes.election_staff.hr_portal import portal_date, site_key

    value = _SPACES.sub(" ", value or "").strip()
    if column in ("date_naissance", "date_debut", "date_fin"):
        return portal_date(value)
    if column == "site":
        return site_key(value)
    return value


def stored_value(column: str, value: str) -> str:
    from include.processes.election_staff.hr_portal import site_key

    value = _SPACES.sub(" ", value or "").strip()
    return site_key(value) if column == "site" else value


def compare(intended: dict[str, str], stored: dict[str, str]) -> list[str]:
    """The columns whose stored value differs from the intended one."""
    return differing(COLUMNS, intended, stored, expected_value, stored_value)


def parse_export(text: str) -> dict[str, list[dict[str, str]]]:
    """Export rows by NIR (a list: the portal could hold one NIR twice)."""
    return parse_rows(
        text, "nir", {"matricule", *COLUMNS}, app="portail RH", normalise_key=lambda v: _SPACES.sub("", v).upper()
    )


def reconcile(run_dir: Path, election: Election, *, run_id: str, ledger=None, export_text: str | None = None) -> dict:
    """Compare the run's workers with the portal's export; write the results; the counts."""
    import pandas as pd

    from include.rpa.ledger import DONE, MISMATCH, Ledger
    from include.rpa.pii import initials
    from include.rpa.targets import fetch_after_login, web_app

    started = time.perf_counter()
    if read_json(run_dir / PLAN_SUMMARY) is None:
        raise RpaError("rapprochement impossible : la planification de la saisie n'a pas eu lieu")
    if export_text is None:
        export_text = fetch_after_login(web_app(HR_PORTAL_CONN_ID), "/export.csv")
    export = parse_export(export_text)
    frame = load_valid(run_dir)
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    states = {row["business_key"]: row for row in ledger.rows(LEDGER_PROCESS, election.id)}
    by_field: Counter[str] = Counter()
    mismatches: list[dict[str, Any]] = []
    verified = 0
    for record, file, line in zip(records_of(frame), frame[FILE_COLUMN], frame[LINE_COLUMN], strict=True):
        nir = record["nir"]
        row = states.get(nir)
        if row is None or row["state"] not in (*DONE, MISMATCH):
            continue  # not in the portal by the ledger: entry's failures say why
        found = export.get(nir, [])
        if not found:
            fields = [MISSING]
        elif len(found) > 1:
            fields = [DUPLICATE]
        else:
            fields = [LABELS[column] for column in compare(record, found[0])]
            if row["receipt"] and found[0]["matricule"] != row["receipt"]:
                fields.append(MATRICULE)
        stored_matricule = found[0]["matricule"] if len(found) == 1 else None
        if fields:
            by_field.update(fields)
            detail = "écart de rapprochement : " + ", ".join(fields)
            ledger.mark_mismatch(LEDGER_PROCESS, election.id, nir, detail, run_id=run_id)
            mismatches.append(
                {
                    "fichier": file,
                    "ligne": int(line),
                    "initiales": initials(record["nom"], record["prenom"]),
                    "matricule": stored_matricule or row["receipt"] or "",
                    "champs": ", ".join(fields),
                }
            )
        else:
            verified += 1
            ledger.mark_verified(LEDGER_PROCESS, election.id, nir, receipt=stored_matricule, run_id=run_id)
    table = pd.DataFrame(mismatches, columns=["fichier", "ligne", "initiales", "matricule", "champs"])
    table.sort_values(["fichier", "ligne"]).to_csv(run_dir / RECONCILE_FILE, sep=";", index=False, encoding="utf-8-sig")
    summary = {
        "verified": verified,
        "mismatched": len(mismatches),
        "ecarts_par_champ": dict(by_field.most_common()),
        "dossiers_dans_export": sum(len(rows) for rows in export.values()),
        "secondes": round(time.perf_counter() - started, 3),
    }
    write_json(run_dir / RECONCILE_SUMMARY, summary)
    log.info("Rapprochement : %d vérifiés, %d en écart %s", verified, len(mismatches), summary["ecarts_par_champ"])
    return summary


def reconcile_run(run_dir: Path, election: Election, *, run_id: str, ledger=None) -> dict:
    """The reconcile task: compare, then raise :class:`ReconciliationMismatch` if a worker is
    in the portal with other data, or not in it although it should be."""
    from include.processes.election_staff.entry import accounting

    counts = reconcile(run_dir, election, run_id=run_id, ledger=ledger)
    outcome = accounting(run_dir, election, ledger=ledger)
    problems = []
    if counts["mismatched"]:
        problems.append(f"{counts['mismatched']} vacataire(s) en écart avec le portail RH")
    missing = outcome["to_enter"] - outcome["entered"] - outcome["rejected_now"]
    if missing > 0:
        problems.append(f"{missing} vacataire(s) non saisi(s) malgré les nouvelles tentatives")
    if problems:
        raise ReconciliationMismatch("Rapprochement : " + " ; ".join(problems) + " (voir le rapport)")
    return counts
