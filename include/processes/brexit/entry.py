"""Robotic entry of the Brexit files into the foreigners' office application, and its
reconciliation.

Two waves per run, each planned in the ledger (process ``brexit_residence_permits``, scope
``accord-de-retrait``, key ``numero_dossier``, content hash of the typed fields) and cut
into batch files (:mod:`include.rpa.batches`):

- ``auto``: the files the rules decided to enter (``decision == "saisir"``), typed at once;
- ``arbitrage``: the files an agent decided to enter in the Airflow UI, after their answer.

``reconcile()`` downloads the application's ``/export.csv`` with the robot's account and
compares every file the ledger says is in the application, field by field (and the
foreigner number with the ledger's receipt): ``verified`` or ``mismatch``.
``reconciliation.csv`` lists the mismatches (file number, fields that differ: no values).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from include.processes.brexit.codes import split_codes
from include.processes.brexit.triage import DOSSIERS_FILE
from include.rpa.batches import BatchRun, label_of, read_batch, run_batch, write_batches
from include.rpa.errors import RpaError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json
from include.rpa.reconcile import differing
from include.rpa.reconcile import parse_export as parse_rows

log = logging.getLogger(__name__)

LEDGER_PROCESS = "brexit_residence_permits"
SCOPE = "accord-de-retrait"
PORTAL_CONN_ID = "foreigners_portal"
LEDGER_CONN_ID = "rpa_ledger"
KEY = "numero_dossier"
AUTO, ARBITRATION = "auto", "arbitrage"
WAVES = (AUTO, ARBITRATION)
BATCH_SIZE = 100
RECONCILE_SUMMARY, RECONCILE_FILE = "reconciliation.json", "reconciliation.csv"

# What the robot types (the application's fields), in this order for the content hash.
ENTRY_COLUMNS = (
    "numero_dossier",
    "nom",
    "prenom",
    "date_naissance",
    "nationalite",
    "numero_passeport",
    "date_expiration_passeport",
    "date_entree_france",
    "adresse",
    "code_postal",
    "commune",
    "situation",
    "pieces",
    "titre",
    "date_depot",
)
DATE_COLUMNS = ("date_naissance", "date_expiration_passeport", "date_entree_france", "date_depot")
LABELS = {
    "numero_dossier": "n° de dossier",
    "nom": "nom",
    "prenom": "prénom",
    "date_naissance": "date de naissance",
    "nationalite": "nationalité",
    "numero_passeport": "n° de passeport",
    "date_expiration_passeport": "expiration du passeport",
    "date_entree_france": "date d'entrée en France",
    "adresse": "adresse",
    "code_postal": "code postal",
    "commune": "commune",
    "situation": "situation",
    "pieces": "pièces",
    "titre": "titre",
    "date_depot": "date de dépôt",
    "numero_etranger": "n° étranger",
}
MISSING = "absent de l'application"
DUPLICATE = "présent plusieurs fois dans l'application"
_SPACES = re.compile(r"\s+")


class ReconciliationMismatch(RpaError):
    """The application holds something else than what was meant for some files."""


def plan_file(wave: str) -> str:
    return f"plan-{wave}.json"


def load_files(run_dir: Path):
    """``dossiers.parquet`` (every valid file with its decision), "" for empty values."""
    import pandas as pd

    frame = pd.read_parquet(run_dir / DOSSIERS_FILE)
    text = [c for c in frame.columns if c not in ("annees_residence", LINE_COLUMN)]
    frame[text] = frame[text].astype("string").fillna("")
    from include.processes.brexit.arbitration import chosen_titles

    for position, titre in chosen_titles(run_dir).items():  # an agent's choice wins over the rules'
        frame.loc[position, "titre"] = titre
    return frame


def record_of(row) -> dict[str, str]:
    return {column: str(row[column]) for column in ENTRY_COLUMNS}


def content_hash(record: dict[str, str]) -> str:
    payload = json.dumps([record.get(column, "") for column in ENTRY_COLUMNS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- plan and entry


def plan(
    run_dir: Path,
    positions: list[int],
    *,
    wave: str,
    run_id: str,
    dry_run: bool = False,
    ledger=None,
    batch_size: int = BATCH_SIZE,
) -> list[dict[str, int]]:
    """Register the wave's files (rows of dossiers.parquet) in the ledger; the batches to type."""
    from include.rpa.ledger import Ledger

    frame = load_files(run_dir)
    records = [record_of(frame.iloc[p]) for p in positions]
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    found = ledger.plan(LEDGER_PROCESS, SCOPE, {r[KEY]: content_hash(r) for r in records}, run_id, write=not dry_run)
    position_of = {r[KEY]: p for r, p in zip(records, positions, strict=True)}
    kinds = {
        "to_enter": found.to_enter,
        "already_done": found.already_done + found.changed + found.mismatch,
        "rejected": found.rejected,
    }
    categories = {kind: sorted(position_of[key] for key in keys) for kind, keys in kinds.items()}
    batches = write_batches(run_dir, [] if dry_run else categories["to_enter"], batch_size, wave=wave)
    write_json(
        run_dir / plan_file(wave),
        {"vague": wave, "dossiers": len(records), "dry_run": dry_run, "lots": len(batches), "positions": categories},
    )
    log.info("Plan %s : %s ; %d lot(s)", wave, {k: len(v) for k, v in categories.items()}, len(batches))
    return batches


def enter_batch(run_dir: Path, *, wave: str, lot: int, run_id: str, worker: str, ledger=None) -> dict[str, Any]:
    """Type one batch of files into the foreigners' office application with one browser."""
    from include.processes.brexit.foreigners_portal import ForeignersPortal
    from include.rpa.ledger import Ledger
    from include.rpa.robot import Job, RobotPolicy
    from include.rpa.targets import web_app

    positions = read_batch(run_dir, lot, wave=wave)
    frame = load_files(run_dir).iloc[positions]
    jobs = [
        Job(key=str(row[KEY]), record=record_of(row), label=label_of(row[FILE_COLUMN], row[LINE_COLUMN]))
        for _, row in frame.iterrows()
    ]
    app = web_app(PORTAL_CONN_ID)
    batch = BatchRun(run_dir, LEDGER_PROCESS, SCOPE, run_id, worker, RobotPolicy(), noun="dossier(s)")
    target = ForeignersPortal(app.base_url, app.user, app.password)
    return run_batch(batch, lot, positions, jobs, target, ledger or Ledger.from_airflow(LEDGER_CONN_ID), wave=wave)


def accounting(run_dir: Path, ledger=None) -> dict[str, Any]:
    """How each file sent to the robot ended, over both waves, from the plans and the ledger:
    ``entered + skipped_already_done + rejected + failed == planned``."""
    from include.rpa.ledger import DONE, MISMATCH, REJECTED, Ledger

    result = {"planned": 0, "entered": 0, "skipped_already_done": 0, "rejected": 0, "failed": 0, "to_enter": 0}
    plans = [info for wave in WAVES if (info := read_json(run_dir / plan_file(wave)))]
    seconds: list[float] = []
    if not plans:
        return {**result, "seconds": seconds}
    keys = load_files(run_dir)[KEY].tolist()
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    rows = {row["business_key"]: row for row in ledger.rows(LEDGER_PROCESS, SCOPE)}
    for info in plans:
        positions = info["positions"]
        result["planned"] += info["dossiers"]
        result["skipped_already_done"] += len(positions["already_done"])
        result["rejected"] += len(positions["rejected"])
        result["to_enter"] += len(positions["to_enter"])
        if info.get("dry_run"):
            continue
        done = len(positions["already_done"]) + len(positions["rejected"])
        for position in positions["to_enter"]:
            row = rows.get(keys[position]) or {}
            if row.get("state") in (*DONE, MISMATCH):
                result["entered"] += 1
                done += 1
                if row.get("seconds") is not None:
                    seconds.append(float(row["seconds"]))
            elif row.get("state") == REJECTED:
                result["rejected"] += 1
                done += 1
        result["failed"] += info["dossiers"] - done
    return {**result, "seconds": seconds}


# --------------------------------------------------------------------------- reconciliation


def expected_value(column: str, value: str) -> str:
    """A typed value as the application's export shows it."""
    from include.processes.election_staff.hr_portal import portal_date

    value = _SPACES.sub(" ", value or "").strip()
    if column in DATE_COLUMNS:
        return portal_date(value)
    if column == "numero_passeport":
        return value.replace(" ", "").upper()
    if column == "pieces":
        return "|".join(split_codes(value))
    return value


def stored_value(column: str, value: str) -> str:
    value = _SPACES.sub(" ", value or "").strip()
    return "|".join(split_codes(value)) if column == "pieces" else value


def compare(intended: dict[str, str], stored: dict[str, str]) -> list[str]:
    return differing(ENTRY_COLUMNS, intended, stored, expected_value, stored_value)


def parse_export(text: str) -> dict[str, list[dict[str, str]]]:
    return parse_rows(text, KEY, {"numero_etranger", *ENTRY_COLUMNS}, app="l'application étrangers")


def reconcile(run_dir: Path, *, run_id: str, ledger=None, export_text: str | None = None) -> dict[str, Any]:
    """Compare the run's entered files with the application's export; write the results; the counts."""
    import pandas as pd

    from include.rpa.ledger import DONE, MISMATCH, Ledger
    from include.rpa.targets import fetch_after_login, web_app

    started = time.perf_counter()
    if export_text is None:
        export_text = fetch_after_login(web_app(PORTAL_CONN_ID), "/export.csv")
    export = parse_export(export_text)
    frame = load_files(run_dir)
    planned: set[int] = set()
    for wave in WAVES:
        info = read_json(run_dir / plan_file(wave)) or {}
        for kind in ("to_enter", "already_done"):
            planned.update(info.get("positions", {}).get(kind, []))
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    states = {row["business_key"]: row for row in ledger.rows(LEDGER_PROCESS, SCOPE)}
    by_field: Counter[str] = Counter()
    mismatches: list[dict[str, Any]] = []
    verified = 0
    for position in sorted(planned):
        row = frame.iloc[position]
        record = record_of(row)
        state = states.get(record[KEY])
        if state is None or state["state"] not in (*DONE, MISMATCH):
            continue
        found = export.get(record[KEY], [])
        if not found:
            fields = [MISSING]
        elif len(found) > 1:
            fields = [DUPLICATE]
        else:
            fields = [LABELS[column] for column in compare(record, found[0])]
            if state["receipt"] and found[0]["numero_etranger"] != state["receipt"]:
                fields.append(LABELS["numero_etranger"])
        stored_number = found[0]["numero_etranger"] if len(found) == 1 else None
        if fields:
            by_field.update(fields)
            ledger.mark_mismatch(
                LEDGER_PROCESS, SCOPE, record[KEY], "écart de rapprochement : " + ", ".join(fields), run_id=run_id
            )
            mismatches.append(
                {
                    "fichier": row[FILE_COLUMN],
                    "ligne": int(row[LINE_COLUMN]),
                    "numero_dossier": record[KEY],
                    "numero_etranger": stored_number or state["receipt"] or "",
                    "champs": ", ".join(fields),
                }
            )
        else:
            verified += 1
            ledger.mark_verified(LEDGER_PROCESS, SCOPE, record[KEY], receipt=stored_number, run_id=run_id)
    columns = ["fichier", "ligne", "numero_dossier", "numero_etranger", "champs"]
    pd.DataFrame(mismatches, columns=columns).to_csv(
        run_dir / RECONCILE_FILE, sep=";", index=False, encoding="utf-8-sig"
    )
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


def reconcile_run(run_dir: Path, *, run_id: str, ledger=None) -> dict[str, Any]:
    """The reconcile task: compare, then raise :class:`ReconciliationMismatch` if a file is in
    the application with other data, or not in it although it should be."""
    counts = reconcile(run_dir, run_id=run_id, ledger=ledger)
    outcome = accounting(run_dir, ledger=ledger)
    problems = []
    if counts["mismatched"]:
        problems.append(f"{counts['mismatched']} dossier(s) en écart avec l'application étrangers")
    if outcome["failed"] > 0:
        problems.append(f"{outcome['failed']} dossier(s) non saisi(s) malgré les nouvelles tentatives")
    if problems:
        raise ReconciliationMismatch("Rapprochement : " + " ; ".join(problems) + " (voir le rapport)")
    return counts
