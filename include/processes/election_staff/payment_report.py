"""``summary.json`` and the French ``report.html`` of an ``election_staff_payment`` run, and
HR's decision kept in the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.processes.election_staff.onboarding import election_of
from include.processes.election_staff.payment import ALLOWANCES_CSV, PAYMENT_PROCESS, TOTALS_FILE
from include.processes.election_staff.payment_entry import PAYMENT, TRANSFER_FILE, TRANSFER_SUMMARY
from include.rpa.entry import RECONCILE_FILE, RECONCILE_SUMMARY
from include.rpa.paths import read_json
from include.rpa.report import QUARANTINE_FILE, SHOWN, csv_table
from include.rpa.summary import NO_INPUT, SUCCESS

if TYPE_CHECKING:
    from include.rpa.report import Report
    from include.rpa.summary import RunSummary
    from include.rpa.tasks import RunContext


def decision_of(approval: dict[str, Any] | None) -> dict[str, Any] | None:
    """{"decision": "approuve"|"rejete", "par", "le"} from the approval task's XCom, or None."""
    if not approval:
        return None
    chosen = (approval.get("chosen_options") or [""])[0]
    user = approval.get("responded_by_user") or {}
    when = approval.get("responded_at")
    return {
        "decision": "approuve" if chosen == "Approve" else "rejete",
        "par": user.get("name") or user.get("id") or "inconnu",
        "le": when.isoformat() if hasattr(when, "isoformat") else str(when or ""),
    }


def approval_request(run: RunContext, totals: dict[str, Any]) -> dict[str, Any]:
    """The report HR reads while deciding (rewritten at the end of the run), and what the
    approval request shows: the totals and the links to the report and ``allowances.csv``."""
    from include.rpa.alerts import report_url
    from include.rpa.report import render

    summary, page = report(run, awaiting_approval=not run.dry_run)
    render(page, run.folder / "report.html")
    summary.write(run.folder)
    return {
        **totals,
        "folder": str(run.folder),
        "report_url": report_url(run.dag_id, run.run_id),
        "allowances_url": report_url(run.dag_id, run.run_id, ALLOWANCES_CSV),
    }


def report(run: RunContext, *, ledger=None, awaiting_approval: bool = False) -> tuple[RunSummary, Report]:
    """The run's summary and report; ``awaiting_approval``: the report HR reads to decide.
    Once decided, HR's decision is also kept in the ledger (who, when, what)."""
    import datetime as dt

    from include.rpa import entry
    from include.rpa.approval import DECISION_FILE
    from include.rpa.ledger import Ledger
    from include.rpa.report import Report, Table, csv_rows

    election = election_of(run)
    totals = read_json(run.folder / TOTALS_FILE) or {}
    sent = read_json(run.folder / TRANSFER_SUMMARY) or {}
    reconciliation = read_json(run.folder / RECONCILE_SUMMARY) or {}
    errors: list[str] = []
    choice = decision_of(read_json(run.folder / DECISION_FILE))
    outcome = entry.Accounting()
    if entry.plans(run.folder) or choice:
        ledger = ledger or Ledger.from_airflow()
        if choice:
            at = dt.datetime.fromisoformat(choice["le"]) if choice["le"] else None
            ledger.record_decision(
                PAYMENT_PROCESS,
                election.id,
                run.run_id,
                choice["decision"],
                by=choice["par"],
                at=at,
                detail=f"{totals.get('workers')} vacataires, {totals.get('total')} €",
            )
        if entry.plans(run.folder):
            outcome = entry.accounting(run, PAYMENT, meant=int(totals.get("workers", 0)), ledger=ledger)
    entered = outcome.entered
    if outcome.failed:
        errors.append(f"{outcome.failed} indemnité(s) non saisie(s) dans le portail paie")
    if choice and choice["decision"] == "rejete":
        errors.append(
            f"Paiement rejeté par {choice['par']} le {choice['le'][:16].replace('T', ' à ')} : rien n'a été saisi"
        )
    if reconciliation and not reconciliation.get("concordant", True):
        errors.append(f"Totaux discordants : {reconciliation.get('totaux')}")
    if reconciliation.get("mismatched"):
        errors.append(f"{reconciliation['mismatched']} vacataire(s) en écart (reconciliation.csv)")
    extra = {
        "election": election.id,
        "workers": int(totals.get("workers", 0)),
        "total": totals.get("total", "0.00"),
        "capped": int(totals.get("capped", 0)),
        "below_smic": int(totals.get("below_smic", 0)),
        "decision": choice,
        "transfer_file": str(run.folder / TRANSFER_FILE) if sent else None,
        "transfer_total": sent.get("total"),
        "totaux_rapprochement": reconciliation.get("totaux"),
    }
    # verified: allowances read back as approved in the portal and the transfer file.
    summary = entry.run_summary(run, outcome, errors=errors, extra=extra)
    errors = summary.errors
    approved_and_done = bool(sent) and not errors
    summary.judge(awaiting=awaiting_approval)
    if summary.status == NO_INPUT:  # a payment with nothing to pay yet: the computation's outcome
        summary.status = SUCCESS
    workers, total = summary.extra["workers"], summary.extra["total"]
    page = Report(
        title="Vacataires de la mise sous pli : paiement",
        subtitle=f"{election.label} — traitement {run.run_id}",
        success=not errors,
        status=" ; ".join(errors)
        if errors
        else (
            f"{workers} indemnités, {total} € : saisies, virement et rapprochement concordants"
            if approved_and_done
            else "Rien de nouveau à saisir ni à payer : indemnités déjà saisies"
            if choice and not sent
            else "Calcul terminé : en attente de l'approbation du service RH"
            if awaiting_approval
            else "Calcul terminé" + (" (essai à blanc)" if run.dry_run else "")
        ),
        errors=errors,
        counts=[
            ("lignes reçues", summary.received),
            ("lignes en quarantaine", summary.quarantined),
            ("vacataires à payer", workers),
            ("total (€)", total),
            ("indemnités plafonnées", summary.extra["capped"]),
            ("sous le SMIC (à vérifier)", summary.extra["below_smic"]),
            ("indemnités saisies dans le portail paie", entered),
        ],
    )
    if choice:
        page.details.append(("Décision RH", f"{choice['decision']} par {choice['par']} le {choice['le']}"))
    if reconciliation:
        page.details.append(("Totaux (approuvé / portail / virement)", " / ".join(reconciliation["totaux"].values())))
    columns = [
        "matricule",
        "initiales",
        "jours",
        "heures",
        "plis",
        "chef_de_table",
        "montant_calcule",
        "montant",
        "plafonne",
        "sous_smic",
    ]
    rows, count = csv_rows(run.folder / ALLOWANCES_CSV, columns, SHOWN)
    page.tables.append(
        Table(
            "Indemnités par vacataire",
            [
                "Matricule",
                "Initiales",
                "Jours",
                "Heures",
                "Plis",
                "Chef de table",
                "Calculé (€)",
                "Payé (€)",
                "Plafonné",
                "Sous le SMIC",
            ],
            [[*r[:5], _yes(r[5]), *r[6:8], _yes(r[8]), _yes(r[9])] for r in rows],
            f"{SHOWN} premiers sur {count} : la liste complète est dans {ALLOWANCES_CSV}." if count > SHOWN else None,
        )
    )
    page.tables += [
        csv_table("Lignes en quarantaine", run.folder / QUARANTINE_FILE),
        csv_table("Écarts de rapprochement", run.folder / RECONCILE_FILE),
    ]
    for label, name in (
        ("Indemnités par vacataire (CSV)", ALLOWANCES_CSV),
        ("Lignes en quarantaine (CSV)", QUARANTINE_FILE),
        ("Fichier de virement SEPA", TRANSFER_FILE),
        ("Écarts de rapprochement (CSV)", RECONCILE_FILE),
    ):
        if (run.folder / name).exists():
            page.links.append((label, name))
    return summary, page


def _yes(value: object) -> str:
    return "oui" if str(value) == "True" else "non"
