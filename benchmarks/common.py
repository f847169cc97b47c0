"""What the benchmarks share: progress lines, generated workers, the onboarding's robot settings,
one run's temporary folder and marker, and writing the results (``benchmarks/measure.py``: medians,
ratios and sampling the memory and CPU of process trees).

The processes, the sandbox apps and Airflow's REST API are the project's harness
(``scripts/harness``), shared with the tests and the scripts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psutil

from scripts.harness.processes import REPO, sweep

RESULTS = REPO / "benchmarks" / "results"
MARKER_ENV = "RPA_BENCH_RUN"  # every process a benchmark starts inherits it: how leftovers are found


def say(message: str) -> None:
    """Progress on stderr (the results go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


# --------------------------------------------------------------------------- the onboarding's robot


def onboarding_robot() -> tuple[Callable[[dict[str, str]], str], Any]:
    """The onboarding's content hash of a worker and its robot settings (batch size, attempts,
    backoff, fresh tab): the one place the benchmarks name them."""
    from include.processes.election_staff.onboarding import ONBOARDING
    from include.rpa.entry import content_hash

    return (lambda record: content_hash(record, ONBOARDING.columns)), ONBOARDING.policy()


# --------------------------------------------------------------------------- one run


class BenchRun:
    """One benchmark run (``with BenchRun("record_loop", config) as run``): a temporary folder
    (``run.workdir``; RPA_DATA_DIR below it), a marker in the environment that every process
    started inherits (what is left running at the end is killed), SIGTERM stopping it like Ctrl-C,
    and ``run.results``: the figures, written by :meth:`finish`."""

    def __init__(self, bench: str, config: Mapping[str, Any], keep_temp: bool = False) -> None:
        self.bench = bench
        self.keep_temp = keep_temp
        self.results: dict[str, Any] = {
            "bench": bench,
            "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "config": {
                **config,
                "cores": psutil.cpu_count(),
                "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
                "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            },
            "errors": [],
        }

    def __enter__(self) -> BenchRun:
        def on_sigterm(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_sigterm)
        self.marker = uuid.uuid4().hex
        os.environ[MARKER_ENV] = self.marker
        self.workdir = Path(tempfile.mkdtemp(prefix=f"rpa-bench-{self.bench}-"))
        # Browser registry and any default path of the code under test: in the temporary folder.
        os.environ["RPA_DATA_DIR"] = str(self.workdir / "data")
        os.environ.setdefault("SE_OFFLINE", "true")
        return self

    def step(self, name: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``results[name] = action()``, or the error it raised (the run goes on)."""
        say(f"Step {name}...")
        started = time.monotonic()
        try:
            self.results[name] = action()
        except Exception as exc:
            self.results[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            self.results["errors"].append(f"{name}: {self.results[name]['error']}")
            say(f"  {name} failed: {self.results[name]['error']}")
        say(f"  {name} done in {time.monotonic() - started:.0f} s")
        return self.results[name]

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> bool:
        if kind is KeyboardInterrupt:
            self.results["errors"].append("interrupted")
            say("Interrupted: stopping everything...")
        self.results["cleanup"] = sweep(MARKER_ENV, self.marker)
        if self.keep_temp:
            say(f"Temporary folder kept: {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return kind is KeyboardInterrupt

    def finish(self, report: Callable[[dict[str, Any]], str]) -> int:
        """Print ``report(results)``, write the results and the README's tables; the exit code."""
        print(report(self.results))
        written = write_results(self.bench, self.results)
        print(f"\nWritten to {written} and {written.with_name(f'{self.bench}-latest.json')}")
        from benchmarks.render import render_readme

        for line in render_readme():
            print(line)
        return 1 if self.results["errors"] else 0


# --------------------------------------------------------------------------- results

# Per-record lists: in the timestamped file only, the committed ``-latest.json`` has their quantiles.
PER_RECORD_KEYS = frozenset({"seconds", "create_s"})


def _summary(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _summary(v) for k, v in value.items() if k not in PER_RECORD_KEYS}
    if isinstance(value, list | tuple):
        return [_summary(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


def write_results(bench: str, results: Mapping[str, Any]) -> Path:
    """``benchmarks/results/<bench>-<timestamp>.json`` (everything) and ``<bench>-latest.json``
    (without the per-record lists, rounded: the file the README's tables are rendered from and the
    one committed); the timestamped path. Timings and counts only: no personal data."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    full = RESULTS / f"{bench}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    full.write_text(json.dumps(results, indent=2, default=str) + "\n")
    latest = RESULTS / f"{bench}-latest.json"
    latest.write_text(json.dumps(_summary(results), indent=2, default=str, ensure_ascii=False) + "\n")
    return full


def latest(bench: str) -> dict[str, Any] | None:
    """The figures of ``<bench>-latest.json``, None if there is none."""
    path = RESULTS / f"{bench}-latest.json"
    return json.loads(path.read_text()) if path.exists() else None


def parse_args(parser: argparse.ArgumentParser, valid: Callable[[argparse.Namespace], bool], rule: str) -> Any:
    """The command line (with ``--keep-temp``), ``rule`` said if ``valid(args)`` is false; the code
    under test's warnings on stderr."""
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, databases)")
    args = parser.parse_args()
    if not valid(args):
        parser.error(rule)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args


def heading(results: Mapping[str, Any], title: str, details: str) -> list[str]:
    """The report's first lines."""
    cfg = results["config"]
    when = f"{results['started_at']}, {cfg['cores']} cores, load average at start {cfg['loadavg_start']}"
    return ["", f"{title} — {when}", details]


def footer(results: Mapping[str, Any], stopped: str) -> list[str]:
    """The report's last lines: what the portal holds, the clean-up, the errors."""
    cleanup = results.get("cleanup", {})
    lines = [
        "",
        f"Portal holds {results.get('portal_workers', '?')} workers (expected {results.get('portal_expected', '?')}). "
        f"Clean-up: {stopped}; leftover processes killed: {cleanup.get('killed', '?')} "
        f"{cleanup.get('killed_by_name') or ''}; browser processes left: {cleanup.get('browser_processes_left', '?')}",
    ]
    return lines + [f"ERROR {error}" for error in results.get("errors", [])]
