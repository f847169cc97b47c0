"""Steps of ``election_staff_payment`` after HR's approval: plan, enter, transfer, reconcile.

- ``plan()``: the approved allowances in the ledger (process ``election_staff_payment``,
  scope = the election, key = the NIR, content hash = matricule and amount), cut into
  batch files; those already entered are skipped.
- ``enter_batch()``: the toolkit's record loop with the payroll portal's target.
- ``transfer()``: the SEPA pain.001 file of the run's allowances entered in the portal,
  EndToEndId ``<election code>-<ledger row id>`` (traceable to the worker's ledger row).
- ``reconcile()``: approved total == the payroll portal's export == the file's CtrlSum,
  per worker and in total, to the cent; differences listed by worker (matricule, initials).
"""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from include.processes.election_staff.config import Election
from include.processes.election_staff.entry import LEDGER_CONN_ID
from include.processes.election_staff.payment import ALLOWANCES_FILE, PAYMENT_PROCESS, WORKERS_FILE
from include.rpa.batches import BatchRun, read_batch, run_batch, write_batches
from include.rpa.errors import RpaError
from include.rpa.paths import read_json, write_json

log = logging.getLogger(__name__)

PAYROLL_CONN_ID = "payroll_portal"
TRANSFER_FILE, TRANSFER_SUMMARY = "virement_sepa.xml", "virement.json"
PLAN_FILE = "plan.json"
RECONCILE_SUMMARY, RECONCILE_FILE = "reconciliation.json", "reconciliation.csv"
BATCH_SIZE = 200


def content_hash(matricule: str, amount: str) -> str:
    return hashlib.sha256(f"{matricule}|{amount}".encode()).hexdigest()


def _allowances(run_dir: Path):
    import pandas as pd

    return pd.read_parquet(run_dir / ALLOWANCES_FILE)


def plan(run_dir: Path, election: Election, *, run_id: str, ledger=None) -> list[dict[str, int]]:
    from include.rpa.ledger import Ledger

    table = _allowances(run_dir)
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    found = ledger.plan(
        PAYMENT_PROCESS,
        election.id,
        {row.nir: content_hash(row.matricule, row.montant) for row in table.itertuples()},
        run_id,
    )
    nirs = list(table["nir"])
    # Positions (rows of allowances.parquet, never NIRs) of each kind, for the run's accounting.
    kinds = {
        "to_enter": found.to_enter,
        "already_done": found.already_done + found.changed + found.mismatch,
        "rejected": found.rejected,
    }
    categories = {kind: sorted(nirs.index(nir) for nir in keys) for kind, keys in kinds.items()}
    positions = categories["to_enter"]
    batches = write_batches(run_dir, positions, BATCH_SIZE)
    write_json(
        run_dir / PLAN_FILE,
        {"allocations": len(table), **found.counts(), "lots": len(batches), "positions": categories},
    )
    return batches


def accounting(run_dir: Path, election: Election, ledger) -> dict[str, int]:
    """How each allowance of the run ended (``entered + skipped_already_done + rejected + failed ==
    workers`` once planned; all 0 before approval, after a rejection or in a dry run)."""
    from include.rpa.ledger import DONE, REJECTED

    plan_info = read_json(run_dir / PLAN_FILE)
    result = {"entered": 0, "skipped_already_done": 0, "rejected": 0, "failed": 0}
    if plan_info is None:
        return result
    positions = plan_info["positions"]
    nirs = list(_allowances(run_dir)["nir"])
    states = {r["business_key"]: r["state"] for r in ledger.rows(PAYMENT_PROCESS, election.id)}
    to_enter = [states.get(nirs[i]) for i in positions["to_enter"]]
    result["entered"] = sum(1 for state in to_enter if state in DONE)
    result["skipped_already_done"] = len(positions["already_done"])
    result["rejected"] = len(positions["rejected"]) + sum(1 for state in to_enter if state == REJECTED)
    result["failed"] = len(nirs) - sum(result.values())
    return result


def enter_batch(run_dir: Path, election: Election, *, lot: int, run_id: str, worker: str, ledger=None) -> dict:
    from include.processes.election_staff.payroll_portal import PayrollPortal
    from include.rpa.ledger import Ledger
    from include.rpa.robot import Job, RobotPolicy
    from include.rpa.targets import web_app

    positions = read_batch(run_dir, lot)
    table = _allowances(run_dir).iloc[positions]
    jobs = [
        Job(
            key=row.nir,
            record={
                "matricule": row.matricule,
                "mode": election.pay.mode if election.pay else "enveloppe",
                "heures": row.heures,
                "plis": str(row.plis) if (election.pay and election.pay.mode == "enveloppe") else "",
                "chef_de_table": "oui" if row.chef_de_table else "non",
                "montant": row.montant,
            },
            label=f"{row.matricule}",
        )
        for row in table.itertuples()
    ]
    app = web_app(PAYROLL_CONN_ID)
    portal = PayrollPortal(
        app.base_url,
        app.user,
        app.password,
        scrutin=election.id,
        matricules=dict(zip(table.nir, table.matricule, strict=True)),
    )
    batch = BatchRun(run_dir, PAYMENT_PROCESS, election.id, run_id, worker, RobotPolicy(), noun="indemnité(s)")
    return run_batch(batch, lot, positions, jobs, portal, ledger or Ledger.from_airflow(LEDGER_CONN_ID))


def transfer(run_dir: Path, election: Election, *, ledger=None) -> dict[str, Any]:
    """The SEPA file paying the allowances the ledger says are entered in the payroll portal."""
    import pandas as pd

    from include.rpa.ledger import DONE, Ledger
    from include.rpa.sepa import Account, Transfer, transfer_file

    pay = election.pay
    if pay is None:
        raise RpaError(f"Élection {election.id} : pas de section [paie]")
    table = _allowances(run_dir)
    workers = pd.read_parquet(run_dir / WORKERS_FILE)
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    rows = {r["business_key"]: r for r in ledger.rows(PAYMENT_PROCESS, election.id, states=DONE)}
    code = election.id.upper().replace("-", "")[:20]
    transfers, missing = [], 0
    for row in table.itertuples():
        entry = rows.get(row.nir)
        if entry is None:
            missing += 1
            continue
        worker = workers.loc[row.nir]
        transfers.append(
            Transfer(
                end_to_end_id=f"{code}-{entry['id']}",
                creditor=Account(
                    f"{worker['prenom']} {worker['nom']}", str(worker["iban"]), str(worker["bic"]) or None
                ),
                amount=Decimal(row.montant),
                remittance=f"Indemnite mise sous pli {election.id} {row.matricule} {entry['receipt']}",
            )
        )
    debtor = Account(pay.debtor_name, pay.debtor_iban, pay.debtor_bic)
    made = transfer_file(debtor, transfers, pay.execution_date, schema=pay.sepa_schema)
    (run_dir / TRANSFER_FILE).write_bytes(made.xml)
    summary = {
        "fichier": TRANSFER_FILE,
        "virements": made.transactions,
        "total": str(made.control_sum),
        "non_saisies": missing,
        "schema": made.schema,
        "message_id": made.message_id,
    }
    write_json(run_dir / TRANSFER_SUMMARY, summary)
    return summary


def reconcile(run_dir: Path, election: Election, *, export_text: str | None = None, ledger=None) -> dict[str, Any]:
    """Approved == payroll portal export == transfer file, per worker and in total."""
    import csv
    import io

    import pandas as pd

    from include.rpa.ledger import Ledger
    from include.rpa.sepa import read_transfers
    from include.rpa.targets import fetch_after_login, web_app

    table = _allowances(run_dir)
    if export_text is None:
        export_text = fetch_after_login(web_app(PAYROLL_CONN_ID), "/export.csv")
    stored: dict[str, list[Decimal]] = {}
    for row in csv.DictReader(io.StringIO(export_text.lstrip("\ufeff")), delimiter=";"):
        if row["scrutin"] == election.id:
            stored.setdefault(row["matricule"], []).append(Decimal(row["montant"]))
    ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
    ids = {r["business_key"]: r["id"] for r in ledger.rows(PAYMENT_PROCESS, election.id)}
    code = election.id.upper().replace("-", "")[:20]
    sent = read_transfers((run_dir / TRANSFER_FILE).read_bytes()) if (run_dir / TRANSFER_FILE).exists() else {}
    problems = []
    for row in table.itertuples():
        approved = Decimal(row.montant)
        in_portal = stored.get(row.matricule, [])
        in_file = sent.get(f"{code}-{ids.get(row.nir)}")
        issue = []
        if len(in_portal) != 1:
            issue.append(f"{len(in_portal)} indemnité(s) dans le portail")
        elif in_portal[0] != approved:
            issue.append(f"portail {in_portal[0]} € ≠ approuvé {approved} €")
        if in_file is None:
            issue.append("absent du fichier de virement")
        elif in_file != approved:
            issue.append(f"virement {in_file} € ≠ approuvé {approved} €")
        if issue:
            problems.append({"matricule": row.matricule, "initiales": row.initiales, "ecarts": " ; ".join(issue)})
    totals = {
        "approuve": str(sum((Decimal(a) for a in table["montant"]), Decimal("0.00"))),
        "portail": str(sum((a for m in table["matricule"] for a in stored.get(m, [])), Decimal("0.00"))),
        "virement": str(sum(sent.values(), Decimal("0.00"))),
    }
    pd.DataFrame(problems, columns=["matricule", "initiales", "ecarts"]).to_csv(
        run_dir / RECONCILE_FILE, sep=";", index=False, encoding="utf-8-sig"
    )
    summary = {"totaux": totals, "mismatched": len(problems), "concordant": len(set(totals.values())) == 1}
    write_json(run_dir / RECONCILE_SUMMARY, summary)
    return summary
