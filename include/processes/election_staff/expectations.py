"""Dataset-level expectations of a worker file (Great Expectations): the toolkit's checks of
every received file, plus at least one row to enter. Field-level completeness is pandera's
job (the row rules); GX checks what only the whole dataset can tell."""

from __future__ import annotations

from include.processes.election_staff.config import Election
from include.rpa.quality import KEPT_FLAG, Expectation, received_expectations


def expectations(election: Election) -> list[Expectation]:
    first, ceiling, unique = received_expectations(election.quarantine_ceiling, "nir", "NIR")
    kept = Expectation(
        "Au moins une ligne valide à saisir", lambda gxe: gxe.ExpectColumnSumToBeBetween(column=KEPT_FLAG, min_value=1)
    )
    return [first, ceiling, kept, unique]
