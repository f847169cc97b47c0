"""Table-driven tests of every row rule of a worker file."""

from __future__ import annotations

import pytest

from tests.helpers import VALID_ROW, rules_failed


def test_valid_row_passes_every_rule():
    assert rules_failed([VALID_ROW]) == [set()]


# (field changes, expected failed rules)
CASES = [
    # Public examples of docs/domain/nir.md (sex, year and month set to match each NIR)
    ({"nir": "295109912611193"}, set()),
    ({"nir": "253072B07300470", "date_naissance": "01/07/1953", "date_debut": "29/03/2027"}, set()),
    ({"nir": "253072A07300443", "date_naissance": "14/07/1953"}, set()),
    ({"nir": "255081416802538", "date_naissance": "01/08/1955"}, set()),
    ({"nir": "2 55 08 14 168 025 00", "date_naissance": "01/08/1955"}, {"nir_cle"}),
    ({"nir": "2.95.10.99.126.111.93"}, set()),
    ({"nir": "1,84128E+14"}, {"nir_scientifique"}),
    ({"nir": "2,95109E+14"}, {"nir_scientifique"}),
    ({"nir": "1.84128e14"}, {"nir_scientifique"}),
    ({"nir": "29510991261119"}, {"nir_format"}),
    ({"nir": "2951099126111930"}, {"nir_format"}),
    ({"nir": "595109912611193"}, {"nir_format"}),
    ({"nir": "2951399126111XX"}, {"nir_format"}),
    ({"nir": "295139912611193"}, {"nir_format"}),  # month 13 does not exist
    ({"nir": "295109912611194"}, {"nir_cle"}),
    ({"sexe": "M"}, {"nir_sexe"}),
    ({"sexe": "H"}, {"nir_sexe"}),
    ({"sexe": "X"}, {"sexe"}),
    ({"sexe": "Femme"}, set()),
    ({"date_naissance": "15/10/1996"}, {"nir_annee"}),
    ({"date_naissance": "15/11/1995"}, {"nir_mois"}),
    ({"nir": "", "date_naissance": "15/11/1995"}, {"requis:nir"}),
    # Unknown month of birth (20-42, 50-99) in the NIR: no month check.
    ({"nir": "295309912611125", "date_naissance": "15/11/1995"}, set()),
    # Dates
    ({"date_naissance": "31/02/1995"}, {"date_naissance"}),
    ({"date_naissance": "15/10/95"}, {"date_naissance"}),
    ({"date_naissance": "1995-10-15"}, set()),
    ({"date_debut": "08/04/2027"}, {"dates_ordre"}),
    ({"date_fin": "2027-13-01"}, {"date_fin"}),
    ({"date_debut": ""}, {"requis:date_debut"}),
    # 18 on the day the contract starts is old enough; the day before is not.
    ({"nir": "2 09 03 99 126 111 24", "date_naissance": "29/03/2009"}, set()),
    ({"nir": "2 09 03 99 126 111 24", "date_naissance": "30/03/2009"}, {"age_minimum"}),
    # IBAN (public example of docs/domain/iban-bic.md)
    ({"iban": "FR1420041010050500013M02606"}, set()),
    ({"iban": "fr14 2004 1010 0505 0001 3m02 606"}, set()),
    ({"iban": "FR15 2004 1010 0505 0001 3M02 606"}, {"iban_cle"}),
    ({"iban": "FR14 2004 1010 0505 0001 3M02 60"}, {"iban_format"}),
    # Same checksum recomputed with a wrong RIB key: only the RIB check catches it.
    ({"iban": "FR8420041010050500013M02607"}, {"iban_rib"}),
    ({"iban": "DE89 3704 0044 0532 0130 00"}, set()),
    ({"iban": "DE89 3704 0044 0532 0130 01"}, {"iban_cle"}),
    ({"iban": ""}, {"requis:iban"}),
    ({"bic": "PSSTFRPP"}, set()),
    ({"bic": "PSSTFRPPXXX"}, set()),
    ({"bic": "PSST"}, {"bic_format"}),
    # Postal code and commune (official reference data)
    ({"code_postal": "82 000"}, set()),
    ({"code_postal": "8200"}, {"code_postal_commune"}),
    ({"code_postal": "9000", "commune": "Foix"}, set()),  # leading zero lost by Excel
    ({"code_postal": "820000"}, {"code_postal_format"}),
    ({"code_postal": "31000"}, {"code_postal_commune"}),
    ({"code_postal": "31000", "commune": "Toulouse"}, set()),
    ({"code_postal": "82140", "commune": "St-Antonin-Noble-Val"}, set()),
    ({"code_postal": "82140", "commune": "SAINT ANTONIN NOBLE VAL"}, set()),
    ({"code_postal": "75011", "commune": "Paris"}, set()),
    ({"commune": ""}, {"requis:commune"}),
    # Optional contact fields
    ({"email": ""}, set()),
    ({"email": "marie.dupont@"}, {"email"}),
    ({"email": "Marie.Dupont@Example.FR "}, set()),
    ({"telephone": ""}, set()),
    ({"telephone": "612345678"}, set()),  # leading zero lost by Excel
    ({"telephone": "+33 6 12 34 56 78"}, set()),
    ({"telephone": "+33 (0)6 12 34 56 78"}, set()),
    ({"telephone": "06 12 34"}, {"telephone"}),
    # Enumerations
    ({"statut": "Retraité"}, set()),
    ({"statut": "retraite"}, set()),
    ({"statut": "Demandeur d’emploi"}, set()),
    ({"statut": "intermittent"}, {"statut"}),
    ({"fonction": "Chef de table"}, set()),
    ({"fonction": "chauffeur"}, {"fonction"}),
    # Required fields
    ({"nom": ""}, {"requis:nom"}),
    ({"prenom": "  "}, {"requis:prenom"}),
    ({"site": ""}, {"requis:site"}),
    # Several failures on one row are all collected.
    (
        {"iban": "FR15 2004 1010 0505 0001 3M02 606", "email": "x@", "code_postal": "1"},
        {"iban_cle", "email", "code_postal_format"},
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_row_rule(changes, expected):
    row = {**VALID_ROW, **{k: v.strip() for k, v in changes.items()}}
    assert rules_failed([row]) == [expected]


def test_duplicate_nir_keeps_the_first_row_only():
    rows = [VALID_ROW, {**VALID_ROW, "nir": "295109912611193"}, {**VALID_ROW, "prenom": "Autre"}]
    assert rules_failed(rows) == [set(), {"nir_doublon"}, {"nir_doublon"}]


def test_duplicate_of_a_quarantined_first_row_is_still_a_duplicate():
    rows = [{**VALID_ROW, "email": "x@"}, VALID_ROW]
    assert rules_failed(rows) == [{"email"}, {"nir_doublon"}]
