"""The entry engine (include/rpa/entry.py) below the browser: plan, accounting and
reconciliation of a toy process on a real SQLite ledger, the target's export given as text.
(Entering through a browser is tested with the real portals in tests/processes and tests/dags.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from include.rpa import entry
from include.rpa.entry import EntrySpec, plain
from include.rpa.errors import NoInputError, ReconciliationMismatch
from include.rpa.intranet import portal_date
from include.rpa.ledger import Ledger
from include.rpa.tasks import RunContext

KEYS = ["K1", "K2", "K3", "K4", "K5"]


class Toy(EntrySpec):
    process = "toy_process"
    conn_id = "toy_app"
    app = "le portail jouet"
    noun = "fiches"
    key = "cle"
    columns = ("cle", "nom", "date")
    receipt_column = "numero"
    labels: ClassVar = {"nom": "nom", "date": "date", "numero": "n°"}

    def scope(self, run: RunContext) -> str:
        return "2027"

    def records(self, run: RunContext) -> pd.DataFrame:
        return pd.read_parquet(run.folder / "records.parquet")

    def identity(self, row: Any) -> dict[str, str]:
        return {"cle": str(row["cle"])}

    def expected_value(self, column: str, value: str) -> str:
        return portal_date(plain(column, value)) if column == "date" else plain(column, value)


TOY = Toy()


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")


def make_run(tmp_path: Path, name: str = "r1", *, names: dict[str, str] | None = None, **params: Any) -> RunContext:
    folder = tmp_path / name
    folder.mkdir()
    names = names or {}
    pd.DataFrame(
        {
            "cle": KEYS,
            "nom": [names.get(k, f"Nom {k}") for k in KEYS],
            "date": ["2027-03-29"] * len(KEYS),
            "_fichier": "envoi.csv",
            "_ligne": range(2, len(KEYS) + 2),
        }
    ).to_parquet(folder / "records.parquet", index=False)
    return RunContext(TOY.process, name, folder, params=params)


def export(rows: dict[str, tuple[str, str]]) -> str:
    """The target's export: key -> (name, receipt)."""
    lines = ["cle;nom;date;numero"] + [f"{k};{name};29/03/2027;{receipt}" for k, (name, receipt) in rows.items()]
    return "\ufeff" + "\n".join(lines) + "\n"


def enter(ledger: Ledger, keys: list[str], run: RunContext, seconds: float = 2.0) -> None:
    """What the record loop writes for records the target stored."""
    for key in keys:
        ledger.mark_entered(TOY.process, "2027", key, receipt=f"N-{key}", seconds=seconds, run_id=run.run_id)


def test_plan_sorts_every_record_and_writes_no_personal_data(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    batches = entry.plan(run, TOY, ledger=ledger)
    assert batches == [{"lot": 0, "dossiers": 5, "libelle": "lot 0 (5 fiches)"}]
    plan = json.loads((run.folder / "plan.json").read_text())
    assert plan["categories"] == {**dict.fromkeys(entry.CATEGORIES, 0), entry.TO_ENTER: 5}
    assert plan["positions"][entry.TO_ENTER] == [0, 1, 2, 3, 4]
    listed = (run.folder / "plan.csv").read_text(encoding="utf-8-sig")
    assert listed.splitlines()[0] == "fichier;ligne;cle;decision" and listed.count("à créer dans le portail jouet") == 5
    assert "Nom K1" not in listed

    # A second run of the same records with two done, one refused and one changed since.
    enter(ledger, ["K1", "K2"], run)
    ledger.mark_rejected(TOY.process, "2027", "K3", "refus", run_id=run.run_id)
    enter(ledger, ["K4"], run)
    again = make_run(tmp_path, "r2", names={"K4": "Nom corrigé"})
    assert entry.plan(again, TOY, ledger=ledger) == [{"lot": 0, "dossiers": 1, "libelle": "lot 0 (1 fiche)"}]
    categories = json.loads((again.folder / "plan.json").read_text())["categories"]
    assert categories == {
        entry.TO_ENTER: 1,
        entry.ALREADY_DONE: 2,
        entry.REFUSED_BEFORE: 1,
        entry.CHANGED: 1,
        entry.MISMATCH_PENDING: 0,
    }


def test_a_dry_run_changes_nothing_in_the_ledger_and_types_nothing(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path, dry_run=True)
    assert entry.plan(run, TOY, ledger=ledger) == []
    assert ledger.rows(TOY.process, "2027") == []
    outcome = entry.accounting(run, TOY, ledger=ledger)
    assert (outcome.dry_run, outcome.to_enter, outcome.failed) == (True, 5, 0)
    with pytest.raises(NoInputError, match="Rien à rapprocher"):
        entry.reconcile(run, TOY, ledger=ledger, export_text=export({}))


def test_accounting_every_planned_record_ends_once(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    entry.plan(run, TOY, ledger=ledger)
    enter(ledger, ["K1", "K2", "K3"], run, seconds=3.0)
    ledger.mark_rejected(TOY.process, "2027", "K4", "refusé", run_id=run.run_id)
    outcome = entry.accounting(run, TOY, ledger=ledger)
    assert (outcome.entered, outcome.rejected, outcome.rejected_now, outcome.failed) == (3, 1, 1, 1)
    assert outcome.entered + outcome.skipped_already_done + outcome.rejected + outcome.failed == outcome.planned == 5
    assert sorted(outcome.entered_keys) == ["K1", "K2", "K3"] and outcome.robot_minutes == pytest.approx(0.15)
    # Records meant for the robot that no plan took (a step before failed) are failures too.
    assert entry.accounting(run, TOY, meant=7, ledger=ledger).failed == 3


def test_reconciliation_checks_field_by_field_and_the_receipt(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    entry.plan(run, TOY, ledger=ledger)
    enter(ledger, KEYS, run)
    stored = {k: (f"Nom {k}", f"N-{k}") for k in KEYS}
    stored["K2"] = ("Autre nom", "N-K2")  # someone changed it in the target
    stored["K3"] = ("Nom K3", "N-999")  # another file number
    del stored["K5"]  # lost
    with pytest.raises(ReconciliationMismatch, match="3 fiches en écart avec le portail jouet"):
        entry.reconcile(run, TOY, ledger=ledger, export_text=export(stored))
    checked = entry.reconciliation(run.folder)
    assert (checked["verified"], checked["mismatched"]) == (2, 3)
    assert checked["ecarts_par_champ"] == {"nom": 1, "n°": 1, "absent du portail jouet": 1}
    listed = (run.folder / "reconciliation.csv").read_text(encoding="utf-8-sig").splitlines()
    assert listed[0] == "fichier;ligne;cle;numero;champs"
    assert "envoi.csv;3;K2;N-K2;nom" in listed and "Autre nom" not in "\n".join(listed)
    states = {r["business_key"]: r["state"] for r in ledger.rows(TOY.process, "2027")}
    assert states == {"K1": "verified", "K2": "mismatch", "K3": "mismatch", "K4": "verified", "K5": "mismatch"}


def test_reconciliation_fails_for_records_left_behind(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    entry.plan(run, TOY, ledger=ledger)
    enter(ledger, ["K1", "K2", "K3", "K4"], run)
    with pytest.raises(ReconciliationMismatch, match="1 fiche non saisi"):
        entry.reconcile(run, TOY, ledger=ledger, export_text=export({k: (f"Nom {k}", f"N-{k}") for k in KEYS[:4]}))
    assert entry.reconciliation(run.folder)["verified"] == 4


def test_an_export_without_a_column_says_the_application_changed(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    entry.plan(run, TOY, ledger=ledger)
    with pytest.raises(Exception, match=r"export du portail jouet : colonnes manquantes \['numero'\]"):
        entry.reconcile(run, TOY, ledger=ledger, export_text="cle;nom;date\nK1;Nom K1;29/03/2027\n")


def test_waves_are_planned_apart_and_accounted_together(tmp_path: Path, ledger: Ledger) -> None:
    run = make_run(tmp_path)
    assert len(entry.plan(run, TOY, [0, 1], wave="auto", ledger=ledger)) == 1
    assert len(entry.plan(run, TOY, [4], wave="arbitrage", ledger=ledger)) == 1
    assert sorted(p.name for p in (run.folder / "lots").iterdir()) == ["arbitrage-lot-000.json", "auto-lot-000.json"]
    enter(ledger, ["K1", "K2", "K5"], run)
    outcome = entry.accounting(run, TOY, ledger=ledger)
    assert (outcome.planned, outcome.entered, outcome.failed) == (3, 3, 0)


def test_time_saved_is_credited_once_across_runs(tmp_path: Path, ledger: Ledger) -> None:
    first, second = make_run(tmp_path, "r1"), make_run(tmp_path, "r2")
    minutes = {"saisi": 5.0}
    assert entry.credit_time_saved(first, TOY, dict.fromkeys(KEYS, "saisi"), minutes, ledger=ledger) == {"saisi": 5}
    assert entry.credit_time_saved(second, TOY, dict.fromkeys(KEYS, "saisi"), minutes, ledger=ledger) == {"saisi": 0}
    dry = RunContext(TOY.process, "r3", second.folder, params={"dry_run": True})
    assert entry.credit_time_saved(dry, TOY, {"K9": "saisi"}, minutes, ledger=ledger) == {"saisi": 0}
    assert ledger.minutes_saved(TOY.process, "2027") == 25.0
