"""``summary.json`` and the French ``report.html`` of an ``election_staff_payment`` run, and
HR's decision kept in the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from include.processes.election_staff.config import Election
from include.processes.election_staff.entry import LEDGER_CONN_ID
from include.processes.election_staff.payment import ALLOWANCES_CSV, PAYMENT_PROCESS, QUARANTINE_FILE, TOTALS_FILE
from include.processes.election_staff.payment_entry import (
    PLAN_FILE,
    RECONCILE_FILE,
    RECONCILE_SUMMARY,
    TRANSFER_FILE,
    TRANSFER_SUMMARY,
)
from include.rpa.paths import read_json, write_json

SHOWN = 500


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


def write(
    run_dir: Path,
    *,
    run_id: str,
    election: Election,
    decision: dict[str, Any] | None,
    dry_run: bool,
    ledger=None,
    awaiting_approval: bool = False,
) -> dict[str, Any]:
    """Write summary.json and report.html; ``awaiting_approval``: the report HR reads to decide."""
    import datetime as dt

    from include.processes.election_staff.payment_entry import accounting
    from include.rpa.ledger import Ledger
    from include.rpa.report import Report, Table, csv_rows, render
    from include.rpa.steps import step_errors

    intake_info = read_json(run_dir / "intake.json") or {}
    validation = read_json(run_dir / "validation.json") or {}
    totals = read_json(run_dir / TOTALS_FILE) or {}
    sent = read_json(run_dir / TRANSFER_SUMMARY) or {}
    reconciliation = read_json(run_dir / RECONCILE_SUMMARY) or {}
    errors = [e["message"] for e in step_errors(run_dir)]
    choice = decision_of(decision)
    outcome = {"entered": 0, "skipped_already_done": 0, "rejected": 0, "failed": 0}
    if (run_dir / PLAN_FILE).exists() or choice:
        ledger = ledger or Ledger.from_airflow(LEDGER_CONN_ID)
        if choice:
            at = dt.datetime.fromisoformat(choice["le"]) if choice["le"] else None
            ledger.record_decision(
                PAYMENT_PROCESS,
                election.id,
                run_id,
                choice["decision"],
                by=choice["par"],
                at=at,
                detail=f"{totals.get('workers')} vacataires, {totals.get('total')} €",
            )
        outcome = accounting(run_dir, election, ledger)
    entered = outcome["entered"]
    if outcome["failed"]:
        errors.append(f"{outcome['failed']} indemnité(s) non saisie(s) dans le portail paie")
    if choice and choice["decision"] == "rejete":
        errors.append(
            f"Paiement rejeté par {choice['par']} le {choice['le'][:16].replace('T', ' à ')} : rien n'a été saisi"
        )
    if reconciliation and not reconciliation.get("concordant", True):
        errors.append(f"Totaux discordants : {reconciliation.get('totaux')}")
    if reconciliation.get("mismatched"):
        errors.append(f"{reconciliation['mismatched']} vacataire(s) en écart (reconciliation.csv)")
    approved_and_done = bool(sent) and not errors
    summary = {
        "run_id": run_id,
        "election": election.id,
        "dry_run": dry_run,
        "statut": "echec" if errors else ("en_attente_approbation" if awaiting_approval else "succes"),
        "erreurs": errors,
        "received": int(validation.get("received", intake_info.get("received", 0))),
        "quarantined": int(validation.get("quarantined", 0)),
        "valid": int(validation.get("valid", 0)),
        "motifs_quarantaine": validation.get("motifs", {}),
        "workers": int(totals.get("workers", 0)),
        "total": totals.get("total", "0.00"),
        "capped": int(totals.get("capped", 0)),
        "below_smic": int(totals.get("below_smic", 0)),
        "decision": choice,
        **outcome,
        # Allowances read back as approved in the portal and the transfer file.
        "verified": int(totals.get("workers", 0)) - int(reconciliation.get("mismatched", 0)) if reconciliation else 0,
        "transfer_file": str(run_dir / TRANSFER_FILE) if sent else None,
        "transfer_total": sent.get("total"),
        "totaux_rapprochement": reconciliation.get("totaux"),
        "mismatched": int(reconciliation.get("mismatched", 0)),
    }
    write_json(run_dir / "summary.json", summary)
    report = Report(
        title="Vacataires de la mise sous pli : paiement",
        subtitle=f"{election.label} — traitement {run_id}",
        success=not errors,
        status=" ; ".join(errors)
        if errors
        else (
            f"{summary['workers']} indemnités, {summary['total']} € : saisies, virement et rapprochement concordants"
            if approved_and_done
            else "Rien de nouveau à saisir ni à payer : indemnités déjà saisies"
            if choice and not sent
            else "Calcul terminé : en attente de l'approbation du service RH"
            if awaiting_approval
            else "Calcul terminé" + (" (essai à blanc)" if dry_run else "")
        ),
        errors=errors,
        counts=[
            ("lignes reçues", summary["received"]),
            ("lignes en quarantaine", summary["quarantined"]),
            ("vacataires à payer", summary["workers"]),
            ("total (€)", summary["total"]),
            ("indemnités plafonnées", summary["capped"]),
            ("sous le SMIC (à vérifier)", summary["below_smic"]),
            ("indemnités saisies dans le portail paie", entered),
        ],
    )
    if choice:
        report.details.append(("Décision RH", f"{choice['decision']} par {choice['par']} le {choice['le']}"))
    if reconciliation:
        report.details.append(("Totaux (approuvé / portail / virement)", " / ".join(reconciliation["totaux"].values())))
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
    rows, count = csv_rows(run_dir / ALLOWANCES_CSV, columns, SHOWN)
    report.tables.append(
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
    rows, _ = csv_rows(run_dir / QUARANTINE_FILE, ["fichier", "ligne", "initiales", "motifs"], SHOWN)
    report.tables.append(Table("Lignes en quarantaine", ["Fichier", "Ligne", "Initiales", "Motifs"], rows))
    rows, _ = csv_rows(run_dir / RECONCILE_FILE, ["matricule", "initiales", "ecarts"], SHOWN)
    report.tables.append(Table("Écarts de rapprochement", ["Matricule", "Initiales", "Écarts"], rows))
    for label, name in (
        ("Indemnités par vacataire (CSV)", ALLOWANCES_CSV),
        ("Lignes en quarantaine (CSV)", QUARANTINE_FILE),
        ("Fichier de virement SEPA", TRANSFER_FILE),
        ("Écarts de rapprochement (CSV)", RECONCILE_FILE),
    ):
        if (run_dir / name).exists():
            report.links.append((label, name))
    render(report, run_dir / "report.html")
    return summary


def _yes(value: object) -> str:
    return "oui" if str(value) == "True" else "non"
