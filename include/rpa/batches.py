"""Batches of records for the robot: the plan's batch files, one mapped task per batch, and
what each batch's last attempt did.

The entry engine's ``plan`` (:mod:`include.rpa.entry`) decides which rows of its run table go to the target and calls
:func:`write_batches`; each mapped ``enter`` task calls :func:`run_batch` with its batch
number: one browser, one login, the record loop (:mod:`include.rpa.robot`) over the
batch's jobs, an outcome file per batch with per-record seconds, attempts and masked
reasons. XCom carries batch numbers and counts, never records.

Several waves of one run (e.g. the files a person decided to enter, after the rest) keep
their files apart with a ``wave`` prefix.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from include.rpa.errors import RpaError
from include.rpa.paths import read_json, write_json
from include.rpa.policy import RobotPolicy

log = logging.getLogger(__name__)

BATCH_DIR = "lots"
ENTRY_DIR = "saisie"
EVIDENCE_DIR = "captures"


class EntryIncomplete(RpaError):
    """Some records of a batch could not be entered (the task fails, so Airflow retries it)."""


@dataclass(frozen=True)
class BatchRun:
    """What :func:`run_batch` needs besides the jobs: where, who, how hard to try."""

    run_dir: Path
    process: str  # ledger process
    scope: str  # ledger scope (the election, the campaign)
    run_id: str
    worker: str  # the task instance's identity: a retry of the same task takes back its claims
    policy: RobotPolicy
    noun: str = "dossier(s)"  # French, for the task's error message


def counted(n: int, noun: str) -> str:
    """``3 dossiers``, ``1 dossier``: a French count of a regular plural noun."""
    return f"{n} {noun[:-1] if n == 1 and noun.endswith('s') else noun}"


def label_of(file: str, line: Any) -> str:
    """A record's label in logs and captures: source file stem and line, never a value."""
    return f"{Path(str(file)).stem}-ligne{line}"


def _name(wave: str, lot: int) -> str:
    return f"{wave}{'-' if wave else ''}lot-{lot:03d}.json"


def write_batches(
    run_dir: Path, positions: Sequence[int], size: int, *, wave: str = "", noun: str = "dossiers"
) -> list[dict[str, Any]]:
    """Split ``positions`` (rows of the run table) into batch files; the batches to map over
    (number, size and the label that names the mapped task in the UI)."""
    batches = [list(positions[i : i + size]) for i in range(0, len(positions), size)]
    batch_dir = run_dir / BATCH_DIR
    batch_dir.mkdir(exist_ok=True)
    for old in batch_dir.glob(_name(wave, 0).replace("000", "*")):
        old.unlink()
    for number, members in enumerate(batches):
        write_json(batch_dir / _name(wave, number), {"lot": number, "positions": members})
    return [
        {"lot": n, "dossiers": len(m), "libelle": f"lot {n} ({counted(len(m), noun)})"} for n, m in enumerate(batches)
    ]


def read_batch(run_dir: Path, lot: int, *, wave: str = "") -> list[int]:
    batch = read_json(run_dir / BATCH_DIR / _name(wave, lot))
    if batch is None:
        raise RpaError(f"lot {lot} introuvable dans {run_dir / BATCH_DIR} : relancer la planification")
    return batch["positions"]


def run_batch(
    batch: BatchRun,
    lot: int,
    positions: Sequence[int],
    jobs: Sequence[Any],
    target: Any,
    ledger: Any,
    *,
    wave: str = "",
) -> dict[str, Any]:
    """Enter one batch's ``jobs`` (:class:`include.rpa.robot.Job`, in ``positions`` order) into
    ``target`` with one browser; the counts by result.

    Writes ``saisie/[<wave>-]lot-NNN.json``; raises :class:`EntryIncomplete` when a record is
    neither entered, found nor refused (Airflow then retries the task: what is done is
    skipped through the ledger, so nobody is typed twice).
    """
    from include.rpa.browser import open_browser, reap_orphan_browsers
    from include.rpa.robot import BUSY, FAILED, NOT_ATTEMPTED, RecordLoop

    killed = reap_orphan_browsers()
    if killed:
        log.warning("%d processus de navigateur orphelins arrêtés (tâche précédente tuée)", killed)
    log.info("Lot %s%d : %d %s à saisir", f"{wave} " if wave else "", lot, len(jobs), batch.noun)
    with open_browser(label=f"{batch.process}-{wave or 'lot'}{lot}") as driver:
        loop = RecordLoop(
            driver,
            target,
            ledger,
            process=batch.process,
            scope=batch.scope,
            worker=batch.worker,
            run_id=batch.run_id,
            policy=batch.policy,
            evidence_dir=batch.run_dir / EVIDENCE_DIR,
        )
        result = loop.run(jobs)
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    write_json(
        batch.run_dir / ENTRY_DIR / _name(wave, lot),
        {
            "lot": lot,
            "vague": wave or None,
            "dossiers": len(jobs),
            "resultats": counts,
            "interrompu": result.aborted,
            "connexions": result.logins,
            "nouvelles_tentatives": result.retries,
            "secondes": round(result.seconds, 3),
            "dossiers_detail": [
                {"position": position, **outcome.as_dict()}
                for position, outcome in zip(positions, result.outcomes, strict=True)
            ],
        },
    )
    unfinished = sum(counts.get(name, 0) for name in (FAILED, BUSY, NOT_ATTEMPTED))
    if unfinished:
        raise EntryIncomplete(
            f"Lot {lot} : {counted(unfinished, batch.noun)} sur {len(jobs)} non saisi(s)"
            + (f" ; {result.aborted}" if result.aborted else "")
            + " (nouvel essai automatique : ce qui est déjà saisi ne sera pas ressaisi)"
        )
    return {"lot": lot, **counts}


def median_seconds(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds), 2) if seconds else None


def batch_outcomes(run_dir: Path, *, wave: str | None = None) -> list[dict[str, Any]]:
    """The per-record outcomes of every batch's last attempt (of one wave, or all)."""
    pattern = "*lot-*.json" if wave is None else _name(wave, 0).replace("000", "*")
    outcomes: list[dict[str, Any]] = []
    for path in sorted((run_dir / ENTRY_DIR).glob(pattern)):
        outcomes.extend((read_json(path) or {}).get("dossiers_detail", []))
    return outcomes
