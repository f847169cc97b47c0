"""Text normalisation shared by intake and validation (stdlib only)."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Characters French spreadsheets put where a plain space or apostrophe is meant.
_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2019": "'",  # curly apostrophe
        "\u2018": "'",
        "\u02bc": "'",
        "\u0152": "OE",  # Œ
        "\u0153": "oe",  # œ
        "\u00c6": "AE",  # Æ
        "\u00e6": "ae",  # æ
    }
)


def strip_accents(text: str) -> str:
    """'Né(e) à Montauban' -> 'Ne(e) a Montauban'; Œ -> OE."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def header_key(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive key: 'Né(e) le' -> 'neele'."""
    return _NON_ALNUM.sub("", strip_accents(text).lower())


def is_cp1252(text: str) -> bool:
    """Whether French Excel's CSV encoding (cp1252) can write ``text`` (demo data must be)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
