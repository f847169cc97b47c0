"""Where the project keeps its data: RPA_DATA_DIR (contract).

``<RPA_DATA_DIR>/inbox/<process>/<YYYY-MM-DD>/`` holds the files dropped for a
day, ``<RPA_DATA_DIR>/runs/<dag_id>/<run_id>/`` each run's outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return Path(os.environ.get("RPA_DATA_DIR") or REPO_ROOT / "data")


def inbox_dir(process: str, day: dt.date) -> Path:
    return data_dir() / "inbox" / process / day.isoformat()


def run_dir(dag_id: str, run_id: str) -> Path:
    folder = data_dir() / "runs" / dag_id / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_json(path: Path, payload: Any) -> None:
    """Write atomically (a temporary file renamed), creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
