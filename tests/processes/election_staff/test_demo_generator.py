"""The demo generator: reproducible files whose defects the row rules find exactly."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from schwifty import IBAN
from stdnum.fr import nir as stdnum_nir

from include.processes.election_staff import demo, rules
from include.processes.election_staff.columns import COLUMNS, SPEC
from include.processes.election_staff.config import get_election
from include.processes.election_staff.onboarding import split_rows
from include.rpa.checks import nir as nir_checks
from include.rpa.intake import read_inputs
from include.rpa.text import header_key

SUFFIX = {"excel-csv": ".csv", "utf8-bom-csv": ".csv", "comma-csv": ".csv", "xlsx": ".xlsx"}
NIR_KINDS = {k for k in demo.DEFECT_KINDS if k.startswith("nir_") or k == "requis:nir"} - {"nir_doublon"}
IBAN_KINDS = {"iban_cle", "iban_rib", "iban_format"}


def _compact(value: str) -> str:
    return re.sub(r"\s", "", value).upper()


@pytest.fixture(scope="module")
def small():
    return demo.generate(600, defect_share=0.1, seed=11)


@pytest.fixture(scope="module")
def standard():
    """The demo file of `make run`: 1,400 rows, 3 % defects, seed 2027."""
    return demo.generate(1400, defect_share=0.03, seed=2027)


def test_headers_are_matched_by_the_column_spec():
    lookup = SPEC.lookup()
    assert {column: lookup.get(header_key(title)) for column, title in demo.HEADERS.items()} == {c: c for c in COLUMNS}


def test_defect_kinds_are_rule_ids():
    for kind in demo.DEFECT_KINDS:
        assert kind in rules.REASONS
        assert kind in rules.RULES or kind.startswith("requis:")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for fmt in ("excel-csv", "xlsx"):
        paths = []
        for name, seed in (("a", 5), ("b", 5), ("c", 6)):
            path = tmp_path / name / f"vacataires{SUFFIX[fmt]}"
            demo.write(demo.generate(300, defect_share=0.1, seed=seed), path, fmt)
            paths.append(path)
        a, b, c = (p.read_bytes() for p in paths)
        assert a == b, fmt
        assert a != c, fmt
        manifests = [p.with_suffix(".manifest.json").read_bytes() for p in paths]
        assert manifests[0] == manifests[1]
        assert manifests[0] != manifests[2]


@pytest.mark.parametrize("fmt", demo.FORMATS)
def test_rules_find_exactly_the_defects(small, tmp_path, fmt):
    path = tmp_path / f"vacataires_82{SUFFIX[fmt]}"
    manifest = demo.write(small, path, fmt)
    assert json.loads(path.with_suffix(".manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["blank_rows"], "blank lines between records are part of the realism"

    frame, _ = read_inputs(path, SPEC)
    normalised, reasons, _ = split_rows(frame, get_election())

    received, quarantined = len(normalised), len(reasons)
    valid = received - quarantined
    assert received == manifest["rows"] == manifest["expected_received"] == 600
    assert quarantined == manifest["expected_quarantined"] == 60
    assert valid == manifest["expected_valid"] == 540
    assert received == quarantined + valid

    expected = {d["row"]: d for d in manifest["defects"]}
    found = dict(zip(normalised.loc[reasons.index, "_ligne"].tolist(), reasons.tolist(), strict=True))
    assert set(found) == set(expected)
    for row, text in found.items():
        defect = expected[row]
        reason = rules.REASONS[defect["kind"]]
        assert reason in text, (row, defect, text)
        if defect["kind"] == "nir_doublon":
            assert text.endswith(f"ligne {defect['original']}"), text
        else:
            assert text == reason, (row, defect, text)  # exactly one rule failed
    # Record position -> spreadsheet row: the header is row 1, blank lines take a row.
    for defect in manifest["defects"]:
        assert small.sheet_rows[defect["record"] - 1] == defect["row"]
        assert defect["row"] - defect["record"] - 1 == sum(b < defect["row"] for b in manifest["blank_rows"])


def test_every_kind_occurs_evenly_at_3_percent_of_1400_rows(standard):
    manifest = standard.manifest()
    counts = manifest["defects_by_kind"]
    assert manifest["expected_quarantined"] == 42
    assert set(counts) == set(demo.DEFECT_KINDS)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == 42
    positions = [d["record"] for d in manifest["defects"]]
    assert len(set(positions)) == 42 and 1 not in positions


def test_every_kind_occurs_as_soon_as_there_are_enough_defects():
    rows = 2 * len(demo.DEFECT_KINDS)
    manifest = demo.generate(rows, defect_share=0.5, seed=3).manifest()
    assert set(manifest["defects_by_kind"]) == set(demo.DEFECT_KINDS)


def test_valid_nirs_pass_stdnum_and_match_sex_and_birth(standard):
    kinds = {d.record: d.kind for d in standard.defects}
    checked = 0
    for position, record in enumerate(standard.records, start=1):
        if kinds.get(position) in NIR_KINDS:
            continue
        value = _compact(record["N° de sécurité sociale"])
        assert stdnum_nir.is_valid(value), (position, value)
        assert value[13:] == nir_checks.key_for(value[:13])
        if kinds.get(position) not in ("sexe", "date_naissance", "age_minimum"):
            sex = {"M": "1", "H": "1", "F": "2"}[record["Sexe"]]
            birth = dt.datetime.strptime(record["Né(e) le"], "%d/%m/%Y")
            assert value[0] == sex
            assert value[1:5] == birth.strftime("%y%m")
        checked += 1
    assert checked > 1300


def test_valid_ibans_pass_schwifty(standard):
    kinds = {d.record: d.kind for d in standard.defects}
    ibans = [_compact(r["IBAN"]) for p, r in enumerate(standard.records, start=1) if kinds.get(p) not in IBAN_KINDS]
    assert len(ibans) > 1350
    for value in ibans:
        IBAN(value, validate_bban=True)  # raises on a wrong checksum or RIB key
    assert any(re.search(r"[A-Z]", v[14:25]) for v in ibans), "some accounts hold a letter"


def test_bank_codes_map_to_their_bic_in_schwifty():
    for bank, bic, _weight in demo.BANKS:
        bban = f"{bank}0000100000000000"
        bban += f"{demo.rib_key(bank, '00001', '00000000000'):02d}"
        value = f"FR{demo.iban_check_digits(bban):02d}{bban}"
        assert str(IBAN(value, validate_bban=True).bic) == bic


def test_public_iban_example_recomputed():
    # docs/domain/iban-bic.md: FR14 2004 1010 0505 0001 3M02 606
    assert demo.rib_key("20041", "01005", "0500013M026") == 6
    assert demo.iban_check_digits("20041010050500013M02606") == 14


def test_defective_ibans_fail_only_their_check(standard):
    for defect in standard.defects:
        value = _compact(standard.records[defect.record - 1]["IBAN"])
        if defect.kind == "iban_rib":  # right check digits, wrong RIB key
            assert demo.iban_check_digits(value[4:]) == int(value[2:4])
            assert demo.rib_key(value[4:9], value[9:14], value[14:25]) != int(value[25:])
        elif defect.kind == "iban_cle":  # right RIB key, wrong check digits
            assert demo.rib_key(value[4:9], value[9:14], value[14:25]) == int(value[25:])
            assert demo.iban_check_digits(value[4:]) != int(value[2:4])


def test_values_look_like_real_files(standard):
    records, n = standard.records, standard.rows
    election = get_election()
    kinds = {d.record: d.kind for d in standard.defects}
    valid = [r for p, r in enumerate(records, start=1) if p not in kinds]
    for record in valid:
        birth = dt.datetime.strptime(record["Né(e) le"], "%d/%m/%Y").date()
        start = dt.datetime.strptime(record["Date de début"], "%d/%m/%Y").date()
        end = dt.datetime.strptime(record["Date de fin"], "%d/%m/%Y").date()
        assert election.period_start <= start <= end <= election.period_end
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        assert 18 <= age <= 80
        assert record["CP"].zfill(5)[:2] in ("82", "09")
    phones = [r["Téléphone"] for r in valid if r["Téléphone"]]
    share_spaced = sum(bool(re.fullmatch(r"0\d( \d\d){4}", p)) for p in phones) / len(phones)
    assert share_spaced > 0.7
    assert 0.75 < sum(bool(r["Courriel"]) for r in records) / n < 0.85
    assert 0.28 < sum(" " in r["N° de sécurité sociale"].strip() for r in records) / n < 0.4
    assert 0.45 < sum(" " in r["IBAN"].strip() for r in records) / n < 0.55
    roles = Counter(rules.FONCTION_SYNONYMS.get(r["Fonction"], r["Fonction"]) for r in valid)
    assert 0.06 < (roles["chef de table"] + roles["cheffe de table"]) / len(valid) < 0.14
    sexes = Counter(r["Sexe"] for r in valid)
    assert set(sexes) == {"M", "F", "H"}
    names = " ".join(r["Nom de naissance"] + " " + r["Nom d'usage"] + " " + r["Prénom"] for r in records)
    for sign in ("é", "-", "'", "\u2019", "épouse "):
        assert sign in names, sign
    assert "œ" in names.lower()
    assert any(r["Nom de naissance"].endswith(" ") for r in records)
    places = Counter(_compact(r["N° de sécurité sociale"])[5:7] for r in valid)
    assert places["2A"] + places["2B"] > 0 and places["99"] > 0 and places["82"] > n / 3
    assert len({r["Site d'affectation"].strip() for r in records}) == 4
    assert all(r["Site d'affectation"].strip().startswith(("Montauban", "Castelsarrasin", "Moissac")) for r in records)
    # Postal codes that lost their leading zero but are right once padded: not defects.
    traps = standard.traps()
    assert traps and all(len(records[t.record - 1]["CP"]) == 4 for t in traps)


def test_encodings_and_separators(small, tmp_path):
    paths = {fmt: tmp_path / f"f_{fmt}{SUFFIX[fmt]}" for fmt in demo.FORMATS}
    for fmt, path in paths.items():
        demo.write(small, path, fmt)
    excel = paths["excel-csv"].read_bytes()
    assert not excel.startswith(b"\xef\xbb\xbf")
    assert b"\xe9" in excel  # é in cp1252
    assert excel.decode("cp1252").startswith("Nom de naissance;Nom d'usage;Prénom;")
    assert excel.count(b"\r\n") == 1 + 600 + len(small.blank_rows)
    bom = paths["utf8-bom-csv"].read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom.count(b"\xef\xbb\xbf") == 1
    assert bom[3:].decode("utf-8").split("\r\n")[0] == ";".join(small.headers)
    comma = paths["comma-csv"].read_text(encoding="utf-8")
    assert comma.split("\n")[0] == ",".join(small.headers)
    assert re.search(r',"\d+, [^"]+",', comma), "addresses holding a comma are quoted"
    assert paths["xlsx"].read_bytes().startswith(b"PK\x03\x04")


def test_xlsx_has_real_dates_and_numeric_postal_codes(tmp_path):
    from openpyxl import load_workbook

    sample = demo.generate(200, department="09", defect_share=0.0, seed=4)
    path = tmp_path / "vacataires_09.xlsx"
    demo.write(sample, path, "xlsx")
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == sample.headers
    row = [c.value for c in sheet[2]]
    assert isinstance(row[COLUMNS.index("date_naissance")], dt.datetime)
    assert isinstance(row[COLUMNS.index("code_postal")], int)
    assert row[COLUMNS.index("code_postal")] < 10000  # Ariège: 09xxx lost its zero
    typed = {COLUMNS.index("date_naissance"), COLUMNS.index("code_postal")}
    assert all(isinstance(v, str) for i, v in enumerate(row) if v is not None and i not in typed)


def test_manifest_holds_no_personal_data(standard, tmp_path):
    path = tmp_path / "vacataires.csv"
    demo.write(standard, path)
    text = path.with_suffix(".manifest.json").read_text(encoding="utf-8")
    for record in standard.records[:200]:
        for title in ("Nom de naissance", "N° de sécurité sociale", "IBAN", "Courriel", "Téléphone"):
            value = record[title].strip()
            if len(value) > 3:
                assert value not in text, title
    manifest = json.loads(text)
    for entry in manifest["defects"] + manifest["traps"]:
        assert set(entry) <= {"record", "row", "kind", "original"}


def test_write_demo_inbox_leaves_only_the_spreadsheet_visible(tmp_path):
    inbox = tmp_path / "inbox" / "election_staff" / "2027-03-29"
    path = demo.write_demo_inbox(inbox, rows=120)
    assert path == inbox / "vacataires_82_tarn-et-garonne.csv"
    assert sorted(p.name for p in inbox.iterdir() if not p.name.startswith(".")) == [path.name]
    manifest = json.loads((inbox / ".vacataires_82_tarn-et-garonne.manifest.json").read_text(encoding="utf-8"))
    frame, reports = read_inputs(inbox, SPEC)  # the manifest is not taken for an input file
    assert len(reports) == 1 and len(frame) == manifest["rows"] == 120


def test_command_line(tmp_path, capsys):
    out = tmp_path / "demo.csv"
    code = demo.main(["--rows", "150", "--department", "82", "--defects", "0.2", "--seed", "9", "--out", str(out)])
    assert code == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "150 lignes" in line and "30 en défaut" in line
    assert json.loads(out.with_suffix(".manifest.json").read_text(encoding="utf-8"))["expected_valid"] == 120


def test_unknown_department_is_refused():
    with pytest.raises(ValueError, match="Département inconnu"):
        demo.generate(10, department="00")
