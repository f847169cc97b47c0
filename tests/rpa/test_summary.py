"""The typed run summary (include/rpa/summary.py) and summary.json's contract keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.rpa.summary import COUNTS, FAILURE, NO_INPUT, SUCCESS, RunSummary


def test_summary_json_keeps_the_contract_keys_and_reads_back(tmp_path: Path) -> None:
    summary = RunSummary(
        "d",
        "r",
        received=10,
        quarantined=2,
        valid=8,
        entered=7,
        rejected=1,
        minutes_saved=33.5,
        quarantine_reasons={"NIR invalide": 2},
        extra={"held": 0, "secondes_par_dossier": 0.4},
    ).judge()
    data = summary.as_json()
    assert all(isinstance(data[key], int) for key in COUNTS)
    assert (data["statut"], data["erreurs"], data["minutes_gagnees"]) == (SUCCESS, [], 33.5)
    assert data["motifs_quarantaine"] == {"NIR invalide": 2} and data["held"] == 0
    assert "hors_periode" not in data and "ecarts_par_champ" not in data  # optional, unset
    summary.write(tmp_path)
    assert RunSummary.read(tmp_path) == summary
    assert RunSummary.read(tmp_path / "nowhere") is None


@pytest.mark.parametrize(
    ("fields", "awaiting", "status"),
    [
        ({"received": 5, "entered": 5}, False, SUCCESS),
        ({"received": 5, "failed": 1}, False, FAILURE),
        ({"received": 5, "mismatched": 1}, False, FAILURE),
        ({"received": 5, "errors": ["validate : contrôle en échec"]}, False, FAILURE),
        ({"received": 0}, False, NO_INPUT),
        ({"received": 5}, True, "en_attente_approbation"),
        ({"received": 5, "failed": 2}, True, FAILURE),
    ],
)
def test_the_status_follows_errors_and_counts(fields, awaiting, status) -> None:
    assert RunSummary("d", "r", **fields).judge(awaiting=awaiting).status == status


def test_a_process_key_cannot_shadow_a_common_one() -> None:
    with pytest.raises(ValueError, match="clash"):
        RunSummary("d", "r", extra={"statut": "ok"}).as_json()
