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

from airflow.sdk import Param, dag, task, teardown

from include.processes.election_staff import payment, payment_entry, payment_report
from include.processes.election_staff.config import load_elections
from include.processes.election_staff.payment_entry import PAYMENT
from include.rpa import entry
from include.rpa.approval import RecordedApproval
from include.rpa.tasks import dag_defaults, finish_run, rpa_step, run_params

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


@dag(
    dag_id="election_staff_payment",
    description="Vacataires des élections : calcul, approbation RH, saisie dans le portail paie, virement SEPA",
    doc_md=__doc__,
    schedule=None,
    tags=["elections", "paie", "vacataires"],
    params=run_params(
        "Relevés de service (fichier ou dossier)",
        "Essai à blanc (calcul seulement, ni saisie ni virement)",
        election=Param(ACTIVE_ID, type="string", enum=sorted(ELECTIONS), title="Élection"),
    ),
    **dag_defaults(),
)
def election_staff_payment() -> None:
    @task
    def intake() -> dict:
        with rpa_step() as run:
            return payment.intake(run)

    @task
    def validate(counts: dict) -> dict:
        """Who can be paid (HR portal's export, onboarding ledger), then the row rules."""
        with rpa_step() as run:
            return payment.validate(run)

    @task
    def compute(counts: dict) -> dict:
        """One allowance per worker; the report HR reads while deciding."""
        with rpa_step() as run:
            return payment_report.approval_request(run, payment.compute(run))

    approval = RecordedApproval(
        task_id="approval",
        subject="Paiement des vacataires : {{ ti.xcom_pull(task_ids='compute')['total'] }} € à approuver",
        body=APPROVAL_BODY,
        response_timeout=dt.timedelta(days=7),
    )

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def payment_requested(totals: dict) -> bool:
        """A dry run stops here (no approval asked, nothing entered); so does an empty payroll."""
        with rpa_step(record=False) as run:
            return not run.dry_run and int(totals["workers"]) > 0

    @task
    def plan() -> list[dict]:
        with rpa_step() as run:
            return entry.plan(run, PAYMENT)

    @task(pool="payroll_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        with rpa_step(batch=batch) as run:
            return entry.enter_batch(run, PAYMENT, batch)

    @task(trigger_rule="all_done_min_one_success")
    def transfer() -> dict:
        """The SEPA file of the allowances this run entered."""
        with rpa_step() as run:
            return payment_entry.transfer(run)

    @task
    def reconcile(sent: dict) -> dict:
        """Approved == payroll portal == transfer file, per worker and in total, to the cent."""
        with rpa_step() as run:
            return payment_entry.reconcile(run)

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        with rpa_step(record=False) as run:
            return finish_run(run, *payment_report.report(run))

    totals = compute(validate(intake()))
    batches = plan()
    payment_requested(totals) >> approval >> batches  # nothing is planned or entered before approval
    sent = transfer()
    enter.expand(batch=batches) >> sent
    reconcile(sent) >> report()


election_staff_payment()
