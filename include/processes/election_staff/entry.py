"""Robotic entry of the valid workers into the HR portal: plan, then batches.

``plan()`` registers the run's valid workers in the ledger (process
``election_staff_onboarding``, scope = the election, key = the NIR, content hash of the
typed fields) and sorts them: to type, already done, refused before, changed since they
were entered, or waiting for a person after a reconciliation mismatch. It splits those to
type into batch files of the run folder; XCom carries batch numbers, never personal data.

``enter_batch()`` is one mapped task: one browser, one login, the toolkit's record loop
(:mod:`include.rpa.robot`: claim, search by NIR, create, file the outcome) and a batch
outcome file with per-worker seconds, attempts and masked reasons.

``accounting()`` says, from the plan and the ledger (the truth, whatever retries
happened), how each valid row ended: entered, skipped as already done, rejected, failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from include.processes.election_staff.columns import COLUMNS
from include.processes.election_staff.config import Election, OnboardingSettings
from include.rpa.batches import (  # noqa: F401  (re-exported: the process's steps and tests use them)
    BATCH_DIR,
    ENTRY_DIR,
    EVIDENCE_DIR,
    BatchRun,
    EntryIncomplete,
    batch_outcomes,
    label_of,
    median_seconds,
    read_batch,
    run_batch,
    write_batches,
)
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json

log = logging.getLogger(__name__)

LEDGER_PROCESS = "election_staff_onboarding"
HR_PORTAL_CONN_ID = "hr_portal"
LEDGER_CONN_ID = "rpa_ledger"
PLAN_FILE = "plan.parquet"
PLAN_SUMMARY = "plan.json"
PLAN_CSV = "plan.csv"

# Plan categories (French: they appear in the dry run's report and its CSV).
TO_ENTER = "a_saisir"
ALREADY_DONE = "deja_saisi"
REFUSED_BEFORE = "refuse_precedemment"
CHANGED = "modifie_depuis_la_saisie"
MISMATCH_PENDING = "ecart_a_examiner"
CATEGORY_LABELS = {
    TO_ENTER: "à créer dans le portail",
    ALREADY_DONE: "déjà saisi (ignoré)",
    REFUSED_BEFORE: "refusé par le portail lors d'un traitement précédent (non retenté)",
    CHANGED: "déjà saisi, mais modifié depuis dans le fichier (à corriger à la main)",
    MISMATCH_PENDING: "déjà saisi, écart de rapprochement à examiner",
}
SKIPPED = (ALREADY_DONE, CHANGED, MISMATCH_PENDING)


def content_hash(record: dict[str, str]) -> str:
    """Digest of the fields the robot types: a change in the file shows as a new hash."""
    payload = json.dumps([record.get(column, "") for column in COLUMNS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load_valid(run_dir: Path):
    """The validated rows (``valid.parquet``) with "" for empty values."""
    import pandas as pd

    from include.processes.election_staff.onboarding import VALID_FILE

    frame = pd.read_parquet(run_dir / VALID_FILE)
    return frame.astype({column: "string" for column in COLUMNS}).fillna("")


def records_of(frame) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, values, strict=True)) for values in frame[list(COLUMNS)].itertuples(index=False)]


# --------------------------------------------------------------------------- plan


def plan(
    run_dir: Path,
    election: Election,
    settings: OnboardingSettings,
    *,
    run_id: str,
    dry_run: bool,
    ledger=None,
) -> list[dict[str, int]]:
    """Sort the valid workers against the ledger; write the batch files; the batches to map over."""
    import pandas as pd

    from include.rpa.ledger import Ledger

    frame = load_valid(run_dir)
    records = records_of(frame)
    nirs = [record["nir"] for record in records]
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    found = ledger.plan(
        LEDGER_PROCESS,
        election.id,
        {nir: content_hash(r) for nir, r in zip(nirs, records, strict=True)},
        run_id,
        write=not dry_run,
    )
    category = {nir: TO_ENTER for nir in found.to_enter}
    category.update({nir: ALREADY_DONE for nir in found.already_done})
    category.update({nir: REFUSED_BEFORE for nir in found.rejected})
    category.update({nir: CHANGED for nir in found.changed})
    category.update({nir: MISMATCH_PENDING for nir in found.mismatch})
    table = pd.DataFrame(
        {
            "position": range(len(frame)),
            "categorie": [category[nir] for nir in nirs],
            FILE_COLUMN: frame[FILE_COLUMN].to_numpy(),
            LINE_COLUMN: frame[LINE_COLUMN].to_numpy(),
        }
    )
    table.to_parquet(run_dir / PLAN_FILE, index=False)
    write_plan_csv(frame, table, run_dir / PLAN_CSV)
    counts = table["categorie"].value_counts().to_dict()
    positions = table.loc[table["categorie"] == TO_ENTER, "position"].tolist()
    batches = write_batches(run_dir, [] if dry_run else positions, settings.batch_size)
    write_json(
        run_dir / PLAN_SUMMARY,
        {
            "valid": len(frame),
            "dry_run": dry_run,
            "categories": {name: int(counts.get(name, 0)) for name in CATEGORY_LABELS},
            "lots": len(batches),
            "taille_lot": settings.batch_size,
        },
    )
    log.info("Plan : %s ; %d lot(s)", {k: int(v) for k, v in counts.items()}, len(batches))
    return batches


def write_plan_csv(frame, table, path: Path) -> None:
    """fichier;ligne;initiales;decision for HR (UTF-8 with BOM, ';': Excel opens it as is)."""
    import pandas as pd

    from include.rpa.pii import initials

    pd.DataFrame(
        {
            "fichier": table[FILE_COLUMN],
            "ligne": table[LINE_COLUMN],
            "initiales": [initials(n, p) for n, p in zip(frame["nom"], frame["prenom"], strict=True)],
            "decision": table["categorie"].map(CATEGORY_LABELS),
        }
    ).sort_values(["fichier", "ligne"]).to_csv(path, sep=";", index=False, encoding="utf-8-sig")


# --------------------------------------------------------------------------- entry


def enter_batch(
    run_dir: Path,
    election: Election,
    settings: OnboardingSettings,
    *,
    lot: int,
    run_id: str,
    worker: str,
    ledger=None,
) -> dict[str, Any]:
    """Type one batch into the HR portal with one browser; raise :class:`EntryIncomplete` if some failed."""
    from include.processes.election_staff.hr_portal import HrPortal
    from include.rpa.ledger import Ledger
    from include.rpa.robot import Job
    from include.rpa.targets import web_app

    positions = read_batch(run_dir, lot)
    frame = load_valid(run_dir).iloc[positions]
    jobs = [
        Job(key=record["nir"], record=record, label=label_of(file, line))
        for record, file, line in zip(records_of(frame), frame[FILE_COLUMN], frame[LINE_COLUMN], strict=True)
    ]
    app = web_app(HR_PORTAL_CONN_ID)
    batch = BatchRun(run_dir, LEDGER_PROCESS, election.id, run_id, worker, settings.robot_policy(), noun="vacataire(s)")
    target = HrPortal(app.base_url, app.user, app.password)
    return run_batch(batch, lot, positions, jobs, target, ledger or Ledger.from_airflow(LEDGER_CONN_ID))


# --------------------------------------------------------------------------- accounting


def accounting(run_dir: Path, election: Election, ledger=None) -> dict[str, Any]:
    """How each valid row of the run ended, from the plan and the ledger.

    ``entered + skipped_already_done + rejected + failed == valid`` (a dry run: nothing
    entered or failed, ``to_enter`` instead).
    """
    import pandas as pd

    from include.rpa.ledger import DONE, MISMATCH, REJECTED, Ledger

    plan_info = read_json(run_dir / PLAN_SUMMARY)
    result = {"entered": 0, "skipped_already_done": 0, "rejected": 0, "rejected_now": 0, "failed": 0, "to_enter": 0}
    if plan_info is None or not (run_dir / PLAN_FILE).exists():
        return {**result, "planned": False, "seconds": []}
    table = pd.read_parquet(run_dir / PLAN_FILE)
    categories = table["categorie"]
    result["skipped_already_done"] = int(categories.isin(SKIPPED).sum())
    result["rejected"] = int((categories == REFUSED_BEFORE).sum())
    to_enter = table[categories == TO_ENTER]
    result["to_enter"] = len(to_enter)
    seconds: list[float] = []
    if plan_info.get("dry_run"):
        return {**result, "planned": True, "seconds": seconds}
    nirs = load_valid(run_dir)["nir"]
    wanted = set(nirs.iloc[to_enter["position"].tolist()])
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    for row in ledger.rows(LEDGER_PROCESS, election.id):
        if row["business_key"] not in wanted:
            continue
        if row["state"] in (*DONE, MISMATCH):
            result["entered"] += 1
            if row["seconds"] is not None:
                seconds.append(float(row["seconds"]))
        elif row["state"] == REJECTED:
            result["rejected"] += 1
            result["rejected_now"] += 1
    result["failed"] = int(plan_info["valid"]) - sum(result[k] for k in ("entered", "skipped_already_done", "rejected"))
    return {**result, "planned": True, "seconds": seconds}
