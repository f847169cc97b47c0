"""``election_staff_payment`` after HR's approval: the entry engine's specification of the
payroll portal, the SEPA transfer and the reconciliation to the cent.

- :class:`Payment`: ledger process ``election_staff_payment``, scope = the election, key = the
  NIR, content hash = matricule and amount; one allowance per worker for the round, typed in
  the payroll portal (:mod:`payroll_portal`).
- :func:`transfer`: the SEPA pain.001 file of the allowances THIS run entered in the portal
  (an allowance entered by an earlier run was paid by that run's file), EndToEndId
  ``<election code>-<ledger row id>`` (traceable to the worker's ledger row).
- :func:`reconcile`: for the allowances this run entered, approved == the payroll portal's
  export == the file, per worker and in total, to the cent; differences listed by worker
  (matricule, initials); the ledger marks each ``verified`` or ``mismatch``.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from include.processes.election_staff.onboarding import election_of
from include.processes.election_staff.payment import ALLOWANCES_FILE, PAYMENT_PROCESS, WORKERS_FILE
from include.rpa import entry
from include.rpa.entry import EntrySpec
from include.rpa.errors import ReconciliationMismatch, RpaError
from include.rpa.paths import write_json

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.targets import WebApp
    from include.rpa.tasks import RunContext

log = logging.getLogger(__name__)

TRANSFER_FILE, TRANSFER_SUMMARY = "virement_sepa.xml", "virement.json"
RECONCILE_SUMMARY, RECONCILE_FILE = entry.RECONCILE_SUMMARY, entry.RECONCILE_FILE


class Payment(EntrySpec):
    process = PAYMENT_PROCESS
    conn_id = "payroll_portal"
    app = "le portail paie"
    title = "Vacataires de la mise sous pli : paiement"
    noun = "indemnités"
    key = "nir"
    columns = ("matricule", "mode", "heures", "plis", "chef_de_table", "montant")
    hashed = ("matricule", "montant")
    receipt_column = "numero"

    def scope(self, run: RunContext) -> str:
        return election_of(run).id

    def records(self, run: RunContext) -> pd.DataFrame:
        """``allowances.parquet``, with what the portal's form takes for the election's pay mode."""
        import pandas as pd

        pay = election_of(run).pay
        mode = pay.mode if pay else "enveloppe"
        table = pd.read_parquet(run.folder / ALLOWANCES_FILE)
        table["mode"] = mode
        table["plis"] = [str(p) if mode == "enveloppe" else "" for p in table["plis"]]
        table["chef_de_table"] = ["oui" if lead else "non" for lead in table["chef_de_table"]]
        return table

    def label(self, row: Any) -> str:
        return str(row["matricule"])

    def identity(self, row: Any) -> dict[str, str]:
        return {"matricule": str(row["matricule"]), "initiales": str(row["initiales"])}

    def target(self, app: WebApp, run: RunContext, frame: pd.DataFrame) -> Any:
        from include.processes.election_staff.payroll_portal import PayrollPortal

        matricules = dict(zip(frame["nir"], frame["matricule"], strict=True))
        return PayrollPortal(app.base_url, app.user, app.password, scrutin=self.scope(run), matricules=matricules)


PAYMENT = Payment()


def _paid_now(run: RunContext, ledger) -> pd.DataFrame:
    """The allowances this run entered in the portal (rows of ``allowances.parquet``)."""
    table = PAYMENT.records(run)
    entered = set(entry.accounting(run, PAYMENT, ledger=ledger).entered_keys)
    return table[table["nir"].isin(entered)]


def _code(run: RunContext) -> str:
    return election_of(run).id.upper().replace("-", "")[:20]


def transfer(run: RunContext, *, ledger=None) -> dict[str, Any]:
    """The SEPA file paying the allowances this run entered in the payroll portal."""
    import pandas as pd

    from include.rpa.ledger import DONE, Ledger
    from include.rpa.sepa import Account, Transfer, transfer_file

    election = election_of(run)
    pay = election.pay
    if pay is None:
        raise RpaError(f"Élection {election.id} : pas de section [paie]")
    ledger = ledger or Ledger.from_airflow()
    table = _paid_now(run, ledger)
    workers = pd.read_parquet(run.folder / WORKERS_FILE)
    rows = {r["business_key"]: r for r in ledger.rows(PAYMENT_PROCESS, election.id, states=DONE)}
    transfers = []
    for row in table.itertuples():
        ledger_row = rows[row.nir]
        worker = workers.loc[row.nir]
        transfers.append(
            Transfer(
                end_to_end_id=f"{_code(run)}-{ledger_row['id']}",
                creditor=Account(
                    f"{worker['prenom']} {worker['nom']}", str(worker["iban"]), str(worker["bic"]) or None
                ),
                amount=Decimal(row.montant),
                remittance=f"Indemnite mise sous pli {election.id} {row.matricule} {ledger_row['receipt']}",
            )
        )
    debtor = Account(pay.debtor_name, pay.debtor_iban, pay.debtor_bic)
    made = transfer_file(debtor, transfers, pay.execution_date, schema=pay.sepa_schema)
    (run.folder / TRANSFER_FILE).write_bytes(made.xml)
    summary = {
        "fichier": TRANSFER_FILE,
        "virements": made.transactions,
        "total": str(made.control_sum),
        "non_saisies": len(PAYMENT.records(run)) - len(table),
        "schema": made.schema,
        "message_id": made.message_id,
    }
    write_json(run.folder / TRANSFER_SUMMARY, summary)
    return summary


def reconcile(run: RunContext, *, export_text: str | None = None, ledger=None) -> dict[str, Any]:
    """Approved == payroll portal export == transfer file, per worker and in total, for the
    allowances this run entered; raises :class:`ReconciliationMismatch` on any difference."""
    import pandas as pd

    from include.rpa.ledger import Ledger
    from include.rpa.sepa import read_transfers

    ledger = ledger or Ledger.from_airflow()
    election = election_of(run)
    table = _paid_now(run, ledger)
    stored: dict[str, list[Decimal]] = {}
    for rows in entry.read_export(PAYMENT, export_text).values():
        for row in rows:
            if row["scrutin"] == election.id:
                stored.setdefault(row["matricule"], []).append(Decimal(row["montant"]))
    ids = {r["business_key"]: r["id"] for r in ledger.rows(PAYMENT_PROCESS, election.id)}
    path = run.folder / TRANSFER_FILE
    sent = read_transfers(path.read_bytes()) if path.exists() else {}
    problems = []
    for row in table.itertuples():
        approved = Decimal(row.montant)
        in_portal = stored.get(row.matricule, [])
        in_file = sent.get(f"{_code(run)}-{ids.get(row.nir)}")
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
            ledger.mark_mismatch(PAYMENT_PROCESS, election.id, row.nir, " ; ".join(issue), run_id=run.run_id)
        else:
            ledger.mark_verified(PAYMENT_PROCESS, election.id, row.nir, run_id=run.run_id)
    totals = {
        "approuve": str(sum((Decimal(a) for a in table["montant"]), Decimal("0.00"))),
        "portail": str(sum((a for m in table["matricule"] for a in stored.get(m, [])), Decimal("0.00"))),
        "virement": str(sum(sent.values(), Decimal("0.00"))),
    }
    pd.DataFrame(problems, columns=["matricule", "initiales", "ecarts"]).to_csv(
        run.folder / RECONCILE_FILE, sep=";", index=False, encoding="utf-8-sig"
    )
    summary = {
        "totaux": totals,
        "verified": len(table) - len(problems),
        "mismatched": len(problems),
        "concordant": len(set(totals.values())) == 1,
    }
    write_json(run.folder / RECONCILE_SUMMARY, summary)
    if not summary["concordant"] or problems:
        raise ReconciliationMismatch(
            f"Rapprochement : {len(problems)} écart(s) ; totaux {totals} (voir reconciliation.csv)"
        )
    return summary
