"""Record a step's failure in the run folder so the report can explain it.

Only the error's class and its French message (masked) are kept: an
unexpected exception's text may quote a cell, so it is masked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from include.rpa.errors import NoInputError, RpaError
from include.rpa.paths import read_json, write_json
from include.rpa.pii import mask_text

ERRORS_FILE = "errors.json"


@contextmanager
def recorded(run_dir: Path, step: str) -> Iterator[None]:
    errors = [e for e in step_errors(run_dir) if e["etape"] != step]  # a retry starts clean
    write_json(run_dir / ERRORS_FILE, errors)
    try:
        yield
    except NoInputError:
        raise
    except Exception as exc:
        if isinstance(exc, RpaError):
            message = str(exc)
        else:
            message = f"Erreur inattendue ({type(exc).__name__}) : {mask_text(str(exc))[:500]}"
        errors = read_json(run_dir / ERRORS_FILE) or []
        errors.append({"etape": step, "type": type(exc).__name__, "message": message})
        write_json(run_dir / ERRORS_FILE, errors)
        raise


def step_errors(run_dir: Path) -> list[dict[str, str]]:
    return read_json(run_dir / ERRORS_FILE) or []
