"""``make lint``'s layers (pyproject.toml ``[tool.importlinter]``): kept by the code, and broken by
an import that goes the wrong way (so the check can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("dags", "include", "plugins", "sandbox")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The project's Python packages and lint settings in a folder of their own."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.csv", "__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_code_keeps_its_layers() -> None:
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "4 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The toolkit reaching up into a process.
        ("include/rpa/text.py", "from include.processes.brexit import codes", "never the other way BROKEN"),
        # A process importing another one (as Brexit's page objects once imported the HR portal's login).
        (
            "include/processes/brexit/foreigners_portal.py",
            "from include.processes.election_staff.hr_portal import LoginPage",
            "never imports another process (what two share belongs in include.rpa) BROKEN",
        ),
        # A stand-in application importing the pipeline.
        ("sandbox/common/forms.py", "from include.rpa import pii", "import nothing of the pipeline BROKEN"),
        # A cycle hidden in a function (as Brexit's entry and arbitration once had).
        (
            "include/processes/brexit/codes.py",
            "def _later():\n    from include.processes.brexit import triage",
            "No import cycle between the modules of a package BROKEN",
        ),
    ],
    ids=["toolkit-to-process", "process-to-process", "sandbox-to-pipeline", "cycle"],
)
def test_an_import_that_breaks_a_layer_fails_the_lint(copy: Path, module: str, line: str, broken: str) -> None:
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{line}  # noqa\n", encoding="utf-8")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert broken in " ".join(done.stdout.split()), done.stdout[-3000:]
