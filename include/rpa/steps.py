"""Record a step's failure in the run folder so the report can explain it.

One file per task instance, ``errors/<step>[-<batch>].json``: the mapped batches of a step
run in parallel, in separate processes, and each one's retry starts clean by removing its
own file only; nobody rewrites another task's error (no lock needed, nothing lost).

Only the error's class and its French message (masked) are kept: an unexpected
exception's text may quote a cell, so it is masked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from include.rpa.errors import NoInputError, RpaError
from include.rpa.paths import read_json, write_json
from include.rpa.pii import mask_text

ERRORS_DIR = "errors"


def error_file(run_dir: Path, step: str, batch: int | None = None) -> Path:
    name = step if batch is None or batch < 0 else f"{step}-{batch:03d}"
    return run_dir / ERRORS_DIR / f"{name}.json"


@contextmanager
def recorded(run_dir: Path, step: str, batch: int | None = None) -> Iterator[None]:
    """Run a step (of one batch): a failure is written to its error file, then propagates."""
    path = error_file(run_dir, step, batch)
    path.unlink(missing_ok=True)  # a retry starts clean
    try:
        yield
    except NoInputError:
        raise
    except Exception as exc:
        if isinstance(exc, RpaError):
            message = str(exc)
        else:
            message = f"Erreur inattendue ({type(exc).__name__}) : {mask_text(str(exc))[:500]}"
        error = {"etape": step, "type": type(exc).__name__, "message": message}
        if batch is not None and batch >= 0:
            error["lot"] = batch
        write_json(path, error)
        raise


def step_errors(run_dir: Path) -> list[dict[str, object]]:
    """Every step's recorded error, by step then batch."""
    folder = run_dir / ERRORS_DIR
    if not folder.is_dir():
        return []
    return [error for path in sorted(folder.glob("*.json")) if (error := read_json(path))]
