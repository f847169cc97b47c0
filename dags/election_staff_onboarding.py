"""
### Recrutement des vacataires de la mise sous pli (élections)

Chaque jour de la période de mise sous pli, ce DAG prend les fichiers de
vacataires déposés par les départements dans
`<RPA_DATA_DIR>/inbox/election_staff/<AAAA-MM-JJ>/` (CSV Excel français ou XLSX),
les lit, les **valide** ligne à ligne (NIR, IBAN, dates, code postal...) et
globalement (part maximale de lignes en quarantaine, NIR uniques), puis écrit
dans `<RPA_DATA_DIR>/runs/election_staff_onboarding/<run_id>/` :

- `valid.csv` : les lignes valides, normalisées, prêtes pour la saisie ;
- `quarantine.csv` : les lignes écartées avec leur fichier, leur numéro de
  ligne et les motifs en français (données personnelles masquées) ;
- `report.html` (le rapport pour le service RH), `summary.json`,
  `data_docs/` (contrôles Great Expectations).

**Lancement manuel** : « Trigger » avec `input_path` (un fichier ou un dossier)
pour traiter un envoi précis ; `dry_run` s'arrête avant toute saisie.
Chaque ligne reçue est comptée une fois : reçues = quarantaine + valides.
Un fichier illisible ou une part de quarantaine au-delà du plafond arrête le
traitement avec un message qui nomme le fichier et le problème.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pendulum
from airflow.sdk import MultipleCronTriggerTimetable, Param, dag, get_current_context, task, teardown

from include.processes.election_staff.config import get_election, load_elections, period_months

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
    description="Vacataires des élections : lecture et validation des fichiers des départements",
    doc_md=__doc__,
    schedule=MultipleCronTriggerTimetable(*CRONS, timezone="Europe/Paris"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Paris"),
    catchup=False,
    max_active_runs=1,
    tags=["elections", "rh", "vacataires"],
    default_args={
        "owner": "equipe-data",
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
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
        source = Path(params["input_path"]) if params.get("input_path") else inbox_dir(onboarding.PROCESS, day)
        try:
            with recorded(folder, "intake"):
                if not params.get("input_path"):
                    election = get_election(params.get("election"))
                    if not election.period_start <= day <= election.period_end:
                        # The cron schedule repeats the period's days every year.
                        raise NoInputError(
                            f"Le {day:%d/%m/%Y} est hors de la période de mise sous pli "
                            f"({election.period_start:%d/%m/%Y} – {election.period_end:%d/%m/%Y}) : rien à traiter"
                        )
                    if not any(source.glob("*")):
                        raise NoInputError(f"Aucun fichier déposé pour le {day:%d/%m/%Y} dans {source}")
                return onboarding.intake(source, folder)
        except NoInputError as exc:
            write_json(folder / "intake.json", {"entree": str(source), "received": 0, "motif": str(exc)})
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

    @teardown
    def report() -> dict:
        """Write report.html and summary.json, whatever happened upstream."""
        from include.processes.election_staff import onboarding

        folder, params, _ = _run_context()
        context = get_current_context()
        return onboarding.write_report(
            folder,
            dag_id=context["dag_run"].dag_id,
            run_id=context["dag_run"].run_id,
            election=get_election(params.get("election")),
            dry_run=bool(params.get("dry_run")),
        )

    validate(intake()) >> report()


election_staff_onboarding()
