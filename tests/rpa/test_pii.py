from __future__ import annotations

import pytest

from include.rpa.pii import initials, mask_text

# The public examples of docs/domain/nir.md and docs/domain/iban-bic.md, spaced and compact, and e-mail addresses.
SECRETS = [
    "2 95 10 99 126 111 93",
    "295109912611193",
    "253072B07300470",
    "2 53 07 2A 073 004 43",
    "255081416802538",
    "2 55 08 14 168 025 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "FR1420041010050500013M02606",
    "fr1420041010050500013m02606",
    "marie.dupont@example.fr",
    "Jean-Luc.O'Neil+rh@mairie-montauban.gouv.fr",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_mask_text_removes_nir_iban_and_email_whatever_the_text(secret):
    text = f"Échec sur la ligne de {secret}, voir le rapport ({secret})."
    masked = mask_text(text)
    assert secret not in masked
    assert secret.replace(" ", "") not in masked.replace(" ", "")
    assert masked.startswith("Échec sur la ligne de [")


def test_mask_text_keeps_ordinary_numbers():
    text = "1400 lignes reçues le 29/03/2027, 42 en quarantaine, run manual__2027-03-29T18:00:00+00:00"
    assert mask_text(text) == text


def test_initials():
    assert initials("Dupont", "Jean-Marie") == "D. J."
    assert initials("", "Zoé") == "Z."
