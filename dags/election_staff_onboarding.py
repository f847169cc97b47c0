"""
### Recrutement des vacataires de la mise sous pli (élections)

Chaque jour de la période de mise sous pli, ce DAG prend les fichiers de
vacataires déposés par les départements dans
`<RPA_DATA_DIR>/inbox/election_staff/<AAAA-MM-JJ>/` (CSV Excel français ou XLSX),
les **valide** ligne à ligne (NIR, IBAN, dates, code postal...) et globalement
(part maximale de lignes en quarantaine, NIR uniques), puis un **robot** crée
le dossier de chaque vacataire valide dans le **portail RH** (Connection
`hr_portal`), comme le ferait un agent, et le **rapprochement** relit l'export
du portail pour vérifier, champ par champ, ce qui a été enregistré.

Étapes : `intake` → `validate` → `plan` → `enter` (un lot par tâche, un
navigateur chacune, au plus 2 à la fois : pool `hr_portal`) → `reconcile`,
puis `report` quoi qu'il arrive.

**Jamais deux fois le même vacataire** : un registre (Connection `rpa_ledger`)
garde l'état de chaque NIR pour l'élection ; le robot cherche le NIR dans le
portail avant de créer un dossier. Relancer un traitement, le rejouer ou
rattraper des jours (backfill) ne ressaisit personne.

Résultats dans `<RPA_DATA_DIR>/runs/election_staff_onboarding/<run_id>/` :
`report.html` (le rapport pour le service RH), `summary.json`,
`quarantine.csv` (lignes écartées et motifs), `reconciliation.csv` (écarts),
`captures/` (copies d'écran des refus et échecs, données personnelles masquées),
`data_docs/` (contrôles Great Expectations).

**Lancement manuel** : « Trigger » avec `input_path` (un fichier ou un dossier)
pour traiter un envoi précis ; `dry_run` s'arrête après la planification et
liste qui serait créé, qui existe déjà, qui serait ignoré.
Chaque ligne reçue est comptée une fois : reçues = quarantaine + saisies +
déjà saisies + refusées + en échec.
"""

from __future__ import annotations

from airflow.sdk import MultipleCronTriggerTimetable, Param, dag, task, teardown

from include.processes.election_staff import onboarding
from include.processes.election_staff.config import load_elections, period_months
from include.processes.election_staff.onboarding import ONBOARDING
from include.rpa import entry
from include.rpa.tasks import dag_defaults, finish_run, rpa_step, run_params

ACTIVE_ID, ELECTIONS = load_elections()
ELECTION = ELECTIONS[ACTIVE_ID]
# One run a day over the election period, at run_at (Paris time): one cron expression per
# calendar month of the period. A scheduled run outside the period is skipped (see intake).
# (EventsTimetable would fit, but fails to serialise in Airflow 3.3.2.)
CRONS = [
    f"{ELECTION.run_at.minute} {ELECTION.run_at.hour} {first}-{last} {month} *"
    for month, first, last in period_months(ELECTION.period_start, ELECTION.period_end)
]


@dag(
    dag_id="election_staff_onboarding",
    description="Vacataires des élections : validation des fichiers, saisie dans le portail RH, rapprochement",
    doc_md=__doc__,
    schedule=MultipleCronTriggerTimetable(*CRONS, timezone="Europe/Paris"),
    tags=["elections", "rh", "vacataires"],
    params=run_params(
        "Fichier ou dossier à traiter",
        "Essai à blanc (aucune saisie)",
        input_help="Vide : les fichiers déposés pour le jour du traitement dans la boîte de dépôt.",
        election=Param(ACTIVE_ID, type="string", enum=sorted(ELECTIONS), title="Élection"),
    ),
    **dag_defaults(),
)
def election_staff_onboarding() -> None:
    @task
    def intake() -> dict:
        """Read the day's inbox folder, or the file or folder named by input_path."""
        with rpa_step() as run:
            return onboarding.intake(run)

    @task
    def validate(counts: dict) -> dict:
        """Row rules (pandera) and dataset rules (Great Expectations)."""
        with rpa_step() as run:
            return onboarding.validate(run)

    @task
    def plan(counts: dict) -> list[dict]:
        """Sort the valid workers against the ledger and cut those to type into batches."""
        with rpa_step() as run:
            return entry.plan(run, ONBOARDING)

    @task(pool="hr_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        """One batch, one browser: search each worker by NIR, create the missing ones."""
        with rpa_step(batch=batch) as run:
            return entry.enter_batch(run, ONBOARDING, batch)

    @task(trigger_rule="all_done")
    def reconcile() -> dict:
        """Read the portal's export back and compare every worker field by field (after a
        partial entry too: what was entered is checked)."""
        with rpa_step() as run:
            return entry.reconcile(run, ONBOARDING)

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        """report.html, summary.json and the alert whatever happened upstream; then the verdict."""
        with rpa_step(record=False) as run:
            return finish_run(run, *onboarding.report(run))

    batches = plan(validate(intake()))
    enter.expand(batch=batches) >> reconcile() >> report()


election_staff_onboarding()
