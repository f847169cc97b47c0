"""``/export.csv``: every file, one row each, UTF-8, ``;``-separated, business key
``numero_dossier`` first.

Dates dd/mm/yyyy, ``situation`` and ``titre`` as codes, ``pieces`` as codes sorted and
joined by ``|``, so a reconciliation can compare each field with what the robot meant
to type.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sandbox.foreigners_portal.fields import DATE_FIELDS, EXPORT_COLUMNS, join_codes, split_codes
from sandbox.foreigners_portal.models import ForeignerFile


def value(row: ForeignerFile, column: str) -> str:
    if column == "cree_le":
        return row.created_at.strftime("%d/%m/%Y %H:%M:%S")
    if column == "cree_par":
        return row.created_by
    raw = getattr(row, column)
    if column in DATE_FIELDS:
        return raw.strftime("%d/%m/%Y")
    if column == "pieces":
        return join_codes(split_codes(raw))
    return raw or ""


def to_csv(rows: Iterable[ForeignerFile]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([value(row, column) for column in EXPORT_COLUMNS])
    return out.getvalue()
