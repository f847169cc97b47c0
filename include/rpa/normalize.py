"""Vectorised normalisers for French spreadsheet values (pandas).

Each works on the distinct values of a column and maps the result back, which
keeps 1,000,000-row files fast: a department file has far fewer distinct dates
or communes than rows.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from include.rpa.text import header_key

DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")


def on_unique(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a vectorised ``function`` to the distinct values only."""
    unique = pd.Series(values.unique())
    mapping = dict(zip(unique, function(unique), strict=True))
    return values.map(mapping)


def _parse_dates(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        missing = parsed.isna()
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    return parsed


def parse_dates(values: pd.Series) -> pd.Series:
    """dd/mm/yyyy (also - or . separated, or ISO from XLSX) -> datetime64; NaT if not a real date.

    Two-digit years are refused: 05/03/88 could be 1888 or 1988.
    """
    return on_unique(values.fillna(""), _parse_dates).astype("datetime64[ns]")


def canonical_choice(values: pd.Series, choices: dict[str, str]) -> pd.Series:
    """Map free text to a canonical value through header_key synonyms; unknown -> unchanged."""
    keyed = {header_key(k): v for k, v in choices.items()}
    return on_unique(values, lambda u: u.map(lambda v: keyed.get(header_key(v), v)))


def compact_phone(values: pd.Series) -> pd.Series:
    """'06 12 34 56 78' -> '0612345678'; '+33 (0)6...' -> '+33612345678'; 612345678 -> '0612345678'."""
    text = values.str.replace(r"\(0\)", "", regex=True).str.replace("[ \t\u00a0\u202f.\\-/()]", "", regex=True)
    text = text.str.replace(r"^00", "+", regex=True)
    return text.where(~text.str.fullmatch(r"[1-9][0-9]{8}"), "0" + text)
