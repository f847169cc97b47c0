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
VALIDATION_FILE = "validation.json"
QUARANTINE_FILE = "quarantine.csv"
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[object]]
    note: str | None = None


@dataclass
class Section:
    """Part of a report: counters, tables, links to files of the run folder, technical details."""

    counts: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    details: list[tuple[str, object]] = field(default_factory=list)


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

    def add(self, *sections: Section) -> Report:
        for section in sections:
            self.counts += section.counts
            self.tables += section.tables
            self.links += section.links
            self.details += section.details
        return self


SHOWN = 500  # rows of a table in the HTML (the CSV beside it has them all)


def more(total: int, name: str) -> str | None:
    """The note under a table cut at :data:`SHOWN` rows."""
    return f"{SHOWN} premières lignes sur {total} : la liste complète est dans {name}." if total > SHOWN else None


def csv_table(title: str, path: Path, headers: dict[str, str] | None = None) -> Table:
    """A table of the first :data:`SHOWN` rows of a run's CSV (``headers``: column -> heading;
    default: every column, capitalised)."""
    columns = list(headers) if headers else _csv_header(path)
    rows, total = csv_rows(path, columns, SHOWN)
    titles = [headers[c] for c in columns] if headers else [c.capitalize().replace("_", " ") for c in columns]
    return Table(title, titles, rows, more(total, path.name))


def _csv_header(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline().strip()
    return first.split(";") if first else []


def intake_section(run_dir: Path) -> Section:
    """The files read (format, encoding, separator, rows, ignored columns) and how long it took."""
    from include.rpa.paths import read_json

    intake = read_json(run_dir / "intake.json") or {}
    files = intake.get("fichiers", [])
    table = Table(
        "Fichiers lus",
        ["Fichier", "Format", "Encodage", "Séparateur", "Lignes", "Colonnes ignorées"],
        [
            [f["fichier"], f["format"], f["encodage"] or "", f["separateur"] or "", f["lignes"], _joined(f)]
            for f in files
        ],
    )
    details = [("Entrée", intake.get("entree") or "—"), ("Durée de lecture (s)", intake.get("secondes", "—"))]
    return Section(tables=[table], details=details)


def _joined(file: dict) -> str:
    return ", ".join(file["colonnes_ignorees"])


def validation_section(run_dir: Path, quarantine_headers: dict[str, str]) -> Section:
    """Quarantine reasons and rows, the dataset checks (Great Expectations), their timings."""
    from include.rpa.paths import read_json

    validation = read_json(run_dir / VALIDATION_FILE) or {}
    reasons = validation.get("motifs", {})
    checks = validation.get("controles_jeu", [])
    section = Section(
        tables=[
            Table(
                "Motifs de quarantaine",
                ["Motif", "Lignes"],
                [[k, v] for k, v in reasons.items()],
                note="Une ligne peut avoir plusieurs motifs.",
            ),
            csv_table("Lignes en quarantaine", run_dir / QUARANTINE_FILE, quarantine_headers),
            Table(
                "Contrôles d'ensemble (Great Expectations)",
                ["Contrôle", "Résultat", "Valeur observée"],
                [[c["attente"], "réussi" if c["succes"] else "ÉCHEC", _observed(c["observe"])] for c in checks],
            ),
        ],
        details=[
            ("Durée des règles ligne à ligne (s)", validation.get("secondes_lignes", "—")),
            ("Durée des contrôles d'ensemble (s)", validation.get("secondes_jeu", "—")),
        ],
    )
    for label, name in (
        ("Lignes en quarantaine (CSV, à ouvrir avec Excel)", QUARANTINE_FILE),
        ("Contrôles Great Expectations (Data Docs)", "data_docs/index.html"),
        ("Résumé technique (JSON)", "summary.json"),
    ):
        if (run_dir / name).exists():
            section.links.append((label, name))
    return section


def _observed(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1%}".replace(".", ",").replace("%", " %") if value <= 1 else f"{value:.2f}"
    return "—" if value is None else str(value)


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
