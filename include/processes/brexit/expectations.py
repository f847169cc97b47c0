"""Dataset-level expectations of a portal export (Great Expectations): the toolkit's checks of
every received file. Field-level checks are pandera's job (the row rules); GX checks what only
the whole dataset can tell."""

from __future__ import annotations

from include.processes.brexit.config import BrexitSettings
from include.rpa.quality import Expectation, received_expectations


def expectations(settings: BrexitSettings) -> list[Expectation]:
    return received_expectations(settings.quarantine_ceiling, "numero_dossier", "N° de dossier")
