"""The entry engine: plan, enter, account for and reconcile the records of any process.

A process describes itself once, in an :class:`EntrySpec` (its ledger process and scope,
business key, the columns typed, how its validated table becomes records, its target's
page objects, how the target's export compares); the engine does the rest, the same way
for every process:

- :func:`plan` registers a run's records in the ledger under their business key (content
  hash of the typed columns) and sorts them: to type, already done, refused before, changed
  since entered, in a mismatch waiting for a person. It writes ``plan[-<wave>].json`` (the
  positions of each category), ``plan[-<wave>].csv`` (what people read: file, line, masked
  identity, decision) and the batch files; a dry run stops there.
- :func:`enter_batch` is one mapped task: one browser, one login, the record loop
  (:mod:`include.rpa.robot`: claim, search, create, file the outcome) over a batch.
- :func:`accounting` says from the plans and the ledger (the truth, whatever retries
  happened) how each planned record ended: ``entered + skipped_already_done + rejected +
  failed == planned``.
- :func:`reconcile` downloads the target's export with the robot's account (no browser),
  compares every record the ledger says is in the target, field by field and its receipt,
  marks it ``verified`` or ``mismatch``, writes ``reconciliation.csv`` (masked) and fails the
  step (not retried) on a difference or a record left behind.
- :func:`entry_section` is the robot's part of the French report; :func:`credit_time_saved`
  credits the minutes an agent was spared, each record and outcome once across runs.

A run's records are the rows of a table the process wrote in its run folder (its validated
records); the engine names them by position in that table, so XCom and the plan files carry
positions and counts, never personal data. Several waves of one run (Brexit: the files the
rules decided, then those an agent decided) plan and enter apart and are accounted together.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from include.rpa.batches import (
    EVIDENCE_DIR,
    BatchRun,
    batch_outcomes,
    counted,
    label_of,
    read_batch,
    run_batch,
    write_batches,
)
from include.rpa.errors import NoInputError, ReconciliationMismatch, RpaError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json
from include.rpa.policy import RobotPolicy, robot_policy
from include.rpa.report import SHOWN, Section, Table, csv_table

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.ledger import Ledger
    from include.rpa.report import Report
    from include.rpa.robot import Target
    from include.rpa.summary import RunSummary
    from include.rpa.targets import WebApp
    from include.rpa.tasks import RunContext

log = logging.getLogger(__name__)

PLAN_PREFIX = "plan"
RECONCILE_SUMMARY, RECONCILE_FILE = "reconciliation.json", "reconciliation.csv"

# Plan categories (French: they are in plan.csv and the dry run's report).
TO_ENTER = "a_saisir"
ALREADY_DONE = "deja_saisi"
REFUSED_BEFORE = "refuse_precedemment"
CHANGED = "modifie_depuis_la_saisie"
MISMATCH_PENDING = "ecart_a_examiner"
CATEGORIES = (TO_ENTER, ALREADY_DONE, REFUSED_BEFORE, CHANGED, MISMATCH_PENDING)
SKIPPED = (ALREADY_DONE, CHANGED, MISMATCH_PENDING)  # counted skipped_already_done
PROBLEM_LABELS = {
    "rejected": "refusé par l'application",
    "failed": "en échec (application indisponible)",
    "busy": "en cours dans un autre traitement",
    "not_attempted": "non traité (lot interrompu)",
}
_SPACES = re.compile(r"\s+")


def plain(column: str, value: str) -> str:
    """A value with its runs of white space folded (how most exports compare)."""
    return _SPACES.sub(" ", value or "").strip()


def of(app: str) -> str:
    """ "le portail RH" -> "du portail RH": French "de" before an app's name."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if app.startswith(article):
            return contracted + app[len(article) :]
    return "de " + app


class EntrySpec:
    """What the engine needs to know of a process: subclass it, set the class attributes,
    override the methods whose default does not fit (see docs/new-process.md)."""

    process: ClassVar[str]  # ledger process: the DAG id
    conn_id: ClassVar[str]  # the target application's Airflow Connection
    app: ClassVar[str]  # French, with its article: "le portail RH"
    title: ClassVar[str]  # French: the title of the run's report
    noun: ClassVar[str]  # French plural: "vacataires"
    key: ClassVar[str]  # business key column of the records table
    columns: ClassVar[tuple[str, ...]]  # what the robot types (the export has the same names)
    hashed: ClassVar[tuple[str, ...] | None] = None  # columns of the content hash (default: columns)
    receipt_column: ClassVar[str] = "numero"  # the target's file number in its export
    labels: ClassVar[Mapping[str, str]] = {}  # French label of each column, for reports
    export_path: ClassVar[str] = "/export.csv"

    # ------------------------------------------------------------------ the run's records

    def scope(self, run: RunContext) -> str:
        """The ledger scope of the run (the election, the campaign)."""
        raise NotImplementedError

    def records(self, run: RunContext) -> pd.DataFrame:
        """The run's records, one row each, the typed ``columns`` as text ("" when empty),
        ``_fichier``/``_ligne`` when they come from input files."""
        raise NotImplementedError

    def key_of(self, row: Any) -> str:
        return str(row[self.key])

    def record(self, row: Any) -> dict[str, str]:
        """What the robot types for a row."""
        return {column: str(row[column]) for column in self.columns}

    def label(self, row: Any) -> str:
        """How logs and captures name a record: its file and line, never a value."""
        return label_of(row[FILE_COLUMN], row[LINE_COLUMN])

    def identity(self, row: Any) -> dict[str, str]:
        """The masked columns that name a record for people in CSVs (initials, a file number)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the target

    def target(self, app: WebApp, run: RunContext, frame: pd.DataFrame) -> Target:
        """The robot's services on the target (its page objects) for a batch's rows."""
        raise NotImplementedError

    def policy(self) -> RobotPolicy:
        return robot_policy(self.process)

    # ------------------------------------------------------------------ reconciliation

    def expected_value(self, column: str, value: str) -> str:
        """A typed value as the target's export should show it."""
        return plain(column, value)

    def stored_value(self, column: str, value: str) -> str:
        """A value of the export, in the same form as :meth:`expected_value`."""
        return plain(column, value)

    def export_key(self, value: str) -> str:
        return value.strip()

    # ------------------------------------------------------------------ the report

    def done(self, summary: RunSummary) -> str:
        """The report's verdict when all went well (French)."""
        return (
            f"{counted(summary.entered, self.noun)} saisi(s) dans {self.app}, {summary.verified} vérifié(s) par "
            f"rapprochement ; {summary.quarantined} ligne(s) en quarantaine"
        )

    def headline(self, summary: RunSummary) -> list[tuple[str, object]]:
        """The report's first counters (the robot's follow: :func:`entry_section`)."""
        return [
            ("lignes reçues", summary.received),
            ("lignes valides", summary.valid),
            ("lignes en quarantaine", summary.quarantined),
        ]

    def compare(self, intended: Mapping[str, str], stored: Mapping[str, str]) -> list[str]:
        """The columns whose stored value differs from the intended one."""
        return [
            column
            for column in self.columns
            if self.expected_value(column, intended.get(column, ""))
            != self.stored_value(column, stored.get(column, ""))
        ]


def content_hash(record: Mapping[str, str], columns: Sequence[str]) -> str:
    """Digest of the typed fields: a change in the input shows as a new hash."""
    payload = json.dumps([record.get(column, "") for column in columns], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _ledger(ledger: Ledger | None) -> Ledger:
    from include.rpa.ledger import Ledger

    return ledger or Ledger.from_airflow()


def _suffix(wave: str) -> str:
    return f"-{wave}" if wave else ""


def plan_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(f"{PLAN_PREFIX}*.json"))


def plans(run_dir: Path) -> list[dict[str, Any]]:
    """Every wave's plan of the run (none before the plan step ran)."""
    return [info for path in plan_files(run_dir) if (info := read_json(path))]


# --------------------------------------------------------------------------- plan


def plan(
    run: RunContext,
    spec: EntrySpec,
    positions: Iterable[int] | None = None,
    *,
    wave: str = "",
    ledger: Ledger | None = None,
) -> list[dict[str, Any]]:
    """Register the records at ``positions`` (default: all) in the ledger and sort them; the
    batches to type (none in a dry run)."""
    import pandas as pd

    frame = spec.records(run)
    chosen = list(range(len(frame))) if positions is None else sorted(int(p) for p in positions)
    rows = frame.iloc[chosen]
    keys = [spec.key_of(row) for _, row in rows.iterrows()]
    if len(set(keys)) != len(keys):
        raise RpaError(f"plan : clé métier en double parmi les {spec.noun} (la validation aurait dû l'écarter)")
    hashed = spec.hashed or spec.columns
    hashes = {key: content_hash(spec.record(row), hashed) for key, (_, row) in zip(keys, rows.iterrows(), strict=True)}
    found = _ledger(ledger).plan(spec.process, spec.scope(run), hashes, run.run_id, write=not run.dry_run)
    category = dict.fromkeys(found.to_enter, TO_ENTER)
    category.update(dict.fromkeys(found.already_done, ALREADY_DONE))
    category.update(dict.fromkeys(found.rejected, REFUSED_BEFORE))
    category.update(dict.fromkeys(found.changed, CHANGED))
    category.update(dict.fromkeys(found.mismatch, MISMATCH_PENDING))
    by_category: dict[str, list[int]] = {name: [] for name in CATEGORIES}
    for position, key in zip(chosen, keys, strict=True):
        by_category[category[key]].append(position)
    policy = spec.policy()
    to_type = [] if run.dry_run else by_category[TO_ENTER]
    batches = write_batches(run.folder, to_type, policy.batch_size, wave=wave, noun=spec.noun)
    write_json(
        run.folder / f"{PLAN_PREFIX}{_suffix(wave)}.json",
        {
            "vague": wave or None,
            "dossiers": len(chosen),
            "dry_run": run.dry_run,
            "lots": len(batches),
            "taille_lot": policy.batch_size,
            "categories": {name: len(members) for name, members in by_category.items()},
            "positions": by_category,
        },
    )
    labels = category_labels(spec)
    table = pd.DataFrame(
        [
            {
                **({"fichier": row[FILE_COLUMN], "ligne": row[LINE_COLUMN]} if FILE_COLUMN in row else {}),
                **spec.identity(row),
                "decision": labels[category[key]],
            }
            for key, (_, row) in zip(keys, rows.iterrows(), strict=True)
        ]
    )
    if len(table) and "fichier" in table:
        table = table.sort_values(["fichier", "ligne"])
    table.to_csv(run.folder / f"{PLAN_PREFIX}{_suffix(wave)}.csv", sep=";", index=False, encoding="utf-8-sig")
    log.info("Plan %s : %s ; %d lot(s)", wave or "", {k: len(v) for k, v in by_category.items()}, len(batches))
    return batches


def category_labels(spec: EntrySpec) -> dict[str, str]:
    return {
        TO_ENTER: f"à créer dans {spec.app}",
        ALREADY_DONE: "déjà saisi (ignoré)",
        REFUSED_BEFORE: f"refusé par {spec.app} lors d'un traitement précédent (non retenté)",
        CHANGED: "déjà saisi, mais modifié depuis dans le fichier (à corriger à la main)",
        MISMATCH_PENDING: "déjà saisi, écart de rapprochement à examiner",
    }


# --------------------------------------------------------------------------- entry


def enter_batch(
    run: RunContext, spec: EntrySpec, batch: Mapping[str, Any], *, wave: str = "", ledger: Ledger | None = None
) -> dict[str, Any]:
    """Type one batch into the target with one browser; raises
    :class:`include.rpa.batches.EntryIncomplete` (retried by Airflow) if some failed."""
    from include.rpa.robot import Job
    from include.rpa.targets import web_app

    lot = int(batch["lot"])
    positions = read_batch(run.folder, lot, wave=wave)
    frame = spec.records(run).iloc[positions]
    jobs = [Job(key=spec.key_of(row), record=spec.record(row), label=spec.label(row)) for _, row in frame.iterrows()]
    target = spec.target(web_app(spec.conn_id), run, frame)
    settings = BatchRun(
        run.folder, spec.process, spec.scope(run), run.run_id, run.worker, spec.policy(), noun=spec.noun
    )
    return run_batch(settings, lot, positions, jobs, target, _ledger(ledger), wave=wave)


# --------------------------------------------------------------------------- accounting


@dataclass
class Accounting:
    """How the planned records of a run ended (over every wave)."""

    planned: int = 0
    to_enter: int = 0
    entered: int = 0
    skipped_already_done: int = 0
    rejected: int = 0  # refused before (not retried) and refused now
    rejected_now: int = 0
    failed: int = 0
    found_in_portal: int = 0  # of the entered: already in the target when searched
    dry_run: bool = False
    seconds: list[float] = field(default_factory=list)  # robot seconds of each record entered
    entered_keys: list[str] = field(default_factory=list)

    @property
    def robot_minutes(self) -> float:
        return sum(self.seconds) / 60

    @property
    def median_seconds(self) -> float | None:
        return round(statistics.median(self.seconds), 2) if self.seconds else None


def accounting(
    run: RunContext, spec: EntrySpec, *, meant: int | None = None, ledger: Ledger | None = None
) -> Accounting:
    """From the plans and the ledger; ``meant``: how many records the process meant for the
    robot (a record no plan took, because a step before failed, is a failure too)."""
    from include.rpa.ledger import DONE, MISMATCH, REJECTED

    infos = plans(run.folder)
    result = Accounting(dry_run=run.dry_run or any(info.get("dry_run") for info in infos))
    if infos:
        keys = [spec.key_of(row) for _, row in spec.records(run).iterrows()]
        rows = {row["business_key"]: row for row in _ledger(ledger).rows(spec.process, spec.scope(run))}
    for info in infos:
        positions = info["positions"]
        result.planned += int(info["dossiers"])
        result.skipped_already_done += sum(len(positions[name]) for name in SKIPPED)
        result.rejected += len(positions[REFUSED_BEFORE])
        result.to_enter += len(positions[TO_ENTER])
        if info.get("dry_run"):
            continue
        for position in positions[TO_ENTER]:
            row = rows.get(keys[position]) or {}
            if row.get("state") in (*DONE, MISMATCH):
                result.entered += 1
                result.entered_keys.append(keys[position])
                if row.get("seconds") is not None:
                    result.seconds.append(float(row["seconds"]))
            elif row.get("state") == REJECTED:
                result.rejected += 1
                result.rejected_now += 1
    result.found_in_portal = sum(1 for o in batch_outcomes(run.folder) if o["result"] == "found")
    if not result.dry_run:
        expected = result.planned if meant is None else meant
        result.failed = max(0, expected - result.entered - result.skipped_already_done - result.rejected)
    return result


# --------------------------------------------------------------------------- reconciliation


def parse_export(
    text: str, key: str, required: Iterable[str], *, app: str, normalise_key: Any = str.strip
) -> dict[str, list[dict[str, str]]]:
    """A target's ``;`` CSV export by business key (a list: the target could hold a key twice).

    ``app`` names the application in the French error raised when a column is missing (the
    application changed: nothing can be compared).
    """
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = {key, *required} - set(reader.fieldnames or ())
    if missing:
        raise RpaError(f"export {of(app)} : colonnes manquantes {sorted(missing)} (l'application a changé ?)")
    rows: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        rows.setdefault(normalise_key(row[key]), []).append(row)
    return rows


def read_export(spec: EntrySpec, export_text: str | None = None) -> dict[str, list[dict[str, str]]]:
    """The target's export by business key, downloaded with the robot's account unless given."""
    from include.rpa.targets import fetch_after_login, web_app

    if export_text is None:
        export_text = fetch_after_login(web_app(spec.conn_id), spec.export_path)
    required = {spec.receipt_column, *spec.columns} - {spec.key}
    return parse_export(export_text, spec.key, required, app=spec.app, normalise_key=spec.export_key)


def reconcile(
    run: RunContext, spec: EntrySpec, *, ledger: Ledger | None = None, export_text: str | None = None
) -> dict[str, Any]:
    """Compare every planned record the ledger says is in the target with the target's export;
    write ``reconciliation.csv``/``.json``; raise :class:`ReconciliationMismatch` if a record is
    in the target with other data, or not in it although it should be (nothing planned, or a
    dry run: :class:`NoInputError`, the step is skipped)."""
    import pandas as pd

    from include.rpa.ledger import DONE, MISMATCH

    started = time.perf_counter()
    infos = plans(run.folder)
    if not infos or all(info.get("dry_run") for info in infos):
        raise NoInputError("Rien à rapprocher : pas de saisie dans ce traitement")
    export = read_export(spec, export_text)
    frame = spec.records(run)
    planned = sorted({p for info in infos for name in (TO_ENTER, *SKIPPED) for p in info["positions"][name]})
    ledger = _ledger(ledger)
    scope = spec.scope(run)
    states = {row["business_key"]: row for row in ledger.rows(spec.process, scope)}
    missing, duplicate = f"absent {of(spec.app)}", f"présent plusieurs fois dans {spec.app}"
    receipt_label = spec.labels.get(spec.receipt_column, spec.receipt_column)
    by_field: Counter[str] = Counter()
    mismatches: list[dict[str, Any]] = []
    verified = 0
    for position in planned:
        row = frame.iloc[position]
        key = spec.key_of(row)
        state = states.get(key)
        if state is None or state["state"] not in (*DONE, MISMATCH):
            continue  # not in the target by the ledger: the entry's failures say why
        found = export.get(spec.export_key(key), [])
        if not found:
            fields = [missing]
        elif len(found) > 1:
            fields = [duplicate]
        else:
            fields = [spec.labels.get(column, column) for column in spec.compare(spec.record(row), found[0])]
            if state["receipt"] and found[0][spec.receipt_column] != state["receipt"]:
                fields.append(receipt_label)
        stored_receipt = found[0][spec.receipt_column] if len(found) == 1 else None
        if fields:
            by_field.update(fields)
            ledger.mark_mismatch(
                spec.process, scope, key, "écart de rapprochement : " + ", ".join(fields), run_id=run.run_id
            )
            mismatches.append(
                {
                    **({"fichier": row[FILE_COLUMN], "ligne": int(row[LINE_COLUMN])} if FILE_COLUMN in row else {}),
                    **spec.identity(row),
                    spec.receipt_column: stored_receipt or state["receipt"] or "",
                    "champs": ", ".join(fields),
                }
            )
        else:
            verified += 1
            ledger.mark_verified(spec.process, scope, key, receipt=stored_receipt, run_id=run.run_id)
    columns = [*(["fichier", "ligne"] if FILE_COLUMN in frame else []), *_identity_columns(spec, frame)]
    table = pd.DataFrame(mismatches, columns=[*columns, spec.receipt_column, "champs"])
    if "fichier" in table:
        table = table.sort_values(["fichier", "ligne"])
    table.to_csv(run.folder / RECONCILE_FILE, sep=";", index=False, encoding="utf-8-sig")
    summary = {
        "verified": verified,
        "mismatched": len(mismatches),
        "ecarts_par_champ": dict(by_field.most_common()),
        "dossiers_dans_export": sum(len(rows) for rows in export.values()),
        "secondes": round(time.perf_counter() - started, 3),
    }
    write_json(run.folder / RECONCILE_SUMMARY, summary)
    log.info("Rapprochement : %d vérifiés, %d en écart %s", verified, len(mismatches), summary["ecarts_par_champ"])
    outcome = accounting(run, spec, ledger=ledger)
    problems = []
    if mismatches:
        problems.append(f"{counted(len(mismatches), spec.noun)} en écart avec {spec.app}")
    left_behind = outcome.to_enter - outcome.entered - outcome.rejected_now
    if left_behind > 0:
        problems.append(f"{counted(left_behind, spec.noun)} non saisi(s) malgré les nouvelles tentatives")
    if problems:
        raise ReconciliationMismatch("Rapprochement : " + " ; ".join(problems) + " (voir le rapport)")
    return summary


def _identity_columns(spec: EntrySpec, frame: pd.DataFrame) -> list[str]:
    return list(spec.identity(frame.iloc[0])) if len(frame) else []


def reconciliation(run_dir: Path) -> dict[str, Any]:
    """The reconcile step's figures ({} when it did not run)."""
    return read_json(run_dir / RECONCILE_SUMMARY) or {}


# --------------------------------------------------------------------------- time saved


def credit_time_saved(
    run: RunContext,
    spec: EntrySpec,
    outcomes: Mapping[str, str],
    minutes: Mapping[str, float],
    *,
    ledger: Ledger | None = None,
) -> dict[str, int]:
    """Credit each record's outcome once across runs (:meth:`include.rpa.ledger.Ledger.credit`);
    the records this run holds credits for, by outcome. Nothing in a dry run."""
    if run.dry_run:
        return dict.fromkeys(minutes, 0)
    return _ledger(ledger).credit(spec.process, spec.scope(run), run.run_id, outcomes, minutes)


# --------------------------------------------------------------------------- the run's summary and report


def run_summary(
    run: RunContext,
    outcome: Accounting,
    *,
    errors: Iterable[str] = (),
    minutes_saved: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RunSummary:
    """The summary every process starts from: the intake's, validation's, entry's and
    reconciliation's counts, the steps' errors (then ``errors``), the process's own keys."""
    from include.rpa.report import VALIDATION_FILE
    from include.rpa.steps import step_errors
    from include.rpa.summary import RunSummary

    intake = read_json(run.folder / "intake.json") or {}
    validation = read_json(run.folder / VALIDATION_FILE) or {}
    checked = reconciliation(run.folder)
    return RunSummary(
        dag_id=run.dag_id,
        run_id=run.run_id,
        dry_run=run.dry_run,
        errors=[str(e["message"]) for e in step_errors(run.folder)] + list(errors),
        received=int(validation.get("received", intake.get("received", 0))),
        quarantined=int(validation.get("quarantined", 0)),
        valid=int(validation.get("valid", 0)),
        entered=outcome.entered,
        skipped_already_done=outcome.skipped_already_done,
        rejected=outcome.rejected,
        failed=outcome.failed,
        verified=int(checked.get("verified", 0)),
        mismatched=int(checked.get("mismatched", 0)),
        to_enter=outcome.to_enter,
        found_in_portal=outcome.found_in_portal,
        minutes_saved=minutes_saved,
        quarantine_reasons=validation.get("motifs", {}),
        mismatch_fields=checked.get("ecarts_par_champ", {}),
        out_of_season=bool(intake.get("hors_periode")),
        source=intake.get("entree"),
        extra=dict(extra or {}),
    )


def report_page(run: RunContext, spec: EntrySpec, summary: RunSummary, subtitle: str) -> Report:
    """A run's French report (``spec.title``), headed by its verdict (:func:`status_line`), the
    steps' errors and the process's first counters; the process adds its sections
    (:meth:`include.rpa.report.Report.add`)."""
    from include.rpa.report import Report

    status = status_line(run, spec, summary, done=spec.done(summary))
    return Report(spec.title, subtitle, not summary.failed_run, status, spec.headline(summary), errors=summary.errors)


def status_line(run: RunContext, spec: EntrySpec, summary: RunSummary, *, done: str) -> str:
    """The report's one-line verdict: stopped (which steps), incomplete, nothing to do, a dry
    run's answer, else ``done``."""
    from include.rpa.steps import step_errors

    stopped = sorted({str(e["etape"]) for e in step_errors(run.folder)})
    if stopped:
        return "Traitement arrêté : " + " ; ".join(stopped)
    if summary.failed_run:
        return f"Saisie incomplète : {counted(summary.failed, spec.noun)} en échec, {summary.mismatched} en écart"
    if summary.received == 0:
        intake = read_json(run.folder / "intake.json") or {}
        return intake.get("motif") or f"Aucun fichier à traiter dans {intake.get('entree')}"
    if run.dry_run:
        return f"Essai à blanc : {counted(summary.to_enter or 0, spec.noun)} à saisir dans {spec.app}"
    return done


# --------------------------------------------------------------------------- the report's entry part


def entry_section(run: RunContext, spec: EntrySpec, outcome: Accounting, checked: Mapping[str, Any]) -> Section:
    """The robot's counters, its refusals and failures, the reconciliation's differences."""
    section = Section()
    if outcome.dry_run:
        section.counts = [
            (f"à créer dans {spec.app} (essai à blanc)", outcome.to_enter),
            ("déjà saisis (ignorés)", outcome.skipped_already_done),
            ("refusés précédemment (ignorés)", outcome.rejected),
        ]
        section.tables += [
            csv_table("Plan de saisie (essai à blanc : rien n'a été saisi)", path) for path in plan_csvs(run.folder)
        ]
    else:
        section.counts = [
            (f"{spec.noun} saisis dans {spec.app}", outcome.entered),
            (f"dont retrouvés dans {spec.app} (non ressaisis)", outcome.found_in_portal),
            ("déjà saisis (ignorés)", outcome.skipped_already_done),
            (f"refusés par {spec.app}", outcome.rejected),
            ("en échec", outcome.failed),
            ("vérifiés par rapprochement", int(checked.get("verified", 0))),
            ("en écart au rapprochement", int(checked.get("mismatched", 0))),
        ]
        by_field = checked.get("ecarts_par_champ", {})
        section.tables += [
            problems_table(run.folder, spec),
            Table(
                "Écarts de rapprochement par champ",
                ["Champ", spec.noun.capitalize()],
                list(map(list, by_field.items())),
            ),
            csv_table(f"Écarts de rapprochement ({spec.app} ≠ dossier validé)", run.folder / RECONCILE_FILE),
        ]
    for path in plan_csvs(run.folder):
        wave = path.stem.removeprefix(PLAN_PREFIX).lstrip("-")
        section.links.append((f"Plan de saisie (CSV{f', vague {wave}' if wave else ''})", path.name))
    for label, path in (
        ("Écarts de rapprochement (CSV)", run.folder / RECONCILE_FILE),
        ("Copies d'écran des refus et échecs (données masquées)", run.folder / EVIDENCE_DIR),
    ):
        if path.exists():
            section.links.append((label, path.name))
    section.details = [
        (f"Secondes par dossier (médiane, robot, {spec.noun})", outcome.median_seconds or "—"),
        ("Durée du rapprochement (s)", checked.get("secondes", "—")),
    ]
    return section


def plan_csvs(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(f"{PLAN_PREFIX}*.csv"))


def problems_table(run_dir: Path, spec: EntrySpec) -> Table:
    labels = {**PROBLEM_LABELS, "rejected": f"refusé par {spec.app}"}
    rows = [
        [o["label"], labels[o["result"]], o["attempts"], o.get("reason") or "", ", ".join(o["evidence"])]
        for o in batch_outcomes(run_dir)
        if o["result"] in labels
    ]
    return Table(
        "Refus et échecs de saisie",
        ["Dossier (fichier-ligne)", "Résultat", "Tentatives", "Motif", "Copies d'écran"],
        rows[:SHOWN],
        f"{SHOWN} premiers sur {len(rows)}" if len(rows) > SHOWN else None,
    )
