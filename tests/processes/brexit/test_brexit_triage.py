"""intake + validate of the Brexit process on a generated export: exact counts, the decision of
every file as the generator built it, French quarantine reasons, one letter per incomplete file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from include.processes.brexit import demo, rules, triage
from include.processes.brexit.codes import PIECES, SITUATIONS, TITRES, split_codes
from include.processes.brexit.config import load_settings
from include.rpa.errors import DatasetCheckError
from include.rpa.tasks import RunContext

LETTER_DATE = dt.date(2021, 11, 2)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One export of 300 files through intake and validate; the counts validate returned."""
    folder = tmp_path_factory.mktemp("brexit")
    inbox, run_dir = folder / "inbox", folder / "run"
    run_dir.mkdir()
    expectation = demo.write_demo(inbox / "demandes.csv", 300, seed=2021)
    triage.intake(RunContext("brexit_residence_permits", "test", run_dir, params={"input_path": str(inbox)}))
    counts = triage.triage(run_dir, letter_date=LETTER_DATE)
    return run_dir, expectation, counts


def test_counts_are_the_generators(run):
    run_dir, expectation, counts = run
    assert counts == expectation["counts"]
    assert counts == {
        "received": 300,
        "quarantined": 18,
        "valid": 282,
        "a_saisir": 198,
        "incomplets": 33,
        "non_eligibles": 30,
        "a_arbitrer": 21,
    }
    validation = json.loads((run_dir / "validation.json").read_text(encoding="utf-8"))
    assert {k: validation[k] for k in triage.COUNT_KEYS} == counts
    assert validation["lettres"] == 33
    assert validation["controles_echoues"] == []
    assert sum(validation["titres"].values()) == counts["a_saisir"]
    assert set(validation["titres"]) == set(TITRES)


def test_every_file_gets_the_decision_it_was_built_for(run):
    run_dir, expectation, _ = run
    expected = {e["ligne"]: e for e in expectation["dossiers"]}
    dossiers = pd.read_parquet(run_dir / triage.DOSSIERS_FILE)
    got = {
        int(row["_ligne"]): (row["decision"], row["titre"], row["pieces_manquantes"], row["regles"])
        for row in dossiers.to_dict("records")
    }
    want = {
        line: (e["decision"], e["titre"], e["pieces_manquantes"], e["regles"])
        for line, e in expected.items()
        if e["decision"] != demo.QUARANTINE
    }
    assert got == want
    assert set(dossiers["numero_dossier"]) == {e["numero_dossier"] for e in want_rows(expectation)}


def want_rows(expectation):
    return [e for e in expectation["dossiers"] if e["decision"] != demo.QUARANTINE]


def test_dossiers_are_normalised(run):
    run_dir, _, _ = run
    dossiers = pd.read_parquet(run_dir / triage.DOSSIERS_FILE)
    assert list(dossiers.columns) == list(triage.DOSSIER_COLUMNS)
    for column in ("date_naissance", "date_expiration_passeport", "date_entree_france", "date_depot"):
        assert dossiers[column].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), column
    assert dossiers["code_postal"].str.fullmatch(r"\d{5}").all()
    assert dossiers["numero_passeport"].str.fullmatch(r"[A-Z0-9]{9}").all()
    assert set(dossiers["situation"]) == set(SITUATIONS)
    assert dossiers["numero_dossier"].is_unique
    for joined in dossiers["pieces"]:
        assert set(split_codes(joined)) <= set(PIECES)
    british = {"britannique"}
    others = set(dossiers["nationalite"]) - british
    assert dossiers["nationalite"].eq("britannique").mean() > 0.8
    assert others <= {n.lower() for n in (*demo.FAMILY_NATIONALITIES, *demo.OTHER_NATIONALITIES)} | {
        "française",
        "franco-britannique",
    }
    saisir = dossiers[dossiers["decision"] == "saisir"]
    assert (saisir["titre"] != "").all() and (saisir["pieces_manquantes"] == "").all()
    assert dossiers["annees_residence"].dtype == "Int64"
    assert (dossiers["motifs"] != "").all()


def test_quarantine_lists_each_malformed_row_with_its_french_reason(run):
    run_dir, expectation, _ = run
    table = pd.read_csv(run_dir / triage.QUARANTINE_FILE, sep=";", encoding="utf-8-sig", dtype=str)
    assert list(table.columns) == ["fichier", "ligne", "numero_dossier", "initiales", "motifs"]
    quarantined = {e["ligne"]: e for e in expectation["dossiers"] if e["decision"] == demo.QUARANTINE}
    assert sorted(int(line) for line in table["ligne"]) == sorted(quarantined)
    for row in table.to_dict("records"):
        rule = quarantined[int(row["ligne"])]["regles"]
        assert row["motifs"].startswith(rules.REASONS[rule]), (rule, row["motifs"])
        assert row["fichier"] == "demandes.csv"
    reasons = " ".join(table["motifs"])
    assert "première occurrence : demandes.csv, ligne " in reasons
    assert "le zéro initial a sans doute été perdu par Excel" in reasons


class _Items(HTMLParser):
    """The text of each <li> of the letter's list of missing documents."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "li"
        if self._in:
            self.items.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.items[-1] += data


def test_one_letter_per_incomplete_file_listing_exactly_the_missing_documents(run):
    run_dir, expectation, _ = run
    incomplete = {e["numero_dossier"]: e for e in want_rows(expectation) if e["decision"] == "incomplet"}
    folder = run_dir / triage.LETTERS_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.html" for n in incomplete)
    dossiers = pd.read_parquet(run_dir / triage.DOSSIERS_FILE).set_index("numero_dossier")
    for number, expected in incomplete.items():
        html = (folder / f"{number}.html").read_text(encoding="utf-8")
        parser = _Items()
        parser.feed(html)
        missing = split_codes(expected["pieces_manquantes"])
        assert parser.items == [label for code, label in PIECES.items() if code in missing]
        assert "Objet : Demande de titre de séjour – accord de retrait – pièces manquantes" in html
        assert f"Dossier n° <strong>{number}</strong>" in html
        assert "avant le 2 décembre 2021" in html
        assert load_settings().letters.prefecture in html
        row = dossiers.loc[number]
        assert row["nom"].upper().replace("'", "&#39;") in html
        assert row["commune"].replace("'", "&#39;") in html


def test_a_retry_writes_the_same_results(run, tmp_path):
    run_dir, _, counts = run
    copy = tmp_path / "retry"
    copy.mkdir()
    (copy / triage.INTAKE_FILE).write_bytes((run_dir / triage.INTAKE_FILE).read_bytes())
    (copy / triage.LETTERS_FOLDER).mkdir()
    (copy / triage.LETTERS_FOLDER / "WA-2020-999999.html").write_text("ancienne lettre", encoding="utf-8")
    assert triage.triage(copy, letter_date=LETTER_DATE) == counts
    assert sorted(p.name for p in (copy / triage.LETTERS_FOLDER).iterdir()) == sorted(
        p.name for p in (run_dir / triage.LETTERS_FOLDER).iterdir()
    )


def test_too_many_quarantined_rows_stop_the_run_without_letters(run, tmp_path):
    run_dir, _, _ = run
    (tmp_path / triage.INTAKE_FILE).write_bytes((run_dir / triage.INTAKE_FILE).read_bytes())
    strict = dataclasses.replace(load_settings(), quarantine_ceiling=0.01)
    with pytest.raises(DatasetCheckError, match="Part des lignes en quarantaine au plus 1 %"):
        triage.triage(tmp_path, strict, letter_date=LETTER_DATE)
    assert not list((tmp_path / triage.LETTERS_FOLDER).glob("*.html"))
    validation = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert validation["lettres"] == 0 and validation["received"] == 300
    assert (tmp_path / triage.DOSSIERS_FILE).exists()


def test_letter_file_names_hold_no_personal_name(run):
    run_dir, _, _ = run
    for path in Path(run_dir / triage.LETTERS_FOLDER).iterdir():
        assert re.fullmatch(r"WA-\d{4}-\d{6}\.html", path.name)
