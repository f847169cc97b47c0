"""Postal code and commune consistency, from Etalab's official reference data.

A (postal code, commune name) pair is accepted when the reference lists that
commune (current, delegated or associated commune, or arrondissement) under
that postal code. Names are compared the way La Poste writes them: upper case,
no accents, punctuation as spaces, SAINT/SAINTE as ST/STE, and a trailing
article in brackets moved in front ("Fauga (Le)" = "Le Fauga").
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from include.rpa.text import strip_accents

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "communes.csv"
_ARTICLE = re.compile(r"^(.*?)\s*\((LE|LA|LES|L)\)$")
_WORDS = {"SAINT": "ST", "SAINTE": "STE"}


def commune_key(name: str) -> str:
    text = re.sub(r"[^A-Z0-9]+", " ", strip_accents(name).upper()).strip()
    match = _ARTICLE.match(text)
    if match:
        text = f"{match.group(2)} {match.group(1)}"
    text = re.sub(r"\bCEDEX\b.*$", "", text).strip()
    return " ".join(_WORDS.get(word, word) for word in text.split())


@lru_cache(maxsize=1)
def reference_pairs() -> frozenset[str]:
    """Every accepted 'postal code|commune key' pair."""
    pairs = set()
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = commune_key(row["nom"])
            for code in row["codes_postaux"].split():
                pairs.add(f"{code}|{key}")
                if row["type"] == "arrondissement-municipal":
                    # "Paris 11e Arrondissement" is also written "Paris 11e" or "Paris".
                    pairs.add(f"{code}|{key.split(' ')[0]}")
    return frozenset(pairs)


@lru_cache(maxsize=1)
def communes_table() -> list[dict[str, str]]:
    """The reference rows (for demo data)."""
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pad_postal_code(values: pd.Series) -> pd.Series:
    """'9100' -> '09100': a numeric spreadsheet column drops the leading zero."""
    return values.where(~values.str.fullmatch(r"[0-9]{4}"), "0" + values)


def matches(postal_code: pd.Series, commune: pd.Series) -> pd.Series:
    """True where the commune is served by the postal code.

    Computed on the distinct (postal code, commune) pairs of the file, which
    are few even in a 1,000,000-row file.
    """
    pairs = reference_pairs()
    written = postal_code + "|" + commune
    unique = written.unique()
    verdict = {}
    for pair in unique:
        code, _, name = pair.partition("|")
        verdict[pair] = f"{code}|{commune_key(name)}" in pairs
    return written.map(verdict).astype(bool)
