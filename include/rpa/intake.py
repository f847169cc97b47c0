"""Read the spreadsheets departments really send, every cell as text.

CSV in UTF-8 (with or without BOM) or cp1252, ``;``, ``,`` or tab separated,
and XLSX. Headers are matched to a process's canonical columns case-, accent-,
space- and punctuation-insensitively, through documented synonyms. Blank lines
are ignored; every kept row carries its file name and its spreadsheet row
number (``_fichier``, ``_ligne``) so a report can point an agent back to it.
A file that cannot be read at all raises :class:`IntakeError` in French.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from include.rpa.errors import IntakeError, NoInputError
from include.rpa.text import header_key

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.tasks import RunContext

FILE_COLUMN = "_fichier"
LINE_COLUMN = "_ligne"
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
UNSUPPORTED = {
    ".xls": "ancien format Excel .xls non pris en charge : l'enregistrer en .xlsx ou en CSV",
    ".ods": "format OpenDocument .ods non pris en charge : l'enregistrer en .xlsx ou en CSV",
}


# Headers French spreadsheets use for columns many processes have (a process lists the ones
# of its own beside them). Matched case-, accent-, space- and punctuation-insensitively.
COMMON_SYNONYMS = {
    "nom": ["nom de naissance", "nom naissance", "nom patronymique", "nom de famille", "nom famille"],
    "prenom": ["prénoms", "prénom(s)", "premier prénom"],
    "date_naissance": ["date de naissance", "né(e) le", "né le", "née le", "DDN", "naissance"],
    "adresse": ["adresse postale", "adresse (rue)", "rue", "voie", "domicile"],
    "code_postal": ["CP"],
    "commune": ["ville", "localité", "commune de résidence"],
}


@dataclass(frozen=True)
class ColumnSpec:
    """Canonical columns of a process, the required ones, and header synonyms (the process's
    own and :data:`COMMON_SYNONYMS`)."""

    columns: tuple[str, ...]
    required: frozenset[str]
    synonyms: Mapping[str, Iterable[str]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def lookup(self) -> dict[str, str]:
        """header_key -> canonical column name."""
        table: dict[str, str] = {}
        for column in self.columns:
            for alias in (column, *COMMON_SYNONYMS.get(column, ()), *self.synonyms.get(column, ())):
                table[header_key(alias)] = column
        return table

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


@dataclass
class FileReport:
    """What intake saw in one file (no cell content: safe for XCom and reports)."""

    name: str
    rows: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "fichier": self.name,
            "lignes": self.rows,
            "format": self.format,
            "encodage": self.encoding,
            "separateur": self.delimiter,
            "colonnes_ignorees": self.ignored_columns,
        }


def list_input_files(path: Path) -> list[Path]:
    """The files to read under ``path`` (a file or a folder), sorted by name.

    Hidden files and Excel lock files (``~$...``) are skipped.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise IntakeError([f"{path} : chemin introuvable"])
    return sorted(
        p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() != ".md"
    )


def read_inputs(path: Path, spec: ColumnSpec) -> tuple[pd.DataFrame, list[FileReport]]:
    """Read every file under ``path``; collect every unreadable file's problem."""
    import pandas as pd

    files = list_input_files(path)
    if not files:
        raise IntakeError([f"{path} : aucun fichier à traiter dans ce dossier"])
    frames, reports, problems = [], [], []
    for file in files:
        try:
            frame, report = read_file(file, spec)
        except IntakeError as exc:
            problems.extend(exc.problems)
            continue
        frames.append(frame)
        reports.append(report)
    if problems:
        raise IntakeError(problems)
    table = pd.concat(frames, ignore_index=True)
    return table, reports


def read_file(file: Path, spec: ColumnSpec) -> tuple[pd.DataFrame, FileReport]:
    suffix = file.suffix.lower()
    if suffix in UNSUPPORTED:
        raise IntakeError([f"{file.name} : {UNSUPPORTED[suffix]}"])
    if file.stat().st_size == 0:
        raise IntakeError([f"{file.name} : fichier vide"])
    if suffix in XLSX_SUFFIXES:
        header, frame, first_row, report = _read_xlsx(file)
    elif suffix in CSV_SUFFIXES:
        header, frame, first_row, report = _read_csv(file)
    else:
        raise IntakeError([f"{file.name} : format « {suffix or 'sans extension'} » non reconnu (CSV ou XLSX attendu)"])
    return _canonical_frame(file, header, frame, first_row, report, spec)


def _decode(file: Path) -> tuple[str, str]:
    raw = file.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(b"PK\x03\x04"):
        raise IntakeError([f"{file.name} : classeur Excel enregistré avec l'extension {file.suffix}"])
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(file: Path) -> tuple[list[str], pd.DataFrame, int, FileReport]:
    import pandas as pd

    text, encoding = _decode(file)
    # Universal newlines; the stream is left just after the header line, so the
    # body is parsed where it lies (no copy of a file that may weigh 250 MB).
    stream = io.StringIO(text, newline=None)
    skipped = 0
    header_line = stream.readline()
    while header_line and not header_line.strip(" ;,\t\u00a0\r\n"):
        skipped += 1
        header_line = stream.readline()
    if not header_line:
        raise IntakeError([f"{file.name} : fichier vide"])
    header_line = header_line.rstrip("\n")
    delimiter = max((";", ",", "\t"), key=header_line.count)
    if header_line.count(delimiter) == 0:
        raise IntakeError(
            [f"{file.name} : une seule colonne lue ; séparateur « ; » ou « , » attendu entre les colonnes"]
        )
    header = next(csv.reader([header_line], delimiter=delimiter))
    try:
        frame = pd.read_csv(
            stream,
            sep=delimiter,
            header=None,
            names=range(len(header)),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise IntakeError([f"{file.name} : structure CSV incohérente ({_parser_detail(exc, skipped)})"]) from exc
    # Spreadsheet row of each record: header is row skipped + 1.
    first_row = skipped + 2
    report = FileReport(file.name, 0, "csv", encoding, delimiter)
    return header, frame, first_row, report


def _parser_detail(exc: Exception, skipped: int) -> str:
    import re

    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if not match:
        return "ligne mal formée"
    expected, line, seen = (int(g) for g in match.groups())
    return f"ligne {line + skipped + 1} : {seen} colonnes au lieu de {expected}"


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        # 15-digit NIRs and postal codes stored as numbers keep every digit here.
        return str(int(value))
    return str(value)


def _read_xlsx(file: Path) -> tuple[list[str], pd.DataFrame, int, FileReport]:
    import pandas as pd
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise IntakeError([f"{file.name} : classeur XLSX illisible ({type(exc).__name__})"]) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header: list[str] | None = None
        header_row = 0
        for number, values in enumerate(rows, start=1):
            cells = [_xlsx_cell(v) for v in values]
            if any(c.strip() for c in cells):
                header, header_row = cells, number
                break
        if header is None:
            raise IntakeError([f"{file.name} : fichier vide (première feuille sans données)"])
        width = len(header)
        records = []
        for values in rows:
            cells = [_xlsx_cell(v) for v in values[:width]]
            records.append(cells + [""] * (width - len(cells)))
    finally:
        workbook.close()
    frame = pd.DataFrame(records, columns=range(width), dtype=str)
    report = FileReport(file.name, 0, "xlsx")
    return header, frame, header_row + 1, report


def _canonical_frame(
    file: Path,
    header: list[str],
    frame: pd.DataFrame,
    first_row: int,
    report: FileReport,
    spec: ColumnSpec,
) -> tuple[pd.DataFrame, FileReport]:
    import pandas as pd

    lookup = spec.lookup()
    chosen: dict[int, str] = {}
    seen: dict[str, str] = {}
    problems = []
    for position, title in enumerate(header):
        column = lookup.get(header_key(title))
        if column is None:
            if title.strip():
                report.ignored_columns.append(title.strip())
            continue
        if column in seen:
            problems.append(
                f"{file.name} : colonnes « {seen[column]} » et « {title.strip()} » désignent "
                f"toutes deux « {spec.label(column)} »"
            )
            continue
        seen[column] = title.strip()
        chosen[position] = column
    missing = [spec.label(c) for c in spec.columns if c in spec.required and c not in seen]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "aucune"
        problems.append(
            f"{file.name} : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)} (colonnes trouvées : {found})"
        )
    if problems:
        raise IntakeError(problems)
    out = pd.DataFrame(index=frame.index)
    for position, column in chosen.items():
        out[column] = frame[position].fillna("").str.strip()
    for column in spec.columns:
        if column not in out:
            out[column] = ""
    out = out[list(spec.columns)]
    out[FILE_COLUMN] = file.name
    out[LINE_COLUMN] = frame.index + first_row
    blank = (out[list(spec.columns)] == "").all(axis=1)
    out = out[~blank].reset_index(drop=True)
    if out.empty:
        raise IntakeError([f"{file.name} : aucune ligne de données sous l'en-tête"])
    report.rows = len(out)
    return out, report


def intake_to_run(input_path: Path, run_dir: Path, spec: ColumnSpec, table_file: str = "intake.parquet") -> dict:
    """The intake step of a process: read every file under ``input_path`` into ``run_dir/table_file``
    (all text) and ``intake.json`` (files read, or the problems found); small counts for XCom."""
    import time

    from include.rpa.paths import write_json

    started = time.perf_counter()
    try:
        table, reports = read_inputs(input_path, spec)
    except IntakeError as exc:
        write_json(run_dir / "intake.json", {"entree": str(input_path), "erreurs": exc.problems})
        raise
    table.to_parquet(run_dir / table_file, index=False)
    write_json(
        run_dir / "intake.json",
        {
            "entree": str(input_path),
            "received": len(table),
            "fichiers": [r.as_dict() for r in reports],
            "secondes": round(time.perf_counter() - started, 3),
        },
    )
    return {"received": len(table), "files": len(reports)}


def intake_run(
    run: RunContext,
    spec: ColumnSpec,
    *,
    inbox: str | None = None,
    out_of_season: str | None = None,
    table_file: str = "intake.parquet",
) -> dict:
    """A process's intake step: the file or folder named by the run's ``input_path``, else (a
    scheduled run) the inbox folder of the run's day, ``<RPA_DATA_DIR>/inbox/<inbox>/<day>/``.

    Nothing to read (an empty inbox, or ``out_of_season``: why the run's day has nothing to
    do) raises :class:`NoInputError` (the step is skipped) after writing why in ``intake.json``;
    a process without an inbox needs ``input_path``.
    """
    from include.rpa.paths import inbox_dir, write_json

    given = run.params.get("input_path")
    if given:
        return intake_to_run(Path(given), run.folder, spec, table_file)
    if inbox is None:
        raise IntakeError(["paramètre input_path vide"], heading="Indiquez le fichier ou le dossier à traiter :")
    source = inbox_dir(inbox, run.day)
    try:
        if out_of_season:
            raise NoInputError(out_of_season, hors_periode=True)
        if not source.is_dir() or not any(source.iterdir()):
            raise NoInputError(f"Aucun fichier déposé pour le {run.day:%d/%m/%Y} dans {source}")
    except NoInputError as exc:
        write_json(run.folder / "intake.json", {"entree": str(source), "received": 0, "motif": str(exc), **exc.details})
        raise
    return intake_to_run(source, run.folder, spec, table_file)
