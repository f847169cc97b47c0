"""
### Titres de séjour « accord de retrait » des ressortissants britanniques (Brexit)

Ce DAG prend l'export du site de demande en ligne (CSV Excel français ou XLSX ;
`input_path`, ou à défaut les fichiers déposés le jour même dans
`<RPA_DATA_DIR>/inbox/brexit/<AAAA-MM-JJ>/`), puis :

1. **contrôle** chaque dossier : lignes illisibles ou incohérentes en quarantaine ;
   éligibilité (nationalité, passeport valide au dépôt, installation avant le
   1er janvier 2021, dépôt avant le 30 septembre 2021 ou motif recevable), titre à
   délivrer (10 ans, 5 ans, travailleur frontalier) et pièces requises ;
2. écrit une **lettre** par dossier incomplet (`lettres/`, à envoyer telle quelle) ;
3. fait **saisir** par un robot les dossiers éligibles et complets dans
   l'**application étrangers** (Connection `foreigners_portal`, pool du même nom) ;
4. soumet à un **agent**, dans « Actions requises » d'Airflow (une demande par
   traitement, un champ par dossier), les dossiers que les règles ne savent pas
   trancher (date d'installation proche de la limite, dates contradictoires, motif
   de dépôt tardif à apprécier) : saisir (avec le titre), mettre en attente ou
   rejeter ; les dossiers à saisir le sont après sa réponse, sans attendre les autres ;
5. **rapproche** l'export de l'application, champ par champ, de ce qui devait être saisi.

**Jamais deux fois le même dossier** : registre (`rpa_ledger`) par n° de dossier et
recherche dans l'application avant toute création.

Résultats : `<RPA_DATA_DIR>/runs/brexit_residence_permits/<run_id>/` — `report.html`
(aussi dans le menu « Rapports des robots »), `summary.json`, `lettres/`,
`quarantine.csv`, `reconciliation.csv`, `arbitrage/` (décisions des agents).
"""

from __future__ import annotations

from airflow.sdk import dag, task, teardown

from include.processes.brexit import entry as brexit
from include.processes.brexit import report as brexit_report
from include.processes.brexit import triage
from include.processes.brexit.arbitration import Arbitration
from include.processes.brexit.entry import ARBITRATION, AUTO, PERMITS
from include.rpa import entry
from include.rpa.tasks import dag_defaults, finish_run, rpa_step, run_params


@dag(
    dag_id="brexit_residence_permits",
    description="Brexit : contrôle des dossiers de titre de séjour, lettres, arbitrage, saisie, rapprochement",
    doc_md=__doc__,
    schedule=None,
    tags=["brexit", "etrangers", "titres de sejour"],
    params=run_params(
        "Export des demandes (fichier ou dossier)",
        "Essai à blanc (contrôle et lettres, aucune saisie)",
        input_help="Vide : les fichiers déposés le jour du traitement dans la boîte de dépôt brexit.",
    ),
    **dag_defaults(),
)
def brexit_residence_permits() -> None:
    @task
    def intake() -> dict:
        """The export named by input_path, else the files dropped on the run's day."""
        with rpa_step() as run:
            return triage.intake(run)

    @task
    def validate(counts: dict) -> dict:
        """Row rules, eligibility, card, completeness; letters for incomplete files."""
        with rpa_step() as run:
            return triage.validate(run)

    @task
    def plan(counts: dict) -> list[dict]:
        """The files the rules decided to enter, against the ledger, in batches."""
        with rpa_step() as run:
            return brexit.plan_auto(run)

    @task(pool="foreigners_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        """One batch, one browser: search each file by number, create the missing ones."""
        with rpa_step(batch=batch) as run:
            return entry.enter_batch(run, PERMITS, batch, wave=AUTO)

    @task
    def to_arbitrate(counts: dict) -> list[int]:
        """The files the rules left to a person and not entered yet (none in a dry run)."""
        with rpa_step() as run:
            return brexit.to_arbitrate(run)

    arbitrate = Arbitration(task_id="arbitrage")

    @task(trigger_rule="none_failed")
    def plan_decided() -> list[dict]:
        """The files an agent chose to enter, filed in the ledger with who decided, in batches."""
        with rpa_step() as run:
            return brexit.plan_decided(run)

    @task(pool="foreigners_portal", map_index_template="{{ lot_label }}")
    def enter_decided(batch: dict) -> dict:
        with rpa_step(batch=batch) as run:
            return entry.enter_batch(run, PERMITS, batch, wave=ARBITRATION)

    @task(trigger_rule="all_done")
    def reconcile() -> dict:
        """Read the application's export back and compare every entered file field by field."""
        with rpa_step() as run:
            return entry.reconcile(run, PERMITS)

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        """report.html, summary.json and the alert whatever happened; then the verdict."""
        with rpa_step(record=False) as run:
            return finish_run(run, *brexit_report.report(run))

    checked = validate(intake())
    entered = enter.expand(batch=plan(checked))
    decided = plan_decided()
    to_arbitrate(checked) >> arbitrate >> decided
    # plan_decided too: until it has run, enter_decided is not expanded and cannot hold reconcile back.
    [entered, decided, enter_decided.expand(batch=decided)] >> reconcile() >> report()


brexit_residence_permits()
