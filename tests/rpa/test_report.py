"""The French HTML report (include/rpa/report.py): sections, tables cut for the page, numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from include.rpa.report import (
    SHOWN,
    Report,
    Section,
    Table,
    csv_table,
    french_number,
    intake_section,
    render,
    validation_section,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1400, "1\u202f400"), (1234.5, "1\u202f234,50"), (3.0, "3"), (True, "True"), ("abc", "abc")],
)
def test_numbers_are_written_the_french_way(value, text) -> None:
    assert french_number(value) == text


def test_a_long_csv_is_cut_for_the_page_and_says_where_the_rest_is(tmp_path: Path) -> None:
    path = tmp_path / "quarantine.csv"
    path.write_text(
        "fichier;ligne;motifs\n" + "".join(f"f.csv;{n};NIR invalide\n" for n in range(SHOWN + 3)), "utf-8-sig"
    )
    table = csv_table("Lignes en quarantaine", path, {"fichier": "Fichier", "motifs": "Motifs"})
    assert table.columns == ["Fichier", "Motifs"] and len(table.rows) == SHOWN
    assert table.note == f"{SHOWN} premières lignes sur {SHOWN + 3} : la liste complète est dans quarantine.csv."
    assert csv_table("Vide", tmp_path / "absent.csv").rows == []


def test_sections_compose_a_report_rendered_in_french_with_escaping(tmp_path: Path) -> None:
    (tmp_path / "intake.json").write_text(
        json.dumps(
            {
                "entree": "/inbox/82",
                "secondes": 0.4,
                "fichiers": [
                    {
                        "fichier": "v.csv",
                        "format": "csv",
                        "encodage": "cp1252",
                        "separateur": ";",
                        "lignes": 3,
                        "colonnes_ignorees": ["remarque"],
                    }
                ],
            }
        )
    )
    (tmp_path / "validation.json").write_text(
        json.dumps(
            {
                "motifs": {"NIR invalide": 1},
                "controles_jeu": [
                    {"attente": "Part des lignes en quarantaine au plus 20 %", "succes": False, "observe": 0.5}
                ],
                "secondes_lignes": 0.1,
            }
        )
    )
    (tmp_path / "quarantine.csv").write_text(
        "fichier;ligne;initiales;motifs\nv.csv;3;M. D.;NIR invalide\n", "utf-8-sig"
    )
    report = Report("Titre <b>", "Sous-titre", success=False, status="Contrôle en échec", counts=[("reçues", 1400)])
    report.add(
        intake_section(tmp_path),
        validation_section(tmp_path, {"fichier": "Fichier", "ligne": "Ligne", "motifs": "Motifs"}),
        Section(counts=[("saisis", 0)], details=[("Essai à blanc", "non")]),
    )
    html = render(report, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Titre &lt;b&gt;" in html and "1\u202f400" in html
    assert [t.title for t in report.tables] == [
        "Fichiers lus",
        "Motifs de quarantaine",
        "Lignes en quarantaine",
        "Contrôles d'ensemble (Great Expectations)",
    ]
    assert "ÉCHEC" in html and "50,0 %" in html and "remarque" in html
    assert ("Lignes en quarantaine (CSV, à ouvrir avec Excel)", "quarantine.csv") in report.links
    assert [label for label, _ in report.details] == [
        "Entrée",
        "Durée de lecture (s)",
        "Durée des règles ligne à ligne (s)",
        "Durée des contrôles d'ensemble (s)",
        "Essai à blanc",
    ]


def test_an_empty_table_says_so() -> None:
    html_table = Table("Refus", ["A"], [])
    assert html_table.rows == [] and html_table.note is None
