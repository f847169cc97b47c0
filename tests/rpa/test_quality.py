"""Dataset-level checks with Great Expectations (include/rpa/quality.py): every received file is
checked with its quarantine flags; Data Docs in the run folder, with no cell value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from include.rpa.quality import check_received, received_expectations

NIR = "295109912611193"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.DataFrame({"nir": [NIR, "253072B07300470", NIR, "255081416802538"], "nom": ["A", "B", "C", "D"]})


@pytest.mark.parametrize(
    ("quarantined", "ceiling", "failed"),
    [
        # Rows 0 and 2 share a NIR but row 2 is quarantined: the kept rows are unique.
        ([2], 0.25, []),
        # Both kept: the NIR is twice among the kept rows.
        ([], 0.25, ["NIR unique parmi les lignes gardées"]),
        # Half the rows quarantined, above a 25 % ceiling.
        ([1, 2], 0.25, ["Part des lignes en quarantaine au plus 25 %"]),
    ],
)
def test_received_rows_checked_with_their_flags(tmp_path: Path, frame, quarantined, ceiling, failed) -> None:
    results = check_received(frame, ["nir", "nom"], quarantined, received_expectations(ceiling, "nir", "NIR"), tmp_path)
    assert [r["attente"] for r in results if not r["succes"]] == failed
    assert len(results) == 3 and all(r["jeu"] == "lignes_recues" for r in results)
    docs = list((tmp_path / "data_docs").rglob("*.html"))
    assert docs and not any(NIR in path.read_text(encoding="utf-8") for path in docs)
