"""Run a pandera schema lazily and turn every failed check into per-row reasons.

Checks are named by a rule id (``Check(..., name=rule, error=rule)``); the
process maps rule ids to French reasons. Nothing is dropped: each input row is
either valid or quarantined with at least one reason.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from include.rpa.intake import FILE_COLUMN, LINE_COLUMN


class RuleCrashed(RuntimeError):
    """A check raised instead of returning a verdict: a bug, never bad data."""


def rules_schema(
    columns: Sequence[str],
    required: Collection[str],
    rules: Mapping[str, Callable[[pd.DataFrame, Any], pd.Series]],
    settings: Any,
    dtype: Any = str,
) -> pa.DataFrameSchema:
    """The pandera schema of a process's row rules: a ``requis:<column>`` check per required
    column (non-empty) and one named check per rule, each rule called with ``settings``.

    ``ignore_na=False``: each rule decides what an empty value means (and pandera then skips
    a null scan of the whole frame per check).
    """
    checks_of = {c: [pa.Check(lambda s: s != "", name=f"requis:{c}", error=f"requis:{c}")] for c in required}
    schema_columns = {c: pa.Column(dtype, checks=checks_of.get(c, []), nullable=False) for c in columns}
    checks = [
        pa.Check(lambda df, fn=fn: fn(df, settings), name=rule, error=rule, ignore_na=False)
        for rule, fn in rules.items()
    ]
    return pa.DataFrameSchema(schema_columns, checks=checks, coerce=False, strict=False)


def failed_rules(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """One row per (row index, rule id) that failed, every failure collected."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        crashed = cases["index"].isna()
        if crashed.any():
            detail = "; ".join(sorted({str(c) for c in cases.loc[crashed, "check"]}))
            raise RuleCrashed(f"pandera could not evaluate: {detail}") from None
        cases = cases[["index", "check"]].rename(columns={"check": "rule"})
        return cases.drop_duplicates().astype({"index": "int64"}).reset_index(drop=True)
    return pd.DataFrame({"index": pd.Series(dtype="int64"), "rule": pd.Series(dtype="str")})


def reasons_by_row(failures: pd.DataFrame, messages: Mapping[str, str], order: list[str]) -> pd.Series:
    """index -> '; '-joined French reasons, in the rules' declaration order."""
    if failures.empty:
        return pd.Series(dtype="str")
    rank = {rule: position for position, rule in enumerate(order)}
    ordered = failures.assign(rank=failures["rule"].map(rank).fillna(len(rank))).sort_values(["index", "rank"])
    text = ordered["rule"].map(lambda rule: messages.get(rule, rule))
    if "detail" in ordered:
        text = text + ordered["detail"].fillna("")
    return text.groupby(ordered["index"]).agg(" ; ".join)


def write_quarantine(
    frame: pd.DataFrame,
    reasons: pd.Series,
    path: Path,
    identity: Callable[[pd.DataFrame], Mapping[str, Sequence[str]]],
) -> None:
    """``quarantine.csv``: fichier;ligne;<identity columns>;motifs, sorted by file and line,
    UTF-8 with BOM and ``;`` so Excel opens it as is. ``identity`` names the quarantined rows
    for the people who correct them without personal data (initials, a file number)."""
    rows = frame.loc[reasons.index]
    named = dict(identity(rows))
    table = pd.DataFrame(
        {"fichier": rows[FILE_COLUMN], "ligne": rows[LINE_COLUMN], **named, "motifs": reasons},
        columns=["fichier", "ligne", *named, "motifs"],
    ).sort_values(["fichier", "ligne"])
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
