"""Benchmark: the HR-portal robot of ``election_staff_onboarding``, its baselines, and the DAG end to end.

Rerun with ``make bench-robot`` (or ``bin/python benchmarks/bench_robot.py [--workers 1400] [--sample 200]
[--skip-dag]``). The sandbox HR portal runs as a SEPARATE process (``bin/python -m sandbox``) on a free port
with a fresh SQLite database in a temporary folder, faults off; everything started here is stopped at the end
(portal, browsers, Airflow), and what is left is looked for by an environment marker and killed.

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
5. the HTTP floor (``post_over_http``: the browser's requests, nothing rendered) on ``--workers`` workers;
6. unless ``--skip-dag``: the DAG end to end under the real scheduler with the project's default settings
   (``airflow standalone``, LocalExecutor, parallelism 4, pool ``hr_portal`` of 2 slots, ``batch_size`` of
   ``config/elections.toml``) in an isolated ``AIRFLOW_HOME`` and ``RPA_DATA_DIR``, on a generated department
   file of ``--workers`` workers (no defects): wall time from trigger to the run's end against the
   15-minute target, and the run's ``summary.json`` counts;
7. unless ``--skip-payment``: in the same Airflow, the payment DAG for those workers on generated service
   records (a payroll portal in its own process), approved through the REST API as soon as asked: wall time,
   seconds per worker, the three totals;
8. unless ``--brexit-files 0``: the Brexit DAG on a generated export of 1,000 applications (every kind of
   case; a foreigners' office in its own process), every file put to an agent answered "enter" at once:
   wall time, seconds per file, the counts and the time saved.

Prints a table and writes the figures (timings and counts only, no personal data) as JSON to
``benchmarks/results/bench_robot-<timestamp>.json``. Medians are quoted throughout; the machine is shared,
so the CPU used by other processes during each measurement is reported too.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.distributed_stack import DistributedStack, free_port, restore_default_sigint  # noqa: E402

USER, PASSWORD = "robot.rh", "demo-rh-2027"
PAYROLL_USER, PAYROLL_PASSWORD = "robot.paie", "demo-paie-2027"
DAG_ID = "election_staff_onboarding"
PAYMENT_DAG_ID = "election_staff_payment"
BREXIT_DAG_ID = "brexit_residence_permits"
FOREIGNERS_USER, FOREIGNERS_PASSWORD = "robot.etrangers", "demo-etrangers-2027"
LEDGER_PROCESS = "bench_robot"
LEDGER_SCOPE = "bench"
MARKER_ENV = "RPA_BENCH_ROBOT_RUN"  # every process started here inherits it: how leftovers are found
SAMPLE_SECONDS = 0.2
DAG_SAMPLE_SECONDS = 1.0
TARGET_MINUTES = 15.0
STOP_GRACE_SECONDS = 30
SEEDS = {"robot_1": 9101, "robot_2": 9102, "naive": 9103, "floor": 9104, "dag": 9105, "payment": 9106, "brexit": 9107}
FAULTS = ("FAIL_RATE", "LATENCY_MS", "SESSION_TTL", "SESSION_MAX_REQUESTS", "LOST_CONFIRMATION_RATE")
MB = 1024 * 1024

log = logging.getLogger("bench_robot")


def say(message: str) -> None:
    """Progress on stderr (the results go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def rounded(values: Sequence[float], digits: int = 4) -> list[float]:
    return [round(v, digits) for v in values]


# --------------------------------------------------------------------------- workers to type


def generate_file(path: Path, count: int, seed: int) -> Path:
    """A generated department file of ``count`` workers without defects (French Excel CSV); its path."""
    from include.processes.election_staff.demo import generate, write

    path.parent.mkdir(parents=True, exist_ok=True)
    demo = generate(count, department="82", defect_share=0.0, seed=seed)
    write(demo, path, "excel-csv", manifest_path=path.parent.parent / f"{path.stem}.manifest.json")
    return path


def valid_rows_of(folder: Path) -> list[dict[str, str]]:
    from include.processes.election_staff.demo import valid_rows_of as rows_of

    return rows_of(folder)


def row_sets(workdir: Path, sizes: Mapping[str, int], dag_workers: int | None) -> tuple[dict[str, list], Path | None]:
    """One set of valid rows per measurement (no NIR in two sets), and the DAG's department file."""
    used: set[str] = set()
    dag_file = None
    if dag_workers:
        dag_file = generate_file(workdir / "inbox-dag" / "vacataires_82_tarn-et-garonne.csv", dag_workers, SEEDS["dag"])
        used.update(row["nir"] for row in valid_rows_of(dag_file.parent))
    sets: dict[str, list[dict[str, str]]] = {}
    for name, count in sizes.items():
        extra = max(20, count // 10)
        path = generate_file(workdir / f"rows-{name}" / "vacataires.csv", count + extra, SEEDS[name])
        rows = [row for row in valid_rows_of(path.parent) if row["nir"] not in used][:count]
        if len(rows) < count:
            raise RuntimeError(f"only {len(rows)} distinct valid workers generated for {name}, {count} wanted")
        used.update(row["nir"] for row in rows)
        sets[name] = rows
    return sets, dag_file


# --------------------------------------------------------------------------- processes


def stop_group(process: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGINT to the process group, then SIGKILL to the group and to every descendant collected before.

    Airflow's task processes start sessions of their own, so the tree is collected first.
    """

    def tree() -> list[psutil.Process]:
        try:
            return psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            return []

    processes = tree()
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    processes += tree()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(processes, timeout=10)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def leftovers(marker: str) -> list[psutil.Process]:
    """Live processes (not this one nor its parents) whose environment carries this run's marker."""
    protected = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid in protected:
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if proc.environ().get(MARKER_ENV) != marker or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.ppid() == os.getpid() and "multiprocessing.resource_tracker" in " ".join(proc.cmdline()):
                continue  # multiprocessing's own helper: it ends with this process
            found.append(proc)
    return found


def sweep(marker: str) -> dict[str, Any]:
    """Kill what this run started and left running; what was found (names and count)."""
    found = leftovers(marker)
    names: dict[str, int] = {}
    for proc in found:
        with contextlib.suppress(psutil.Error):
            names[proc.name()] = names.get(proc.name(), 0) + 1
            proc.kill()
    psutil.wait_procs(found, timeout=10)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    browsers = [p for p in leftovers(marker) if p.name().startswith("chrom")]
    return {"killed": len(found), "killed_by_name": names, "browser_processes_left": len(browsers)}


class Portal:
    """A sandbox portal as a separate process: its own port, a fresh SQLite database, faults off.

    ``app``: ``hr_portal`` (default) or ``payroll_portal``, which reads its workers from ``hr_db``.
    """

    def __init__(self, folder: Path, app: str = "hr_portal", hr_db: Path | None = None) -> None:
        self.app = app
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = folder / f"{app}.sqlite"
        prefix = f"RPA_{app.upper()}"
        env = dict(os.environ)
        env.update(
            {
                "RPA_SANDBOX_HOST": "127.0.0.1",
                f"{prefix}_PORT": str(self.port),
                f"{prefix}_DB_URL": f"sqlite:///{self.db}",
                **{f"{prefix}_{name}": "0" for name in FAULTS},
            }
        )
        if hr_db is not None:
            env["RPA_HR_PORTAL_DB_URL"] = f"sqlite:///{hr_db}"
        self.log_path = folder / f"{app}.log"
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [str(REPO / "bin" / "python"), "-m", "sandbox", "--only", app, "--no-access-log"],
                env=env,
                cwd=REPO,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=restore_default_sigint,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the portal exited (code {self.process.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the portal did not answer within 60 s; see {self.log_path}")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        """CPU seconds the portal's server process has used so far."""
        try:
            times = psutil.Process(self.process.pid).cpu_times()
            return times.user + times.system
        except psutil.Error:
            return 0.0

    def worker_count(self) -> int:
        """How many workers the portal holds (lines of its export: no value is read)."""
        from include.rpa.targets import WebApp, fetch_after_login

        text = fetch_after_login(WebApp("bench", self.url, USER, PASSWORD), "/export.csv")
        return max(0, len([line for line in text.splitlines() if line.strip()]) - 1)

    def stop(self) -> None:
        stop_group(self.process, grace=15)


# --------------------------------------------------------------------------- sampling


def _category(proc: psutil.Process, root: int) -> str:
    if proc.pid == root:
        return "python"
    name = proc.name()
    if name == "exe":  # Chromium starts its children through /proc/self/exe: named "exe" until they rename
        with contextlib.suppress(psutil.Error, OSError):
            name = os.path.basename(proc.exe())
    if name.startswith("chromedriver"):
        return "chromedriver"
    if name.startswith("chrome_crashpad"):
        return "chromium crashpad"
    if name.startswith("airflow"):
        return " ".join(name.split()[:2])  # "airflow worker -- <id>" -> "airflow worker"
    if not name.startswith("chrom"):
        return f"other ({name})"
    kinds = [arg.removeprefix("--type=") for arg in proc.cmdline() if arg.startswith("--type=")]
    if not kinds:
        return "chromium browser"
    return "chromium " + kinds[0].removesuffix("-process")


def machine_processes() -> dict[tuple[int, float], tuple[str, float]]:
    """(pid, start time) -> (name, CPU seconds so far) of every process of the machine."""
    found = {}
    for proc in psutil.process_iter(["name", "cpu_times", "create_time"]):
        info = proc.info
        if info.get("cpu_times") is not None and info.get("create_time") is not None:
            found[(proc.pid, info["create_time"])] = (
                info["name"] or "?",
                info["cpu_times"].user + info["cpu_times"].system,
            )
    return found


class TreeSampler(threading.Thread):
    """Every ``interval`` s: memory (PSS, USS, RSS) and CPU time of each process under ``roots``.

    Also the portal's CPU time, this process's own (the sampler's cost) and the machine's busy time, so
    that :meth:`cpu` can say where the CPU went over any time window.
    """

    def __init__(self, roots: Sequence[int], portal: Portal | None, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True, name="tree-sampler")
        self.roots = list(roots)
        self.portal = portal
        self.interval = interval
        self._halt = threading.Event()
        self.memory: list[dict[str, Any]] = []  # t, per-root and total pss/uss/rss, processes
        self.history: dict[tuple[int, float], list[tuple[float, float]]] = {}  # process -> [(t, cpu s)]
        self.kind: dict[tuple[int, float], tuple[int, str]] = {}  # process -> (root, category)
        self.machine: list[tuple[float, float, float, float, float]] = []  # t, busy, total, portal, self
        self.sample_seconds: list[float] = []
        self.pss_available = True
        self.before: dict[tuple[int, float], tuple[str, float]] = {}
        self.after: dict[tuple[int, float], tuple[str, float]] = {}
        self.system_first: Any = None
        self.system_last: Any = None

    def run(self) -> None:
        self.before = machine_processes()
        self.sample()
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)
        self.sample()
        self.after = machine_processes()

    def others(self, top: int = 5) -> dict[str, float]:
        """CPU seconds of the busiest processes outside the sampled trees over the sampler's life (names only).

        A process born and gone between the two snapshots is missed.
        """
        excluded = {os.getpid(), self.portal.process.pid if self.portal else -1}
        used: dict[str, float] = {}
        for key, (name, cpu) in self.after.items():
            if key in self.kind or key[0] in excluded:
                continue
            spent = cpu - self.before.get(key, (name, 0.0))[1]
            if spent > 0:
                used[name] = used.get(name, 0.0) + spent
        return {name: round(spent, 2) for name, spent in sorted(used.items(), key=lambda x: -x[1])[:top]}

    def sample(self) -> None:
        started = time.perf_counter()
        now = time.monotonic()
        totals: dict[str, Any] = {"t": now, "pss": 0, "uss": 0, "rss": 0, "processes": 0, "roots": {}}
        for root in self.roots:
            try:
                top = psutil.Process(root)
                tree = [top, *top.children(recursive=True)]
            except psutil.Error:
                continue
            mine = {"pss": 0, "uss": 0, "rss": 0, "processes": 0}
            for proc in tree:
                try:
                    with proc.oneshot():
                        key = (proc.pid, proc.create_time())
                        if key not in self.kind:
                            self.kind[key] = (root, _category(proc, root))
                        cpu = proc.cpu_times()
                        try:
                            memory = proc.memory_full_info()
                            pss, uss, rss = getattr(memory, "pss", 0), memory.uss, memory.rss
                        except psutil.AccessDenied:
                            self.pss_available = False
                            memory = proc.memory_info()
                            pss, uss, rss = 0, 0, memory.rss
                except psutil.Error:
                    continue
                self.history.setdefault(key, []).append((now, cpu.user + cpu.system))
                mine["pss"] += pss
                mine["uss"] += uss
                mine["rss"] += rss
                mine["processes"] += 1
            totals["roots"][root] = mine
            for name in ("pss", "uss", "rss", "processes"):
                totals[name] += mine[name]
        self.memory.append(totals)
        system = psutil.cpu_times()
        self.system_first = self.system_first or system
        self.system_last = system
        idle = system.idle + getattr(system, "iowait", 0.0)
        total = sum(system)
        own = psutil.Process().cpu_times()
        portal = self.portal.cpu_seconds() if self.portal else 0.0
        self.machine.append((now, total - idle, total, portal, own.user + own.system))
        self.sample_seconds.append(time.perf_counter() - started)

    # ----------------------------------------------------------------------- results

    def peak_mb(self) -> dict[str, Any]:
        """Peak sums over the whole tree and per root (MB)."""
        if not self.memory:
            return {}
        per_root = {
            root: max((m["roots"].get(root, {}).get("pss", 0) for m in self.memory), default=0) / MB
            for root in self.roots
        }
        per_root_rss = {
            root: max((m["roots"].get(root, {}).get("rss", 0) for m in self.memory), default=0) / MB
            for root in self.roots
        }
        return {
            "pss_mb": max(m["pss"] for m in self.memory) / MB,
            "uss_mb": max(m["uss"] for m in self.memory) / MB,
            "rss_sum_mb": max(m["rss"] for m in self.memory) / MB,
            "pss_per_browser_mb": [round(v, 1) for v in per_root.values()],
            "rss_sum_per_browser_mb": [round(v, 1) for v in per_root_rss.values()],
            "max_processes": max(m["processes"] for m in self.memory),
            "samples": len(self.memory),
            "pss_available": self.pss_available,
            "median_sample_ms": 1000 * (median(self.sample_seconds) or 0.0),
        }

    def cpu(self, start: float, end: float) -> dict[str, Any]:
        """CPU seconds over [start, end] by kind of process, the portal's, the sampler's and the machine's."""

        def at(series: list[tuple[float, float]], when: float) -> float:
            value = 0.0
            for t, cpu in series:
                if t > when:
                    break
                value = cpu
            return value

        by_kind: dict[str, float] = {}
        for key, series in self.history.items():
            used = at(series, end) - at(series, start)
            if used > 0:
                kind = self.kind[key][1]
                by_kind[kind] = by_kind.get(kind, 0.0) + used
        inside = [m for m in self.machine if start <= m[0] <= end] or self.machine[-1:]
        before = [m for m in self.machine if m[0] <= start] or self.machine[:1]
        first, last = before[-1], inside[-1]
        seconds = max(last[0] - first[0], 1e-9)
        machine_busy = last[1] - first[1]
        cores = psutil.cpu_count() or 1
        # /proc/stat's jiffies over all cores: busy / (total / cores) is in core-seconds per second.
        wall_from_stat = (last[2] - first[2]) / cores
        busy_cores = machine_busy / wall_from_stat if wall_from_stat > 0 else None
        ours = sum(by_kind.values())
        portal = last[3] - first[3]
        sampler = last[4] - first[4]
        others = machine_busy - ours - portal - sampler
        kernel = {}
        if self.system_first is not None and self.system_last is not None:
            for name in ("irq", "softirq", "steal"):
                kernel[name] = round(getattr(self.system_last, name, 0.0) - getattr(self.system_first, name, 0.0), 2)
        return {
            "window_s": seconds,
            "by_kind_s": {k: round(v, 3) for k, v in sorted(by_kind.items())},
            "top_other_processes_s (whole step)": self.others(),
            "irq_softirq_steal_s (whole step)": kernel,
            "robot_tree_s": ours,
            "portal_s": portal,
            "sampler_s": sampler,
            "machine_busy_s": machine_busy,
            "other_processes_s": others,
            "machine_busy_cores": busy_cores,
            "robot_tree_cores": ours / seconds,
            "portal_cores": portal / seconds,
            "other_processes_cores": others / seconds,
            "cores": cores,
        }


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
    from include.processes.election_staff.entry import content_hash
    from include.rpa.ledger import Ledger

    ledger = Ledger(url)
    ledger.plan(LEDGER_PROCESS, LEDGER_SCOPE, {row["nir"]: content_hash(dict(row)) for row in rows}, "bench")
    ledger.dispose()


def run_workers(tasks: list[dict[str, Any]], portal: Portal, together: bool) -> tuple[list[dict], TreeSampler]:
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
    from include.processes.election_staff.config import onboarding_settings

    settings = onboarding_settings()
    return {
        "max_attempts": settings.max_attempts,
        "backoff_seconds": settings.backoff_seconds,
        "max_backoff_seconds": settings.max_backoff_seconds,
        "abort_after_consecutive_failures": settings.abort_after_consecutive_failures,
        "fresh_tab_every": settings.fresh_tab_every,
    }


def bench_loop(name: str, rows: list[dict], browsers: int, portal: Portal, workdir: Path) -> dict[str, Any]:
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
        "reasons": sorted({r for f in figures for r in f["reasons"]}),
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


def bench_naive(rows: list[dict], portal: Portal) -> dict[str, Any]:
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


def bench_floor(rows: list[dict], portal: Portal) -> dict[str, Any]:
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


# --------------------------------------------------------------------------- the DAG end to end


class Airflow:
    """``airflow standalone`` in an isolated AIRFLOW_HOME and RPA_DATA_DIR, with the project's defaults."""

    def __init__(
        self, folder: Path, portal: Portal, payroll: Portal | None = None, foreigners: Portal | None = None
    ) -> None:
        self.folder = folder
        self.home = folder / "airflow"
        self.data = folder / "data"
        self.home.mkdir(parents=True)
        self.data.mkdir(parents=True)
        self.ledger_path = folder / "ledger.sqlite"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # The caller's environment minus the embedded stack's Airflow settings (bin/python exported them):
        # bin/env.sh recomputes them from RPA_AIRFLOW_HOME and the port, with the project's defaults.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")) and k != "AIRFLOW_HOME"
        }
        env.update(
            {
                "RPA_AIRFLOW_HOME": str(self.home),
                "RPA_DATA_DIR": str(self.data),
                "AIRFLOW__API__PORT": str(self.port),
                # The embedded stack may be running: its log servers hold 8793 and 8794.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW_CONN_HR_PORTAL": json.dumps(
                    {
                        "conn_type": "http",
                        "host": "127.0.0.1",
                        "port": portal.port,
                        "schema": "http",
                        "login": USER,
                        "password": PASSWORD,
                    }
                ),
                "AIRFLOW_CONN_RPA_LEDGER": json.dumps({"conn_type": "sqlite", "host": str(self.ledger_path)}),
            }
        )
        if foreigners is not None:
            env["AIRFLOW_CONN_FOREIGNERS_PORTAL"] = json.dumps(
                {
                    "conn_type": "http",
                    "host": "127.0.0.1",
                    "port": foreigners.port,
                    "schema": "http",
                    "login": FOREIGNERS_USER,
                    "password": FOREIGNERS_PASSWORD,
                }
            )
        if payroll is not None:
            env["AIRFLOW_CONN_PAYROLL_PORTAL"] = json.dumps(
                {
                    "conn_type": "http",
                    "host": "127.0.0.1",
                    "port": payroll.port,
                    "schema": "http",
                    "login": PAYROLL_USER,
                    "password": PAYROLL_PASSWORD,
                }
            )
        self.env = env
        self.log_path = folder / "standalone.log"
        self.process: subprocess.Popen | None = None
        self.token: str | None = None

    def setup(self) -> float:
        """``airflow db migrate`` and the project's Connections and Pools; seconds taken."""
        started = time.monotonic()
        for command in (
            [str(REPO / "bin" / "airflow"), "db", "migrate"],
            [str(REPO / "bin" / "python"), str(REPO / "scripts" / "load_settings.py")],
        ):
            with (self.folder / "setup.log").open("ab") as log_file:
                subprocess.run(command, env=self.env, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT, check=True)
        return time.monotonic() - started

    def start(self) -> float:
        """Start ``airflow standalone`` in a process group of its own; seconds until the API answers."""
        started = time.monotonic()
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [str(REPO / "bin" / "airflow"), "standalone"],
                env=self.env,
                cwd=REPO,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=restore_default_sigint,
            )
        self.wait_until(lambda: self.request("GET", "/api/v2/monitor/health"), 300, "the API server")
        password = self.wait_until(self.admin_password, 120, "the admin password file")
        self.token = self.request("POST", "/auth/token", body={"username": "admin", "password": password})[
            "access_token"
        ]
        return time.monotonic() - started

    def admin_password(self) -> str | None:
        generated = self.home / "simple_auth_manager_passwords.json.generated"
        return json.loads(generated.read_text()).get("admin") if generated.exists() else None

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else {}

    def wait_until(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"airflow standalone exited ({self.process.returncode}) waiting for {what}")
            try:
                result = check()
                if result:
                    return result
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, KeyError, ValueError):
                pass
            time.sleep(1)
        raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}; see {self.log_path}")

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
    portal: Portal,
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
    payroll = Portal(folder.parent / "payroll", app="payroll_portal", hr_db=portal.db) if payment else None
    foreigners = Portal(folder.parent / "foreigners", app="foreigners_portal") if brexit_files else None
    airflow = Airflow(folder, portal, payroll, foreigners)
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
            airflow.wait_until(lambda d=dag_id: airflow.request("GET", f"/api/v2/dags/{d}"), 300, f"DAG {dag_id}")
            airflow.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
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
    portal = Portal(folder / "portal")
    connection = {"conn_type": "http", "host": "127.0.0.1", "port": portal.port, "schema": "http"}
    stack = DistributedStack(
        folder / "stack",
        workers=2,
        connections={"AIRFLOW_CONN_HR_PORTAL": json.dumps({**connection, "login": USER, "password": PASSWORD})},
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
        stack.wait_until(lambda: stack.request("GET", f"/api/v2/dags/{DAG_ID}"), 300, f"DAG {DAG_ID}")
        stack.request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        out.update(run_dag(stack, portal, DAG_ID, input_file, timeout_min))
        summary = out.pop("summary_json")
        out["summary"] = {k: summary.get(k) for k in ("received", "entered", "verified", "failed", "statut")}
        batches = stack.task_workers(DAG_ID, out["run_id"], "enter")
        out["batches_per_worker"] = {
            f"worker-{n}": sum(1 for w in batches.values() if w == name)
            for n, name in enumerate(stack.worker_names(), start=1)
        }
        out["portal_workers"] = portal.worker_count()
    finally:
        say("  stopping the Celery profile...")
        out["killed_at_stop"] = stack.stop()
        stack.drop()
        portal.stop()
    return out


def run_dag(
    airflow: Airflow | DistributedStack,
    portal: Portal,
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
        run = airflow.request(
            "POST",
            f"/api/v2/dags/{dag_id}/dagRuns",
            {"logical_date": None, "conf": {"input_path": str(input_file), "dry_run": False}},
        )
        run_id = run["dag_run_id"]
        out["run_id"] = run_id
        say(f"  triggered {dag_id} {run_id}; polling...")
        path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
        deadline = triggered + 60 * timeout_min
        state, last_said = None, 0.0
        while time.monotonic() < deadline:
            with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
                run = airflow.request("GET", path)
                state = run.get("state")
            if state in ("success", "failed"):
                break
            if answer is not None:
                now_answered = answer_requests(airflow, dag_id, run_id, answer)
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


def answer_requests(
    airflow: Airflow | DistributedStack,
    dag_id: str,
    run_id: str,
    answer: dict[str, Any] | Callable[[dict], dict[str, Any]],
) -> int:
    """Give ``answer`` (or ``answer(request)``) to the run's pending human-in-the-loop requests;
    how many were answered."""
    answered = 0
    with contextlib.suppress(urllib.error.URLError, OSError, ValueError, KeyError):
        query = urllib.parse.urlencode({"dag_id": dag_id, "response_received": "false", "limit": 100})
        pending = airflow.request("GET", f"/api/v2/dags/~/dagRuns/~/hitlDetails?{query}")
        for detail in pending.get("hitl_details", []):
            ti = detail["task_instance"]
            if ti["dag_run_id"] != run_id:
                continue
            run = urllib.parse.quote(run_id, safe="")
            airflow.request(
                "PATCH",
                f"/api/v2/dags/{dag_id}/dagRuns/{run}/taskInstances/{ti['task_id']}/{ti.get('map_index', -1)}"
                "/hitlDetails",
                answer(detail) if callable(answer) else answer,
            )
            answered += 1
    return answered


def bench_brexit(airflow: Airflow, foreigners: Portal, folder: Path, files: int, timeout_min: float) -> dict[str, Any]:
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


def bench_payment(airflow: Airflow, payroll: Portal, department_file: Path, timeout_min: float) -> dict[str, Any]:
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
    for key in ("transfer_total", "capped", "below_smic", "transfer_file"):
        if key in summary:
            out["summary"][key] = summary[key]
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


def task_figures(airflow: Airflow | DistributedStack, run_path: str) -> dict[str, Any]:
    """Durations of the run's tasks from the REST API (mapped ``enter`` tasks summarised)."""
    try:
        listed = airflow.request("GET", f"{run_path}/taskInstances?limit=200")["task_instances"]
    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
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


def report(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    cfg = results["config"]
    add("")
    add(f"HR-portal robot benchmark — {results['started_at']}, {cfg['cores']} cores, sandbox portal (own process,")
    add(f"fresh SQLite, faults off) on port {cfg.get('portal_port')}; robot policy of config/elections.toml")
    add(
        f"Workers: sample {cfg['sample']} per robot measurement, naive {cfg['naive_sample']}, "
        f"HTTP floor {cfg['workers']}, DAG {'skipped' if cfg['skip_dag'] else cfg['workers']}; "
        f"load average at start {cfg['loadavg_start']}"
    )
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
    dag = results.get("dag")
    add("")
    if cfg["skip_dag"]:
        add("6. DAG end to end: skipped (--skip-dag)")
    elif not dag or "state" not in dag:
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
        tasks = dag.get("tasks", {})
        parts = []
        for name in ("intake", "validate", "plan", "reconcile", "report"):
            if name in tasks:
                parts.append(f"{name} {fmt(tasks[name]['duration_s'], '.0f')} s")
        if "enter" in tasks:
            e = tasks["enter"]
            parts.append(
                f"enter {e['batches']} batches (median {fmt(e['median_duration_s'], '.0f')} s each, "
                f"span {fmt(e['span_s'], '.0f')} s, max try {e['max_try']})"
            )
        add("  tasks: " + ", ".join(parts))
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
    add("")
    cleanup = results.get("cleanup", {})
    add(
        f"Portal holds {results.get('portal_workers', '?')} workers (expected {results.get('portal_expected', '?')}). "
        f"Clean-up: portal and Airflow stopped; leftover processes killed: {cleanup.get('killed', '?')} "
        f"{cleanup.get('killed_by_name') or ''}; browser processes left: {cleanup.get('browser_processes_left', '?')}"
    )
    for error in results.get("errors", []):
        add(f"ERROR {error}")
    return "\n".join(lines)


def add_distributed(
    add: Callable[[str], None], run: dict[str, Any] | None, embedded: dict[str, Any] | None, cfg: Mapping[str, Any]
) -> None:
    add("")
    if cfg["skip_dag"] or cfg.get("skip_distributed"):
        add("9. Onboarding on the Celery profile: skipped")
        return
    if not run or "state" not in run:
        add(f"9. Onboarding on the Celery profile: error: {run.get('error') if run else 'not run'}")
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
    add("")
    if cfg.get("skip_payment"):
        add("7. Payment DAG: skipped (--skip-payment)")
        return
    if not pay or "state" not in pay:
        add(f"7. Payment DAG: {pay.get('error') if pay else 'not run (the onboarding run did not succeed)'}")
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
    tasks = pay.get("tasks", {})
    parts = [
        f"{name} {fmt(tasks[name]['duration_s'], '.0f')} s"
        for name in ("intake", "validate", "compute", "plan", "transfer", "reconcile", "report")
        if name in tasks
    ]
    if "enter" in tasks:
        e = tasks["enter"]
        parts.append(f"enter {e['batches']} batches (span {fmt(e['span_s'], '.0f')} s, max try {e['max_try']})")
    add("  tasks: " + ", ".join(parts))
    if pay.get("error"):
        add(f"  error: {pay['error']}")


def add_brexit(add: Callable[[str], None], run: dict[str, Any] | None, cfg: Mapping[str, Any]) -> None:
    add("")
    if not cfg.get("brexit_files"):
        add("8. Brexit DAG: skipped (--brexit-files 0)")
        return
    if not run or "state" not in run:
        add(f"8. Brexit DAG: {run.get('error') if run else 'not run'}")
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
    tasks = run.get("tasks", {})
    parts = [
        f"{name} {fmt(tasks[name]['duration_s'], '.0f')} s"
        for name in ("intake", "validate", "plan", "plan_decided", "reconcile", "report")
        if name in tasks
    ]
    if "enter" in tasks:
        e = tasks["enter"]
        parts.append(f"enter {e['batches']} batches (span {fmt(e['span_s'], '.0f')} s, max try {e['max_try']})")
    add("  tasks: " + ", ".join(parts))
    if run.get("error"):
        add(f"  error: {run['error']}")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1400, help="workers of the HTTP floor and the DAG (1400)")
    parser.add_argument("--sample", type=int, default=200, help="workers per robot measurement (200)")
    parser.add_argument("--skip-dag", action="store_true", help="do not run the DAGs end to end")
    parser.add_argument("--skip-payment", action="store_true", help="run the onboarding DAG but not the payment DAG")
    parser.add_argument(
        "--brexit-files", type=int, default=1000, help="applications of the Brexit DAG run (1000; 0 to skip it)"
    )
    parser.add_argument(
        "--dags-only", action="store_true", help="only the DAGs end to end (skip the robot measurements 1-5)"
    )
    parser.add_argument(
        "--skip-distributed", action="store_true", help="do not run the onboarding again on the Celery profile"
    )
    parser.add_argument("--dag-timeout", type=float, default=60.0, help="minutes to wait for the DAG run (60)")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, databases)")
    args = parser.parse_args()
    if args.sample < 2 or args.workers < 1:
        parser.error("--sample must be >= 2 and --workers >= 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    marker = uuid.uuid4().hex
    os.environ[MARKER_ENV] = marker
    workdir = Path(tempfile.mkdtemp(prefix="rpa-bench-robot-"))
    # Browser registry and any default path of the code under test: in the temporary folder.
    os.environ["RPA_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("SE_OFFLINE", "true")
    naive_sample = max(30, args.sample // 4)
    from include.processes.election_staff.config import onboarding_settings

    results: dict[str, Any] = {
        "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": {
            "workers": args.workers,
            "sample": args.sample,
            "naive_sample": naive_sample,
            "skip_dag": args.skip_dag,
            "skip_payment": args.skip_payment,
            "dags_only": args.dags_only,
            "brexit_files": args.brexit_files,
            "skip_distributed": args.skip_distributed,
            "cores": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "batch_size": onboarding_settings().batch_size,
            "policy": policy_fields(),
            "seeds": SEEDS,
        },
        "errors": [],
    }
    portal: Portal | None = None
    expected = 0
    try:
        say(f"Generating workers (temporary folder {workdir})...")
        sizes = {"robot_1": args.sample, "robot_2": args.sample, "naive": naive_sample, "floor": args.workers}
        if args.dags_only:
            sizes = {}
        rows, dag_file = row_sets(workdir, sizes, None if args.skip_dag else args.workers)
        say("Starting the HR portal (bin/python -m sandbox)...")
        portal = Portal(workdir)
        results["config"]["portal_port"] = portal.port

        steps: list[tuple[str, Callable[[], dict[str, Any]], int]] = []
        if not args.dags_only:
            steps = [
                ("robot_1", lambda: bench_loop("robot_1", rows["robot_1"], 1, portal, workdir), args.sample),
                ("robot_2", lambda: bench_loop("robot_2", rows["robot_2"], 2, portal, workdir), args.sample),
                ("naive", lambda: bench_naive(rows["naive"], portal), naive_sample),
                ("floor", lambda: bench_floor(rows["floor"], portal), args.workers),
            ]
        if dag_file is not None:
            pay, files = not args.skip_payment, args.brexit_files
            steps.append(
                (
                    "dag",
                    lambda: bench_dag(workdir / "dag", portal, dag_file, args.workers, args.dag_timeout, pay, files),
                    0,
                )
            )
        if dag_file is not None and not args.skip_distributed:
            steps.append(
                (
                    "distributed",
                    lambda: bench_distributed(workdir / "distributed", dag_file, args.workers, args.dag_timeout),
                    0,
                )
            )
        for name, step, created in steps:
            say(f"Step {name}...")
            started = time.monotonic()
            try:
                results[name] = step()
            except Exception as exc:
                results[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                results["errors"].append(f"{name}: {results[name]['error']}")
                say(f"  {name} failed: {results[name]['error']}")
            expected += created
            say(f"  {name} done in {time.monotonic() - started:.0f} s")
        if dag_file is not None and "summary" in results.get("dag", {}):
            expected += results["dag"]["summary"].get("entered") or 0
        results["portal_expected"] = expected
        with contextlib.suppress(Exception):
            results["portal_workers"] = portal.worker_count()
    except KeyboardInterrupt:
        results["errors"].append("interrupted")
        say("Interrupted: stopping everything...")
    finally:
        if portal is not None:
            portal.stop()
        results["cleanup"] = sweep(marker)
        if args.keep_temp:
            say(f"Temporary folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    text = report(results)
    print(text)
    out_dir = REPO / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"bench_robot-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nWritten to {out}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
