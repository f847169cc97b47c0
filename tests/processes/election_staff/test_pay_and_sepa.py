"""Allowance rules (Decimal, half-up to the cent, cap, SMIC flag) and SEPA pain.001 files
(XSD-valid through sepaxml, EPC set, unique EndToEndIds, control sum to the cent)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from include.processes.election_staff.config import get_election
from include.processes.election_staff.pay import Day, allowance
from include.rpa.sepa import SCHEMAS, Account, SepaError, Transfer, epc_text, read_totals, read_transfers, transfer_file

SETTINGS = get_election().pay
BY_HOUR = dataclasses.replace(SETTINGS, mode="heure")
D = Decimal


@pytest.mark.parametrize(
    ("settings", "days", "lead", "amount", "capped", "below_smic"),
    [
        # 0,21 € x 1 000 envelopes
        (SETTINGS, [Day(D("7"), 1000)], False, D("210.00"), False, False),
        # 1 001 x 0,21 = 210,21; a table lead: + 30,00
        (SETTINGS, [Day(D("7"), 1001)], True, D("240.21"), False, False),
        # 0,21 x 3 = 0,63 exactly; 2 days summed
        (SETTINGS, [Day(D("0.5"), 1), Day(D("0.5"), 2)], False, D("0.63"), False, True),
        # 2 858 x 0,21 = 600,18 -> capped at 600,00
        (SETTINGS, [Day(D("8"), 1429), Day(D("8"), 1429)], False, D("600.00"), True, False),
        # exactly at the cap: not capped
        (SETTINGS, [Day(D("8"), 2857)], False, D("599.97"), False, False),
        # by the hour: 7,5 h x 12,02 = 90,15
        (BY_HOUR, [Day(D("7.5"), None)], False, D("90.15"), False, False),
        # half-up: 0,125 h x 12,02 = 1,5025 -> 1,50 ; 0,375 h -> 4,5075 -> 4,51
        (BY_HOUR, [Day(D("0.125"), None)], False, D("1.50"), False, False),
        (BY_HOUR, [Day(D("0.375"), None)], False, D("4.51"), False, False),
        # envelopes paid but far below SMIC for the hours: flagged, not blocked
        (SETTINGS, [Day(D("10"), 100)], False, D("21.00"), False, True),
        # no hours at all: never below SMIC
        (SETTINGS, [Day(D("0"), 10)], False, D("2.10"), False, False),
    ],
)
def test_allowance(settings, days, lead, amount, capped, below_smic) -> None:
    result = allowance(days, table_lead=lead, settings=settings)
    assert (result.amount, result.capped, result.below_smic) == (amount, capped, below_smic)
    assert result.amount.as_tuple().exponent == -2


def test_the_cap_applies_after_the_table_lead_supplement() -> None:
    result = allowance([Day(D("40"), 2800)], table_lead=True, settings=SETTINGS)
    assert (result.computed, result.amount, result.capped) == (D("618.00"), D("600.00"), True)


# --------------------------------------------------------------------------- SEPA

DEBTOR = Account("Préfecture de Tarn-et-Garonne — régie", "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPP")
IBANS = ["FR7630006000011234567890189", "FR1420041010050500013M02606", "DE89370400440532013000"]


def transfers(count: int) -> list[Transfer]:
    return [
        Transfer(
            end_to_end_id=f"PRES27T1-V{i:07d}",
            creditor=Account(f"Zoé Lefèvre-Œillet n°{i} & fils", IBANS[i % len(IBANS)]),
            amount=D("0.21") * (i + 1) + D("100"),
            remittance="Indemnité mise sous pli — présidentielle 2027 (1er tour)",
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_transfer_file_is_valid_and_reconciles_to_the_cent(schema: str) -> None:
    wanted = transfers(25)
    made = transfer_file(DEBTOR, wanted, dt.date(2027, 4, 15), schema=schema)
    total = sum(t.amount for t in wanted)
    assert (made.control_sum, made.transactions) == (total, 25) == read_totals(made.xml)
    assert read_transfers(made.xml) == {t.end_to_end_id: t.amount for t in wanted}
    text = made.xml.decode()
    assert schema in text
    assert "Zoe Lefevre-OEillet n 0" in text  # EPC set: accents stripped, "°" and "&" replaced
    assert "Indemnite mise sous pli - presidentielle 2027 (1er tour)" in text


def test_epc_text() -> None:
    assert epc_text("Ça coûte 5 € — « ok » ?", 70) == "Ca coute 5 - ok ?"
    assert len(epc_text("x" * 100, 70)) == 70


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: dataclasses.replace(t, creditor=Account("A", "FR7630006000011234567890188")), "IBAN invalide"),
        (lambda t: dataclasses.replace(t, amount=D("0")), "montant invalide"),
        (lambda t: dataclasses.replace(t, amount=D("1.005")), "montant invalide"),
        (lambda t: dataclasses.replace(t, end_to_end_id="X" * 36), "référence de bout en bout"),
        (lambda t: dataclasses.replace(t, end_to_end_id="PRES27T1-V0000001"), "en double"),
        (lambda t: dataclasses.replace(t, end_to_end_id="réf#1"), "référence de bout en bout"),
    ],
)
def test_bad_transfers_are_refused_in_french_without_the_iban(change, message) -> None:
    wanted = transfers(3)
    wanted[2] = change(wanted[2])
    with pytest.raises(SepaError) as refused:
        transfer_file(DEBTOR, wanted, dt.date(2027, 4, 15))
    assert message in str(refused.value)
    assert "30006000011234567890188" not in str(refused.value)
