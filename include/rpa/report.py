"""French HTML report of a run, written to ``report.html`` in the run folder.

A report is a title, a status, counts, tables and links to other files of the
run folder (relative links, so the folder can be zipped and mailed as is).
Only masked data goes into a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[object]]
    note: str | None = None


@dataclass
class Report:
    title: str
    subtitle: str
    success: bool
    status: str
    counts: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    details: list[tuple[str, object]] = field(default_factory=list)


def csv_rows(path: Path, columns: list[str], limit: int) -> tuple[list[list[object]], int]:
    """The first ``limit`` rows of a run's ``;`` CSV (UTF-8 with BOM) as table rows, and the total."""
    import csv

    rows: list[list[object]] = []
    total = 0
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle, delimiter=";"):
                total += 1
                if total <= limit:
                    rows.append([record[c] for c in columns])
    return rows, total


def french_number(value: object) -> str:
    """1400 -> '1 400' (narrow no-break space, as French typography wants)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = f"{value:,.0f}" if isinstance(value, int) or float(value).is_integer() else f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",")


def render(report: Report, path: Path) -> Path:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    environment.filters["nombre"] = french_number
    html = environment.get_template("report.html").render(
        report=report, generated=dt.datetime.now(PARIS).strftime("%d/%m/%Y à %H:%M")
    )
    path.write_text(html, encoding="utf-8")
    return path
