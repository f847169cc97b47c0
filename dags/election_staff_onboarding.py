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

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pendulum
from airflow.sdk import MultipleCronTriggerTimetable, Param, dag, get_current_context, task, teardown

from include.processes.election_staff.config import get_election, load_elections, period_months
from include.rpa.alerts import rpa_default_args

PARIS = ZoneInfo("Europe/Paris")
ACTIVE_ID, ELECTIONS = load_elections()
ELECTION = ELECTIONS[ACTIVE_ID]
# One run a day over the election period, at run_at (Paris time): one cron
# expression per calendar month of the period. start_date is the project's
# epoch, not the period's start, so that manual runs (ad-hoc files, tests) work
# any day; a scheduled run outside the period is skipped (see intake).
# (EventsTimetable would fit, but fails to serialise in Airflow 3.3.2.)
CRONS = [
    f"{ELECTION.run_at.minute} {ELECTION.run_at.hour} {first}-{last} {month} *"
    for month, first, last in period_months(ELECTION.period_start, ELECTION.period_end)
]


def _run_context() -> tuple[Path, dict, dt.date]:
    """(run folder, params, the run's day in Paris)."""
    from include.rpa.paths import run_dir

    context = get_current_context()
    run = context["dag_run"]
    when = context.get("logical_date") or run.run_after
    return run_dir(run.dag_id, run.run_id), context["params"], when.astimezone(PARIS).date()


@dag(
    dag_id="election_staff_onboarding",
    description="Vacataires des élections : validation des fichiers, saisie dans le portail RH, rapprochement",
    doc_md=__doc__,
    schedule=MultipleCronTriggerTimetable(*CRONS, timezone="Europe/Paris"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Paris"),
    catchup=False,
    max_active_runs=1,
    tags=["elections", "rh", "vacataires"],
    default_args=rpa_default_args(),  # owner, retries with backoff, the run's alert
    params={
        "input_path": Param(
            None,
            type=["null", "string"],
            title="Fichier ou dossier à traiter",
            description="Vide : les fichiers déposés pour le jour du traitement dans la boîte de dépôt.",
        ),
        "dry_run": Param(False, type="boolean", title="Essai à blanc (aucune saisie)"),
        "election": Param(ACTIVE_ID, type="string", enum=sorted(ELECTIONS), title="Élection"),
    },
)
def election_staff_onboarding() -> None:
    @task
    def intake() -> dict:
        """Read the day's inbox folder, or the file or folder named by input_path."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from include.processes.election_staff import onboarding
        from include.rpa.errors import IntakeError, NoInputError
        from include.rpa.paths import inbox_dir, write_json
        from include.rpa.steps import recorded

        folder, params, day = _run_context()
        election = get_election(params.get("election"))
        scheduled = not params.get("input_path")
        source = inbox_dir(onboarding.PROCESS, day) if scheduled else Path(params["input_path"])
        # The cron schedule repeats the period's days every year: such a day has nothing to do.
        out_of_period = scheduled and not election.period_start <= day <= election.period_end
        try:
            with recorded(folder, "intake"):
                if out_of_period:
                    raise NoInputError(
                        f"Le {day:%d/%m/%Y} est hors de la période de mise sous pli "
                        f"({election.period_start:%d/%m/%Y} – {election.period_end:%d/%m/%Y}) : rien à traiter"
                    )
                if scheduled and not any(source.glob("*")):
                    raise NoInputError(f"Aucun fichier déposé pour le {day:%d/%m/%Y} dans {source}")
                return onboarding.intake(source, folder)
        except NoInputError as exc:
            write_json(
                folder / "intake.json",
                {"entree": str(source), "received": 0, "motif": str(exc), "hors_periode": out_of_period},
            )
            raise AirflowSkipException(str(exc)) from exc
        except IntakeError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def validate(counts: dict) -> dict:
        """Row rules (pandera) and dataset rules (Great Expectations)."""
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.election_staff import onboarding
        from include.rpa.errors import DatasetCheckError
        from include.rpa.steps import recorded

        folder, params, _ = _run_context()
        with recorded(folder, "validate"):
            try:
                return onboarding.validate(folder, get_election(params.get("election")))
            except DatasetCheckError as exc:
                raise AirflowFailException(str(exc)) from exc

    @task
    def plan(counts: dict) -> list[dict]:
        """Sort the valid workers against the ledger and cut those to type into batches."""
        from include.processes.election_staff import entry
        from include.processes.election_staff.config import onboarding_settings
        from include.rpa.steps import recorded

        folder, params, _ = _run_context()
        with recorded(folder, "plan"):
            return entry.plan(
                folder,
                get_election(params.get("election")),
                onboarding_settings(),
                run_id=get_current_context()["dag_run"].run_id,
                dry_run=bool(params.get("dry_run")),
            )

    @task(pool="hr_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        """One batch, one browser: search each worker by NIR, create the missing ones."""
        from airflow.sdk.exceptions import AirflowFailException

        get_current_context()["lot_label"] = f"lot {batch['lot']} ({batch['dossiers']} dossiers)"  # type: ignore[typeddict-unknown-key]

        from include.processes.election_staff import entry
        from include.processes.election_staff.config import onboarding_settings
        from include.rpa.batches import claim_owner
        from include.rpa.pages import LoginRefused
        from include.rpa.targets import TargetLoginError

        folder, params, _ = _run_context()
        try:
            return entry.enter_batch(
                folder,
                get_election(params.get("election")),
                onboarding_settings(),
                lot=int(batch["lot"]),
                run_id=get_current_context()["dag_run"].run_id,
                worker=claim_owner(get_current_context()["ti"]),
            )
        except (LoginRefused, TargetLoginError) as exc:  # a wrong password is not retried
            raise AirflowFailException(str(exc)) from exc

    @task(trigger_rule="all_done")
    def reconcile() -> dict:
        """Read the portal's export back and compare every worker field by field (after a
        partial entry too: what was entered is checked)."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from include.processes.election_staff.entry import PLAN_SUMMARY
        from include.processes.election_staff.reconcile import ReconciliationMismatch, reconcile_run
        from include.rpa.paths import read_json
        from include.rpa.steps import recorded

        folder, params, _ = _run_context()
        planned = read_json(folder / PLAN_SUMMARY)
        if planned is None or planned.get("dry_run"):
            raise AirflowSkipException("Rien à rapprocher : pas de saisie dans ce traitement")
        try:
            with recorded(folder, "reconcile"):
                return reconcile_run(
                    folder, get_election(params.get("election")), run_id=get_current_context()["dag_run"].run_id
                )
        except ReconciliationMismatch as exc:
            raise AirflowFailException(str(exc)) from exc

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        """Write report.html and summary.json, whatever happened upstream; then judge the run.

        The run's state is this task's: it fails when the summary says "echec" (a step
        failed, a worker is not entered, or reconciliation found a difference).
        """
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.election_staff import onboarding
        from include.rpa.alerts import alert_run, start_run_alert
        from include.rpa.paths import read_json

        folder, params, _ = _run_context()
        context = get_current_context()
        start_run_alert(folder)
        summary = onboarding.write_report(
            folder,
            dag_id=context["dag_run"].dag_id,
            run_id=context["dag_run"].run_id,
            election=get_election(params.get("election")),
            dry_run=bool(params.get("dry_run")),
        )
        full = read_json(folder / "summary.json") or summary
        alert_run(folder, dag_id=context["dag_run"].dag_id, run_id=context["dag_run"].run_id, summary=full)
        if summary["statut"] == "echec":
            raise AirflowFailException(
                f"Traitement en échec : {summary['failed']} vacataire(s) non saisi(s), "
                f"{summary['mismatched']} écart(s) ; voir report.html"
                + (f" ; {' ; '.join(summary['erreurs'])}" if summary["erreurs"] else "")
            )
        return summary

    batches = plan(validate(intake()))
    enter.expand(batch=batches) >> reconcile() >> report()


election_staff_onboarding()
