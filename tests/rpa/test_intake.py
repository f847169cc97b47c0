"""Intake: every file-format trap of docs/domain/spreadsheets.md, and clear French errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from include.processes.election_staff.columns import SPEC
from include.rpa.errors import IntakeError
from include.rpa.intake import read_inputs

HEADER = [
    "Nom de naissance",
    "Prénom",
    "Sexe",
    "Né(e) le",
    "N° de sécurité sociale",
    "Adresse",
    "CP",
    "Ville",
    "IBAN",
    "Statut",
    "Site d'affectation",
    "Fonction",
    "Date de début",
    "Date de fin",
]
ROW = [
    "Lœwenbrück",
    "Zoé",
    "F",
    "15/10/1995",
    "2 95 10 99 126 111 93",
    "12 rue de l’Église",
    "82000",
    "Montauban",
    "FR14 2004 1010 0505 0001 3M02 606",
    "Étudiant",
    "Montauban",
    "agent de mise sous pli",
    "29/03/2027",
    "07/04/2027",
]


def write_csv(path: Path, rows: list[list[str]], *, sep: str = ";", encoding: str = "cp1252", eol: str = "\r\n"):
    text = eol.join(sep.join(cells) for cells in rows) + eol
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(";", "cp1252"), (";", "utf-8"), (";", "utf-8-sig"), (",", "utf-8"), ("\t", "utf-8"), (",", "cp1252")],
)
def test_csv_encodings_and_separators(tmp_path, sep, encoding):
    row = [c.replace(",", " ") for c in ROW]
    path = write_csv(tmp_path / "f.csv", [HEADER, row], sep=sep, encoding=encoding)
    frame, (report,) = read_inputs(path, SPEC)
    assert report.encoding == encoding and report.delimiter == sep
    assert frame.loc[0, "nom"] == "Lœwenbrück"  # Œ exists in cp1252, not in latin-1
    assert frame.loc[0, "adresse"] == "12 rue de l’Église"
    assert frame.loc[0, "nir"] == "2 95 10 99 126 111 93"
    assert frame.loc[0, "_ligne"] == 2


def test_headers_match_case_accent_space_and_punctuation_insensitively(tmp_path):
    header = [
        " NOM ",
        "prenom",
        "SEXE",
        "NE LE",
        "n° sécu",
        "adresse",
        "Code Postal",
        "COMMUNE",
        "iban",
        "statut",
        "SITE",
        "fonction",
        "date début",
        "DATE-FIN",
        "Colonne inconnue",
    ]
    path = write_csv(tmp_path / "f.csv", [header, [*ROW, "x"]])
    frame, (report,) = read_inputs(path, SPEC)
    assert frame.loc[0, "date_naissance"] == "15/10/1995"
    assert frame.loc[0, "code_postal"] == "82000"
    assert report.ignored_columns == ["Colonne inconnue"]


def test_blank_lines_and_trailing_spaces_are_ignored_and_rows_keep_their_spreadsheet_number(tmp_path):
    padded = [f"{c}  \u00a0" for c in ROW]
    empty = [""] * len(HEADER)
    path = write_csv(tmp_path / "f.csv", [empty, HEADER, ROW, empty, [""], padded, empty])
    frame, (report,) = read_inputs(path, SPEC)
    assert report.rows == 2
    assert frame["_ligne"].tolist() == [3, 6]
    assert frame.loc[1, "nom"] == "Lœwenbrück"
    assert frame.loc[1, "iban"] == "FR14 2004 1010 0505 0001 3M02 606"


def test_scientific_notation_nir_is_read_as_text(tmp_path):
    row = ROW.copy()
    row[4] = "2,95109E+14"
    frame, _ = read_inputs(write_csv(tmp_path / "f.csv", [HEADER, row]), SPEC)
    assert frame.loc[0, "nir"] == "2,95109E+14"


def test_xlsx_cells_are_text_and_numbers_keep_every_digit(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER)
    row: list[object] = ROW.copy()
    row[3] = dt.datetime(1995, 10, 15)  # a real Excel date
    row[4] = 295109912611193  # NIR stored as a number
    row[6] = 9000  # postal code 09000 as a number: its leading zero is gone
    row[12] = dt.date(2027, 3, 29)
    sheet.append(row)
    sheet.append([None] * len(HEADER))
    sheet.append(ROW)
    workbook.save(tmp_path / "f.xlsx")
    frame, (report,) = read_inputs(tmp_path / "f.xlsx", SPEC)
    assert report.format == "xlsx" and report.rows == 2
    assert frame["_ligne"].tolist() == [3, 5]
    assert frame.loc[0, "date_naissance"] == "15/10/1995"
    assert frame.loc[0, "nir"] == "295109912611193"
    assert frame.loc[0, "code_postal"] == "9000"
    assert frame.loc[0, "date_debut"] == "29/03/2027"


def test_folder_reads_every_file_in_name_order_and_skips_lock_files(tmp_path):
    write_csv(tmp_path / "b.csv", [HEADER, ROW])
    write_csv(tmp_path / "a.csv", [HEADER, ROW, ROW])
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / ".hidden.csv").write_text("x")
    frame, reports = read_inputs(tmp_path, SPEC)
    assert [r.name for r in reports] == ["a.csv", "b.csv"]
    assert frame["_fichier"].tolist() == ["a.csv", "a.csv", "b.csv"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.csv", b"", "vide.csv : fichier vide"),
        ("blancs.csv", b"\r\n;;;\r\n", "blancs.csv : fichier vide"),
        ("entete.csv", ";".join(HEADER).encode("cp1252") + b"\r\n", "entete.csv : aucune ligne de données"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0", "ancien.xls : ancien format Excel .xls"),
        ("notes.pdf", b"%PDF-1.4", "notes.pdf : format « .pdf » non reconnu"),
        ("faux.xlsx", b"not a zip", "faux.xlsx : classeur XLSX illisible"),
        ("classeur.csv", b"PK\x03\x04rest", "classeur.csv : classeur Excel enregistré avec l'extension .csv"),
        ("une_colonne.csv", b"nom\r\nDupont\r\n", "une_colonne.csv : une seule colonne lue"),
    ],
)
def test_unreadable_files_fail_with_a_french_message_naming_the_file(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(IntakeError) as error:
        read_inputs(tmp_path / name, SPEC)
    assert message in str(error.value)


def test_missing_required_column_is_named(tmp_path):
    header = [h for h in HEADER if h != "IBAN"]
    row = [c for h, c in zip(HEADER, ROW, strict=True) if h != "IBAN"]
    with pytest.raises(IntakeError) as error:
        read_inputs(write_csv(tmp_path / "f.csv", [header, row]), SPEC)
    assert "f.csv : colonne(s) obligatoire(s) absente(s) : IBAN" in str(error.value)


def test_two_headers_for_one_column_are_refused(tmp_path):
    header = [*HEADER, "Courriel", "E-mail"]
    with pytest.raises(IntakeError) as error:
        read_inputs(write_csv(tmp_path / "f.csv", [header, [*ROW, "a@b.fr", "c@d.fr"]]), SPEC)
    assert "« Courriel » et « E-mail » désignent toutes deux « e-mail »" in str(error.value)


def test_ragged_line_is_reported_with_its_spreadsheet_row(tmp_path):
    path = write_csv(tmp_path / "f.csv", [HEADER, ROW, [*ROW, "extra"]])
    with pytest.raises(IntakeError) as error:
        read_inputs(path, SPEC)
    assert "f.csv : structure CSV incohérente (ligne 3 : 15 colonnes au lieu de 14)" in str(error.value)


def test_every_bad_file_of_a_folder_is_reported_at_once(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    (tmp_path / "b.xls").write_bytes(b"x")
    write_csv(tmp_path / "c.csv", [HEADER, ROW])
    with pytest.raises(IntakeError) as error:
        read_inputs(tmp_path, SPEC)
    assert len(error.value.problems) == 2


def test_empty_folder_and_missing_path(tmp_path):
    with pytest.raises(IntakeError, match="aucun fichier à traiter"):
        read_inputs(tmp_path, SPEC)
    with pytest.raises(IntakeError, match="chemin introuvable"):
        read_inputs(tmp_path / "absent", SPEC)
