"""Benchmark: DAG parse cost, and intake + validation time by file size.

Rerun with ``make bench`` (or ``bin/python benchmarks/bench_validation.py``).
Figures are medians over repeats, each parse in a fresh interpreter, since the
machine is shared and noisy. Writes the figures (timings and counts only) to
``benchmarks/results/validation-<timestamp>.json`` and ``validation-latest.json``
and renders the README's validation table from it (``benchmarks/render.py``).

Measured:
- per DAG file: Airflow's own import (``airflow.sdk``: the same for every DAG,
  excluded), the time the DagBag records for the file (what the DAG processor
  reports as its parse duration), and the module execution alone (the import
  cost the file adds on top of Airflow);
- per size (1,400 / 100,000 / 1,000,000 rows, French Excel CSV, 3 % defects):
  intake (read + header mapping), row rules (normalisation + pandera), dataset
  rules (Great Expectations, Data Docs included), and their total. Library
  imports (pandas, pandera, GX) are measured apart, in a fresh interpreter;
  the first run in a process also pays GX's lazy set-up (shown as "1st run").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BenchRun, say

REPO = Path(__file__).resolve().parents[1]

PROBE = REPO / "tests" / "dags" / "parse_probe.py"

DAGBAG_SNIPPET = """
import json, sys, time
t = time.perf_counter()
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag
airflow_s = time.perf_counter() - t
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
assert not bag.import_errors, bag.import_errors
print(json.dumps({"airflow_s": airflow_s, "dagbag_s": bag.dagbag_stats[0].duration.total_seconds()}))
"""

IMPORT_SNIPPET = """
import json, time, logging, os
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
out = {}
for name in ("pandas", "pandera.pandas", "great_expectations"):
    t = time.perf_counter(); __import__(name); out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def fresh(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_parse(repeats: int) -> list[dict]:
    results = []
    for dag_file in sorted((REPO / "dags").glob("*.py")):
        probes = [fresh([str(PROBE), str(dag_file)]) for _ in range(repeats)]
        bags = [fresh(["-c", DAGBAG_SNIPPET, str(dag_file)]) for _ in range(repeats)]
        results.append(
            {
                "dag_file": dag_file.name,
                "airflow_import_s": statistics.median(p["airflow_import_s"] for p in probes),
                "dag_processor_parse_s": statistics.median(b["dagbag_s"] for b in bags),
                "module_exec_s": statistics.median(p["parse_s"] for p in probes),
                "heavy_modules": sorted({m for p in probes for m in p["heavy"]}),
            }
        )
    return results


def bench_validation(sizes: list[int], repeats: dict[int, int], workdir: Path) -> list[dict]:
    from include.processes.election_staff import onboarding
    from include.processes.election_staff.demo import generate, write
    from include.rpa.tasks import RunContext

    results = []
    for size in sizes:
        started = time.perf_counter()
        source = workdir / f"input_{size}"
        source.mkdir(exist_ok=True)
        write(
            generate(size, department="82", defect_share=0.03, seed=2027),
            source / "vacataires.csv",
            "excel-csv",
            manifest_path=workdir / f"manifest_{size}.json",
        )
        generation_s = time.perf_counter() - started
        runs = []
        for attempt in range(repeats.get(size, 1)):
            folder = workdir / f"run_{size}_{attempt}"
            folder.mkdir()
            run = RunContext(onboarding.ONBOARDING.process, folder.name, folder, params={"input_path": str(source)})
            t0 = time.perf_counter()
            onboarding.intake(run)
            t1 = time.perf_counter()
            try:
                counts = onboarding.validate(run)
            except Exception as exc:  # a ceiling failure still measures the work done
                counts = {"error": str(exc)}
            t2 = time.perf_counter()
            details = json.loads((folder / "validation.json").read_text())
            runs.append(
                {
                    "intake_s": t1 - t0,
                    "rows_s": details["secondes_lignes"],
                    "dataset_s": details["secondes_jeu"],
                    "total_s": t2 - t0,
                    "counts": counts,
                }
            )
        results.append(
            {
                "rows": size,
                "repeats": len(runs),
                "generation_s": generation_s,
                **{k: statistics.median(r[k] for r in runs) for k in ("intake_s", "rows_s", "dataset_s", "total_s")},
                "first_run_total_s": runs[0]["total_s"],  # GX's first use in a process costs seconds
                "counts": runs[-1]["counts"],
            }
        )
        print(f"  {size:>9,} rows: {results[-1]['total_s']:.2f} s", file=sys.stderr, flush=True)
    return results


def report(results: dict[str, Any]) -> str:
    parse, import_s, validation = results.get("parse", []), results.get("imports", {}), results.get("validation", [])
    repeats = results["config"]["parse_repeats"]
    lines = [f"\nDAG parse (median of {repeats} fresh interpreters; Airflow's own import excluded)"]
    lines.append(f"{'DAG file':<34}{'airflow.sdk import':>20}{'DAG processor parse':>22}{'added by file':>16}")
    for p in parse:
        lines.append(
            f"{p['dag_file']:<34}{p['airflow_import_s']:>19.2f}s{p['dag_processor_parse_s']:>21.3f}s"
            f"{p['module_exec_s']:>15.3f}s  heavy modules: {p['heavy_modules'] or 'none'}"
        )
    lines.append(
        "\nLibrary imports inside tasks (median of 3): " + ", ".join(f"{k} {v:.2f} s" for k, v in import_s.items())
    )
    lines.append("\nIntake + validation (median; French Excel CSV, 3 % defects; imports excluded)")
    header = ("rows", 10), ("intake", 10), ("row rules", 12), ("GX + docs", 12), ("total", 10), ("rows/s", 12)
    lines.append("".join(f"{name:>{width}}" for name, width in header) + f"{'1st run':>10}   counts")
    for v in validation:
        lines.append(
            f"{v['rows']:>10,}{v['intake_s']:>9.2f}s{v['rows_s']:>11.2f}s{v['dataset_s']:>11.2f}s"
            f"{v['total_s']:>9.2f}s{v['rows'] / v['total_s']:>12,.0f}{v['first_run_total_s']:>9.2f}s   {v['counts']}"
        )
    lines.extend(f"ERROR {error}" for error in results["errors"])
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1400,100000,1000000")
    parser.add_argument("--parse-repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with BenchRun("validation", {"sizes": sizes, "parse_repeats": args.parse_repeats}) as run:
        say("Parsing DAG files (fresh interpreters)...")
        run.results["parse"] = bench_parse(args.parse_repeats)
        imports = [fresh(["-c", IMPORT_SNIPPET]) for _ in range(3)]
        run.results["imports"] = {k: statistics.median(i[k] for i in imports) for k in imports[0]}
        say("Intake + validation...")
        run.results["validation"] = bench_validation(sizes, {1400: 5, 100000: 3, 1000000: 1}, run.workdir)
    return run.finish(report)


if __name__ == "__main__":
    sys.exit(main())
