"""IBAN checks, vectorised over a Series, with the French RIB key.

The ISO 7064 mod 97-10 checksum and the French RIB key are computed
column-wise with numpy (schwifty row by row costs seconds per 100,000 rows);
IBANs of other countries are few and go through ``schwifty`` one by one.
``tests/rpa/test_checks.py`` checks agreement with schwifty.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
FR_PATTERN = r"^FR[0-9]{2}[0-9]{10}[A-Z0-9]{11}[0-9]{2}$"
BIC_PATTERN = r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$"
# A plain string pattern: pandas runs it in pyarrow (RE2), not row by row.
_SEPARATORS = "[ \t\u00a0\u202f.\\-_]"
# RIB key: letters of the account number map to digits (A,J->1 ... I,R->9; S->2).
_RIB_LETTERS = {
    **{c: str(i % 9 + 1) for i, c in enumerate("ABCDEFGHI")},
    **{c: str(i % 9 + 1) for i, c in enumerate("JKLMNOPQR")},
    **{c: str(i % 8 + 2) for i, c in enumerate("STUVWXYZ")},
}
_RIB_TABLE = str.maketrans(_RIB_LETTERS)


def compact(values: pd.Series) -> pd.Series:
    """'FR14 2004 1010 0505 0001 3M02 606' -> 'FR1420041010050500013M02606'."""
    return values.fillna("").astype(str).str.replace(_SEPARATORS, "", regex=True).str.upper()


def _mod97(rearranged: pd.Series) -> np.ndarray:
    """ISO 7064 mod 97 of alphanumeric strings of one length (letters = 10..35)."""
    width = int(rearranged.str.len().max())
    codes = np.frombuffer(rearranged.str.cat().encode("ascii"), dtype=np.uint8).reshape(-1, width)
    values = np.where(codes >= 65, codes.astype(np.int64) - 55, codes.astype(np.int64) - 48)
    remainder = np.zeros(len(rearranged), dtype=np.int64)
    for column in range(width):
        value = values[:, column]
        scale = np.where(value >= 10, 100, 10)
        remainder = (remainder * scale + value) % 97
    return remainder


def checksum_ok(iban: pd.Series) -> pd.Series:
    """True where the mod 97-10 checksum holds (any country)."""
    ok = pd.Series(False, index=iban.index)
    formed = iban.str.match(IBAN_PATTERN)
    for _length, group in iban[formed].groupby(iban[formed].str.len()):
        rearranged = group.str[4:] + group.str[:4]
        ok[group.index] = _mod97(rearranged) == 1
    return ok


def rib_key_ok(iban: pd.Series) -> pd.Series:
    """True where a French IBAN's RIB key holds; True for other countries."""
    ok = pd.Series(True, index=iban.index)
    french = iban.str.startswith("FR")
    formed = french & iban.str.match(FR_PATTERN)
    ok[french & ~formed] = False
    if formed.any():
        sub = iban[formed]
        bank = sub.str[4:9].astype(np.int64).to_numpy()
        branch = sub.str[9:14].astype(np.int64).to_numpy()
        account = sub.str[14:25].str.translate(_RIB_TABLE).astype(np.int64).to_numpy()
        key = sub.str[25:27].astype(np.int64).to_numpy()
        ok[formed] = (97 - (89 * bank + 15 * branch + 3 * account) % 97) == key
    return ok


def well_formed(iban: pd.Series) -> pd.Series:
    """Length and BBAN format of the IBAN's country, checksums aside.

    French IBANs are checked here by pattern; the few foreign ones by schwifty.
    """
    ok = iban.str.match(IBAN_PATTERN)
    french = iban.str.startswith("FR")
    ok &= ~french | iban.str.match(FR_PATTERN)
    for index, value in iban[ok & ~french].items():
        ok[index] = _schwifty_shape_ok(value)
    return ok


@lru_cache(maxsize=4096)
def _schwifty_shape_ok(value: str) -> bool:
    from schwifty import IBAN
    from schwifty.exceptions import InvalidBBANChecksum, InvalidChecksumDigits, SchwiftyException

    try:
        IBAN(value, validate_bban=True)
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        return True  # a checksum problem, reported by checksum_ok
    except SchwiftyException:
        return False
    return True


def bic_from_iban(iban: pd.Series) -> pd.Series:
    """The BIC of each IBAN's bank where schwifty's registry knows it, else ''.

    One registry look-up per distinct (country, bank code), not per row.
    """
    bank_keys = iban.str[:2] + ":" + iban.str[4:9]
    samples = iban[iban != ""].groupby(bank_keys[iban != ""]).first()
    lookup = {key: _bic_for(key, sample) for key, sample in samples.items()}
    return bank_keys.map(lookup).fillna("")


@lru_cache(maxsize=8192)
def _bic_for(key: str, sample: str) -> str:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        bic = IBAN(sample, allow_invalid=True).bic
    except (SchwiftyException, ValueError):
        return ""
    return str(bic) if bic else ""
