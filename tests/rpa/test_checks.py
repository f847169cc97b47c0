"""The vectorised NIR and IBAN checks agree with python-stdnum and schwifty."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from schwifty import IBAN
from stdnum.fr import nir as stdnum_nir

from include.rpa.checks import iban, nir


def random_nirs(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        department = rng.choice(["82", "31", "2A", "2B", "99", "97", "75"])
        body = f"{rng.choice('12')}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{department}"
        body += f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
        key = nir.key_for(body)
        if rng.random() < 0.5:  # half of them with a wrong key
            key = f"{(int(key) + rng.randint(1, 96)) % 100:02d}"
        values.append(body + key)
    return values


def test_nir_key_agrees_with_stdnum():
    values = random_nirs(3000)
    series = pd.Series(values)
    ours = (nir.is_well_formed(series) & nir.check_key(series)).tolist()
    theirs = [stdnum_nir.is_valid(v) for v in values]
    assert ours == theirs
    assert 1000 < sum(ours) < 2000  # both outcomes are exercised


@pytest.mark.parametrize("value", ["2 95 10 99 126 111 93", "253072B07300470", "253072A07300443", "255081416802538"])
def test_public_nir_examples_are_valid(value):
    series = nir.compact(pd.Series([value]))
    assert nir.check_key(series).tolist() == [True]
    assert stdnum_nir.is_valid(value)


def test_public_nir_example_with_a_wrong_key():
    series = nir.compact(pd.Series(["2 55 08 14 168 025 00"]))
    assert nir.check_key(series).tolist() == [False]


def random_french_ibans(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        account = "".join(rng.choice("0123456789" * 3 + "ABCMXZ") for _ in range(11))
        bban = f"{rng.choice(['20041', '30006', '30004', '10278'])}{rng.randint(0, 99999):05d}{account}"
        rib = f"{rng.randint(0, 97):02d}"
        digits = "".join(str(int(c, 36)) for c in bban + rib + "FR00")
        check = 98 - int(digits) % 97
        if rng.random() < 0.2:
            check = (check + 1) % 100
        values.append(f"FR{check:02d}{bban}{rib}")
    return values


def schwifty_valid(value: str) -> bool:
    try:
        IBAN(value, validate_bban=True)
    except ValueError:
        return False
    return True


def test_iban_checks_agree_with_schwifty():
    values = random_french_ibans(2000)
    series = pd.Series(values)
    ours = (iban.checksum_ok(series) & iban.rib_key_ok(series)).tolist()
    theirs = [schwifty_valid(v) for v in values]
    assert ours == theirs
    assert 0 < sum(ours) < 200  # random RIB keys are mostly wrong: both outcomes exercised


def test_public_iban_example_passes_both_checks_and_maps_to_its_bic():
    series = iban.compact(pd.Series(["FR14 2004 1010 0505 0001 3M02 606"]))
    assert iban.checksum_ok(series).tolist() == [True]
    assert iban.rib_key_ok(series).tolist() == [True]
    assert iban.bic_from_iban(series).tolist() == ["PSSTFRPP"]
