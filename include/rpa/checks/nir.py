"""NIR (French social-security number) checks, vectorised over a Series.

Same rules as ``stdnum.fr.nir`` (format, length, key, Corsica 2A/2B) computed
column-wise, because calling the library row by row costs seconds per 100,000
rows; ``tests/rpa/test_checks.py`` checks that both agree. Semantics that
stdnum leaves out are added: the sex digit, and year and month of birth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# sex (1-4, 7, 8), year, month, department (2 digits, 2A, 2B), commune, order, key
NIR_PATTERN = r"^[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}[0-9]{2}$"
SCIENTIFIC_PATTERN = r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$"
# A plain string pattern: pandas runs it in pyarrow (RE2), not row by row.
_SEPARATORS = "[ \t\u00a0\u202f.\\-_]"
# Months 20-42 and 50-99 stand for an unknown or special month: no check then.
KNOWN_MONTHS = {f"{m:02d}" for m in range(1, 13)}
VALID_MONTHS = KNOWN_MONTHS | {f"{m:02d}" for m in [*range(20, 43), *range(50, 100)]}


def compact(values: pd.Series) -> pd.Series:
    """'2 95 10 99 126 111 93' -> '295109912611193' (upper case, no separators)."""
    return values.fillna("").astype(str).str.replace(_SEPARATORS, "", regex=True).str.upper()


def is_scientific(raw: pd.Series) -> pd.Series:
    """Excel's '1,84128E+14': the digits are lost, the row must be re-entered."""
    return raw.fillna("").astype(str).str.strip().str.match(SCIENTIFIC_PATTERN)


def is_well_formed(nir: pd.Series) -> pd.Series:
    return nir.str.match(NIR_PATTERN) & nir.str[3:5].isin(VALID_MONTHS)


def check_key(nir: pd.Series) -> pd.Series:
    """True where the 2-digit key is 97 - (first 13 digits mod 97); Corsica: 2A->19, 2B->18."""
    ok = pd.Series(False, index=nir.index)
    formed = nir.str.match(NIR_PATTERN)
    if not formed.any():
        return ok
    sub = nir[formed]
    department = sub.str[5:7].replace({"2A": "19", "2B": "18"})
    digits = sub.str[:5] + department + sub.str[7:13]
    number = digits.astype(np.int64).to_numpy()
    key = sub.str[13:15].astype(np.int64).to_numpy()
    ok[formed] = (97 - number % 97) == key
    return ok


def sex_of(nir: pd.Series) -> pd.Series:
    """'M' for an odd first digit, 'F' for an even one (1/2, 3/4 and 7/8 alike)."""
    first = nir.str[:1]
    return first.map({"1": "M", "3": "M", "7": "M", "2": "F", "4": "F", "8": "F"})


def year_matches(nir: pd.Series, birth: pd.Series) -> pd.Series:
    """Digits 2-3 equal the last two digits of the year of birth (NaT: no verdict)."""
    expected = birth.dt.year.astype("Int64") % 100
    actual = pd.to_numeric(nir.str[1:3], errors="coerce").astype("Int64")
    return (expected == actual).fillna(True).astype(bool)


def month_matches(nir: pd.Series, birth: pd.Series) -> pd.Series:
    """Digits 4-5 equal the month of birth, unless they code an unknown month."""
    code = nir.str[3:5]
    expected = birth.dt.month.astype("Int64")
    actual = pd.to_numeric(code, errors="coerce").astype("Int64")
    result = (expected == actual).fillna(True).astype(bool)
    return result | ~code.isin(KNOWN_MONTHS)


def key_for(first13: str) -> str:
    """The key of a 13-character NIR body (used by the demo generator)."""
    digits = first13[:5] + {"2A": "19", "2B": "18"}.get(first13[5:7], first13[5:7]) + first13[7:13]
    return f"{97 - int(digits) % 97:02d}"
