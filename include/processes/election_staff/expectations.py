"""Dataset-level expectations of a worker file (Great Expectations).

Two datasets: every received row with its quarantine flag (the quarantine
ceiling), and the rows kept for entry (count, unique NIR, completeness).
"""

from __future__ import annotations

from include.processes.election_staff.columns import LABELS, REQUIRED
from include.processes.election_staff.config import Election
from include.rpa.quality import Expectation

QUARANTINE_FLAG = "_quarantaine"


def received_expectations(election: Election) -> list[Expectation]:
    ceiling = election.quarantine_ceiling
    return [
        Expectation(
            "Au moins une ligne reçue",
            lambda gxe: gxe.ExpectTableRowCountToBeBetween(min_value=1),
        ),
        Expectation(
            f"Part des lignes en quarantaine au plus {ceiling:.0%}".replace("%", " %"),
            lambda gxe: gxe.ExpectColumnMeanToBeBetween(column=QUARANTINE_FLAG, min_value=0, max_value=ceiling),
        ),
    ]


def kept_expectations() -> list[Expectation]:
    expectations = [
        Expectation(
            "Au moins une ligne valide à saisir",
            lambda gxe: gxe.ExpectTableRowCountToBeBetween(min_value=1),
        ),
        Expectation(
            "NIR unique parmi les lignes gardées",
            lambda gxe: gxe.ExpectColumnValuesToBeUnique(column="nir"),
        ),
    ]
    for column in sorted(REQUIRED):
        expectations.append(
            Expectation(
                f"Champ « {LABELS[column]} » toujours renseigné",
                lambda gxe, column=column: gxe.ExpectColumnValueLengthsToBeBetween(column=column, min_value=1),
            )
        )
    return expectations
