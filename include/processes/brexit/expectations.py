"""Dataset-level expectations of a portal export (Great Expectations).

One dataset: every received row, normalised, with two flags: ``_quarantaine`` (1 for a
quarantined row) and ``_gardee`` (1 for a row kept for the decision). Expectations on the kept
rows use a row condition, so GX validates (and builds Data Docs) once per run. Field-level
checks are pandera's job (the row rules); GX checks what only the whole dataset can tell.
"""

from __future__ import annotations

from include.processes.brexit.config import BrexitSettings
from include.rpa.quality import Expectation

QUARANTINE_FLAG = "_quarantaine"
KEPT_FLAG = "_gardee"
KEPT = {"row_condition": f"{KEPT_FLAG}==1", "condition_parser": "pandas"}


def expectations(settings: BrexitSettings) -> list[Expectation]:
    ceiling = settings.quarantine_ceiling
    return [
        Expectation(
            "Au moins une ligne reçue",
            lambda gxe: gxe.ExpectTableRowCountToBeBetween(min_value=1),
        ),
        Expectation(
            f"Part des lignes en quarantaine au plus {ceiling:.0%}".replace("%", " %"),
            lambda gxe: gxe.ExpectColumnMeanToBeBetween(column=QUARANTINE_FLAG, min_value=0, max_value=ceiling),
        ),
        Expectation(
            "N° de dossier unique parmi les lignes gardées",
            lambda gxe: gxe.ExpectColumnValuesToBeUnique(column="numero_dossier", **KEPT),
        ),
    ]
