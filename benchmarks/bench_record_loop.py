"""Benchmark: the record loop of ``election_staff_onboarding``'s robot on the HR portal, and its baselines.

Rerun with ``make bench-robot`` (or ``bin/python benchmarks/bench_record_loop.py [--workers 1400]
[--sample 200]``; ``make bench-robot ARGS="--workers 200 --sample 100"``: a few minutes). The sandbox HR
portal runs as a SEPARATE process (``python -m sandbox --only hr_portal``, scripts/harness) on a free port
with a fresh SQLite database in a temporary folder, faults off; everything started here is stopped at the
end (portal, browsers), and what is left is looked for by an environment marker and killed.

Measured, each on its own generated workers (distinct seeds, NIRs never shared between measurements, since a
NIR can be created only once per portal):

1. the robot with 1 browser (``RecordLoop`` + ``HrPortal`` + a fresh ledger on SQLite) over ``--sample`` workers:
   median seconds per worker (``Outcome.seconds``: claim + search + create; the ledger's final mark is timed
   apart) and throughput from the loop's wall time; the search and the create step are timed apart by
   wrapping the target;
2. the same with 2 browsers: two spawned processes, a browser each, half of another sample each, released
   together by a barrier: median per worker, aggregate throughput, ratio to 1 browser;
3. peak memory of each robot's process tree (Python + chromedriver + every Chromium process), sampled every
   0.2 s with psutil: PSS (shared pages divided among the processes sharing them), USS and RSS sums; the same
   samples give the CPU seconds each kind of process spent per worker, and how busy the machine was;
4. the naive robot (``benchmarks/hr_portal_baselines.py``: SeleniumLibrary style, one round trip per element)
   on ``max(30, sample / 4)`` workers, compared with our create step alone (like with like: same four page
   loads, no search, no ledger) and with our full record;
5. the HTTP floor (``post_over_http``: the browser's requests, nothing rendered) on ``--workers`` workers.

The DAGs end to end are ``benchmarks/bench_dags.py``. Prints a table, writes the figures (timings and counts
only, no personal data) to ``benchmarks/results/record_loop-<timestamp>.json`` and ``record_loop-latest.json``
and renders the README's record-loop table from it (``benchmarks/render.py``). Medians are quoted throughout;
the machine is shared, so the CPU used by other processes during each measurement is reported too.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil

from benchmarks.common import BenchRun, footer, generate_file, heading, onboarding_robot, parse_args, say, valid_rows_of
from benchmarks.measure import TreeSampler, fmt, median, quantile, ratio, rounded
from scripts.harness.app_client import ROBOT_LOGINS
from scripts.harness.sandbox_apps import SandboxProcess

BENCH = "record_loop"
USER, PASSWORD = ROBOT_LOGINS["hr_portal"]
LEDGER_PROCESS = "bench_robot"
LEDGER_SCOPE = "bench"
SEEDS = {"robot_1": 9101, "robot_2": 9102, "naive": 9103, "floor": 9104}


def row_sets(workdir: Path, sizes: Mapping[str, int]) -> dict[str, list[dict[str, str]]]:
    """One set of valid rows per measurement (no NIR in two sets)."""
    used: set[str] = set()
    sets: dict[str, list[dict[str, str]]] = {}
    for name, count in sizes.items():
        extra = max(20, count // 10)
        path = generate_file(workdir / f"rows-{name}" / "vacataires.csv", count + extra, SEEDS[name])
        rows = [row for row in valid_rows_of(path.parent) if row["nir"] not in used][:count]
        if len(rows) < count:
            raise RuntimeError(f"only {len(rows)} distinct valid workers generated for {name}, {count} wanted")
        used.update(row["nir"] for row in rows)
        sets[name] = rows
    return sets


# --------------------------------------------------------------------------- robot worker (spawned)


def robot_worker(task: dict[str, Any], barrier: Any, results: Any) -> None:
    """Run one measurement in its own process with its own browser; put its figures on ``results``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results.put(_robot_worker(task, barrier))
    except BaseException as exc:
        from include.rpa.pii import mask_text

        with contextlib.suppress(Exception):
            if barrier is not None:
                barrier.abort()
        results.put({"name": task["name"], "error": f"{type(exc).__name__}: {mask_text(str(exc))[:300]}"})
        if not isinstance(exc, Exception):
            raise


def _robot_worker(task: dict[str, Any], barrier: Any) -> dict[str, Any]:
    from include.rpa.browser import open_browser

    rows: list[dict[str, str]] = task["rows"]
    opened = time.monotonic()
    with open_browser(label=f"bench-robot-{task['name']}") as driver:
        browser_start_s = time.monotonic() - opened
        if barrier is not None:
            barrier.wait(timeout=300)
        start = time.monotonic()
        if task["mode"] == "naive":
            from benchmarks.hr_portal_baselines import naive_robot

            seconds = naive_robot(driver, task["base_url"], USER, PASSWORD, rows)
            end = time.monotonic()
            figures: dict[str, Any] = {"seconds": seconds, "results": {"entered": len(seconds)}}
        else:
            figures = _record_loop(driver, task, rows)
            end = time.monotonic()
    return {
        "name": task["name"],
        "pid": os.getpid(),
        "workers": len(rows),
        "browser_start_s": browser_start_s,
        "start": start,
        "end": end,
        "browser_closed_s": time.monotonic() - end,
        **figures,
    }


def _record_loop(driver: Any, task: dict[str, Any], rows: list[dict[str, str]]) -> dict[str, Any]:
    """The production record loop over ``rows``, its target and ledger timed step by step."""
    from include.processes.election_staff.hr_portal import HrPortal
    from include.rpa.ledger import Ledger
    from include.rpa.robot import Job, RecordLoop, RobotPolicy

    timings: dict[str, dict[str, float]] = {name: {} for name in ("claim", "find", "create", "mark")}
    logins: list[float] = []

    def timed(step: str, key: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return action()
        finally:
            timings[step][key] = timings[step].get(key, 0.0) + time.perf_counter() - started

    class TimedPortal(HrPortal):
        def log_in(self, driver: Any) -> None:
            started = time.perf_counter()
            super().log_in(driver)
            logins.append(time.perf_counter() - started)

        def find(self, driver: Any, key: str) -> str | None:
            return timed("find", key, lambda: super(TimedPortal, self).find(driver, key))

        def create(self, driver: Any, record: Mapping[str, str]) -> str:
            return timed("create", record["nir"], lambda: super(TimedPortal, self).create(driver, record))

    class TimedLedger(Ledger):
        def claim(self, process: str, scope: str, key: str, *args: Any, **kwargs: Any) -> bool:
            return timed("claim", key, lambda: super(TimedLedger, self).claim(process, scope, key, *args, **kwargs))

        def mark_entered(self, process: str, scope: str, key: str, **kwargs: Any) -> None:
            timed("mark", key, lambda: super(TimedLedger, self).mark_entered(process, scope, key, **kwargs))

    ledger = TimedLedger(task["ledger_url"])
    loop = RecordLoop(
        driver,
        TimedPortal(task["base_url"], USER, PASSWORD),
        ledger,
        process=LEDGER_PROCESS,
        scope=LEDGER_SCOPE,
        worker=task["name"],
        run_id=task["name"],
        policy=RobotPolicy(**task["policy"]),
    )
    jobs = [Job(key=row["nir"], record=row, label=f"{task['name']}-{i}") for i, row in enumerate(rows)]
    result = loop.run(jobs, progress_every=0)
    ledger.dispose()
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    keys = [job.key for job in jobs]  # the NIRs stay in this process: only timings go back
    return {
        "seconds": [outcome.seconds for outcome in result.outcomes],
        "attempts": [outcome.attempts for outcome in result.outcomes],
        "results": counts,
        "reasons": sorted({outcome.reason for outcome in result.outcomes if outcome.reason}),
        "steps": {step: [timings[step].get(key, 0.0) for key in keys] for step in timings},
        "logins_s": logins,
        "retries": result.retries,
        "aborted": result.aborted,
        "loop_s": result.seconds,
    }


# --------------------------------------------------------------------------- robot measurements


def prepare_ledger(url: str, rows: Sequence[Mapping[str, str]]) -> None:
    """Register the rows in a fresh ledger as the onboarding's plan does (claims need them pending)."""
    from include.rpa.ledger import Ledger

    content_hash = onboarding_robot()[0]
    ledger = Ledger(url)
    ledger.plan(LEDGER_PROCESS, LEDGER_SCOPE, {row["nir"]: content_hash(dict(row)) for row in rows}, "bench")
    ledger.dispose()


def run_workers(tasks: list[dict[str, Any]], portal: SandboxProcess, together: bool) -> tuple[list[dict], TreeSampler]:
    """Start one spawned process per task (released together by a barrier), sample their trees; their figures."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    barrier = ctx.Barrier(len(tasks)) if together and len(tasks) > 1 else None
    processes = [ctx.Process(target=robot_worker, args=(task, barrier, results), name=task["name"]) for task in tasks]
    for process in processes:
        process.start()
    sampler = TreeSampler([p.pid for p in processes], portal)
    sampler.start()
    figures: list[dict[str, Any]] = []
    deadline = time.monotonic() + 300 + 30 * sum(len(task["rows"]) for task in tasks)
    try:
        while len(figures) < len(tasks):
            try:
                figures.append(results.get(timeout=5))
            except Exception:  # queue.Empty: check that the workers are still there
                alive = [p for p in processes if p.is_alive()]
                if len(alive) < len(tasks) - len(figures) or time.monotonic() > deadline:
                    raise RuntimeError("a robot worker died or hung without reporting") from None
    finally:
        sampler.stop()
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()  # SIGTERM: open_browser() quits the browser first
                process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
    errors = [f"{f['name']}: {f['error']}" for f in figures if "error" in f]
    if errors:
        raise RuntimeError("; ".join(errors))
    return sorted(figures, key=lambda f: f["name"]), sampler


def policy_fields() -> dict[str, Any]:
    """The robot policy of the DAG (config/elections.toml)."""
    settings = onboarding_robot()[1]
    return {
        "max_attempts": settings.max_attempts,
        "backoff_seconds": settings.backoff_seconds,
        "max_backoff_seconds": settings.max_backoff_seconds,
        "abort_after_consecutive_failures": settings.abort_after_consecutive_failures,
        "fresh_tab_every": settings.fresh_tab_every,
    }


def bench_loop(name: str, rows: list[dict], browsers: int, portal: SandboxProcess, workdir: Path) -> dict[str, Any]:
    """Steps 1 and 2: the record loop with ``browsers`` browsers, each on its share of ``rows``."""
    url = f"sqlite:///{workdir / f'ledger-{name}.sqlite'}"
    prepare_ledger(url, rows)
    shares = [rows[i::browsers] for i in range(browsers)]
    tasks = [
        {
            "name": f"{name}-browser{i + 1}",
            "mode": "loop",
            "rows": share,
            "base_url": portal.url,
            "ledger_url": url,
            "policy": policy_fields(),
        }
        for i, share in enumerate(shares)
    ]
    portal_before = portal.cpu_seconds()
    figures, sampler = run_workers(tasks, portal, together=True)
    portal_used = portal.cpu_seconds() - portal_before
    start, end = min(f["start"] for f in figures), max(f["end"] for f in figures)
    seconds = [s for f in figures for s in f["seconds"]]
    steps = {step: [s for f in figures for s in f["steps"][step]] for step in ("claim", "find", "create", "mark")}
    other = [
        total - claim - find - create
        for total, claim, find, create in zip(seconds, steps["claim"], steps["find"], steps["create"], strict=True)
    ]
    results: dict[str, int] = {}
    for f in figures:
        for key, count in f["results"].items():
            results[key] = results.get(key, 0) + count
    workers = len(seconds)
    wall = end - start
    cpu = sampler.cpu(start, end)
    return {
        "browsers": browsers,
        "workers": workers,
        "results": results,
        "distinct_failure_reasons": len({r for f in figures for r in f["reasons"]}),  # the texts stay out
        "retries": sum(f["retries"] for f in figures),
        "aborted": [f["aborted"] for f in figures if f["aborted"]],
        "median_s_per_worker": median(seconds),
        "p10_s": quantile(seconds, 0.1),
        "p90_s": quantile(seconds, 0.9),
        "mean_s": statistics.fmean(seconds) if seconds else None,
        "wall_s": wall,
        "wall_s_per_worker": wall / workers if workers else None,
        "workers_per_min": 60 * workers / wall if wall > 0 else None,
        "per_browser": [
            {
                "workers": f["workers"],
                "median_s": median(f["seconds"]),
                "loop_s": f["end"] - f["start"],
                "workers_per_min": 60 * f["workers"] / (f["end"] - f["start"]),
                "browser_start_s": f["browser_start_s"],
                "login_s": f["logins_s"],
            }
            for f in figures
        ],
        "median_steps_s": {
            "claim (ledger)": median(steps["claim"]),
            "search (1 page)": median(steps["find"]),
            "create (4 pages)": median(steps["create"]),
            "rest (python, backoff)": median(other),
            "mark (ledger, outside Outcome.seconds)": median(steps["mark"]),
        },
        "create_s": steps["create"],
        "seconds": rounded(seconds),
        "memory": sampler.peak_mb(),
        "cpu": cpu,
        "cpu_s_per_worker": {
            "robot tree": cpu["robot_tree_s"] / workers,
            **{kind: value / workers for kind, value in cpu["by_kind_s"].items()},
            "portal": cpu["portal_s"] / workers,
        },
        "portal_cpu_s_per_worker": portal_used / workers if workers else None,
    }


def bench_naive(rows: list[dict], portal: SandboxProcess) -> dict[str, Any]:
    """Step 4: the naive SeleniumLibrary-style robot, create only, one browser."""
    task = {"name": "naive", "mode": "naive", "rows": rows, "base_url": portal.url}
    figures, sampler = run_workers([task], portal, together=False)
    f = figures[0]
    seconds = f["seconds"]
    cpu = sampler.cpu(f["start"], f["end"])
    return {
        "workers": len(seconds),
        "median_s_per_record": median(seconds),
        "p10_s": quantile(seconds, 0.1),
        "p90_s": quantile(seconds, 0.9),
        "wall_s": f["end"] - f["start"],
        "records_per_min": 60 * len(seconds) / (f["end"] - f["start"]),
        "seconds": rounded(seconds),
        "memory": sampler.peak_mb(),
        "cpu": cpu,
        "cpu_s_per_record": cpu["robot_tree_s"] / len(seconds),
        "portal_cpu_s_per_record": cpu["portal_s"] / len(seconds),
    }


def bench_floor(rows: list[dict], portal: SandboxProcess) -> dict[str, Any]:
    """Step 5: plain HTTP, the browser's requests without a browser (this process, no sampling)."""
    from benchmarks.hr_portal_baselines import post_over_http

    portal_before = portal.cpu_seconds()
    own = psutil.Process()
    client_before = sum(own.cpu_times()[:2])
    started = time.monotonic()
    seconds = post_over_http(portal.url, USER, PASSWORD, rows)
    wall = time.monotonic() - started
    return {
        "workers": len(seconds),
        "median_s_per_record": median(seconds),
        "p10_s": quantile(seconds, 0.1),
        "p90_s": quantile(seconds, 0.9),
        "wall_s": wall,
        "records_per_s": len(seconds) / wall,
        "records_per_s_from_median": 1 / median(seconds) if seconds else None,
        "portal_cpu_s_per_record": (portal.cpu_seconds() - portal_before) / len(seconds),
        "client_cpu_s_per_record": (sum(own.cpu_times()[:2]) - client_before) / len(seconds),
        "seconds": rounded(seconds, 5),
    }


# --------------------------------------------------------------------------- report


def report(results: dict[str, Any]) -> str:
    cfg = results["config"]
    lines = heading(
        results,
        "Record-loop benchmark",
        f"sandbox HR portal (own process, fresh SQLite, faults off), the onboarding's robot policy; workers: sample "
        f"{cfg['sample']} per robot measurement, naive {cfg['naive_sample']}, HTTP floor {cfg['workers']}",
    )
    add = lines.append
    one, two = results.get("robot_1"), results.get("robot_2")
    add("")
    add("1-3. Robot (RecordLoop + HrPortal + ledger): median s/worker = Outcome.seconds (claim + search + create)")
    header = (
        f"{'':<13}{'workers':>8}{'median s':>10}{'p90 s':>8}{'wall s/wkr':>12}{'workers/min':>13}"
        f"{'peak PSS':>10}{'per browser (PSS)':>20}{'peak RSS sum':>14}"
    )
    add(header)
    for label, r in (("1 browser", one), ("2 browsers", two)):
        if not r or "error" in r:
            add(f"{label:<13}  error: {r.get('error') if r else 'not run'}")
            continue
        mem = r["memory"]
        per = " + ".join(f"{v:.0f}" for v in mem["pss_per_browser_mb"])
        add(
            f"{label:<13}{r['workers']:>8}{fmt(r['median_s_per_worker'], '.3f'):>10}{fmt(r['p90_s'], '.3f'):>8}"
            f"{fmt(r['wall_s_per_worker'], '.3f'):>12}{fmt(r['workers_per_min'], '.1f'):>13}"
            f"{mem['pss_mb']:>7.0f} MB{per + ' MB':>20}{mem['rss_sum_mb']:>11.0f} MB"
        )
    if one and two and "error" not in one and "error" not in two:
        add(
            f"Throughput 2 browsers / 1 browser: {fmt(ratio(two['workers_per_min'], one['workers_per_min']), '.2f')}x"
            f"  (per-worker median {fmt(ratio(two['median_s_per_worker'], one['median_s_per_worker']), '.2f')}x "
            "slower with 2)"
        )
    for label, r in (("1 browser", one), ("2 browsers", two)):
        if not r or "error" in r:
            continue
        steps = ", ".join(f"{k} {fmt(v, '.3f')}" for k, v in r["median_steps_s"].items())
        add(f"  {label}, median per step (s): {steps}")
        cpu = r["cpu"]
        kinds = r["cpu_s_per_worker"]
        add(
            f"  {label}, CPU s per worker: robot tree {kinds['robot tree']:.2f} ("
            + ", ".join(f"{k} {v:.2f}" for k, v in kinds.items() if k not in ("robot tree", "portal"))
            + f"), portal {kinds['portal']:.3f}"
        )
        add(
            f"  {label}, machine: {fmt(cpu['machine_busy_cores'], '.2f')} of {cpu['cores']} cores busy "
            f"(robot {cpu['robot_tree_cores']:.2f}, portal {cpu['portal_cores']:.2f}, "
            f"sampler {cpu['sampler_s'] / cpu['window_s']:.2f}, other processes {cpu['other_processes_cores']:.2f}); "
            f"results {r['results']}, retries {r['retries']}"
        )
        add(
            f"  {label}, CPU outside the robot during the step (s): {cpu['top_other_processes_s (whole step)']}, "
            f"kernel {cpu['irq_softirq_steal_s (whole step)']}"
        )
    naive, floor = results.get("naive"), results.get("floor")
    add("")
    add("4-5. Baselines (same portal, same run; per record, login excluded)")
    add(f"{'':<58}{'records':>8}{'median s':>10}{'p90 s':>8}{'records/s':>11}")

    def row(label: str, workers: Any, med: float | None, p90: float | None, per_s: float | None) -> None:
        add(f"{label:<58}{workers:>8}{fmt(med, '.4f'):>10}{fmt(p90, '.4f'):>8}{fmt(per_s, '.2f'):>11}")

    ours_full = one["median_s_per_worker"] if one and "error" not in one else None
    ours_create = median(one["create_s"]) if one and "error" not in one else None
    if naive and "error" not in naive:
        row(
            "naive robot (SeleniumLibrary style; create only)",
            naive["workers"],
            naive["median_s_per_record"],
            naive["p90_s"],
            naive["records_per_min"] / 60,
        )
    else:
        add(f"naive robot: error: {naive.get('error') if naive else 'not run'}")
    if ours_full is not None:
        row(
            "ours, create only (HrPortal.create timed inside step 1)",
            one["workers"],
            ours_create,
            quantile(one["create_s"], 0.9),
            None,
        )
        row(
            "ours, full record (claim + search + create, step 1)",
            one["workers"],
            ours_full,
            one["p90_s"],
            one["workers_per_min"] / 60,
        )
    if floor and "error" not in floor:
        row(
            "HTTP floor (httpx, the browser's requests; create only)",
            floor["workers"],
            floor["median_s_per_record"],
            floor["p90_s"],
            floor["records_per_s"],
        )
    else:
        add(f"HTTP floor: error: {floor.get('error') if floor else 'not run'}")
    if naive and "error" not in naive:
        cpu = naive["cpu"]
        add(
            f"  naive robot, machine: {fmt(cpu['machine_busy_cores'], '.2f')} of {cpu['cores']} cores busy "
            f"(robot {cpu['robot_tree_cores']:.2f}, portal {cpu['portal_cores']:.2f}, sampler "
            f"{cpu['sampler_s'] / cpu['window_s']:.2f}, other processes {cpu['other_processes_cores']:.2f}: "
            f"{cpu['top_other_processes_s (whole step)']})"
        )
    add("Ratios:")
    naive_med = naive.get("median_s_per_record") if naive else None
    floor_med = floor.get("median_s_per_record") if floor else None
    add(
        f"  naive / ours create only   {fmt(ratio(naive_med, ours_create), '.2f')}x   HEADLINE, like with like "
        "(both: 4 page loads, 3 forms, the matricule; no search, no ledger)"
    )
    add(
        f"  naive / ours full record   {fmt(ratio(naive_med, ours_full), '.2f')}x   conservative "
        "(ours also claims in the ledger and searches the NIR: one page load more)"
    )
    add(f"  ours create only / floor   {fmt(ratio(ours_create, floor_med), '.1f')}x   like with like (no search)")
    add(f"  ours full record / floor   {fmt(ratio(ours_full, floor_med), '.1f')}x   (the floor does not search)")
    if naive and "error" not in naive:
        add(
            f"  CPU s per record: naive {naive['cpu_s_per_record']:.2f} (portal {naive['portal_cpu_s_per_record']:.3f})"
            + (f", ours full {one['cpu_s_per_worker']['robot tree']:.2f}" if ours_full is not None else "")
            + (
                f", floor client {floor['client_cpu_s_per_record']:.4f} + portal {floor['portal_cpu_s_per_record']:.4f}"
                if floor and "error" not in floor
                else ""
            )
        )
    lines.extend(footer(results, "portal stopped"))
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1400, help="workers of the HTTP floor (1400)")
    parser.add_argument("--sample", type=int, default=200, help="workers per robot measurement (200)")
    args = parse_args(parser, lambda a: a.sample >= 2 and a.workers >= 1, "--sample must be >= 2 and --workers >= 1")
    naive_sample = max(30, args.sample // 4)
    config = {
        "workers": args.workers,
        "sample": args.sample,
        "naive_sample": naive_sample,
        "policy": policy_fields(),
        "seeds": SEEDS,
    }
    with BenchRun(BENCH, config, keep_temp=args.keep_temp) as run:
        say(f"Generating workers (temporary folder {run.workdir})...")
        sizes = {"robot_1": args.sample, "robot_2": args.sample, "naive": naive_sample, "floor": args.workers}
        rows = row_sets(run.workdir, sizes)
        say("Starting the HR portal (python -m sandbox)...")
        portal = SandboxProcess("hr_portal", run.workdir / "portal")
        try:
            run.results["config"]["portal_port"] = portal.port
            run.step("robot_1", lambda: bench_loop("robot_1", rows["robot_1"], 1, portal, run.workdir))
            run.step("robot_2", lambda: bench_loop("robot_2", rows["robot_2"], 2, portal, run.workdir))
            run.step("naive", lambda: bench_naive(rows["naive"], portal))
            run.step("floor", lambda: bench_floor(rows["floor"], portal))
            run.results["portal_expected"] = sum(sizes.values())
            with contextlib.suppress(Exception):
                run.results["portal_workers"] = len(portal.export())
        finally:
            portal.stop()
    return run.finish(report)


if __name__ == "__main__":
    sys.exit(main())
