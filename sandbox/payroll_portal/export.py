"""``/export.csv``: every allowance, one row each, UTF-8, ``;``-separated, ``numero`` first.

Amounts with a dot and 2 decimals (``126.00``) and hours with a dot (``12.5``), so a
reconciliation compares them to the cent; ``plis`` empty when not counted; NIR, IBAN
and BIC compact, as copied from the HR worker when the allowance was created.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sandbox.payroll_portal import formats
from sandbox.payroll_portal.fields import EXPORT_COLUMNS
from sandbox.payroll_portal.models import Allowance


def value(allowance: Allowance, column: str) -> str:
    if column == "heures":
        return formats.hours(allowance.heures_centiemes)
    if column == "montant":
        return formats.amount(allowance.montant_centimes)
    if column == "plis":
        return "" if allowance.plis is None else str(allowance.plis)
    if column == "chef_de_table":
        return "oui" if allowance.chef_de_table else "non"
    if column == "cree_le":
        return allowance.created_at.strftime("%d/%m/%Y %H:%M:%S")
    if column == "cree_par":
        return allowance.created_by
    return getattr(allowance, column) or ""


def to_csv(allowances: Iterable[Allowance]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for allowance in allowances:
        writer.writerow([value(allowance, column) for column in EXPORT_COLUMNS])
    return out.getvalue()
