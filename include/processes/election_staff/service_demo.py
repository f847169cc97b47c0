"""Seeded demo service records (what the sites send for payment), with known defects.

For each worker, the days of the election period within their contract, each worked with
a probability; hours from 4 to 8, envelopes about 120 an hour; written as French Excel
does (cp1252, ``;``, decimal comma). A share of defective rows, each with exactly one
defect whose rule is known, goes into the manifest (row numbers and rule ids only).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from include.processes.election_staff.config import Election

HEADERS = ("NIR", "Date", "Site", "Fonction", "Heures", "Plis")
DEFECTS = ("vacataire_inconnu", "date_hors_periode", "heures_hors_bornes", "plis_invalides", "doublon")
UNKNOWN_NIR = "255081416802538"  # public example of docs/domain/nir.md: valid, never onboarded in the demo


def _french(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def generate(
    workers: Sequence[dict[str, str]], election: Election, *, defect_share: float = 0.0, seed: int = 2027
) -> tuple[list[list[str]], dict[str, Any]]:
    """(rows under HEADERS, manifest). ``workers``: nir, date_debut, date_fin (ISO), fonction, site."""
    rng = np.random.default_rng(seed)
    rows: list[list[str]] = []
    for worker in workers:
        start = max(dt.date.fromisoformat(worker["date_debut"]), election.period_start)
        end = min(dt.date.fromisoformat(worker["date_fin"]), election.period_end)
        day = start
        while day <= end:
            if rng.random() < 0.7:
                hours = float(rng.choice([4, 5, 6, 7, 7.5, 8]))
                envelopes = int(hours * 120 + rng.integers(-60, 60))
                rows.append(
                    [
                        worker["nir"],
                        f"{day:%d/%m/%Y}",
                        worker.get("site", ""),
                        worker.get("fonction", ""),
                        _french(hours),
                        str(envelopes),
                    ]
                )
            day += dt.timedelta(days=1)
    defects: list[dict[str, Any]] = []
    count = round(len(rows) * defect_share)
    targets = rng.choice(len(rows), size=min(count, len(rows)), replace=False) if count else []
    for n, index in enumerate(sorted(int(i) for i in targets)):
        kind = DEFECTS[n % len(DEFECTS)]
        row = rows[index]
        if kind == "vacataire_inconnu":
            row[0] = UNKNOWN_NIR
        elif kind == "date_hors_periode":
            row[1] = f"{election.period_end + dt.timedelta(days=1):%d/%m/%Y}"
        elif kind == "heures_hors_bornes":
            row[4] = _french(float(election.pay.max_hours_per_day if election.pay else 24) + 1)
        elif kind == "plis_invalides":
            row[5] = "-" + row[5]
        defects.append({"index": index, "rule": kind})
    # A duplicate is a second row: both rows are quarantined.
    duplicated = [d for d in defects if d["rule"] == "doublon"]
    for defect in duplicated:
        rows.append(list(rows[defect["index"]]))
        defects.append({"index": len(rows) - 1, "rule": "doublon"})
    manifest = {
        "received": len(rows),
        "quarantined": len({d["index"] for d in defects}),
        "defects": [{"row": d["index"] + 2, "rule": d["rule"]} for d in defects],  # spreadsheet row numbers
    }
    return rows, manifest


def write(rows: list[list[str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path
