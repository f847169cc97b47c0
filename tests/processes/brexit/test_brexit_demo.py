"""The Brexit demo generator: reproducible French exports, every case in known proportions,
and cell texts the rules recognise."""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest

from include.processes.brexit import demo, rules
from include.processes.brexit.columns import COLUMNS, SPEC
from include.processes.brexit.config import load_settings
from include.rpa.normalize import canonical_choice
from include.rpa.text import header_key


def test_headers_are_matched_by_the_column_spec():
    lookup = SPEC.lookup()
    assert {c: lookup.get(header_key(title)) for c, title in demo.HEADERS.items()} == {c: c for c in COLUMNS}


@pytest.mark.parametrize(
    ("count", "outcomes"),
    [
        (1000, {"saisir": 660, "incomplet": 110, "non_eligible": 100, "a_arbitrer": 70, "quarantaine": 60}),
        (300, {"saisir": 198, "incomplet": 33, "non_eligible": 30, "a_arbitrer": 21, "quarantaine": 18}),
        (50, {"saisir": 33, "incomplet": 6, "non_eligible": 5, "a_arbitrer": 3, "quarantaine": 3}),
    ],
)
def test_case_counts_follow_the_outcome_shares(count, outcomes):
    counts = demo.case_counts(count)
    assert sum(counts.values()) == count
    found: dict[str, int] = {}
    for case, n in counts.items():
        found[demo.CASES[case].outcome] = found.get(demo.CASES[case].outcome, 0) + n
    assert found == outcomes


def test_every_case_occurs_from_the_documented_size():
    assert min(demo.case_counts(demo.ALL_CASES_FROM).values()) == 1
    assert min(demo.case_counts(demo.ALL_CASES_FROM - 1).values()) == 0
    assert demo.case_counts(1000)["saisir_10_ans"] == 300


def test_quarantine_cases_are_row_rule_ids():
    for case, spec in demo.CASES.items():
        if spec.outcome == demo.QUARANTINE:
            assert case in rules.REASONS


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    paths = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        path = tmp_path / name / "demandes.csv"
        demo.write_demo(path, 200, seed)
        paths.append(path)
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b != c
    expected = [demo.companion_path(p).read_bytes() for p in paths]
    assert expected[0] == expected[1] != expected[2]


def test_written_as_french_excel_does(tmp_path):
    path = tmp_path / "demandes.csv"
    expectation = demo.write_demo(path, 200, 9)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == [demo.HEADERS[c] for c in COLUMNS]
    assert len(rows) == 201
    assert all(len(r) == len(COLUMNS) for r in rows)
    body = pd.DataFrame(rows[1:], columns=list(COLUMNS))
    assert body["date_depot"].str.fullmatch(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{2}").all()
    assert body["code_postal"].str.len().eq(4).any(), "some postal codes lost their leading zero"
    assert body["pieces"].str.contains("\n").any() and body["pieces"].str.contains("|", regex=False).any()
    # The companion is hidden (intake skips it) and holds what write_demo returned.
    companion = demo.companion_path(path)
    assert companion.name == ".demandes.attendu.json"
    assert json.loads(companion.read_text(encoding="utf-8")) == expectation
    assert expectation["counts"]["received"] == 200
    assert [e["ligne"] for e in expectation["dossiers"]] == list(range(2, 202))
    assert expectation["lettres"] == expectation["counts"]["incomplets"]


def test_valid_files_have_well_formed_numbers():
    export = demo.generate(400, seed=3)
    numbers = [e["numero_dossier"] for e in export.expected if e["decision"] != demo.QUARANTINE]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(load_settings().file_number_pattern, n) for n in numbers)
    passports = [r["numero_passeport"] for r, e in zip(export.records, export.expected, strict=True)]
    assert sum(len(p) == 9 and p.isalnum() for p in passports) >= 395


def test_every_written_variant_is_recognised():
    written = [v for values in demo.DOCUMENTS_WRITTEN.values() for v in values]
    written += [v for values in demo.ACTIVITY_WRITTEN.values() for v in values]
    for name in written:
        codes, unknown = rules.split_documents(name)
        assert len(codes) == 1 and not unknown, name
    for code, values in demo.DOCUMENTS_WRITTEN.items():
        for name in values:
            assert rules.split_documents(name)[0] == (code,), name
    for name in demo.UNKNOWN_DOCUMENTS:
        assert rules.split_documents(name)[1] == (name,)
    for code, values in demo.SITUATION_WRITTEN.items():
        assert set(canonical_choice(pd.Series(values), rules.SITUATION_SYNONYMS)) == {code}
    unknown = canonical_choice(pd.Series(demo.UNKNOWN_SITUATIONS), rules.SITUATION_SYNONYMS)
    assert list(unknown) == list(demo.UNKNOWN_SITUATIONS)
    assert {rules.normalise_nationality(v) for v, _ in demo.BRITISH_WRITTEN} == {"britannique"}
    assert "britannique" not in {rules.normalise_nationality(v) for v in demo.OTHER_NATIONALITIES}
    assert {rules.normalise_nationality(v) for v in demo.FRENCH_WRITTEN} <= {"française", "franco-britannique"}
    for text in demo.LATE_MAJORITY_WRITTEN:
        assert rules.late_reason_code(text, load_settings()) == "majorite"
    for text in demo.LATE_UNKNOWN_WRITTEN:
        assert rules.late_reason_code(text, load_settings()) is None


def test_the_cli_writes_the_file(tmp_path, capsys):
    out = tmp_path / "export.csv"
    assert demo.main(["--count", "60", "--seed", "4", "--out", str(out)]) == 0
    assert out.exists() and demo.companion_path(out).exists()
    assert "60 dossiers" in capsys.readouterr().out
