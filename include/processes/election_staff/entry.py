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
import statistics
from pathlib import Path
from typing import Any

from include.processes.election_staff.columns import COLUMNS
from include.processes.election_staff.config import Election, OnboardingSettings
from include.rpa.errors import RpaError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json

log = logging.getLogger(__name__)

LEDGER_PROCESS = "election_staff_onboarding"
HR_PORTAL_CONN_ID = "hr_portal"
LEDGER_CONN_ID = "rpa_ledger"
PLAN_FILE = "plan.parquet"
PLAN_SUMMARY = "plan.json"
PLAN_CSV = "plan.csv"
BATCH_DIR = "lots"
ENTRY_DIR = "saisie"
EVIDENCE_DIR = "captures"

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


class EntryIncomplete(RpaError):
    """Some workers of a batch could not be entered (the task fails, so Airflow retries it)."""


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


def label_of(file: str, line: Any) -> str:
    return f"{Path(str(file)).stem}-ligne{line}"


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
    batches = [positions[i : i + settings.batch_size] for i in range(0, len(positions), settings.batch_size)]
    batch_dir = run_dir / BATCH_DIR
    batch_dir.mkdir(exist_ok=True)
    for old in batch_dir.glob("lot-*.json"):
        old.unlink()
    if not dry_run:
        for number, members in enumerate(batches):
            write_json(batch_dir / f"lot-{number:03d}.json", {"lot": number, "positions": members})
    write_json(
        run_dir / PLAN_SUMMARY,
        {
            "valid": len(frame),
            "dry_run": dry_run,
            "categories": {name: int(counts.get(name, 0)) for name in CATEGORY_LABELS},
            "lots": 0 if dry_run else len(batches),
            "taille_lot": settings.batch_size,
        },
    )
    log.info("Plan : %s ; %d lot(s)", {k: int(v) for k, v in counts.items()}, 0 if dry_run else len(batches))
    return [] if dry_run else [{"lot": n, "dossiers": len(m)} for n, m in enumerate(batches)]


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
    from include.rpa.browser import open_browser, reap_orphan_browsers
    from include.rpa.ledger import Ledger
    from include.rpa.robot import BUSY, FAILED, NOT_ATTEMPTED, Job, RecordLoop, RobotPolicy
    from include.rpa.targets import web_app

    killed = reap_orphan_browsers()
    if killed:
        log.warning("%d processus de navigateur orphelins arrêtés (tâche précédente tuée)", killed)
    batch = read_json(run_dir / BATCH_DIR / f"lot-{lot:03d}.json")
    if batch is None:
        raise RpaError(f"lot {lot} introuvable dans {run_dir / BATCH_DIR} : relancer la planification")
    frame = load_valid(run_dir).iloc[batch["positions"]]
    jobs = [
        Job(key=record["nir"], record=record, label=label_of(file, line))
        for record, file, line in zip(records_of(frame), frame[FILE_COLUMN], frame[LINE_COLUMN], strict=True)
    ]
    app = web_app(HR_PORTAL_CONN_ID)
    policy = RobotPolicy(
        max_attempts=settings.max_attempts,
        backoff_seconds=settings.backoff_seconds,
        max_backoff_seconds=settings.max_backoff_seconds,
        abort_after_consecutive_failures=settings.abort_after_consecutive_failures,
        fresh_tab_every=settings.fresh_tab_every,
    )
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    log.info("Lot %d : %d vacataires à saisir sur %s", lot, len(jobs), app.base_url)
    with open_browser(label=f"{LEDGER_PROCESS}-lot{lot}") as driver:
        loop = RecordLoop(
            driver,
            HrPortal(app.base_url, app.user, app.password),
            ledger,
            process=LEDGER_PROCESS,
            scope=election.id,
            worker=worker,
            run_id=run_id,
            policy=policy,
            evidence_dir=run_dir / EVIDENCE_DIR,
        )
        result = loop.run(jobs)
    outcomes = [
        {"position": position, **outcome.as_dict()}
        for position, outcome in zip(batch["positions"], result.outcomes, strict=True)
    ]
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    summary = {
        "lot": lot,
        "dossiers": len(jobs),
        "resultats": counts,
        "interrompu": result.aborted,
        "connexions": result.logins,
        "nouvelles_tentatives": result.retries,
        "secondes": round(result.seconds, 3),
        "dossiers_detail": outcomes,
    }
    write_json(run_dir / ENTRY_DIR / f"lot-{lot:03d}.json", summary)
    unfinished = sum(counts.get(name, 0) for name in (FAILED, BUSY, NOT_ATTEMPTED))
    if unfinished:
        raise EntryIncomplete(
            f"Lot {lot} : {unfinished} vacataire(s) sur {len(jobs)} non saisi(s)"
            + (f" ; {result.aborted}" if result.aborted else "")
            + " (nouvel essai automatique : les dossiers déjà saisis ne seront pas ressaisis)"
        )
    return {"lot": lot, **counts}


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


def batch_outcomes(run_dir: Path) -> list[dict[str, Any]]:
    """The per-worker outcomes of every batch's last attempt."""
    outcomes: list[dict[str, Any]] = []
    for path in sorted((run_dir / ENTRY_DIR).glob("lot-*.json")):
        outcomes.extend((read_json(path) or {}).get("dossiers_detail", []))
    return outcomes


def median_seconds(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds), 2) if seconds else None
