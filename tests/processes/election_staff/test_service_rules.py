"""Row rules of the service records (election_staff_payment), table-driven, at the boundaries."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from include.processes.election_staff.config import get_election
from include.processes.election_staff.service_rules import COLUMNS, REASONS, Workers, split

ELECTION = get_election()  # period 29/03/2027 - 07/04/2027, 12 h a day at most, paid by the envelope
BY_HOUR = dataclasses.replace(ELECTION, pay=dataclasses.replace(ELECTION.pay, mode="heure"))
KNOWN = "295109912611193"
LATE = "253072B07300470"  # contract from 01/04/2027
WORKERS = Workers(
    pd.DataFrame(
        {
            "date_debut": pd.to_datetime(["2027-03-29", "2027-04-01"]),
            "date_fin": pd.to_datetime(["2027-04-07", "2027-04-07"]),
        },
        index=[KNOWN, LATE],
    )
)
OK = {"nir": KNOWN, "date": "30/03/2027", "site": "Montauban", "fonction": "agent", "heures": "7,5", "plis": "900"}


def reasons(rows: list[dict[str, str]], election=ELECTION) -> list[set[str]]:
    raw = pd.DataFrame([{c: row.get(c, "") for c in COLUMNS} for row in rows], dtype="string")
    _, found = split(raw, election, WORKERS)
    by_text = {text: rule for rule, text in REASONS.items()}
    return [{by_text[r] for r in found.get(i, "").split(" ; ") if r} for i in range(len(rows))]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, set()),
        ({"nir": "2 95 10 99 126 111 93"}, set()),  # spaced as typed
        ({"nir": "255081416802538"}, {"vacataire_inconnu"}),
        ({"nir": ""}, {"requis:nir"}),
        ({"date": "29/03/2027"}, set()),
        ({"date": "07/04/2027"}, set()),
        ({"date": "28/03/2027"}, {"date_hors_periode"}),
        ({"date": "08/04/2027"}, {"date_hors_periode"}),
        ({"date": "31/02/2027"}, {"date_invalide"}),
        ({"date": "30/03/27"}, {"date_invalide"}),
        ({"nir": LATE, "date": "31/03/2027"}, {"date_hors_contrat"}),
        ({"nir": LATE, "date": "01/04/2027"}, set()),
        ({"heures": "0"}, set()),
        ({"heures": "12"}, set()),
        ({"heures": "7h30"}, set()),
        ({"heures": "12,5"}, {"heures_hors_bornes"}),
        ({"heures": "-1"}, {"heures_hors_bornes"}),
        ({"heures": "sept"}, {"heures_invalides"}),
        ({"heures": ""}, {"requis:heures"}),
        ({"plis": "0"}, set()),
        ({"plis": "1 200"}, set()),
        ({"plis": "-3"}, {"plis_invalides"}),
        ({"plis": "12,5"}, {"plis_invalides"}),
        ({"plis": ""}, {"plis_manquants"}),
    ],
)
def test_one_row(change: dict[str, str], expected: set[str]) -> None:
    assert reasons([{**OK, **change}]) == [expected]


def test_envelopes_may_be_empty_when_paid_by_the_hour() -> None:
    assert reasons([{**OK, "plis": ""}], BY_HOUR) == [set()]


def test_the_same_worker_and_day_twice_quarantines_both_rows() -> None:
    rows = [OK, {**OK, "heures": "3"}, {**OK, "date": "31/03/2027"}]
    assert reasons(rows) == [{"doublon"}, {"doublon"}, set()]
