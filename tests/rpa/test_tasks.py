"""The task layer (include/rpa/tasks.py): the run's context from Airflow's, and each error's
Airflow outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from include.rpa.batches import EntryIncomplete
from include.rpa.errors import (
    ConfigurationError,
    DatasetCheckError,
    IntakeError,
    NoInputError,
    ReconciliationMismatch,
    RpaError,
    RunFailed,
)
from include.rpa.pages import LoginRefused, PageChanged, TargetRefused, TargetUnavailable
from include.rpa.targets import TargetLoginError
from include.rpa.tasks import RunContext, airflow_outcome, current_run, dag_defaults, run_params


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (NoInputError("Aucun fichier déposé"), AirflowSkipException),
        (IntakeError(["v.csv : encodage illisible"]), AirflowFailException),
        (DatasetCheckError("Part des lignes en quarantaine"), AirflowFailException),
        (LoginRefused("Connexion (paie)", "connexion refusée"), AirflowFailException),
        (TargetLoginError("portail : compte refusé"), AirflowFailException),
        (ConfigurationError("Connection vide"), AirflowFailException),
        (ReconciliationMismatch("2 écarts"), AirflowFailException),
        (RunFailed("Traitement en échec"), AirflowFailException),
        # Application failures: Airflow's retries.
        (EntryIncomplete("Lot 0 : 3 non saisis"), None),
        (TargetUnavailable("Recherche", "HTTP 500"), None),
        (PageChanged("Recherche", "nir", ("id", "nir")), None),
        (RpaError("export illisible après 6 tentatives"), None),
        (RuntimeError("bug"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_each_error_has_one_airflow_outcome(error: BaseException, outcome: type | None) -> None:
    mapped = airflow_outcome(error)
    if outcome is None:
        assert mapped is None
    else:
        assert type(mapped) is outcome and str(mapped) == str(error)


def test_a_refusal_of_one_record_is_not_a_task_outcome() -> None:
    """The record loop files a refused record as rejected: the error never reaches the task."""
    assert airflow_outcome(TargetRefused("Nouveau vacataire", {"nir": "déjà enregistré"})) is None


def context(logical_date, run_after=None, map_index=-1) -> dict:
    run = SimpleNamespace(dag_id="d", run_id="r1", run_after=run_after)
    ti = SimpleNamespace(task_id="enter", map_index=map_index)
    return {"dag_run": run, "ti": ti, "logical_date": logical_date, "params": {"dry_run": True, "x": None}}


@pytest.mark.parametrize(
    ("logical_date", "run_after", "day"),
    [
        # 23:30 UTC on 31 May is 1 June in Paris (summer time): a backfill of 1 June reads 1 June's inbox.
        (pendulum.datetime(2026, 5, 31, 23, 30, tz="UTC"), None, dt.date(2026, 6, 1)),
        (pendulum.datetime(2026, 12, 31, 22, 59, tz="UTC"), None, dt.date(2026, 12, 31)),
        # A manual run has no logical date: the day it was due to run.
        (None, pendulum.datetime(2027, 3, 29, 18, 0, tz="UTC"), dt.date(2027, 3, 29)),
    ],
)
def test_the_runs_day_is_its_logical_date_in_paris(data_dir: Path, logical_date, run_after, day) -> None:
    run = current_run(context(logical_date, run_after, map_index=2))
    assert run.day == day
    assert run.folder == data_dir / "runs" / "d" / "r1" and run.folder.is_dir()
    assert run.worker == "d/r1/enter/2" and run.batch == 2
    assert run.dry_run is True and run.param("x", "défaut") == "défaut"


def test_an_unmapped_task_has_no_batch(tmp_path: Path) -> None:
    run = RunContext("d", "r", tmp_path)
    assert run.batch is None and run.worker == "d/r/test/-1" and run.dry_run is False


def test_every_dag_shares_the_defaults_and_the_contract_params() -> None:
    defaults = dag_defaults()
    assert defaults["catchup"] is False and defaults["max_active_runs"] == 1
    assert defaults["default_args"]["retries"] >= 1 and defaults["default_args"]["retry_exponential_backoff"]
    assert defaults["start_date"].tzinfo is not None
    params = run_params("Entrée", "Essai", election="x")
    assert list(params) == ["input_path", "dry_run", "election"]
