"""
### Paiement des vacataires de la mise sous pli (élections)

À partir des relevés de service des sites (un fichier ou un dossier : `input_path`,
CSV Excel français ou XLSX, colonnes `nir`, `date`, `site`, `fonction`, `heures`,
`plis`), ce DAG :

1. **contrôle** chaque ligne (vacataire recruté pour l'élection, date dans la période
   et dans son contrat, heures, plis, doublons) et met de côté les lignes en erreur ;
2. **calcule** l'indemnité de chaque vacataire pour le tour (à l'enveloppe ou à
   l'heure, supplément chef de table, arrondi au centime, plafond par tour, alerte
   sous le SMIC) ;
3. demande l'**approbation** du service RH dans Airflow (« Required actions ») :
   nombre de vacataires, total, plafonnés, sous le SMIC, lien vers le rapport ;
4. après approbation seulement, un robot **saisit** chaque indemnité dans le portail
   paie (une seule fois, même en cas de relance), produit le **fichier de virement
   SEPA** et **rapproche** au centime : total approuvé = portail paie = fichier.

Un rejet arrête le traitement : rien n'est saisi, l'alerte dit qui a rejeté.
Résultats dans `<RPA_DATA_DIR>/runs/election_staff_payment/<run_id>/`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, get_current_context, task, teardown

from include.processes.election_staff.config import get_election, load_elections
from include.rpa.alerts import rpa_default_args
from include.rpa.approval import RecordedApproval

ACTIVE_ID, ELECTIONS = load_elections()
APPROVAL_BODY = """
**{{ ti.xcom_pull(task_ids='compute')['workers'] }} vacataires** à payer pour
**{{ params.election }}**, total **{{ ti.xcom_pull(task_ids='compute')['total'] }} €**
(mode : {{ ti.xcom_pull(task_ids='compute')['mode'] }}).

- indemnités plafonnées : {{ ti.xcom_pull(task_ids='compute')['capped'] }}
- indemnités sous le SMIC horaire (à vérifier) : {{ ti.xcom_pull(task_ids='compute')['below_smic'] }}
- lignes en quarantaine : {{ ti.xcom_pull(task_ids='validate')['quarantined'] }}

Détail par vacataire (matricule, initiales, montant) :
[le rapport de paiement]({{ ti.xcom_pull(task_ids='compute')['report_url'] }}) et
[allowances.csv]({{ ti.xcom_pull(task_ids='compute')['allowances_url'] }})
(dossier `{{ ti.xcom_pull(task_ids='compute')['folder'] }}`).

Approuver lance la saisie dans le portail paie et le fichier de virement.
"""


def _context() -> tuple[Path, dict, str]:
    from include.rpa.paths import run_dir

    context = get_current_context()
    run = context["dag_run"]
    return run_dir(run.dag_id, run.run_id), context["params"], run.run_id


@dag(
    dag_id="election_staff_payment",
    description="Vacataires des élections : calcul, approbation RH, saisie dans le portail paie, virement SEPA",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Paris"),
    catchup=False,
    max_active_runs=1,
    tags=["elections", "paie", "vacataires"],
    default_args=rpa_default_args(),  # owner, retries with backoff, the run's alert
    params={
        "input_path": Param(None, type=["null", "string"], title="Relevés de service (fichier ou dossier)"),
        "dry_run": Param(False, type="boolean", title="Essai à blanc (calcul seulement, ni saisie ni virement)"),
        "election": Param(ACTIVE_ID, type="string", enum=sorted(ELECTIONS), title="Élection"),
    },
)
def election_staff_payment() -> None:
    @task
    def intake() -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.election_staff import payment
        from include.rpa.errors import IntakeError
        from include.rpa.steps import recorded

        folder, params, _ = _context()
        if not params.get("input_path"):
            raise AirflowFailException("Indiquez les relevés de service à payer (paramètre input_path)")
        try:
            with recorded(folder, "intake"):
                return payment.intake(Path(params["input_path"]), folder)
        except IntakeError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def validate(counts: dict) -> dict:
        from include.processes.election_staff import payment
        from include.processes.election_staff.entry import HR_PORTAL_CONN_ID, LEDGER_CONN_ID
        from include.rpa.ledger import Ledger
        from include.rpa.steps import recorded
        from include.rpa.targets import fetch_after_login, web_app

        folder, params, _ = _context()
        election = get_election(params.get("election"))
        with recorded(folder, "validate"):
            export = fetch_after_login(web_app(HR_PORTAL_CONN_ID), "/export.csv")
            payable = payment.workers(election, export, Ledger.from_airflow(LEDGER_CONN_ID))
            return payment.validate(folder, election, payable)

    @task
    def compute(counts: dict) -> dict:
        import pandas as pd

        from include.processes.election_staff import payment, payment_report
        from include.processes.election_staff.service_rules import Workers
        from include.rpa.alerts import report_url
        from include.rpa.steps import recorded

        folder, params, run_id = _context()

        election = get_election(params.get("election"))
        with recorded(folder, "compute"):
            payable = Workers(pd.read_parquet(folder / payment.WORKERS_FILE))
            totals = payment.compute(folder, election, payable)
            # The report HR opens while deciding (rewritten at the end of the run).
            payment_report.write(
                folder,
                run_id=run_id,
                election=election,
                decision=None,
                dry_run=bool(params.get("dry_run")),
                awaiting_approval=not params.get("dry_run"),
            )
        return {
            **totals,
            "folder": str(folder),
            "report_url": report_url(get_current_context()["dag_run"].dag_id, run_id),
            "allowances_url": report_url(get_current_context()["dag_run"].dag_id, run_id, payment.ALLOWANCES_CSV),
        }

    approval = RecordedApproval(
        task_id="approval",
        subject="Paiement des vacataires : {{ ti.xcom_pull(task_ids='compute')['total'] }} € à approuver",
        body=APPROVAL_BODY,
        response_timeout=dt.timedelta(days=7),
    )

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def payment_requested(totals: dict) -> bool:
        """A dry run stops here (no approval asked, nothing entered); so does an empty payroll."""
        return not get_current_context()["params"].get("dry_run") and int(totals["workers"]) > 0

    @task
    def plan() -> list[dict]:
        from include.processes.election_staff import payment_entry

        folder, params, run_id = _context()
        return payment_entry.plan(folder, get_election(params.get("election")), run_id=run_id)

    @task(pool="payroll_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        from include.processes.election_staff import payment_entry
        from include.rpa.batches import claim_owner

        context = get_current_context()
        context["lot_label"] = f"lot {batch['lot']} ({batch['dossiers']} indemnités)"  # type: ignore[typeddict-unknown-key]
        ti = context["ti"]
        folder, params, run_id = _context()
        return payment_entry.enter_batch(
            folder,
            get_election(params.get("election")),
            lot=int(batch["lot"]),
            run_id=run_id,
            worker=claim_owner(ti),
        )

    @task(trigger_rule="all_done_min_one_success")
    def transfer() -> dict:
        from include.processes.election_staff import payment_entry
        from include.rpa.steps import recorded

        folder, params, _ = _context()
        with recorded(folder, "transfer"):
            return payment_entry.transfer(folder, get_election(params.get("election")))

    @task
    def reconcile(sent: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.election_staff import payment_entry

        folder, params, _ = _context()
        result = payment_entry.reconcile(folder, get_election(params.get("election")))
        if not result["concordant"] or result["mismatched"]:
            raise AirflowFailException(
                f"Rapprochement : {result['mismatched']} écart(s) ; totaux {result['totaux']} (voir reconciliation.csv)"
            )
        return result

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.election_staff import payment_report
        from include.rpa.alerts import alert_run, start_run_alert
        from include.rpa.approval import DECISION_FILE
        from include.rpa.paths import read_json

        folder, params, run_id = _context()
        context = get_current_context()
        start_run_alert(folder)
        decision = read_json(folder / DECISION_FILE)
        summary = payment_report.write(
            folder,
            run_id=run_id,
            election=get_election(params.get("election")),
            decision=decision,
            dry_run=bool(params.get("dry_run")),
        )
        alert_run(folder, dag_id=context["dag_run"].dag_id, run_id=run_id, summary=summary)
        if summary["statut"] == "echec":
            raise AirflowFailException("Paiement en échec : " + " ; ".join(summary["erreurs"]))
        return {k: summary[k] for k in ("received", "quarantined", "valid", "workers", "total", "statut")}

    totals = compute(validate(intake()))
    batches = plan()
    payment_requested(totals) >> approval >> batches  # nothing is planned or entered before approval
    sent = transfer()
    enter.expand(batch=batches) >> sent
    reconcile(sent) >> report()


election_staff_payment()
