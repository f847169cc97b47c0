"""election_staff_payment's steps before approval, on generated workers and service records:
workers from an HR export and the onboarding ledger, row rules with exact counts, one
allowance per worker, and a SEPA file whose control sum is the approved total."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from include.processes.election_staff import payment, service_demo
from include.processes.election_staff.config import get_election
from include.processes.election_staff.demo import valid_rows
from include.processes.election_staff.hr_portal import portal_date
from include.processes.election_staff.onboarding import ONBOARDING
from include.processes.election_staff.payment_entry import PAYMENT
from include.rpa.ledger import Ledger
from include.rpa.sepa import Account, Transfer, read_transfers, transfer_file
from include.rpa.tasks import RunContext
from sandbox.hr_portal.fields import EXPORT_COLUMNS

ELECTION = get_election()


def hr_export(rows: list[dict[str, str]]) -> str:
    """The HR portal's /export.csv for these workers (as the robot entered them)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(EXPORT_COLUMNS)
    for n, row in enumerate(rows, 1):
        values = {**row, "matricule": f"V{n:07d}", "cree_le": "29/03/2027 10:00:00", "cree_par": "robot.rh"}
        for column in ("date_naissance", "date_debut", "date_fin"):
            values[column] = portal_date(row[column])
        writer.writerow([values.get(c, "") for c in EXPORT_COLUMNS])
    return out.getvalue()


@pytest.fixture(scope="module")
def onboarded() -> list[dict[str, str]]:
    return valid_rows(30, seed=301)


def test_steps_count_every_row_and_the_transfer_file_carries_the_approved_total(onboarded, tmp_path: Path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    paid = onboarded[:25]  # the last 5 are in the portal but not entered by the onboarding ledger
    ledger.plan(ONBOARDING.process, ELECTION.id, {r["nir"]: "h" for r in paid})
    for row in paid:
        ledger.mark_entered(ONBOARDING.process, ELECTION.id, row["nir"], receipt="V")
    payable = payment.workers(ELECTION, hr_export(onboarded), ledger)
    assert set(payable.table.index) == {r["nir"] for r in paid}

    rows, manifest = service_demo.generate(onboarded, ELECTION, defect_share=0.05, seed=302)
    source = service_demo.write(rows, tmp_path / "envoi" / "releve.csv")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run = RunContext(PAYMENT.process, "r", run_dir, params={"input_path": str(source)})
    assert payment.intake(run)["received"] == manifest["received"]
    counts = payment.validate_records(run_dir, ELECTION, payable)

    # Rows of the 5 workers not onboarded are quarantined too ("vacataire inconnu").
    not_onboarded = {r["nir"] for r in onboarded[25:]}
    expected = {d["row"] for d in manifest["defects"]} | {
        i + 2 for i, row in enumerate(rows) if row[0] in not_onboarded
    }
    quarantined = pd.read_csv(run_dir / "quarantine.csv", sep=";", encoding="utf-8-sig")
    assert set(quarantined["ligne"]) == expected
    assert counts == {"received": len(rows), "quarantined": len(expected), "valid": len(rows) - len(expected)}
    text = (run_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert "Vacataire inconnu" in text and "Heures hors bornes" in text and "plusieurs lignes" in text
    assert not any(r["nir"] in text or r["iban"] in text for r in onboarded)

    totals = payment.compute_allowances(run_dir, ELECTION, payable)
    allowances = pd.read_parquet(run_dir / "allowances.parquet")
    assert totals["workers"] == len(allowances) == allowances["nir"].nunique() <= 25
    assert Decimal(totals["total"]) == sum(Decimal(a) for a in allowances["montant"])
    assert all(Decimal(a) <= ELECTION.pay.cap_per_round for a in allowances["montant"])
    assert json.loads((run_dir / "totals.json").read_text())["total"] == totals["total"]
    assert "nir" not in (run_dir / "allowances.csv").read_text(encoding="utf-8-sig").splitlines()[0]

    by_nir = payable.table
    transfers = [
        Transfer(
            f"PRES27T1-{a.matricule}",
            Account(f"{by_nir.loc[a.nir, 'prenom']} {by_nir.loc[a.nir, 'nom']}", by_nir.loc[a.nir, "iban"]),
            Decimal(a.montant),
            "Indemnite mise sous pli presidentielle 2027 T1",
        )
        for a in allowances.itertuples()
    ]
    pay = ELECTION.pay
    made = transfer_file(Account(pay.debtor_name, pay.debtor_iban, pay.debtor_bic), transfers, dt.date(2027, 4, 15))
    assert made.control_sum == Decimal(totals["total"]) and made.transactions == totals["workers"]
    assert sum(read_transfers(made.xml).values()) == Decimal(totals["total"])


def test_reconciliation_lists_a_worker_whose_amount_differs_in_the_portal(onboarded, tmp_path: Path):
    from include.processes.election_staff import payment_entry
    from include.processes.election_staff.payment import PAYMENT_PROCESS
    from include.rpa import entry
    from include.rpa.errors import ReconciliationMismatch

    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.plan(ONBOARDING.process, ELECTION.id, {r["nir"]: "h" for r in onboarded})
    for row in onboarded:
        ledger.mark_entered(ONBOARDING.process, ELECTION.id, row["nir"], receipt="V")
    payable = payment.workers(ELECTION, hr_export(onboarded), ledger)
    rows, _ = service_demo.generate(onboarded[:6], ELECTION, seed=303)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run = RunContext(
        PAYMENT.process, "r", run_dir, params={"input_path": str(service_demo.write(rows, tmp_path / "r.csv"))}
    )
    payment.intake(run)
    payment.validate_records(run_dir, ELECTION, payable)
    payment.compute_allowances(run_dir, ELECTION, payable)
    assert entry.plan(run, PAYMENT, ledger=ledger)
    allowances = pd.read_parquet(run_dir / "allowances.parquet")
    for n, row in enumerate(allowances.itertuples()):
        ledger.mark_entered(PAYMENT_PROCESS, ELECTION.id, row.nir, receipt=f"I{n:07d}")
    sent = payment_entry.transfer(run, ledger=ledger)
    assert Decimal(sent["total"]) == sum(Decimal(a) for a in allowances["montant"])

    lines = ["numero;matricule;nir;scrutin;mode;heures;plis;chef_de_table;montant;iban;bic;cree_le;cree_par"]
    for n, row in enumerate(allowances.itertuples()):
        amount = Decimal(row.montant) - (Decimal("0.01") if n == 2 else 0)  # one cent less for the third
        lines.append(f"I{n:07d};{row.matricule};{row.nir};{ELECTION.id};enveloppe;1;1;non;{amount:.2f};;;;")
    with pytest.raises(ReconciliationMismatch, match="1 écart"):
        payment_entry.reconcile(run, export_text="\n".join(lines), ledger=ledger)
    result = json.loads((run_dir / "reconciliation.json").read_text())
    assert result["mismatched"] == 1 and not result["concordant"]
    listed = (run_dir / "reconciliation.csv").read_text(encoding="utf-8-sig")
    third = allowances.iloc[2]
    assert third["matricule"] in listed and "≠ approuvé" in listed and third["nir"] not in listed
    ok = [
        line if n != 3 else line.replace(f"{Decimal(third['montant']) - Decimal('0.01'):.2f}", third["montant"])
        for n, line in enumerate(lines)
    ]
    assert payment_entry.reconcile(run, export_text="\n".join(ok), ledger=ledger)["concordant"]
    assert {r["state"] for r in ledger.rows(PAYMENT_PROCESS, ELECTION.id)} == {"verified"}
