"""Benchmark: the DAGs end to end under the real scheduler.

Rerun with ``make bench-dags`` (or ``bin/python benchmarks/bench_dags.py [--workers 1400]
[--brexit-files 1000] [--skip-payment] [--skip-distributed]``; ``make bench-dags ARGS="--skip-payment
--brexit-files 0"`` runs only the two onboardings, about 25 minutes). Each sandbox app runs as a SEPARATE
process (``python -m sandbox --only <app>``, scripts/harness) on a free port with a fresh SQLite database in a
temporary folder, faults off; everything started here is stopped at the end (apps, Airflow, browsers), and
what is left is looked for by an environment marker and killed. The robot's record loop alone is
``benchmarks/bench_record_loop.py``.

Measured on a generated department file of ``--workers`` workers (no defects):

6. the onboarding DAG end to end under the real scheduler with the project's default settings (``airflow
   standalone``, LocalExecutor, parallelism 4, pool ``hr_portal`` of 2 slots, the onboarding's batch size) in
   an isolated ``AIRFLOW_HOME`` and ``RPA_DATA_DIR``: wall time from trigger to the run's end against the
   15-minute target, and the run's ``summary.json`` counts;
7. unless ``--skip-payment``: in the same Airflow, the payment DAG for those workers on generated service
   records (a payroll portal in its own process), approved through the REST API as soon as asked: wall time,
   seconds per worker, the three totals;
8. unless ``--brexit-files 0``: the Brexit DAG on a generated export of 1,000 applications (every kind of
   case; a foreigners' office in its own process), every file put to an agent answered "enter" at once:
   wall time, seconds per file, the counts and the time saved;
9. unless ``--skip-distributed``: the same onboarding on the Celery profile (scripts/distributed_stack.py)
   against a fresh HR portal: wall time over the embedded run's, which Celery worker ran which batch.

Prints a table, writes the figures (timings and counts only, no personal data) to
``benchmarks/results/dags-<timestamp>.json`` and ``dags-latest.json`` and renders the README's DAG table from
it (``benchmarks/render.py``). The machine is shared, so the CPU used by other processes is reported too.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from benchmarks.common import (
    MARKER_ENV,
    BenchRun,
    footer,
    generate_file,
    heading,
    onboarding_robot,
    parse_args,
    say,
    valid_rows_of,
)
from benchmarks.measure import TreeSampler, fmt, median, ratio
from scripts.distributed_stack import DistributedStack
from scripts.harness.airflow_api import TRANSIENT, AirflowApi, run_path, setup_home
from scripts.harness.processes import REPO, exited, free_port, start_group, stop_group
from scripts.harness.sandbox_apps import SandboxProcess

BENCH = "dags"
DAG_ID = "election_staff_onboarding"
PAYMENT_DAG_ID = "election_staff_payment"
BREXIT_DAG_ID = "brexit_residence_permits"
DAG_SAMPLE_SECONDS = 1.0
TARGET_MINUTES = 15.0
SEEDS = {"dag": 9105, "payment": 9106, "brexit": 9107}


# --------------------------------------------------------------------------- the DAG end to end


class Airflow:
    """``airflow standalone`` in an isolated AIRFLOW_HOME and RPA_DATA_DIR, with the project's defaults,
    its Connections naming the sandbox ``apps`` and a fresh SQLite ledger."""

    def __init__(self, folder: Path, apps: list[SandboxProcess]) -> None:
        self.folder = folder
        self.home = folder / "airflow"
        self.data = folder / "data"
        self.home.mkdir(parents=True)
        self.data.mkdir(parents=True)
        self.ledger_path = folder / "ledger.sqlite"
        port = free_port()
        # The caller's environment minus the embedded stack's Airflow settings (bin/python exported them):
        # bin/env.sh recomputes them from RPA_AIRFLOW_HOME and the port, with the project's defaults.
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")) and k != "AIRFLOW_HOME"
        }
        self.env.update(
            {
                "RPA_AIRFLOW_HOME": str(self.home),
                "RPA_DATA_DIR": str(self.data),
                "AIRFLOW__API__PORT": str(port),
                # The embedded stack may be running: its log servers hold 8793 and 8794.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW_CONN_RPA_LEDGER": json.dumps({"conn_type": "sqlite", "host": str(self.ledger_path)}),
            }
        )
        for app in apps:
            self.env.update(app.connections())
        self.log_path = folder / "standalone.log"
        self.process: Any = None
        self.api = AirflowApi(f"http://127.0.0.1:{port}", dead=self._dead, hint=f"; see {self.log_path}")

    def _dead(self) -> str | None:
        return exited(self.process, "airflow standalone")() if self.process is not None else None

    def setup(self) -> float:
        """``airflow db migrate`` and the project's Connections and Pools; seconds taken."""
        started = time.monotonic()
        setup_home(self.env, self.folder / "setup.log")
        return time.monotonic() - started

    def start(self) -> float:
        """Start ``airflow standalone`` in a process group of its own; seconds until the API answers."""
        started = time.monotonic()
        self.process = start_group([str(REPO / "bin" / "airflow"), "standalone"], env=self.env, log=self.log_path)
        self.api.wait_healthy(self.home)
        return time.monotonic() - started

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None else []

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ledger_counts(self) -> str:
        """The ledger's rows by state (progress line; no values read)."""
        import sqlite3

        if not self.ledger_path.exists():
            return "ledger not created yet"
        with (
            contextlib.suppress(sqlite3.Error),
            contextlib.closing(sqlite3.connect(self.ledger_path, timeout=1)) as db,
        ):
            rows = db.execute("SELECT state, COUNT(*) FROM rpa_ledger GROUP BY state").fetchall()
            return "ledger: " + (", ".join(f"{state} {count}" for state, count in rows) or "empty")
        return "ledger busy"

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


def parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def bench_dag(
    folder: Path,
    portal: SandboxProcess,
    input_file: Path,
    workers: int,
    timeout_min: float,
    payment: bool = True,
    brexit_files: int = 0,
) -> dict[str, Any]:
    """Step 6: trigger the onboarding DAG on the department file under the real scheduler; wall time and summary.

    Then, unless ``payment`` is false, step 7: the payment DAG for the same workers on generated service
    records (a payroll portal in its own process reads the HR portal's database), approved through the
    REST API as soon as the approval is asked: wall time without the human's wait, seconds per worker.
    """
    payroll = SandboxProcess("payroll_portal", folder.parent / "payroll", hr_db=portal.db) if payment else None
    foreigners = SandboxProcess("foreigners_portal", folder.parent / "foreigners") if brexit_files else None
    airflow = Airflow(folder, [app for app in (portal, payroll, foreigners) if app is not None])
    out: dict[str, Any] = {"workers": workers, "input_rows": workers}
    try:
        say("  airflow db migrate + Connections and Pools...")
        out["setup_s"] = airflow.setup()
        say("  starting airflow standalone...")
        out["startup_s"] = airflow.start()
        assert airflow.process is not None
        say(f"  API server up in {out['startup_s']:.0f} s; waiting for the DAG to be parsed...")
        dag_ids = [DAG_ID, *([PAYMENT_DAG_ID] if payment else []), *([BREXIT_DAG_ID] if brexit_files else [])]
        for dag_id in dag_ids:
            airflow.api.unpause(dag_id)
        out.update(run_dag(airflow, portal, DAG_ID, input_file, timeout_min))
        out["target_min"] = TARGET_MINUTES
        out["target_met"] = out["state"] == "success" and out["wall_min"] < TARGET_MINUTES
        summary = out.pop("summary_json")
        keys = ("received", "quarantined", "valid", "entered", "verified", "failed", "mismatched", "rejected")
        out["summary"] = {k: summary.get(k) for k in (*keys, "skipped_already_done", "statut")}
        out["summary"]["secondes_par_vacataire"] = summary.get("secondes_par_vacataire")
        if payroll is not None and out["state"] == "success":
            say("Step payment (same Airflow, same workers)...")
            out["payment"] = bench_payment(airflow, payroll, input_file, timeout_min)
        if foreigners is not None:
            say(f"Step brexit ({brexit_files} files, same Airflow)...")
            try:
                out["brexit"] = bench_brexit(airflow, foreigners, folder.parent / "brexit", brexit_files, timeout_min)
            except Exception as exc:
                out["brexit"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        say("  stopping airflow standalone...")
        airflow.stop()
        for app in (payroll, foreigners):
            if app is not None:
                app.stop()
    return out


def bench_distributed(folder: Path, input_file: Path, workers: int, timeout_min: float) -> dict[str, Any]:
    """Step 9: the same onboarding on the same department file through the scale-out profile
    (scripts/distributed_stack.py: CeleryExecutor, 2 Celery workers of 4 task slots, PostgreSQL metadata
    and ledger, Redis broker, pool hr_portal of 2 slots, the same batch_size), against a fresh HR portal
    in its own process: wall time from trigger to the run's end, which worker ran which batch."""
    portal = SandboxProcess("hr_portal", folder / "portal")
    stack = DistributedStack(
        folder / "stack",
        workers=2,
        connections=portal.connections(),
        env={MARKER_ENV: os.environ[MARKER_ENV], "SE_OFFLINE": "true"},
    )
    out: dict[str, Any] = {"workers": workers, "celery_workers": stack.workers, "slots_per_worker": stack.concurrency}
    try:
        say("  fresh PostgreSQL databases, airflow db migrate + Connections and Pools...")
        started = time.monotonic()
        stack.create()
        out["setup_s"] = time.monotonic() - started
        say("  starting api-server, scheduler, dag-processor, triggerer and 2 Celery workers...")
        out["startup_s"] = stack.start()
        stack.api.unpause(DAG_ID)
        out.update(run_dag(stack, portal, DAG_ID, input_file, timeout_min))
        summary = out.pop("summary_json")
        out["summary"] = {k: summary.get(k) for k in ("received", "entered", "verified", "failed", "statut")}
        batches = stack.task_workers(DAG_ID, out["run_id"], "enter")
        out["batches_per_worker"] = {
            f"worker-{n}": sum(1 for w in batches.values() if w == name)
            for n, name in enumerate(stack.worker_names(), start=1)
        }
        out["portal_workers"] = len(portal.export())
    finally:
        say("  stopping the Celery profile...")
        out["killed_at_stop"] = stack.stop()
        stack.drop()
        portal.stop()
    return out


def run_dag(
    airflow: Airflow | DistributedStack,
    portal: SandboxProcess,
    dag_id: str,
    input_file: Path,
    timeout_min: float,
    answer: dict[str, Any] | Callable[[dict], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Trigger ``dag_id`` on ``input_file``, give ``answer`` to every human-in-the-loop request it
    makes (what HR or an agent does in the UI), wait for its end.

    Figures: state, wall minutes from trigger to the run's end, the minutes the approval waited (the
    benchmark answers at once, so this is the polling delay), the tasks' durations, memory and CPU of the
    Airflow tree, and the run's summary.json (``summary_json``).
    """
    assert airflow.alive()
    out: dict[str, Any] = {}
    sampler = TreeSampler(airflow.pids(), portal, interval=DAG_SAMPLE_SECONDS)
    sampler.start()
    approval_answered = None
    answered = 0
    try:
        triggered_at = dt.datetime.now(dt.UTC)
        triggered = time.monotonic()
        run_id = airflow.api.trigger(dag_id, {"input_path": str(input_file), "dry_run": False})
        out["run_id"] = run_id
        say(f"  triggered {dag_id} {run_id}; polling...")
        path = run_path(dag_id, run_id)
        deadline = triggered + 60 * timeout_min
        state, last_said, run = None, 0.0, {}
        while time.monotonic() < deadline:
            with contextlib.suppress(*TRANSIENT):
                run = airflow.api.request("GET", path)
                state = run.get("state")
            if state in ("success", "failed"):
                break
            if answer is not None:
                now_answered = 0
                with contextlib.suppress(*TRANSIENT):
                    now_answered = len(airflow.api.answer_pending(dag_id, answer, run_id))
                if now_answered and approval_answered is None:
                    approval_answered = time.monotonic()
                    say(f"  first request answered after {(approval_answered - triggered) / 60:.1f} min")
                answered += now_answered
            if not airflow.alive():
                raise RuntimeError("an Airflow process exited during the run")
            if time.monotonic() - last_said > 60:
                say(f"  {(time.monotonic() - triggered) / 60:.1f} min: run {state}, {ledger_counts(airflow)}")
                last_said = time.monotonic()
            time.sleep(2)
        seen_end = time.monotonic()
    finally:
        sampler.stop()
    out["state"] = state
    ended_at = parse_time(run.get("end_date"))
    out["wall_min"] = (ended_at - triggered_at).total_seconds() / 60 if ended_at else (seen_end - triggered) / 60
    out["wall_min_seen_by_poll"] = (seen_end - triggered) / 60
    out["requests_answered"] = answered
    if approval_answered is not None:
        out["until_approval_min"] = (approval_answered - triggered) / 60
        out["after_approval_min"] = (seen_end - approval_answered) / 60
    started_at = parse_time(run.get("start_date"))
    out["queued_to_start_s"] = (started_at - triggered_at).total_seconds() if started_at else None
    out["tasks"] = task_figures(airflow, path)
    out["memory"] = sampler.peak_mb()
    out["cpu"] = sampler.cpu(triggered, seen_end)
    summary_path = airflow.data / "runs" / dag_id / run_id / "summary.json"
    out["summary_json"] = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if state not in ("success", "failed"):
        out["error"] = f"the run did not finish within {timeout_min:g} min (state {state})"
    return out


def bench_brexit(
    airflow: Airflow, foreigners: SandboxProcess, folder: Path, files: int, timeout_min: float
) -> dict[str, Any]:
    """Step 8: the Brexit DAG on a generated export of ``files`` applications (every kind of case);
    each file put to an agent is answered "enter" with a 5-year card as soon as it is asked."""
    from include.processes.brexit import arbitration
    from include.processes.brexit.codes import TITRES
    from include.processes.brexit.demo import write_demo

    source = folder / "demandes.csv"
    expected = write_demo(source, count=files, seed=SEEDS["brexit"])
    enter = f"{arbitration.ENTER_PREFIX}{TITRES['carte_sejour_5_ans']}"

    def answer(detail: dict[str, Any]) -> dict[str, Any]:  # every file of the form: enter, 5-year card
        return {"chosen_options": [arbitration.SAVE], "params_input": dict.fromkeys(detail["params"], enter)}

    out = run_dag(airflow, foreigners, BREXIT_DAG_ID, source, timeout_min, answer=answer)
    summary = out.pop("summary_json")
    out["files"] = files
    out["expected"] = expected["counts"]
    keys = (
        "received",
        "quarantined",
        "a_saisir",
        "incomplete",
        "ineligible",
        "a_arbitrer",
        "held",
        "entered",
        "rejected",
        "failed",
        "verified",
        "mismatched",
        "lettres",
        "statut",
        "secondes_par_dossier",
        "minutes_gagnees",
        "minutes_robot",
        "minutes_agent_arbitrage",
    )
    out["summary"] = {k: summary.get(k) for k in keys}
    if out["state"] in ("success", "failed") and summary.get("received"):
        out["wall_s_per_file"] = out["wall_min"] * 60 / summary["received"]
        if summary.get("entered"):
            out["wall_s_per_entered_file"] = out["wall_min"] * 60 / summary["entered"]
    return out


def bench_payment(
    airflow: Airflow, payroll: SandboxProcess, department_file: Path, timeout_min: float
) -> dict[str, Any]:
    """Step 7: the payment DAG for the onboarded workers; wall time, seconds per worker, totals."""
    from include.processes.election_staff import service_demo
    from include.processes.election_staff.config import get_election

    election = get_election()
    workers = valid_rows_of(department_file.parent)
    rows, manifest = service_demo.generate(workers, election, defect_share=0.0, seed=SEEDS["payment"])
    records = service_demo.write(rows, department_file.parent.parent / "releves" / "releves_service.csv")
    out = run_dag(airflow, payroll, PAYMENT_DAG_ID, records, timeout_min, answer={"chosen_options": ["Approve"]})
    summary = out.pop("summary_json")
    out["workers"] = len(workers)
    out["service_rows"] = manifest["received"]
    keys = ("received", "quarantined", "valid", "workers", "entered", "verified", "failed", "mismatched", "rejected")
    out["summary"] = {k: summary.get(k) for k in (*keys, "skipped_already_done", "statut", "total")}
    for key in ("transfer_total", "capped", "below_smic"):
        if key in summary:
            out["summary"][key] = summary[key]
    out["summary"]["transfer_file_written"] = bool(summary.get("transfer_file"))  # its path names a temporary folder
    enter = out.get("tasks", {}).get("enter", {})
    entered = summary.get("entered") or 0
    if enter.get("span_s") and entered:
        out["entry_s_per_worker"] = enter["span_s"] / entered
    if out.get("after_approval_min") and entered:
        out["after_approval_s_per_worker"] = out["after_approval_min"] * 60 / entered
    return out


def ledger_counts(airflow: Airflow | DistributedStack) -> str:
    """The ledger's rows by state, on SQLite (embedded) or PostgreSQL (distributed)."""
    if isinstance(airflow, Airflow):
        return airflow.ledger_counts()
    try:
        rows = airflow.sql("SELECT state, COUNT(*) FROM rpa_ledger GROUP BY state", database=airflow.ledger_db)
    except Exception:  # not created yet
        return "ledger not created yet"
    return "ledger: " + (", ".join(f"{state} {count}" for state, count in rows) or "empty")


def task_figures(airflow: Airflow | DistributedStack, path: str) -> dict[str, Any]:
    """Durations of the run's tasks from the REST API (mapped ``enter`` tasks summarised)."""
    try:
        listed = airflow.api.request("GET", f"{path}/taskInstances?limit=200")["task_instances"]
    except TRANSIENT as exc:
        return {"error": str(exc)}
    tasks: dict[str, Any] = {}
    enter = [ti for ti in listed if ti["task_id"] == "enter"]
    for ti in listed:
        if ti["task_id"] != "enter":
            tasks[ti["task_id"]] = {
                "state": ti.get("state"),
                "duration_s": ti.get("duration"),
                "try": ti.get("try_number"),
            }
    if enter:
        starts = [parse_time(ti.get("start_date")) for ti in enter]
        ends = [parse_time(ti.get("end_date")) for ti in enter]
        durations = [ti["duration"] for ti in enter if ti.get("duration") is not None]
        span = (max(e for e in ends if e) - min(s for s in starts if s)).total_seconds() if all(starts + ends) else None
        tasks["enter"] = {
            "batches": len(enter),
            "states": sorted({str(ti.get("state")) for ti in enter}),
            "max_try": max(ti.get("try_number") or 1 for ti in enter),
            "median_duration_s": median(durations),
            "sum_duration_s": sum(durations),
            "span_s": span,
        }
    return tasks


# --------------------------------------------------------------------------- report


def tasks_line(tasks: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """The tasks' durations; the mapped ``enter`` tasks summarised."""
    parts = [f"{name} {fmt(tasks[name]['duration_s'], '.0f')} s" for name in names if name in tasks]
    if "enter" in tasks:
        e = tasks["enter"]
        parts.append(
            f"enter {e['batches']} batches (median {fmt(e['median_duration_s'], '.0f')} s each, "
            f"span {fmt(e['span_s'], '.0f')} s, max try {e['max_try']})"
        )
    return "  tasks: " + ", ".join(parts)


def report(results: dict[str, Any]) -> str:
    cfg = results["config"]
    lines = heading(
        results, "DAG benchmark", f"sandbox apps (own processes, fresh SQLite, faults off); {cfg['workers']} workers"
    )
    add = lines.append
    dag = results.get("dag")
    add("")
    if not dag or "state" not in dag:
        add(f"6. DAG end to end: error: {dag.get('error') if dag else 'not run'}")
    else:
        add(
            "6. DAG end to end (airflow standalone, LocalExecutor, parallelism 4, pool hr_portal 2 slots, "
            f"batch_size {cfg['batch_size']})"
        )
        verdict = "PASS" if dag["target_met"] else "FAIL"
        add(
            f"  {dag['workers']} workers: run {dag['state']}, {dag['wall_min']:.1f} min from trigger to run end "
            f"-> target < {TARGET_MINUTES:.0f} min: {verdict}"
        )
        s = dag["summary"]
        add(
            f"  summary.json: entered {s.get('entered')}, verified {s.get('verified')}, failed {s.get('failed')}, "
            f"mismatched {s.get('mismatched')} (received {s.get('received')}, quarantined {s.get('quarantined')}, "
            f"rejected {s.get('rejected')}, statut {s.get('statut')}, median {s.get('secondes_par_vacataire')} s "
            "per worker)"
        )
        add(tasks_line(dag.get("tasks", {}), ("intake", "validate", "plan", "reconcile", "report")))
        add(
            f"  start-up: db migrate + settings {dag['setup_s']:.0f} s, standalone {dag['startup_s']:.0f} s; "
            f"trigger to run start {fmt(dag['queued_to_start_s'], '.0f')} s; peak PSS of the Airflow tree "
            f"{dag['memory']['pss_mb']:.0f} MB; machine {fmt(dag['cpu']['machine_busy_cores'], '.2f')} cores busy "
            f"on average (other processes {dag['cpu']['other_processes_cores']:.2f})"
        )
        if dag.get("error"):
            add(f"  error: {dag['error']}")
        add_payment(add, dag.get("payment"), cfg)
        add_brexit(add, dag.get("brexit"), cfg)
    add_distributed(add, results.get("distributed"), dag, cfg)
    lines.extend(footer(results, "apps and Airflow stopped"))
    return "\n".join(lines)


def has_figures(add: Callable[[str], None], title: str, skipped: Any, run: Mapping[str, Any] | None) -> bool:
    """Whether a step has figures to report; if not, a line that says it was skipped or why it has none."""
    add("")
    if skipped:
        add(f"{title}: skipped")
    elif not run or "state" not in run:
        add(f"{title}: {run.get('error') if run else 'not run'}")
    return bool(not skipped and run and "state" in run)


def add_distributed(
    add: Callable[[str], None], run: dict[str, Any] | None, embedded: dict[str, Any] | None, cfg: Mapping[str, Any]
) -> None:
    if not has_figures(add, "9. Onboarding on the Celery profile", cfg.get("skip_distributed"), run):
        return
    add(
        f"9. Onboarding on the Celery profile (CeleryExecutor, {run['celery_workers']} workers x "
        f"{run['slots_per_worker']} slots, PostgreSQL + Redis, pool hr_portal 2 slots, same file, fresh portal)"
    )
    s = run["summary"]
    add(
        f"  {run['workers']} workers: run {run['state']}, {run['wall_min']:.1f} min from trigger to run end; "
        f"entered {s.get('entered')}, verified {s.get('verified')}, failed {s.get('failed')}; "
        f"portal holds {run.get('portal_workers')}; batches per Celery worker {run.get('batches_per_worker')}"
    )
    add(
        f"  start-up: create databases + migrate + settings {run['setup_s']:.0f} s, "
        f"components {run['startup_s']:.0f} s; peak PSS of the Airflow processes "
        f"{run['memory']['pss_mb']:.0f} MB; machine {fmt(run['cpu']['machine_busy_cores'], '.2f')} cores busy"
    )
    if embedded and embedded.get("wall_min"):
        add(
            f"  Celery / embedded LocalExecutor wall time: {run['wall_min']:.1f} / {embedded['wall_min']:.1f} min = "
            f"{fmt(ratio(run['wall_min'], embedded['wall_min']), '.2f')}x"
        )
    if run.get("killed_at_stop"):
        add(f"  killed at stop: {run['killed_at_stop']}")


def add_payment(add: Callable[[str], None], pay: dict[str, Any] | None, cfg: Mapping[str, Any]) -> None:
    if not has_figures(add, "7. Payment DAG", cfg.get("skip_payment"), pay):
        return
    add("7. Payment DAG end to end (same Airflow; approval answered through the REST API as soon as asked)")
    s = pay["summary"]
    add(
        f"  {pay['workers']} workers, {pay['service_rows']} service records: run {pay['state']}, "
        f"{pay['wall_min']:.1f} min from trigger to run end; {fmt(pay.get('until_approval_min'), '.1f')} min until "
        f"the approval was asked and answered, {fmt(pay.get('after_approval_min'), '.1f')} min after it"
    )
    add(
        f"  seconds per worker: entry span {fmt(pay.get('entry_s_per_worker'), '.2f')} s, everything after the "
        f"approval {fmt(pay.get('after_approval_s_per_worker'), '.2f')} s"
    )
    add(
        f"  summary.json: workers {s.get('workers')}, entered {s.get('entered')}, verified {s.get('verified')}, "
        f"failed {s.get('failed')}, mismatched {s.get('mismatched')}, total {s.get('total')} EUR, transfer "
        f"{s.get('transfer_total')} EUR, capped {s.get('capped')}, below SMIC {s.get('below_smic')}, "
        f"statut {s.get('statut')}"
    )
    add(tasks_line(pay.get("tasks", {}), ("intake", "validate", "compute", "plan", "transfer", "reconcile", "report")))
    if pay.get("error"):
        add(f"  error: {pay['error']}")


def add_brexit(add: Callable[[str], None], run: dict[str, Any] | None, cfg: Mapping[str, Any]) -> None:
    if not has_figures(add, "8. Brexit DAG", not cfg.get("brexit_files"), run):
        return
    s = run["summary"]
    add("8. Brexit DAG end to end (same Airflow; every file put to an agent answered 'enter' as soon as asked)")
    add(
        f"  {run['files']} files: run {run['state']}, {run['wall_min']:.1f} min from trigger to run end = "
        f"{fmt(run.get('wall_s_per_file'), '.2f')} s per file received, "
        f"{fmt(run.get('wall_s_per_entered_file'), '.2f')} s per file entered; robot median "
        f"{s.get('secondes_par_dossier')} s per file; {run.get('requests_answered')} requests answered"
    )
    add(
        f"  summary.json: received {s.get('received')}, quarantined {s.get('quarantined')}, to enter "
        f"{s.get('a_saisir')}, incomplete {s.get('incomplete')} (letters {s.get('lettres')}), ineligible "
        f"{s.get('ineligible')}, put to an agent {s.get('a_arbitrer')}; entered {s.get('entered')}, rejected by "
        f"the application {s.get('rejected')}, failed {s.get('failed')}, verified {s.get('verified')}, "
        f"mismatched {s.get('mismatched')}, statut {s.get('statut')}"
    )
    add(
        f"  time saved: {s.get('minutes_gagnees')} min (robot {s.get('minutes_robot')} min, agents' decisions "
        f"{s.get('minutes_agent_arbitrage')} min); expected counts {run.get('expected')}"
    )
    add(tasks_line(run.get("tasks", {}), ("intake", "validate", "plan", "plan_decided", "reconcile", "report")))
    if run.get("error"):
        add(f"  error: {run['error']}")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1400, help="workers of the department file (1400)")
    parser.add_argument("--skip-payment", action="store_true", help="run the onboarding DAG but not the payment DAG")
    parser.add_argument(
        "--brexit-files", type=int, default=1000, help="applications of the Brexit DAG run (1000; 0 to skip it)"
    )
    parser.add_argument(
        "--skip-distributed", action="store_true", help="do not run the onboarding again on the Celery profile"
    )
    parser.add_argument("--dag-timeout", type=float, default=60.0, help="minutes to wait for each DAG run (60)")
    args = parse_args(
        parser, lambda a: a.workers >= 1 and a.brexit_files >= 0, "--workers must be >= 1 and --brexit-files >= 0"
    )
    config = {
        "workers": args.workers,
        "skip_payment": args.skip_payment,
        "brexit_files": args.brexit_files,
        "skip_distributed": args.skip_distributed,
        "batch_size": onboarding_robot()[1].batch_size,
        "seeds": SEEDS,
    }
    with BenchRun(BENCH, config, keep_temp=args.keep_temp) as run:
        say(f"Generating the department file (temporary folder {run.workdir})...")
        dag_file = generate_file(
            run.workdir / "inbox-dag" / "vacataires_82_tarn-et-garonne.csv", args.workers, SEEDS["dag"]
        )
        say("Starting the HR portal (python -m sandbox)...")
        portal = SandboxProcess("hr_portal", run.workdir / "portal")
        try:
            run.results["config"]["portal_port"] = portal.port
            pay, files, timeout = not args.skip_payment, args.brexit_files, args.dag_timeout
            dag = run.step(
                "dag", lambda: bench_dag(run.workdir / "dag", portal, dag_file, args.workers, timeout, pay, files)
            )
            run.results["portal_expected"] = (dag.get("summary") or {}).get("entered") or 0
            with contextlib.suppress(Exception):
                run.results["portal_workers"] = len(portal.export())
        finally:
            portal.stop()
        if not args.skip_distributed:
            run.step(
                "distributed", lambda: bench_distributed(run.workdir / "distributed", dag_file, args.workers, timeout)
            )
    return run.finish(report)


if __name__ == "__main__":
    sys.exit(main())
