"""What each process costs in code: its package's modules (demo generators apart) and its DAG
file, in lines and in lines of code (blank lines, comments and docstrings not counted).

    bin/python scripts/process_size.py          # a Markdown table (docs/new-process.md quotes it)
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Modules of each process; election_staff's config.py serves both election processes.
PROCESSES = {
    "election_staff_onboarding": (
        "election_staff",
        ["columns", "rules", "expectations", "hr_portal", "onboarding", "config"],
    ),
    "election_staff_payment": (
        "election_staff",
        ["service_rules", "pay", "payroll_portal", "payment", "payment_entry", "payment_report"],
    ),
    "brexit_residence_permits": (
        "brexit",
        [
            "codes",
            "columns",
            "config",
            "rules",
            "expectations",
            "triage",
            "letters",
            "foreigners_portal",
            "arbitration",
            "entry",
            "report",
        ],
    ),
}


def code_lines(path: Path, *, module_docstring_only: bool = False) -> int:
    """Lines holding code: not blank, not only a comment, not in a docstring (the module's only,
    for a DAG file: its tasks' docstrings are its documentation in the UI)."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    tree = ast.parse(source)
    for node in [tree] if module_docstring_only else ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def sizes() -> dict[str, dict[str, int]]:
    table = {}
    for dag_id, (package, modules) in PROCESSES.items():
        files = [REPO / "include" / "processes" / package / f"{m}.py" for m in modules]
        dag = REPO / "dags" / f"{dag_id}.py"
        table[dag_id] = {
            "modules": len(files),
            "lines": sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files),
            "code": sum(code_lines(f) for f in files),
            "dag_code": code_lines(dag, module_docstring_only=True),
        }
    return table


def processes_lines() -> int:
    """Every line of include/processes/ but the demo generators."""
    files = [p for p in (REPO / "include" / "processes").rglob("*.py") if "demo" not in p.name]
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)


def main() -> None:
    print("| Process | Modules | Lines | Lines of code | DAG file, lines of code (module docstring aside) |")
    print("|---|---:|---:|---:|---:|")
    for dag_id, size in sizes().items():
        print(f"| `{dag_id}` | {size['modules']} | {size['lines']} | {size['code']} | {size['dag_code']} |")
    print(f"\nAll of include/processes/ but the demo generators: {processes_lines()} lines.")


if __name__ == "__main__":
    main()
