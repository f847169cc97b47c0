"""Parse one DAG file the way the DAG processor does, in a fresh interpreter,
and report what parsing touched. Run as a script by test_dag_integrity.py and
by benchmarks/bench_validation.py; prints one JSON line."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import time

HEAVY = ("pandas", "numpy", "pyarrow", "pandera", "great_expectations", "selenium", "openpyxl", "faker", "schwifty")
touched: list[str] = []


def _forbid(name: str):
    def guard(*args, **kwargs):
        touched.append(name)
        raise RuntimeError(f"{name} used while parsing a DAG file")

    return guard


def main(path: str) -> None:
    started = time.perf_counter()
    import airflow.sdk  # noqa: F401  (what every DAG file pays: measured apart)
    from airflow.sdk import BaseHook, Connection, Variable

    airflow_seconds = time.perf_counter() - started
    already = set(sys.modules)
    Connection.get = _forbid("Connection.get")  # type: ignore[method-assign]
    Variable.get = _forbid("Variable.get")  # type: ignore[method-assign]
    BaseHook.get_connection = _forbid("BaseHook.get_connection")  # type: ignore[method-assign]
    socket.socket.connect = _forbid("socket.connect")  # type: ignore[method-assign]
    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location("probe_dag", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    parse_seconds = time.perf_counter() - started
    added = sorted(set(sys.modules) - already)
    print(
        json.dumps(
            {
                "airflow_import_s": airflow_seconds,
                "parse_s": parse_seconds,
                "heavy": sorted({m.split(".")[0] for m in added if m.split(".")[0] in HEAVY}),
                "touched": touched,
                "modules_added": len(added),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
