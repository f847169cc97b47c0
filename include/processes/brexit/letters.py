"""Letters asking an applicant for the missing documents of an incomplete file.

One printable French HTML letter per incomplete file, in ``<run folder>/lettres/``, named by the
file number only (``WA-2021-000123.html``: no personal name in a file name). The letterhead, the
signatory, the reply channel and the reply delay come from config/brexit.toml ``[letters]``.

A letter holds personal data by necessity (it goes to the applicant): never log its content,
never attach it to an alert. Functions here return paths and counts only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, Template, select_autoescape

from include.processes.brexit.codes import PIECES, split_codes
from include.processes.brexit.config import BrexitSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "lettre_pieces_manquantes.html"
LETTERS_FOLDER = "lettres"
SUBJECT = "demande de titre de séjour – accord de retrait – pièces manquantes"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_long_date(day: dt.date) -> str:
    """2021-03-01 -> '1er mars 2021'; 2021-03-12 -> '12 mars 2021'."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def letter_file_name(numero_dossier: str) -> str:
    """The letter's file name: the file number, any other character replaced by '_'."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", numero_dossier.strip()) or "dossier"
    return f"{safe}.html"


def reply_deadline(letter_date: dt.date, settings: BrexitSettings) -> dt.date:
    return letter_date + dt.timedelta(days=settings.letters.reply_days)


@lru_cache(maxsize=1)
def _template() -> Template:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    return environment.get_template(TEMPLATE)


def _iso_to_french(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


def render_letter(
    file: Mapping[str, str], missing: Sequence[str], settings: BrexitSettings, *, letter_date: dt.date
) -> str:
    """The letter for one file (a row of dossiers.parquet: nom, prenom, adresse, code_postal,
    commune, numero_dossier, date_depot as YYYY-MM-DD) and its missing document codes."""
    if not missing:
        raise ValueError("render_letter: no missing document, no letter")
    unknown = [code for code in missing if code not in PIECES]
    if unknown:
        raise ValueError(f"render_letter: unknown document codes {unknown}")
    letters = settings.letters
    name = " ".join(part for part in (file.get("prenom", "").strip(), file.get("nom", "").strip().upper()) if part)
    return _template().render(
        objet=SUBJECT[0].upper() + SUBJECT[1:],
        expediteur=letters,
        reply_channel=letters.reply_channel,
        destinataire={
            "nom": name,
            "adresse": file.get("adresse", ""),
            "code_postal": file.get("code_postal", ""),
            "commune": file.get("commune", ""),
        },
        dossier={"numero": file["numero_dossier"], "date_depot": _iso_to_french(file.get("date_depot", ""))},
        pieces=[label for code, label in PIECES.items() if code in missing],  # the vocabulary's order
        date_lettre=french_long_date(letter_date),
        date_limite=french_long_date(reply_deadline(letter_date, settings)),
    )


def write_letters(
    files: Iterable[Mapping[str, str]],
    folder: Path,
    settings: BrexitSettings,
    *,
    letter_date: dt.date | None = None,
) -> int:
    """One letter per file whose ``pieces_manquantes`` (joined codes) is not empty; returns how
    many were written. ``letter_date`` defaults to today in Europe/Paris."""
    from zoneinfo import ZoneInfo

    day = letter_date or dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for file in files:
        missing = split_codes(file.get("pieces_manquantes", ""))
        if not missing:
            continue
        html = render_letter(file, missing, settings, letter_date=day)
        (folder / letter_file_name(file["numero_dossier"])).write_text(html, encoding="utf-8")
        written += 1
    return written
