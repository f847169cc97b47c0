"""Reading back what a target application stored: its CSV export by business key, and the
fields of a record that differ from what the robot meant to type."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from include.rpa.errors import RpaError


def parse_export(
    text: str, key: str, required: Iterable[str], *, app: str, normalise_key: Callable[[str], str] = str.strip
) -> dict[str, list[dict[str, str]]]:
    """The export's rows by business key (a list: the application could hold one key twice).

    ``app`` names the application in the French error raised when a column is missing (the
    application changed: nothing can be compared).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = {key, *required} - set(reader.fieldnames or ())
    if missing:
        raise RpaError(f"export de {app} : colonnes manquantes {sorted(missing)} (l'application a changé ?)")
    rows: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        rows.setdefault(normalise_key(row[key]), []).append(row)
    return rows


def differing(
    columns: Iterable[str],
    intended: dict[str, str],
    stored: dict[str, str],
    expected_value: Callable[[str, str], str],
    stored_value: Callable[[str, str], str],
) -> list[str]:
    """The columns whose stored value differs from the intended one, both in the export's form."""
    return [
        column
        for column in columns
        if expected_value(column, intended.get(column, "")) != stored_value(column, stored.get(column, ""))
    ]
