"""``/export.csv``: every worker, one row each, UTF-8, ``;``-separated, business key ``nir`` first.

Dates are dd/mm/yyyy, NIR and IBAN compact, so a reconciliation can compare
each field with what the robot meant to type.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sandbox.hr_portal.fields import DATE_FIELDS, EXPORT_COLUMNS
from sandbox.hr_portal.models import Worker


def value(worker: Worker, column: str) -> str:
    if column == "cree_le":
        return worker.created_at.strftime("%d/%m/%Y %H:%M:%S")
    if column == "cree_par":
        return worker.created_by
    raw = getattr(worker, column)
    if column in DATE_FIELDS:
        return raw.strftime("%d/%m/%Y")
    return raw or ""


def to_csv(workers: Iterable[Worker]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for worker in workers:
        writer.writerow([value(worker, column) for column in EXPORT_COLUMNS])
    return out.getvalue()
