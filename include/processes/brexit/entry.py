"""Robotic entry of the Brexit files into the foreigners' office application: the entry
engine's specification (:class:`Permits`) and the two waves of a run.

Ledger process ``brexit_residence_permits``, scope ``accord-de-retrait``, key
``numero_dossier``, content hash of the typed fields; the application's ``/export.csv``
compared field by field (and the foreigner number with the ledger's receipt).

- ``auto``: the files the rules decided to enter (``decision == "saisir"``), typed at once;
- ``arbitrage``: the files an agent decided to enter in the Airflow UI, after their answer.

The files the rules left to a person that an earlier run entered (an agent decided them
then) are not asked about again, nor planned: what the agent chose then (the card) is in
that run's folder, not in this one; the report counts them as already done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from include.processes.brexit import arbitration
from include.processes.brexit.codes import split_codes
from include.processes.brexit.columns import COLUMNS, DATE_COLUMNS
from include.processes.brexit.columns import LABELS as COLUMN_LABELS
from include.processes.brexit.triage import load_dossiers
from include.rpa import entry
from include.rpa.entry import EntrySpec, plain
from include.rpa.paths import write_json

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.ledger import Ledger
    from include.rpa.summary import RunSummary
    from include.rpa.targets import WebApp
    from include.rpa.tasks import RunContext

LEDGER_PROCESS = "brexit_residence_permits"
SCOPE = "accord-de-retrait"
AUTO, ARBITRATION = "auto", "arbitrage"

# What the robot types (the application's fields), in this order for the content hash: the
# file's columns but the late-filing reason (the rules weighed it), and the card decided.
ENTRY_COLUMNS = (*(c for c in COLUMNS if c not in ("date_depot", "motif_depot_tardif")), "titre", "date_depot")
LABELS = {**COLUMN_LABELS, "titre": "titre", "numero_etranger": "n° étranger"}


class Permits(EntrySpec):
    process = LEDGER_PROCESS
    conn_id = "foreigners_portal"
    app = "l'application étrangers"
    title = "Titres de séjour « accord de retrait » (Brexit) : contrôle et saisie des dossiers"
    noun = "dossiers"
    key = "numero_dossier"
    columns = ENTRY_COLUMNS
    receipt_column = "numero_etranger"
    labels: ClassVar[Mapping[str, str]] = LABELS

    def scope(self, run: RunContext) -> str:
        return SCOPE

    def records(self, run: RunContext) -> pd.DataFrame:
        """``dossiers.parquet``, with the card an agent chose where they chose one."""
        frame = load_dossiers(run.folder)
        for position, titre in arbitration.chosen_titles(run.folder).items():
            frame.loc[position, "titre"] = titre
        return frame

    def identity(self, row: Any) -> dict[str, str]:
        return {"numero_dossier": str(row["numero_dossier"])}

    def target(self, app: WebApp, run: RunContext, frame: pd.DataFrame) -> Any:
        from include.processes.brexit.foreigners_portal import ForeignersPortal

        return ForeignersPortal(app.base_url, app.user, app.password)

    def done(self, summary: RunSummary) -> str:
        extra = summary.extra
        return (
            f"{summary.entered} dossier(s) saisi(s) et {summary.verified} vérifié(s) ; "
            f"{extra['lettres']} lettre(s) de pièces manquantes ; "
            f"{extra['arbitrages']['soumis']} dossier(s) soumis à un agent"
        )

    def headline(self, summary: RunSummary) -> list[tuple[str, object]]:
        extra = summary.extra
        return [
            ("dossiers reçus", summary.received),
            ("lignes en quarantaine (illisibles ou incohérentes)", summary.quarantined),
            ("dossiers à saisir selon les règles", extra["a_saisir"]),
            ("dossiers incomplets (lettre écrite)", extra["incomplete"]),
            ("dossiers non éligibles", extra["ineligible"]),
            ("dossiers soumis à un agent", extra["arbitrages"]["soumis"]),
        ]

    def expected_value(self, column: str, value: str) -> str:
        from include.rpa.intranet import portal_date

        value = plain(column, value)
        if column in DATE_COLUMNS:
            return portal_date(value)
        if column == "numero_passeport":
            return value.replace(" ", "").upper()
        return "|".join(split_codes(value)) if column == "pieces" else value

    def stored_value(self, column: str, value: str) -> str:
        value = plain(column, value)
        return "|".join(split_codes(value)) if column == "pieces" else value


PERMITS = Permits()


def plan_auto(run: RunContext, *, ledger: Ledger | None = None) -> list[dict[str, Any]]:
    """The files the rules decided to enter, against the ledger, in batches."""
    frame = load_dossiers(run.folder)
    positions = frame.index[frame["decision"] == "saisir"]
    return entry.plan(run, PERMITS, positions, wave=AUTO, ledger=ledger)


def to_arbitrate(run: RunContext, *, ledger: Ledger | None = None) -> list[int]:
    """The files the rules left to a person, but for those already in the application (an agent
    chose to enter them in an earlier run): nobody is asked twice. Writes the positions asked
    (``arbitrage/a_trancher.json``, read by the request) and those already done."""
    from include.rpa.ledger import DONE, MISMATCH, Ledger

    ledger = ledger or Ledger.from_airflow()
    frame = load_dossiers(run.folder)
    undecided = frame[frame["decision"] == arbitration.UNDECIDED]
    done = {row["business_key"] for row in ledger.rows(LEDGER_PROCESS, SCOPE, states=(*DONE, MISMATCH))}
    asked = [int(p) for p, key in zip(undecided.index, undecided["numero_dossier"], strict=True) if key not in done]
    already = [int(p) for p in undecided.index if int(p) not in asked]
    folder = run.folder / arbitration.FOLDER
    write_json(folder / arbitration.DONE_FILE, already)
    write_json(folder / arbitration.TODO_FILE, [] if run.dry_run else asked)
    return [] if run.dry_run else asked


def plan_decided(run: RunContext, *, ledger: Ledger | None = None) -> list[dict[str, Any]]:
    """File every agent's answer in the ledger (who, when, what), then plan the files they chose
    to enter, in batches."""
    from include.rpa.ledger import Ledger

    ledger = ledger or Ledger.from_airflow()
    chosen: list[int] = []
    for answer in arbitration.answers(run.folder):
        decision = arbitration.decision_of(answer["choix"])
        if decision == arbitration.ENTERED:
            chosen.append(int(answer["position"]))
        at = dt.datetime.fromisoformat(answer["le"]) if answer.get("le") else None
        ledger.record_decision(
            LEDGER_PROCESS, SCOPE, run.run_id, decision, by=answer["par"], at=at, detail=answer["numero_dossier"]
        )
    return entry.plan(run, PERMITS, chosen, wave=ARBITRATION, ledger=ledger)
