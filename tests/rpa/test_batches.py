"""Batches of records (include/rpa/batches.py): the plan's batch files, and one batch typed with
one real browser into a real sandbox HR portal, its outcome file and its verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from include.processes.election_staff.hr_portal import HrPortal
from include.rpa.batches import BatchRun, EntryIncomplete, batch_outcomes, read_batch, run_batch, write_batches
from include.rpa.errors import RpaError
from include.rpa.ledger import Ledger
from include.rpa.policy import RobotPolicy
from include.rpa.robot import Job
from tests.processes.election_staff.test_hr_portal_pages import PASSWORD, USER, nir_for, start_portal, valid_row

FAST = RobotPolicy(backoff_seconds=0.05, max_backoff_seconds=0.1, max_attempts=2)


def test_batches_cover_every_position_once_and_a_new_plan_replaces_them(tmp_path: Path) -> None:
    batches = write_batches(tmp_path, list(range(7)), 3, noun="fiches")
    assert batches == [
        {"lot": 0, "dossiers": 3, "libelle": "lot 0 (3 fiches)"},
        {"lot": 1, "dossiers": 3, "libelle": "lot 1 (3 fiches)"},
        {"lot": 2, "dossiers": 1, "libelle": "lot 2 (1 fiche)"},
    ]
    assert [read_batch(tmp_path, n) for n in range(3)] == [[0, 1, 2], [3, 4, 5], [6]]
    write_batches(tmp_path, [9], 3, wave="arbitrage")
    assert write_batches(tmp_path, [4, 5], 3) == [{"lot": 0, "dossiers": 2, "libelle": "lot 0 (2 dossiers)"}]
    assert sorted(p.name for p in (tmp_path / "lots").iterdir()) == ["arbitrage-lot-000.json", "lot-000.json"]
    with pytest.raises(RpaError, match="lot 1 introuvable"):
        read_batch(tmp_path, 1)


def test_outcomes_of_every_batch_or_of_one_wave(tmp_path: Path) -> None:
    folder = tmp_path / "saisie"
    folder.mkdir()
    for name, label in (("lot-000.json", "a"), ("auto-lot-000.json", "b"), ("arbitrage-lot-001.json", "c")):
        (folder / name).write_text(json.dumps({"dossiers_detail": [{"label": label}]}))
    assert [o["label"] for o in batch_outcomes(tmp_path)] == ["c", "b", "a"]
    assert [o["label"] for o in batch_outcomes(tmp_path, wave="auto")] == ["b"]


def test_one_batch_one_browser_its_outcome_file_and_its_verdict(tmp_path: Path) -> None:
    server = start_portal(tmp_path, "127.0.0.1")
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    bad_iban = "FR1520041010050500013M02606"  # RIB key right, IBAN key wrong: the portal refuses it
    rows = [valid_row(nir=nir_for(n)) for n in (1, 2)] + [valid_row(nir=nir_for(3), iban=bad_iban)]
    jobs = [Job(row["nir"], row, f"envoi-ligne{n + 2}") for n, row in enumerate(rows)]
    ledger.plan("test_batches", "s", {job.key: "h" for job in jobs})
    batch = BatchRun(tmp_path, "test_batches", "s", "r1", "w/r1/enter/0", FAST, noun="vacataires")
    try:
        counts = run_batch(batch, 0, [10, 11, 12], jobs, HrPortal(server.url, USER, PASSWORD), ledger)
        assert counts == {"lot": 0, "entered": 2, "rejected": 1}
        written = json.loads((tmp_path / "saisie" / "lot-000.json").read_text())
        assert written["resultats"] == {"entered": 2, "rejected": 1} and written["connexions"] == 1
        assert [o["position"] for o in written["dossiers_detail"]] == [10, 11, 12]
        assert written["dossiers_detail"][2]["evidence"], "a refusal leaves a (masked) capture"
        assert rows[0]["nir"] not in json.dumps(written)
    finally:
        server.stop()
    # The portal is gone: the batch fails (Airflow retries it), what is left stays for the retry.
    more = [Job(nir_for(4), valid_row(nir=nir_for(4)), "envoi-ligne5")]
    ledger.plan("test_batches", "s", {more[0].key: "h"})
    with pytest.raises(EntryIncomplete, match="Lot 1 : 1 vacataire sur 1 non saisi"):
        run_batch(batch, 1, [13], more, HrPortal(server.url, USER, PASSWORD), ledger)
    assert ledger.get("test_batches", "s", nir_for(4))["state"] == "failed"
