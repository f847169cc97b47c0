"""The task layer every DAG of the project shares: the run's context, one step wrapper, the
report-and-alert end of a run, and the DAG defaults.

A task of a DAG file is a few lines::

    @task
    def validate(counts: dict) -> dict:
        \"\"\"Row rules (pandera) and dataset rules (Great Expectations).\"\"\"
        with rpa_step() as run:
            return onboarding.validate(run)

:func:`rpa_step` builds the :class:`RunContext` (run folder, ids, params, the run's day,
dry run, the ledger claim owner), records a failure in the run folder per step and per
batch (:mod:`include.rpa.steps`), and maps the exception to Airflow's outcome by its type
(:func:`airflow_outcome`). The report task ends with :func:`finish_run`: ``report.html``,
``summary.json``, the run's one alert, then the run's verdict.

Not a DAG factory: each DAG file still shows its graph, pools, trigger rules, params and
schedule. Importing this module is cheap (Airflow's SDK only): DAG files import it while
they are parsed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pendulum
from airflow.sdk import Param

from include.rpa.errors import NoInputError, NotRetried

if TYPE_CHECKING:
    from include.rpa.report import Report
    from include.rpa.summary import RunSummary

PARIS = ZoneInfo("Europe/Paris")
# Every DAG's epoch: manual runs (ad-hoc files, tests) work any day from it.
START_DATE = pendulum.datetime(2026, 1, 1, tz="Europe/Paris")


@dataclass(frozen=True)
class RunContext:
    """What a step needs to know of its run (built by :func:`current_run`, or by a test)."""

    dag_id: str
    run_id: str
    folder: Path
    params: Mapping[str, Any] = field(default_factory=dict)
    day: dt.date = field(default_factory=lambda: dt.datetime.now(PARIS).date())
    task_id: str = "test"
    map_index: int = -1

    @property
    def dry_run(self) -> bool:
        return bool(self.params.get("dry_run"))

    @property
    def worker(self) -> str:
        """Who holds a ledger claim: this task instance (an Airflow retry of it takes its claims back)."""
        return f"{self.dag_id}/{self.run_id}/{self.task_id}/{self.map_index}"

    @property
    def batch(self) -> int | None:
        return self.map_index if self.map_index >= 0 else None

    def param(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value


def current_run(context: Mapping[str, Any] | None = None) -> RunContext:
    """The running task's :class:`RunContext`. The run's day is its logical date (or, for a
    run without one, when it was due to run) in Europe/Paris: a backfill of 1 June reads
    1 June's inbox, whatever day it runs."""
    from airflow.sdk import get_current_context

    from include.rpa.paths import run_dir

    context = context or get_current_context()
    run = context["dag_run"]
    ti = context["ti"]
    when = context.get("logical_date") or run.run_after
    return RunContext(
        dag_id=run.dag_id,
        run_id=run.run_id,
        folder=run_dir(run.dag_id, run.run_id),
        params=dict(context.get("params") or {}),
        day=when.astimezone(PARIS).date(),
        task_id=ti.task_id,
        map_index=getattr(ti, "map_index", -1) if getattr(ti, "map_index", None) is not None else -1,
    )


def airflow_outcome(exc: BaseException) -> BaseException | None:
    """The Airflow exception a step's error becomes, or None to let it through (Airflow retries).

    No input: skip. Bad input, a business refusal, a wrong configuration: fail at once.
    Anything else is an application failure: Airflow's retries, with backoff.
    """
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    if isinstance(exc, NoInputError):
        return AirflowSkipException(str(exc))
    if isinstance(exc, NotRetried):
        return AirflowFailException(str(exc))
    return None


@contextmanager
def rpa_step(*, batch: Mapping[str, Any] | None = None, record: bool = True) -> Iterator[RunContext]:
    """Run a task's body as a step of the run (see the module's docstring).

    ``batch``: the mapped batch the task works on (its label names the task instance in the
    UI). ``record=False``: a failure is not kept for the report (the report task itself).
    """
    from include.rpa.steps import recorded

    run = current_run()
    if batch is not None:
        from airflow.sdk import get_current_context

        get_current_context()["lot_label"] = batch.get("libelle") or f"lot {batch.get('lot')}"  # type: ignore[typeddict-unknown-key]
    try:
        if record:
            with recorded(run.folder, run.task_id, run.batch):
                yield run
        else:
            yield run
    except Exception as exc:
        outcome = airflow_outcome(exc)
        if outcome is None:
            raise
        raise outcome from exc


def finish_run(run: RunContext, summary: RunSummary, report: Report) -> dict[str, Any]:
    """The end of every run: ``report.html``, ``summary.json``, the run's one alert (Slack and
    e-mail), then the verdict: a failed run raises :class:`include.rpa.errors.RunFailed`
    (the report task is a teardown that fails the run)."""
    from include.rpa.alerts import alert_run, start_run_alert
    from include.rpa.errors import RunFailed
    from include.rpa.report import render

    start_run_alert(run.folder)
    render(report, run.folder / "report.html")
    summary.write(run.folder)
    alert_run(run.folder, summary=summary)
    if summary.failed_run:
        details = summary.errors or [f"{summary.failed} non saisi(s), {summary.mismatched} écart(s)"]
        raise RunFailed("Traitement en échec (voir report.html) : " + " ; ".join(details))
    return summary.xcom()


# --------------------------------------------------------------------------- DAG defaults


def dag_defaults() -> dict[str, Any]:
    """The ``@dag`` arguments every process shares: the epoch, no catch-up (a backfill is
    asked for explicitly), one run at a time (two runs would race for the same records),
    and the tasks' defaults (owner, retries with backoff, failure alerts)."""
    from include.rpa.alerts import alerting_default_args

    return {
        "start_date": START_DATE,
        "catchup": False,
        "max_active_runs": 1,
        "default_args": {
            **alerting_default_args(),
            "owner": "equipe-data",
            "retries": 2,
            "retry_delay": dt.timedelta(seconds=30),
            "retry_exponential_backoff": True,
            "max_retry_delay": dt.timedelta(minutes=10),
        },
    }


def run_params(input_title: str, dry_run_title: str, *, input_help: str | None = None, **more: Param) -> dict:
    """The params every DAG takes (contract: ``input_path``, a file or a folder, and ``dry_run``)
    and the process's own."""
    return {
        "input_path": Param(None, type=["null", "string"], title=input_title, description=input_help),
        "dry_run": Param(False, type="boolean", title=dry_run_title),
        **more,
    }
