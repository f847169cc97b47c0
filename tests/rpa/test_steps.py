"""A step's failure kept in the run folder per step and per batch (include/rpa/steps.py)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from include.rpa.errors import NoInputError, RpaError
from include.rpa.steps import recorded, step_errors

NIR = "2 95 10 99 126 111 93"


def fail(run_dir: Path, step: str, batch: int | None, message: str) -> None:
    with pytest.raises(RpaError), recorded(run_dir, step, batch):
        raise RpaError(message)


def test_a_batch_retry_keeps_the_other_batches_errors(tmp_path: Path) -> None:
    """Parallel batches of one step once shared one error key: a retry of batch 1 wiped batch 0's."""
    fail(tmp_path, "enter", 0, "lot 0 : 3 dossiers non saisis")
    fail(tmp_path, "enter", 1, "lot 1 : portail indisponible")
    with recorded(tmp_path, "enter", 1):  # Airflow retries batch 1: it succeeds
        pass
    assert step_errors(tmp_path) == [
        {"etape": "enter", "type": "RpaError", "message": "lot 0 : 3 dossiers non saisis", "lot": 0}
    ]


def test_a_retried_step_starts_clean_and_other_steps_are_kept(tmp_path: Path) -> None:
    fail(tmp_path, "validate", None, "contrôle en échec")
    fail(tmp_path, "reconcile", None, "écart")
    with recorded(tmp_path, "validate"):
        pass
    assert [e["etape"] for e in step_errors(tmp_path)] == ["reconcile"]


def test_an_unexpected_error_is_masked_and_no_input_is_not_an_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError), recorded(tmp_path, "plan"):
        raise KeyError(f"ligne {NIR}")
    with pytest.raises(NoInputError), recorded(tmp_path, "intake"):
        raise NoInputError("Aucun fichier")
    (error,) = step_errors(tmp_path)
    assert error["etape"] == "plan" and error["message"].startswith("Erreur inattendue (KeyError)")
    assert NIR not in error["message"] and NIR.replace(" ", "") not in error["message"]


def _fail_batch(run_dir: str, batch: int) -> None:
    for _ in range(20):  # many rewrites at once: none may be lost or torn
        try:
            with recorded(Path(run_dir), "enter", batch):
                raise RpaError(f"lot {batch}")
        except RpaError:
            pass


def test_batches_failing_at_once_in_separate_processes_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_fail_batch, args=(str(tmp_path), batch)) for batch in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(e["message"] for e in step_errors(tmp_path)) == [f"lot {batch}" for batch in range(4)]
