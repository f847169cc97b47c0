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

import datetime as dt
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, get_current_context, task, teardown

from include.processes.brexit.arbitration import Arbitration
from include.rpa.alerts import rpa_default_args

PROCESS_INBOX = "brexit"


def _run_context() -> tuple[Path, dict, str]:
    from include.rpa.paths import run_dir

    context = get_current_context()
    run = context["dag_run"]
    return run_dir(run.dag_id, run.run_id), context["params"], run.run_id


def _enter(wave: str, batch: dict) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from include.processes.brexit import entry
    from include.rpa.batches import claim_owner
    from include.rpa.pages import LoginRefused
    from include.rpa.steps import recorded
    from include.rpa.targets import TargetLoginError

    get_current_context()["lot_label"] = f"lot {batch['lot']} ({batch['dossiers']} dossiers)"  # type: ignore[typeddict-unknown-key]
    folder, _, run_id = _run_context()
    try:
        with recorded(folder, f"enter-{wave}"):
            return entry.enter_batch(
                folder, wave=wave, lot=batch["lot"], run_id=run_id, worker=claim_owner(get_current_context()["ti"])
            )
    except (LoginRefused, TargetLoginError) as exc:  # a wrong password is not retried
        raise AirflowFailException(str(exc)) from exc


@dag(
    dag_id="brexit_residence_permits",
    description="Brexit : contrôle des dossiers de titre de séjour, lettres, arbitrage, saisie, rapprochement",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Paris"),
    catchup=False,
    max_active_runs=1,
    tags=["brexit", "etrangers", "titres de sejour"],
    default_args=rpa_default_args(),
    params={
        "input_path": Param(
            None,
            type=["null", "string"],
            title="Export des demandes (fichier ou dossier)",
            description="Vide : les fichiers déposés ce jour dans la boîte de dépôt brexit.",
        ),
        "dry_run": Param(False, type="boolean", title="Essai à blanc (contrôle et lettres, aucune saisie)"),
    },
)
def brexit_residence_permits() -> None:
    @task
    def intake() -> dict:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from include.processes.brexit import triage
        from include.rpa.errors import IntakeError, NoInputError
        from include.rpa.paths import inbox_dir, write_json
        from include.rpa.steps import recorded

        folder, params, _ = _run_context()
        day = dt.datetime.now(pendulum.timezone("Europe/Paris")).date()
        source = Path(params["input_path"]) if params.get("input_path") else inbox_dir(PROCESS_INBOX, day)
        try:
            with recorded(folder, "intake"):
                if not source.exists() or (source.is_dir() and not any(source.glob("*"))):
                    raise NoInputError(f"Aucun fichier à traiter dans {source}")
                return triage.intake(source, folder)
        except NoInputError as exc:
            write_json(folder / "intake.json", {"entree": str(source), "received": 0, "motif": str(exc)})
            raise AirflowSkipException(str(exc)) from exc
        except IntakeError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def validate(counts: dict) -> dict:
        """Row rules, eligibility, card, completeness; letters for incomplete files."""
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.brexit import triage
        from include.rpa.errors import DatasetCheckError
        from include.rpa.steps import recorded

        folder, _, _ = _run_context()
        with recorded(folder, "validate"):
            try:
                return triage.validate(folder)
            except DatasetCheckError as exc:
                raise AirflowFailException(str(exc)) from exc

    @task
    def plan(counts: dict) -> list[dict]:
        """The files the rules decided to enter, against the ledger, in batches."""
        from include.processes.brexit import entry
        from include.rpa.steps import recorded

        folder, params, run_id = _run_context()
        with recorded(folder, "plan"):
            frame = entry.load_files(folder)
            positions = [int(p) for p in frame.index[frame["decision"] == "saisir"]]
            return entry.plan(folder, positions, wave=entry.AUTO, run_id=run_id, dry_run=bool(params.get("dry_run")))

    @task(pool="foreigners_portal", map_index_template="{{ lot_label }}")
    def enter(batch: dict) -> dict:
        """One batch, one browser: search each file by number, create the missing ones."""
        from include.processes.brexit.entry import AUTO

        return _enter(AUTO, batch)

    @task
    def to_arbitrate(counts: dict) -> list[int]:
        """The files the rules left to a person (none in a dry run)."""
        from include.processes.brexit import arbitration, entry
        from include.rpa.ledger import Ledger

        folder, params, _ = _run_context()
        if params.get("dry_run"):
            return []
        return arbitration.positions(folder, Ledger.from_airflow(entry.LEDGER_CONN_ID))

    arbitrate = Arbitration(task_id="arbitrage")

    @task(trigger_rule="none_failed")
    def plan_decided() -> list[dict]:
        """The files an agent chose to enter, filed in the ledger with who decided, in batches."""
        from include.processes.brexit import arbitration, entry
        from include.rpa.ledger import Ledger
        from include.rpa.steps import recorded

        folder, params, run_id = _run_context()
        with recorded(folder, "plan-arbitrage"):
            ledger = Ledger.from_airflow(entry.LEDGER_CONN_ID)
            decided = arbitration.apply(
                folder, run_id=run_id, process=entry.LEDGER_PROCESS, scope=entry.SCOPE, ledger=ledger
            )
            return entry.plan(
                folder,
                decided["positions"],
                wave=entry.ARBITRATION,
                run_id=run_id,
                dry_run=bool(params.get("dry_run")),
                ledger=ledger,
            )

    @task(pool="foreigners_portal", map_index_template="{{ lot_label }}")
    def enter_decided(batch: dict) -> dict:
        from include.processes.brexit.entry import ARBITRATION

        return _enter(ARBITRATION, batch)

    @task(trigger_rule="all_done")
    def reconcile() -> dict:
        """Read the application's export back and compare every entered file field by field."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from include.processes.brexit import entry
        from include.rpa.steps import recorded

        folder, params, run_id = _run_context()
        if params.get("dry_run") or not (folder / entry.plan_file(entry.AUTO)).exists():
            raise AirflowSkipException("Rien à rapprocher : pas de saisie dans ce traitement")
        try:
            with recorded(folder, "reconcile"):
                return entry.reconcile_run(folder, run_id=run_id)
        except entry.ReconciliationMismatch as exc:
            raise AirflowFailException(str(exc)) from exc

    @teardown(on_failure_fail_dagrun=True)
    def report() -> dict:
        """report.html and summary.json whatever happened; the run's alert; then judge the run."""
        from airflow.sdk.exceptions import AirflowFailException

        from include.processes.brexit import report as brexit_report
        from include.rpa.alerts import alert_run, start_run_alert
        from include.rpa.paths import read_json

        folder, params, run_id = _run_context()
        dag_id = get_current_context()["dag_run"].dag_id
        start_run_alert(folder)
        summary = brexit_report.write(folder, dag_id=dag_id, run_id=run_id, dry_run=bool(params.get("dry_run")))
        alert_run(folder, dag_id=dag_id, run_id=run_id, summary=read_json(folder / "summary.json") or summary)
        if summary["statut"] == "echec":
            raise AirflowFailException(
                f"Traitement en échec : {summary['failed']} dossier(s) non saisi(s), "
                f"{summary['mismatched']} écart(s) ; voir report.html"
                + (f" ; {' ; '.join(summary['erreurs'])}" if summary["erreurs"] else "")
            )
        return summary

    checked = validate(intake())
    entered = enter.expand(batch=plan(checked))
    decided = plan_decided()
    to_arbitrate(checked) >> arbitrate >> decided
    # plan_decided too: until it has run, enter_decided is not expanded and cannot hold reconcile back.
    [entered, decided, enter_decided.expand(batch=decided)] >> reconcile() >> report()


brexit_residence_permits()
