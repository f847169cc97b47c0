"""The README's performance tables, rendered from the benchmarks' latest results.

    bin/python benchmarks/render.py

Each table of README.md's "## Performance" section stands between ``<!-- bench:<name> -->`` and
``<!-- /bench:<name> -->``, and is rewritten from ``benchmarks/results/<name>-latest.json``
(``validation``, ``record_loop``, ``dags``); a table whose results file is missing is left as it is.
Each benchmark runs this at its end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, latest
from benchmarks.measure import median, ratio

README = REPO / "README.md"


def _n(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else f"{value:{spec}}"


def _c(count: Any) -> str:
    return f"{count:,}" if isinstance(count, int) else "—"


def _ok(step: Any) -> bool:
    return isinstance(step, Mapping) and "error" not in step


def _measured(results: Mapping[str, Any], what: str) -> str:
    cfg = results["config"]
    day = dt.datetime.fromisoformat(results["started_at"]).date().isoformat()
    return (
        f"Measured on {day} on the shared {cfg['cores']}-core machine (load average {cfg['loadavg_start'][0]:.1f} "
        f"at the start; `benchmarks/results/{results['bench']}-latest.json`), {what}:"
    )


def _table(rows: Sequence[tuple[str, str]]) -> list[str]:
    return ["| | |", "| --- | --- |", *(f"| {label} | {value} |" for label, value in rows)]


# --------------------------------------------------------------------------- validation


def validation(results: Mapping[str, Any]) -> list[str]:
    lines = [_measured(results, "medians"), ""]
    lines += [
        "| rows | intake | row rules | dataset rules (GX, Data Docs) | total | rows/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for v in results["validation"]:
        lines.append(
            f"| {v['rows']:,} | {v['intake_s']:.2f} s | {v['rows_s']:.2f} s | {v['dataset_s']:.2f} s "
            f"| {v['total_s']:.2f} s | {v['rows'] / v['total_s']:,.0f} |"
        )
    parse = results["parse"]
    slowest = max(parse, key=lambda p: p["dag_processor_parse_s"])
    imports = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in results["imports"].items())
    lines += [
        "",
        f"Parsing a DAG file takes the DAG processor {min(p['dag_processor_parse_s'] for p in parse):.3f}–"
        f"{slowest['dag_processor_parse_s']:.3f} s ({len(parse)} files; the module alone at most "
        f"{max(p['module_exec_s'] for p in parse):.3f} s on top of Airflow's own import of "
        f"{median([p['airflow_import_s'] for p in parse]):.1f} s); the libraries imported inside tasks: {imports}.",
    ]
    return lines


# --------------------------------------------------------------------------- record loop


def record_loop(results: Mapping[str, Any]) -> list[str]:
    cfg = results["config"]
    one, two, naive, floor = (results.get(k) for k in ("robot_1", "robot_2", "naive", "floor"))
    rows: list[tuple[str, str]] = []
    if _ok(one):
        rows.append(
            (
                "robot, 1 browser",
                f"{one['median_s_per_worker']:.2f} s per worker (search + create), "
                f"{one['workers_per_min']:.0f} workers/min",
            )
        )
    if _ok(one) and _ok(two):
        rows.append(
            (
                "robot, 2 browsers",
                f"{ratio(two['workers_per_min'], one['workers_per_min']):.2f}× the throughput of one (other "
                f"processes used {one['cpu']['other_processes_cores']:.1f} of the {cfg['cores']} cores during "
                f"the 1-browser step, {two['cpu']['other_processes_cores']:.1f} during this one)",
            )
        )
    create = one["median_steps_s"]["create (4 pages)"] if _ok(one) else None
    if _ok(naive) and create:
        rows.append(
            (
                "naive `send_keys` robot / ours (same 4 pages)",
                f"{ratio(naive['median_s_per_record'], create):.1f}× slower",
            )
        )
    if _ok(floor) and create:
        rows.append(
            (
                "ours / HTTP floor (same requests)",
                f"{ratio(create, floor['median_s_per_record']):.0f}× slower "
                f"(the floor: {floor['records_per_s']:.0f} records/s)",
            )
        )
    if _ok(one):
        kinds = one["cpu_s_per_worker"]
        chromium = kinds.get("chromium browser", 0.0) + kinds.get("chromium renderer", 0.0)
        rows.append(
            (
                "CPU per worker, 1 browser",
                f"{kinds['robot tree']:.2f} CPU-second, {100 * ratio(chromium, kinds['robot tree']):.0f} % of it in "
                f"Chromium's browser and renderer processes; the portal {1000 * kinds['portal']:.0f} ms",
            )
        )
    if _ok(one) and _ok(two):
        per_browser = two["memory"]["pss_per_browser_mb"]
        rows.append(
            (
                "peak memory (PSS)",
                f"about {one['memory']['pss_mb']:.0f} MB for one browser, "
                f"{sum(per_browser) / len(per_browser):.0f} MB each for two",
            )
        )
    what = (
        f"medians over {cfg['sample']} workers per robot measurement, {cfg['naive_sample']} for the naive "
        f"robot, {cfg['workers']:,} for the floor"
    )
    return [_measured(results, what), "", *_table(rows)]


# --------------------------------------------------------------------------- DAGs


def dags(results: Mapping[str, Any]) -> list[str]:
    cfg = results["config"]
    dag, celery = results.get("dag"), results.get("distributed")
    rows: list[tuple[str, str]] = []
    if _ok(dag) and "summary" in dag:
        s = dag["summary"]
        rows.append(
            (
                f"onboarding DAG, {dag['workers']:,} workers entered and reconciled",
                f"{dag['wall_min']:.1f} min (target < {dag['target_min']:.0f}); run {dag['state']}, "
                f"{_c(s.get('entered'))} entered, {_c(s.get('verified'))} verified",
            )
        )
    if _ok(celery) and "summary" in celery and _ok(dag) and "wall_min" in dag:
        shares = "/".join(str(n) for n in celery["batches_per_worker"].values())
        rows.append(
            (
                "the same onboarding on the Celery profile / embedded LocalExecutor",
                f"{ratio(celery['wall_min'], dag['wall_min']):.2f}× ({celery['wall_min']:.1f} / "
                f"{dag['wall_min']:.1f} min); {_c(celery['summary'].get('entered'))} entered and "
                f"{_c(celery['summary'].get('verified'))} verified, the batches shared {shares} between the two "
                "Celery workers",
            )
        )
    if _ok(dag) and "memory" in dag:
        memory = f"{dag['memory']['pss_mb'] / 1024:.1f} GB embedded"
        if _ok(celery) and "memory" in celery:
            memory += f", {celery['memory']['pss_mb'] / 1024:.1f} GB on the Celery profile"
        rows.append(("peak memory (PSS) of Airflow's processes, browsers included", memory))
    pay = dag.get("payment") if _ok(dag) else None
    if _ok(pay) and "summary" in pay:
        s = pay["summary"]
        rows.append(
            (
                f"payment DAG, {_c(s.get('workers'))} allowances ({_c(pay['service_rows'])} service records) entered, "
                "SEPA file, reconciled",
                f"{pay['wall_min']:.1f} min, {_n(pay.get('entry_s_per_worker'))} s per worker of entry",
            )
        )
    brexit = dag.get("brexit") if _ok(dag) else None
    if _ok(brexit) and "summary" in brexit:
        s = brexit["summary"]
        rows.append(
            (
                f"Brexit DAG, {_c(brexit['files'])} applications ({_c(s.get('entered'))} entered, "
                f"{_c(s.get('lettres'))} letters, {_c(s.get('ineligible'))} ineligible, {_c(s.get('a_arbitrer'))} put "
                "to an agent)",
                f"{brexit['wall_min']:.1f} min, {_n(brexit.get('wall_s_per_file'))} s per application (robot: "
                f"{_n(s.get('secondes_par_dossier'))} s per file entered)",
            )
        )
    return [_measured(results, f"one run of each DAG, batch size {cfg['batch_size']}"), "", *_table(rows)]


# --------------------------------------------------------------------------- README

TABLES: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "validation": validation,
    "record_loop": record_loop,
    "dags": dags,
}


def render_readme(readme: Path = README) -> list[str]:
    """Rewrite each table whose latest results exist; what was done, a line per table."""
    text = readme.read_text(encoding="utf-8")
    said = []
    for name, render in TABLES.items():
        block = re.compile(rf"(<!-- bench:{name} -->\n)(.*?)(<!-- /bench:{name} -->)", re.S)
        results = latest(name)
        if not block.search(text):
            said.append(f"README: no <!-- bench:{name} --> markers")
        elif results is None:
            said.append(f"README: {name} table left as it is (no benchmarks/results/{name}-latest.json)")
        else:
            body = "\n".join(render(results))
            text = block.sub(lambda m, body=body: f"{m.group(1)}{body}\n{m.group(3)}", text)
            said.append(f"README: {name} table rendered from benchmarks/results/{name}-latest.json")
    readme.write_text(text, encoding="utf-8")
    return said


if __name__ == "__main__":
    print("\n".join(render_readme()))
