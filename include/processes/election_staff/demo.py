"""Seeded demo spreadsheets of "mise sous pli" workers, as departments send them.

``generate()`` builds a department's file of temporary election workers with
realistic French values (Faker ``fr_FR`` pools, real communes and postal codes,
NIRs consistent with sex, birth date and birthplace, French IBANs of real banks
with correct RIB key and check digits) and a configurable share of defective
rows. Each defective row carries exactly one defect, chosen so that exactly one
row rule (a rule id of ``rules.REASONS``) fails on it. ``write()`` writes the
file the way French Excel and other tools do, plus a manifest of the defects
(record and spreadsheet row numbers and kinds only: no personal data).

    bin/python -m include.processes.election_staff.demo --rows 1400 --department 82 \\
        --defects 0.03 --seed 2027 --format excel-csv --out /tmp/vacataires_82.csv

Speed: values are drawn with numpy from pools built once per seed (Faker is
never called per row); 1,000,000 rows generate and write in well under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import sys
import time
import zipfile
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from include.processes.election_staff.columns import COLUMNS
from include.processes.election_staff.config import Election, get_election
from include.rpa.checks import communes
from include.rpa.text import is_cp1252, strip_accents

# Header titles as HR files write them (each one matched by columns.SPEC).
HEADERS: dict[str, str] = {
    "nom": "Nom de naissance",
    "nom_usage": "Nom d'usage",
    "prenom": "Prénom",
    "sexe": "Sexe",
    "date_naissance": "Né(e) le",
    "lieu_naissance": "Lieu de naissance",
    "nir": "N° de sécurité sociale",
    "adresse": "Adresse",
    "code_postal": "CP",
    "commune": "Ville",
    "email": "Courriel",
    "telephone": "Téléphone",
    "iban": "IBAN",
    "bic": "BIC",
    "statut": "Statut",
    "site": "Site d'affectation",
    "fonction": "Fonction",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
}
FORMATS = ("excel-csv", "utf8-bom-csv", "comma-csv", "xlsx")
EXCEL_MAX_ROWS = 1_048_576

# One rule id of rules.REASONS per kind: the only rule a row with that defect fails.
DEFECT_KINDS = (
    "nir_cle",
    "nir_sexe",
    "nir_annee",
    "nir_mois",
    "nir_scientifique",
    "nir_format",
    "nir_doublon",
    "requis:nir",
    "requis:nom",
    "iban_cle",
    "iban_rib",
    "iban_format",
    "bic_format",
    "code_postal_format",
    "code_postal_commune",
    "email",
    "telephone",
    "sexe",
    "date_naissance",
    "age_minimum",
    "dates_ordre",
    "statut",
    "fonction",
)
# A valid row written in a way the rules must accept (not a defect).
TRAP_POSTAL_CODE = "code_postal_sans_zero"

DEPARTMENT_NAMES = {
    "09": "Ariège",
    "11": "Aude",
    "12": "Aveyron",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "34": "Hérault",
    "46": "Lot",
    "48": "Lozère",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
}
# Prefecture first, then the two next towns (sites of assignment, most residents).
MAIN_TOWNS = {
    "09": ("Foix", "Pamiers", "Saint-Girons"),
    "11": ("Carcassonne", "Narbonne", "Castelnaudary"),
    "12": ("Rodez", "Millau", "Villefranche-de-Rouergue"),
    "30": ("Nîmes", "Alès", "Bagnols-sur-Cèze"),
    "31": ("Toulouse", "Muret", "Saint-Gaudens"),
    "32": ("Auch", "Condom", "Fleurance"),
    "34": ("Montpellier", "Béziers", "Sète"),
    "46": ("Cahors", "Figeac", "Gourdon"),
    "48": ("Mende", "Marvejols", "Florac Trois Rivières"),
    "65": ("Tarbes", "Lourdes", "Bagnères-de-Bigorre"),
    "66": ("Perpignan", "Céret", "Prades"),
    "81": ("Albi", "Castres", "Gaillac"),
    "82": ("Montauban", "Castelsarrasin", "Moissac"),
}
NAMED_SITES = {"82": "Montauban – Salle Eurythmie"}
BIG_CITIES = (
    "31555",  # Toulouse
    "33063",  # Bordeaux
    "75114",  # Paris 14e
    "75115",  # Paris 15e
    "75112",  # Paris 12e
    "13208",  # Marseille 8e
    "69383",  # Lyon 3e
    "34172",  # Montpellier
    "44109",  # Nantes
    "59350",  # Lille
    "06088",  # Nice
    "67482",  # Strasbourg
)
# Born abroad: 99 + INSEE country code.
ABROAD = (
    ("99132", "Londres (Royaume-Uni)"),
    ("99350", "Casablanca (Maroc)"),
    ("99352", "Alger (Algérie)"),
    ("99351", "Tunis (Tunisie)"),
    ("99139", "Porto (Portugal)"),
    ("99134", "Madrid (Espagne)"),
    ("99127", "Turin (Italie)"),
    ("99109", "Stuttgart (Allemagne)"),
    ("99131", "Liège (Belgique)"),
)
# French bank code -> BIC in schwifty's registry (checked by the tests), weight.
BANKS = (
    ("11206", "AGRIFRPP812", 16),  # Crédit agricole Nord Midi-Pyrénées
    ("20041", "PSSTFRPP", 14),  # La Banque postale
    ("13106", "AGRIFRPP831", 8),  # Crédit agricole Toulouse 31
    ("13135", "CEPAFRPPXXX", 8),  # Caisse d'épargne Midi-Pyrénées
    ("30004", "BNPAFRPP", 8),  # BNP Paribas
    ("30003", "SOGEFRPP", 8),  # Société générale
    ("17807", "CCBPFRPPXXX", 7),  # Banque populaire
    ("10278", "CMCIFR2A", 7),  # Crédit mutuel
    ("30002", "CRLYFRPPXXX", 6),  # LCL
    ("13506", "AGRIFRPP835", 4),  # Crédit agricole du Languedoc
    ("30006", "AGRIFRPPXXX", 3),  # Crédit agricole SA
    ("10096", "CMCIFRPP", 3),  # CIC
    ("15589", "CMBRFR2B", 3),  # Crédit mutuel Arkéa
    ("11315", "CEPAFRPPXXX", 3),  # Caisse d'épargne CEPAC
    ("42559", "CCOPFRPPXXX", 2),  # Crédit coopératif
)
# statut as written (masculine, feminine), weight, age range on the first day.
STATUT_DRAW = (
    (("retraité", "retraitée"), 38, (60, 79)),
    (("étudiant", "étudiante"), 22, (18, 26)),
    (("demandeur d'emploi", "demandeuse d'emploi"), 20, (19, 62)),
    (("agent public", "agent public"), 10, (25, 64)),
    (("autre", "autre"), 10, (18, 75)),
)


def _split(names: str) -> tuple[str, ...]:
    return tuple(names.split("|"))


EMAIL_DOMAINS = (
    ("gmail.com", 30),
    ("orange.fr", 18),
    ("hotmail.fr", 10),
    ("wanadoo.fr", 8),
    ("free.fr", 8),
    ("laposte.net", 7),
    ("sfr.fr", 6),
    ("yahoo.fr", 6),
    ("outlook.fr", 5),
    ("icloud.com", 2),
)
EXTRA_LAST_NAMES = _split(
    "Lefèvre|Ménard|Hébert|Bénézech|Séguy|Béziat|Lacôte|Brûlé|Pélissier|Sénac|Thévenin|Crémieux|"
    "Prévost|Castéra|Estèbe|Carrère|Soulié|Delmas|Lafon|Vidal|Rouquette|Bousquet|Calmettes|"
    "Garrigues|Puech|Bonnafous|Laffargue|Malaterre|Peyrusse|Taurines|Cazenave|Lecœur|Cœurdevey|"
    "Bœuf|Lœuillet|N'Diaye|D'Almeida|D'Angelo|de La Fontaine|de Lacaze|d'Aubigné|d'Estienne|"
    "de Peyrelongue|du Pré|de Saint-Exupéry|Nguyen|Haddad|Benali|Ferreira|Moreira|Kowalski|"
    "García|Fernández|Öztürk"
)
EXTRA_MALE = _split(
    "Jean-Pierre|Jean-Luc|Jean-François|Pierre-Yves|Jean-Marc|Jérôme|Stéphane|Hervé|Joël|Raphaël|"
    "Loïc|Gaëtan|Noël|Jean Paul|Mathéo|Anaël|Kévin"
)
EXTRA_FEMALE = _split(
    "Marie-Hélène|Anne-Sophie|Marie-Thérèse|Marie-Christine|Hélène|Zoé|Maëlle|Chloé|Noémie|Inès|"
    "Léa|Éloïse|Héloïse|Gaëlle|Marie Claire|Joëlle|Anaïs|Cécile"
)
EXTRA_STREETS = (
    "lieu-dit Las Bordes",
    "Le Bourg",
    "12 bis, rue de l'Église",
    "3, impasse des Œillets",
    "route de Caussade",
    "5, place de la Mairie",
)
# Wrong postal codes: a neighbour's department prefix on the right last three digits.
WRONG_POSTAL_PREFIXES = ("81", "31", "46", "47", "32", "12", "33", "75", "13", "82")
UNKNOWN_SEXES = ("X", "?", "Mlle", "1", "2")
UNKNOWN_STATUTS = ("intérimaire", "salarié privé", "auto-entrepreneur", "bénévole", "CDD")
UNKNOWN_FONCTIONS = ("manutentionnaire", "agent d'accueil", "chauffeur", "secrétaire")


class Mark(NamedTuple):
    """A defect or trap: 1-based record position, spreadsheet row, kind.

    ``original`` is, for a duplicate NIR, the spreadsheet row of its first occurrence.
    """

    record: int
    row: int
    kind: str
    original: int | None = None


@dataclass
class DemoFile:
    """A generated department file: cell texts by column, and what is wrong where."""

    columns: dict[str, list[str]]  # canonical column -> cell text of each record
    defects: list[Mark]  # sorted by record
    sheet_rows: list[int]  # spreadsheet row of each record (the header is row 1)
    blank_rows: list[int]  # spreadsheet rows left blank between records
    department: str
    seed: int
    defect_share: float
    election_id: str

    @property
    def headers(self) -> list[str]:
        return [HEADERS[c] for c in COLUMNS]

    @property
    def rows(self) -> int:
        return len(self.sheet_rows)

    @cached_property
    def records(self) -> list[dict[str, str]]:
        """One dict per record, keyed by the header titles as written in the file."""
        titles = self.headers
        return [
            dict(zip(titles, values, strict=True)) for values in zip(*(self.columns[c] for c in COLUMNS), strict=True)
        ]

    def traps(self, fmt: str = "excel-csv") -> list[Mark]:
        """Valid records whose postal code is written without its leading zero."""
        codes = self.columns["code_postal"]
        defective = {m.record for m in self.defects}
        marks = []
        for position, code in enumerate(codes, start=1):
            lost = len(code) == 4 or (fmt == "xlsx" and len(code) == 5 and code.startswith("0"))
            if lost and code.isdigit() and position not in defective:
                marks.append(Mark(position, self.sheet_rows[position - 1], TRAP_POSTAL_CODE))
        return marks

    def manifest(self, fmt: str = "excel-csv", file_name: str | None = None) -> dict[str, Any]:
        """What a validation run must find (no personal data: positions and kinds only)."""
        by_kind = {kind: 0 for kind in DEFECT_KINDS}
        for mark in self.defects:
            by_kind[mark.kind] += 1
        traps = self.traps(fmt)
        return {
            "fichier": file_name,
            "format": fmt,
            "departement": self.department,
            "election": self.election_id,
            "seed": self.seed,
            "defect_share": self.defect_share,
            "rows": self.rows,
            "header_row": 1,
            "blank_rows": self.blank_rows,
            "expected_received": self.rows,
            "expected_quarantined": len(self.defects),
            "expected_valid": self.rows - len(self.defects),
            "defects_by_kind": {k: v for k, v in by_kind.items() if v},
            "defects": [_mark_dict(m) for m in self.defects],
            "traps": [_mark_dict(m) for m in traps],
        }


def _mark_dict(mark: Mark) -> dict[str, Any]:
    return {k: v for k, v in mark._asdict().items() if v is not None}


# --------------------------------------------------------------------------- pools


def _unique(values) -> list[str]:
    return [v for v in dict.fromkeys(values) if is_cp1252(v)]


def _ascii(text: str) -> str:
    """'Jean-François' -> 'jean-francois', "d'Aubigné" -> 'daubigne' (e-mail local part)."""
    plain = strip_accents(text).lower().replace(" ", "-")
    return re.sub(r"[^a-z-]", "", plain).strip("-") or "x"


@dataclass(frozen=True)
class _Pools:
    # last names: (as is, upper case, curly apostrophe, both) variants, same order
    last: tuple[tuple[str, ...], ...]
    last_ascii: tuple[str, ...]
    last_weights: np.ndarray
    # first names: men's first, then women's; (as is, curly apostrophe) variants
    first: tuple[tuple[str, ...], ...]
    first_ascii: tuple[str, ...]
    male_count: int
    streets: tuple[str, ...]


@lru_cache(maxsize=8)
def _pools(seed: int) -> _Pools:
    """Names and streets from Faker fr_FR (seeded), plus the spellings Faker lacks."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    last = _unique(fake.last_name() for _ in range(3000))
    male = _unique([*(fake.first_name_male() for _ in range(1500)), *EXTRA_MALE])
    female = _unique([*(fake.first_name_female() for _ in range(1500)), *EXTRA_FEMALE])
    streets = _unique([*(fake.street_address() for _ in range(5000)), *EXTRA_STREETS])
    composed = [f"{last[i]}-{last[i + 1]}" for i in range(0, 120, 2)]  # hyphenated
    extras = [*EXTRA_LAST_NAMES, *composed]
    weights = np.array([1.0] * len(last) + [0.4] * len(extras))
    last = last + extras
    upper = [v.upper() for v in last]
    first = male + female

    def curly(values: list[str]) -> tuple[str, ...]:
        return tuple(v.replace("'", "\u2019") for v in values)

    return _Pools(
        last=(tuple(last), tuple(upper), curly(last), curly(upper)),
        last_ascii=tuple(_ascii(v) for v in last),
        last_weights=weights / weights.sum(),
        first=(tuple(first), curly(first)),
        first_ascii=tuple(_ascii(v) for v in first),
        male_count=len(male),
        streets=tuple(streets),
    )


@dataclass(frozen=True)
class _Places:
    # residence: (commune name, postal code) pairs and their draw probabilities
    home_names: tuple[str, ...]
    home_codes: tuple[str, ...]
    home_p: np.ndarray
    # residents of another department (some of their postal codes start with 0)
    away_names: tuple[str, ...]
    away_codes: tuple[str, ...]
    # birthplace categories: (INSEE codes, names) each
    births: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    birth_p: np.ndarray
    sites: tuple[str, ...]
    site_p: np.ndarray


def _pairs(rows: list[dict[str, str]], weights: list[float] | None = None):
    names, codes, p = [], [], []
    for i, row in enumerate(rows):
        postal = row["codes_postaux"].split()
        for code in postal:
            names.append(row["nom"])
            codes.append(code)
            p.append((weights[i] if weights else 1.0) / len(postal))
    return names, codes, np.array(p) / sum(p)


def _main_towns(department: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    by_name = {r["nom"]: r for r in rows}
    named = [by_name[n] for n in MAIN_TOWNS.get(department, ()) if n in by_name]
    if len(named) == 3:
        return named
    # Elsewhere: the communes with the roundest postal codes (82000, 82100...).
    ranked = sorted(rows, key=lambda r: (min(r["codes_postaux"].split())[-2:] != "00", min(r["codes_postaux"].split())))
    return [*named, *(r for r in ranked if r not in named)][:3]


@lru_cache(maxsize=32)
def _places(department: str) -> _Places:
    table = [
        r
        for r in communes.communes_table()
        if r["type"] == "commune-actuelle" and r["codes_postaux"] and is_cp1252(r["nom"])
    ]
    home = [r for r in table if r["departement"] == department]
    if not home:
        raise ValueError(f"Département inconnu ou sans commune : {department!r}")
    towns = _main_towns(department, home)
    towns = [towns[min(i, len(towns) - 1)] for i in range(3)]  # Paris has a single commune
    boost: dict[str, float] = {}
    for town, share in zip(towns, (0.25, 0.07, 0.05), strict=True):
        boost[town["insee"]] = boost.get(town["insee"], 0.0) + share
    base = (1 - sum(boost.values())) / len(home)
    home_names, home_codes, home_p = _pairs(home, [base + boost.get(r["insee"], 0.0) for r in home])
    away_department = "09" if department != "09" else "31"
    away_names, away_codes, _ = _pairs([r for r in table if r["departement"] == away_department])

    by_insee = {r["insee"]: r["nom"] for r in communes.communes_table()}
    births = (
        (tuple(t["insee"] for t in towns), tuple(t["nom"] for t in towns)),
        (tuple(r["insee"] for r in home), tuple(r["nom"] for r in home)),
        (BIG_CITIES, tuple(by_insee[c] for c in BIG_CITIES)),
        (tuple(r["insee"] for r in table), tuple(r["nom"] for r in table)),
        tuple(zip(*((r["insee"], r["nom"]) for r in table if r["departement"] in ("2A", "2B")), strict=True)),
        tuple(zip(*ABROAD, strict=True)),
    )
    birth_p = np.array([0.45, 0.25, 0.10, 0.15, 0.02, 0.03])

    first, second, third = (t["nom"] for t in towns)
    site_weights = {
        NAMED_SITES.get(department, f"{first} – Salle polyvalente"): 0.35,
        f"{first} – Hôtel de la préfecture" if department in MAIN_TOWNS else f"{first} – Gymnase municipal": 0.25,
        f"{second} – Salle des fêtes": 0.25,
        f"{third} – Salle des fêtes": 0.15,
    }
    return _Places(
        tuple(home_names),
        tuple(home_codes),
        home_p,
        tuple(away_names),
        tuple(away_codes),
        births,
        birth_p,
        tuple(site_weights),
        _weights(site_weights.values()),
    )


# --------------------------------------------------------------------------- helpers


def _pick(pool, index: np.ndarray) -> list:
    return [pool[i] for i in index.tolist()]


def _days(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days


def _date_texts(days: np.ndarray) -> list[str]:
    """Days since 1970-01-01 -> 'dd/mm/yyyy' (formatted once per distinct day)."""
    epoch = dt.date(1970, 1, 1)
    text = {d: (epoch + dt.timedelta(days=d)).strftime("%d/%m/%Y") for d in np.unique(days).tolist()}
    return [text[d] for d in days.tolist()]


def _year_month(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    as_date = days.astype("datetime64[D]")
    months = as_date.astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970, months % 12 + 1


def _minus_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28)


_RIB_DIGITS = str.maketrans(
    {
        **{c: str(i % 9 + 1) for i, c in enumerate("ABCDEFGHI")},
        **{c: str(i % 9 + 1) for i, c in enumerate("JKLMNOPQR")},
        **{c: str(i % 8 + 2) for i, c in enumerate("STUVWXYZ")},
    }
)
_IBAN_DIGITS = str.maketrans({chr(c): str(c - 55) for c in range(65, 91)})


def rib_key(bank: str, branch: str, account: str) -> int:
    """French RIB key: 97 - (89 bank + 15 branch + 3 account) mod 97, letters as digits."""
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account.translate(_RIB_DIGITS))) % 97


def iban_check_digits(bban: str, country: str = "FR") -> int:
    """ISO 7064 mod 97-10 check digits of an IBAN."""
    return 98 - int((bban + country + "00").translate(_IBAN_DIGITS)) % 97


def _group4(value: str) -> str:
    """'FR7630006...' -> 'FR76 3000 6...' (a 27-character French IBAN in groups of four)."""
    if len(value) == 27:
        v = value
        return f"{v[:4]} {v[4:8]} {v[8:12]} {v[12:16]} {v[16:20]} {v[20:24]} {v[24:]}"
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _nir_spaced(nir: str) -> str:
    """'295109912611193' -> '2 95 10 99 126 111 93'."""
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"


def _nir_scientific(nir: str) -> str:
    """What French Excel shows of a 15-digit number: '2,95109E+14'."""
    mantissa = f"{int(nir) / 1e14:.5f}".rstrip("0").rstrip(".")
    return mantissa.replace(".", ",") + "E+14"


# --------------------------------------------------------------------------- generate


def generate(
    rows: int,
    *,
    department: str = "82",
    defect_share: float = 0.03,
    seed: int = 2027,
    election: Election | None = None,
) -> DemoFile:
    """A department file of ``rows`` workers, ``defect_share`` of them with exactly one defect.

    The same arguments always give the same file. Defective rows are drawn with
    the seeded RNG (never the first record, so that a duplicate NIR always has
    an earlier valid original) and the defect kinds are spread evenly: when
    ``rows * defect_share >= len(DEFECT_KINDS)`` every kind occurs.
    """
    if rows < 1:
        raise ValueError("rows doit être au moins 1")
    if not 0 <= defect_share <= 1:
        raise ValueError("defect_share doit être entre 0 et 1")
    election = election or get_election()
    rng = np.random.default_rng(seed)
    pools = _pools(seed)
    places = _places(department)
    n = rows

    # ---- which rows are defective, and how
    n_defects = min(n - 1, round(n * defect_share))
    positions = np.sort(rng.choice(np.arange(1, n), size=n_defects, replace=False)) if n_defects else np.array([], int)
    order = rng.permutation(len(DEFECT_KINDS))
    kinds = [DEFECT_KINDS[order[i % len(DEFECT_KINDS)]] for i in range(n_defects)]
    kinds = [kinds[i] for i in rng.permutation(n_defects).tolist()]
    kind_rows: dict[str, np.ndarray] = {k: np.array([], dtype=np.int64) for k in DEFECT_KINDS}
    for kind in DEFECT_KINDS:
        kind_rows[kind] = np.array(
            [p for p, k in zip(positions.tolist(), kinds, strict=True) if k == kind], dtype=np.int64
        )
    doublon = kind_rows["nir_doublon"]

    # ---- identity
    female = rng.random(n) < 0.56
    statut_index = rng.choice(len(STATUT_DRAW), size=n, p=_weights(w for _, w, _ in STATUT_DRAW))
    low = np.array([r[0] for _, _, r in STATUT_DRAW])[statut_index]
    high = np.array([r[1] for _, _, r in STATUT_DRAW])[statut_index]
    age = low + (rng.random(n) * (high - low + 1)).astype(np.int64)

    period_start, period_end = election.period_start, election.period_end
    first_day, last_day = _days(period_start), _days(period_end)
    anchors = np.array([_days(_minus_years(period_start, a)) for a in range(0, 100)])
    birth = anchors[age] - rng.integers(0, 365, n)  # age on the first day of the period

    span = last_day - first_day
    start = first_day + np.where(rng.random(n) < 0.7, 0, rng.integers(0, max(span - 1, 0) + 1, n))
    end = np.where(rng.random(n) < 0.8, last_day, start + (rng.random(n) * (last_day - start + 1)).astype(np.int64))

    last_count = len(pools.last[0])
    last_index = rng.choice(last_count, size=n, p=pools.last_weights)
    spouse_index = rng.choice(last_count, size=n, p=pools.last_weights)
    women = len(pools.first[0]) - pools.male_count
    first_index = np.where(female, pools.male_count + rng.integers(0, women, n), rng.integers(0, pools.male_count, n))
    # Half the files' rows write the birth name in capitals; 40 % type a curly apostrophe.
    curly = rng.random(n) < 0.4
    variant = ((rng.random(n) < 0.5) + 2 * curly).tolist()
    nom = [pools.last[v][i] for v, i in zip(variant, last_index.tolist(), strict=True)]
    spouse = [pools.last[v][i] for v, i in zip(variant, spouse_index.tolist(), strict=True)]
    prenom = [pools.first[int(c)][i] for c, i in zip(curly.tolist(), first_index.tolist(), strict=True)]
    # Women's usage name: "Martin" or "épouse Martin".
    married = female & (age >= 25) & (rng.random(n) < 0.35)
    spouse_style = rng.random(n)
    nom_usage = [
        ("" if not m else (s if st < 0.6 else f"épouse {s}" if st < 0.9 else f"ép. {s}"))
        for m, s, st in zip(married.tolist(), spouse, spouse_style.tolist(), strict=True)
    ]

    h_for_men = rng.random(n) < 0.1
    sexe = ["F" if f else ("H" if h else "M") for f, h in zip(female.tolist(), h_for_men.tolist(), strict=True)]

    # ---- birthplace
    category = rng.choice(len(places.births), size=n, p=places.birth_p)
    birth_code = np.empty(n, dtype=object)
    birth_name = np.empty(n, dtype=object)
    # Birthplace as a number, for NIR uniqueness (2A/2B -> 20) and for the key (2A -> 19, 2B -> 18).
    place_unique = np.zeros(n, dtype=np.int64)
    place_key = np.zeros(n, dtype=np.int64)
    town_p = np.array([0.6, 0.25, 0.15])
    for c, (codes, names) in enumerate(places.births):
        where = np.flatnonzero(category == c)
        if c == 0:
            pick = rng.choice(len(codes), size=len(where), p=town_p[: len(codes)] / town_p[: len(codes)].sum())
        else:
            pick = rng.integers(0, len(codes), len(where))
        birth_code[where] = np.array(codes, dtype=object)[pick]
        birth_name[where] = np.array(names, dtype=object)[pick]
        place_unique[where] = np.array([int(x.replace("2A", "20").replace("2B", "20")) for x in codes])[pick]
        place_key[where] = np.array([int(x.replace("2A", "19").replace("2B", "18")) for x in codes])[pick]
    lieu = [
        name if keep else "" for name, keep in zip(birth_name.tolist(), (rng.random(n) < 0.85).tolist(), strict=True)
    ]

    # ---- home address
    away = rng.random(n) < 0.02
    home_pick = rng.choice(len(places.home_codes), size=n, p=places.home_p)
    away_pick = rng.integers(0, len(places.away_codes), n)
    commune = [
        places.away_names[a] if w else places.home_names[h]
        for h, a, w in zip(home_pick.tolist(), away_pick.tolist(), away.tolist(), strict=True)
    ]
    code_postal = [
        places.away_codes[a] if w else places.home_codes[h]
        for h, a, w in zip(home_pick.tolist(), away_pick.tolist(), away.tolist(), strict=True)
    ]
    # A column once formatted as a number: 09100 -> 9100 (valid once padded again).
    drop_zero = rng.random(n) < 0.5
    code_postal = [
        c[1:] if d and c.startswith("0") else c for c, d in zip(code_postal, drop_zero.tolist(), strict=True)
    ]
    upper_commune = rng.random(n) < 0.25
    commune = [c.upper() if u else c for c, u in zip(commune, upper_commune.tolist(), strict=True)]
    adresse = _pick(pools.streets, rng.integers(0, len(pools.streets), n))

    # ---- contact
    phone_kind = rng.random(n)
    prefixes = np.where(phone_kind < 0.55, 6, np.where(phone_kind < 0.85, 7, 5))
    landline = rng.choice([62, 63, 65], n) * 10**6 + rng.integers(0, 10**6, n)  # 05 62, 05 63, 05 65
    national = prefixes * 10**8 + np.where(prefixes == 5, landline, rng.integers(0, 10**8, n))
    phone_style = rng.random(n)
    telephone = [_phone(f"0{x:09d}", s) for x, s in zip(national.tolist(), phone_style.tolist(), strict=True)]
    email_pick = rng.random(n)
    domains = _pick(
        [d for d, _ in EMAIL_DOMAINS],
        rng.choice(len(EMAIL_DOMAINS), size=n, p=_weights(w for _, w in EMAIL_DOMAINS)),
    )
    email_style = rng.random(n)
    years = _year_month(birth)[0] % 100
    first_ascii = _pick(pools.first_ascii, first_index)
    last_ascii = _pick(pools.last_ascii, last_index)
    email = [
        "" if e >= 0.8 else _email(f, v, s, y, d)
        for e, f, v, s, y, d in zip(
            email_pick.tolist(),
            first_ascii,
            last_ascii,
            email_style.tolist(),
            years.tolist(),
            domains,
            strict=True,
        )
    ]

    # ---- bank
    bank_index = rng.choice(len(BANKS), size=n, p=_weights(w for _, _, w in BANKS))
    bank = np.array([int(b) for b, _, _ in BANKS])[bank_index]
    branch = rng.integers(1, 100000, n)
    account = rng.integers(0, 10**11, n)
    rib = 97 - (89 * bank + 15 * branch + 3 * account) % 97
    remainder = (bank * 10**5 + branch) % 97
    remainder = (remainder * 10**11 + account) % 97
    remainder = (remainder * 100 + rib) % 97
    check = 98 - (remainder * 10**6 + 152700) % 97  # 'FR00' -> 152700
    accounts = [f"{a:011d}" for a in account.tolist()]
    banks = [f"{b:05d}" for b in bank.tolist()]
    branches = [f"{b:05d}" for b in branch.tolist()]
    ribs, checks = rib.tolist(), check.tolist()
    # Some accounts hold a letter (La Banque postale: '0500013M026').
    for i in np.flatnonzero(rng.random(n) < 0.05).tolist():
        spot = int(rng.integers(0, 11))
        accounts[i] = accounts[i][:spot] + chr(65 + int(rng.integers(0, 26))) + accounts[i][spot + 1 :]
        ribs[i] = rib_key(banks[i], branches[i], accounts[i])
        checks[i] = iban_check_digits(f"{banks[i]}{branches[i]}{accounts[i]}{ribs[i]:02d}")
    bic_table = [b for _, b, _ in BANKS]
    bic_style = rng.random(n)
    bic = [
        "" if s >= 0.3 else (bic_table[b] if s >= 0.03 else bic_table[b].lower())
        for b, s in zip(bank_index.tolist(), bic_style.tolist(), strict=True)
    ]

    # ---- assignment
    statut_style = rng.random(n)
    statut = [
        _statut(STATUT_DRAW[s][0][int(f)], st)
        for s, f, st in zip(statut_index.tolist(), female.tolist(), statut_style.tolist(), strict=True)
    ]
    site = _pick(places.sites, rng.choice(len(places.sites), size=n, p=places.site_p))
    role = rng.random(n)
    fonction = [_fonction(r, f) for r, f in zip(role.tolist(), female.tolist(), strict=True)]

    # ---- defects that change the underlying facts (before the NIR is derived)
    for i in kind_rows["age_minimum"].tolist():
        started = dt.date(1970, 1, 1) + dt.timedelta(days=int(start[i]))
        young = election.minimum_age - 1 - int(rng.integers(0, 2))
        birth[i] = _days(_minus_years(started, young)) - int(rng.integers(0, 365))
        statut[i] = "étudiante" if female[i] else "étudiant"
    for i in kind_rows["dates_ordre"].tolist():
        earlier = first_day + int(rng.integers(0, span)) if span else first_day
        later = int(rng.integers(earlier + 1, last_day + 1)) if span else first_day + 1
        start[i], end[i] = later, earlier

    # ---- NIR: sex, year, month, birthplace, order, key
    sex_digit = np.where(female, 2, 1)
    birth_year, birth_month = _year_month(birth)
    yy, mm = birth_year % 100, birth_month.copy()
    sex_digit[kind_rows["nir_sexe"]] = 3 - sex_digit[kind_rows["nir_sexe"]]
    rows_annee = kind_rows["nir_annee"]
    yy[rows_annee] = (yy[rows_annee] + rng.integers(1, 10, len(rows_annee))) % 100
    rows_mois = kind_rows["nir_mois"]
    mm[rows_mois] = (mm[rows_mois] - 1 + rng.integers(1, 12, len(rows_mois))) % 12 + 1
    prefix = sex_digit * 10**9 + yy * 10**7 + mm * 10**5
    serial = rng.integers(1, 1000, n)
    included = np.ones(n, dtype=bool)
    included[doublon] = False
    _unique_serials(prefix + place_unique, serial, included, rng)
    key = 97 - ((prefix + place_key) * 1000 + serial) % 97
    rows_cle = kind_rows["nir_cle"]
    key[rows_cle] = (key[rows_cle] - 1 + rng.integers(1, 97, len(rows_cle))) % 97 + 1
    head = sex_digit * 10**4 + yy * 100 + mm  # sex, year, month
    tail = serial * 100 + key  # order, key
    nir_compact = [
        f"{h:05d}{p}{t:05d}" for h, p, t in zip(head.tolist(), birth_code.tolist(), tail.tolist(), strict=True)
    ]
    spaced = rng.random(n) < 1 / 3
    nir = [_nir_spaced(v) if s else v for v, s in zip(nir_compact, spaced.tolist(), strict=True)]

    # ---- text of the dates
    date_naissance = _date_texts(birth)
    date_debut = _date_texts(start)
    date_fin = _date_texts(end)

    # ---- IBAN text
    iban_compact = [
        f"FR{c:02d}{b}{br}{a}{r:02d}" for c, b, br, a, r in zip(checks, banks, branches, accounts, ribs, strict=True)
    ]
    grouped = rng.random(n) < 0.5
    iban = [_group4(v) if g else v for v, g in zip(iban_compact, grouped.tolist(), strict=True)]

    columns = {
        "nom": nom,
        "nom_usage": nom_usage,
        "prenom": prenom,
        "sexe": sexe,
        "date_naissance": date_naissance,
        "lieu_naissance": lieu,
        "nir": nir,
        "adresse": adresse,
        "code_postal": code_postal,
        "commune": commune,
        "email": email,
        "telephone": telephone,
        "iban": iban,
        "bic": bic,
        "statut": statut,
        "site": site,
        "fonction": fonction,
        "date_debut": date_debut,
        "date_fin": date_fin,
    }

    # ---- defects written into the cells
    _write_defects(
        columns, kind_rows, rng, department, nir_compact, banks, branches, accounts, ribs, checks, bank_index
    )
    for i in kind_rows["date_naissance"].tolist():
        month = int(rng.choice([2, 4, 6, 9, 11]))
        day = int(rng.choice([30, 31])) if month == 2 else 31
        columns["date_naissance"][i] = f"{day:02d}/{month:02d}/{int(birth_year[i])}"
    # Duplicate NIR: the same person enrolled twice; the original comes earlier and is valid.
    valid_sorted = np.setdiff1d(np.arange(n), positions)
    originals: dict[int, int] = {}
    for i in doublon.tolist():
        earlier = int(np.searchsorted(valid_sorted, i))
        source = int(valid_sorted[int(rng.integers(0, earlier))])
        originals[i] = source
        for column in COLUMNS:
            if column not in ("site", "date_debut", "date_fin"):  # enrolled twice, at two sites
                columns[column][i] = columns[column][source]
        written = columns["nir"][source]
        columns["nir"][i] = nir_compact[source] if " " in written else _nir_spaced(nir_compact[source])

    # ---- trailing spaces, as typed
    for column in ("nom", "prenom", "adresse", "commune", "nir", "iban", "site"):
        values = columns[column]
        for i in np.flatnonzero(rng.random(n) < 0.02).tolist():
            if values[i]:
                values[i] += " "

    # ---- blank lines between records, and spreadsheet rows
    blanks_after = np.bincount(rng.integers(0, n, max(1, n // 300)), minlength=n) if n > 1 else np.zeros(1, int)
    blanks_after[-1] = 0
    before = np.concatenate([[0], np.cumsum(blanks_after)[:-1]])
    sheet_rows = (2 + np.arange(n) + before).tolist()
    blank_rows = [
        sheet_rows[i] + 1 + k for i in np.flatnonzero(blanks_after).tolist() for k in range(int(blanks_after[i]))
    ]
    defects = [
        Mark(p + 1, sheet_rows[p], k, sheet_rows[originals[p]] if p in originals else None)
        for p, k in sorted(zip(positions.tolist(), kinds, strict=True))
    ]
    return DemoFile(
        columns=columns,
        defects=defects,
        sheet_rows=sheet_rows,
        blank_rows=blank_rows,
        department=department,
        seed=seed,
        defect_share=defect_share,
        election_id=election.id,
    )


def _weights(values) -> np.ndarray:
    array = np.array(list(values), dtype=float)
    return array / array.sum()


def _phone(number: str, style: float) -> str:
    """'0612345678' as typed: '06 12 34 56 78' mostly, else compact, dotted, +33 or empty."""
    if style < 0.8:
        return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}"
    if style < 0.88:
        return number
    if style < 0.92:
        return f"{number[:2]}.{number[2:4]}.{number[4:6]}.{number[6:8]}.{number[8:]}"
    if style < 0.95:
        return f"+33 {number[1]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}"
    return ""


def _email(f: str, last_part: str, style: float, year: int, domain: str) -> str:
    """An address from the ASCII forms of the first and last names."""
    if style < 0.5:
        local = f"{f}.{last_part}"
    elif style < 0.7:
        local = f"{f[0]}{last_part}"
    elif style < 0.85:
        local = f"{f}.{last_part}{year:02d}"
    elif style < 0.95:
        local = f"{f}_{last_part}"
    else:
        return f"{f.capitalize()}.{last_part.capitalize()}@{domain}"
    return f"{local}@{domain}"


def _statut(value: str, style: float) -> str:
    if value == "agent public" and style < 0.3:
        return "fonctionnaire"
    if style > 0.7:
        return value[0].upper() + value[1:]
    return value


def _fonction(role: float, female: bool) -> str:
    if role < 0.1:
        return "cheffe de table" if female and role < 0.03 else "chef de table"
    if role > 0.97:
        return "Agent MSP"
    return "agent de mise sous pli"


def _unique_serials(prefix: np.ndarray, serial: np.ndarray, included: np.ndarray, rng) -> None:
    """Redraw the order number (001-999) of rows whose NIR body repeats an earlier one."""
    rows = np.flatnonzero(included)
    for _ in range(200):
        bodies = prefix[rows] * 1000 + serial[rows]
        _, first = np.unique(bodies, return_index=True)
        repeated = np.ones(len(rows), dtype=bool)
        repeated[first] = False
        if not repeated.any():
            return
        serial[rows[repeated]] = rng.integers(1, 1000, int(repeated.sum()))
    raise RuntimeError("cannot draw distinct NIR order numbers")


def _write_defects(
    columns, kind_rows, rng, department, nir_compact, banks, branches, accounts, ribs, checks, bank_index
):
    """Put each defect in its cell; every other cell of the row stays valid."""

    def draw(options):
        return options[int(rng.integers(0, len(options)))]

    for i in kind_rows["nir_scientifique"].tolist():
        columns["nir"][i] = _nir_scientific(nir_compact[i].replace("2A", "19").replace("2B", "18"))
    for i in kind_rows["nir_format"].tolist():
        spot = int(rng.integers(1, 15))
        columns["nir"][i] = nir_compact[i][:spot] + nir_compact[i][spot + 1 :]  # one digit forgotten
    for i in kind_rows["requis:nir"].tolist():
        columns["nir"][i] = ""
    for i in kind_rows["requis:nom"].tolist():
        columns["nom"][i] = ""
    for i in kind_rows["iban_cle"].tolist():
        wrong = (checks[i] - 2 + int(rng.integers(1, 97))) % 97 + 2  # 02..98, never the right one
        columns["iban"][i] = _group4(f"FR{wrong:02d}{banks[i]}{branches[i]}{accounts[i]}{ribs[i]:02d}")
    for i in kind_rows["iban_rib"].tolist():
        wrong = (ribs[i] - 1 + int(rng.integers(1, 97))) % 97 + 1
        bban = f"{banks[i]}{branches[i]}{accounts[i]}{wrong:02d}"
        columns["iban"][i] = _group4(f"FR{iban_check_digits(bban):02d}{bban}")
    for i in kind_rows["iban_format"].tolist():
        full = f"FR{checks[i]:02d}{banks[i]}{branches[i]}{accounts[i]}{ribs[i]:02d}"
        columns["iban"][i] = draw(
            [
                f"{banks[i]} {branches[i]} {accounts[i]} {ribs[i]:02d}",  # the RIB, not the IBAN
                full[2:],  # country code left out
                _group4(full[:14]),  # cut short
            ]
        )
    for i in kind_rows["bic_format"].tolist():
        good = BANKS[int(bank_index[i])][1]
        columns["bic"][i] = draw([good[:7], good + "X"] if len(good) == 8 else [good[:10], good[:9]])
    for i in kind_rows["code_postal_format"].tolist():
        code = columns["code_postal"][i].zfill(5)
        options = [code[:3]]
        if not code.startswith("0"):
            options.append(code + "0")  # a digit too many (091000 would lose its zero in a number cell)
        if "0" in code:
            options.append(code.replace("0", "O"))  # letter O typed for zero
        columns["code_postal"][i] = draw(options)
    pairs = communes.reference_pairs()
    prefixes = [p for p in WRONG_POSTAL_PREFIXES if p != department[:2]]
    for i in kind_rows["code_postal_commune"].tolist():
        code = columns["code_postal"][i].zfill(5)
        name = communes.commune_key(columns["commune"][i])
        for _ in range(100):
            wrong = draw(prefixes) + code[2:]
            if wrong != code and f"{wrong}|{name}" not in pairs:
                break
        columns["code_postal"][i] = wrong
    for i in kind_rows["email"].tolist():
        address = columns["email"][i] or f"{_ascii(columns['prenom'][i])}.{_ascii(columns['nom'][i])}@orange.fr"
        local, domain = address.split("@")
        columns["email"][i] = draw(
            [
                f"{local}.{domain}",
                f"{local}@{domain.split('.')[0]}",
                f"{local}@@{domain}",
                f"{local} @{domain}",
            ]
        )
    for i in kind_rows["telephone"].tolist():
        d = [int(x) for x in rng.integers(0, 100, 4)]
        columns["telephone"][i] = draw(
            [
                f"06 {d[0]:02d} {d[1]:02d} {d[2]:02d} {d[3] // 10}",  # a digit short
                f"06 {d[0]:02d} {d[1]:02d} {d[2]:02d} {d[3]:02d} {d[0] % 10}",  # a digit too many
                f"O6 {d[0]:02d} {d[1]:02d} {d[2]:02d} {d[3]:02d}",  # letter O
            ]
        )
    for i in kind_rows["sexe"].tolist():
        columns["sexe"][i] = draw(UNKNOWN_SEXES)
    for i in kind_rows["statut"].tolist():
        columns["statut"][i] = draw(UNKNOWN_STATUTS)
    for i in kind_rows["fonction"].tolist():
        columns["fonction"][i] = draw(UNKNOWN_FONCTIONS)


# --------------------------------------------------------------------------- write


def write(demo: DemoFile, path: Path, fmt: str = "excel-csv", *, manifest_path: Path | None = None) -> dict[str, Any]:
    """Write the file in ``fmt`` and its manifest (``<name>.manifest.json`` by default)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt} (connus : {', '.join(FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(demo, path)
    else:
        encoding, delimiter, newline = {
            "excel-csv": ("cp1252", ";", "\r\n"),
            "utf8-bom-csv": ("utf-8-sig", ";", "\r\n"),
            "comma-csv": ("utf-8", ",", "\n"),
        }[fmt]
        _write_csv(demo, path, encoding, delimiter, newline, blank=fmt != "comma-csv")
    manifest = demo.manifest(fmt, path.name)
    target = manifest_path or path.with_suffix(".manifest.json")
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _blank_runs(demo: DemoFile) -> list[tuple[int, int, int]]:
    """(first record index, end record index, blank lines after the run)."""
    runs, start = [], 0
    rows = demo.sheet_rows
    for i in range(len(rows) - 1):
        gap = rows[i + 1] - rows[i] - 1
        if gap:
            runs.append((start, i + 1, gap))
            start = i + 1
    runs.append((start, len(rows), 0))
    return runs


def _write_csv(demo: DemoFile, path: Path, encoding: str, delimiter: str, newline: str, blank: bool) -> None:
    """Minimal quoting, as Excel and the csv module do (joined by hand: three times faster)."""
    width = len(COLUMNS)
    # Excel writes an empty row as delimiters only; other tools as an empty line.
    empty = (delimiter * (width - 1) if blank else "") + newline
    columns = [_quoted(demo.columns[c], delimiter) for c in COLUMNS]
    header = delimiter.join(_quoted(demo.headers, delimiter)) + newline
    with path.open("wb") as handle:
        handle.write(header.encode(encoding))
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # one BOM, at the start
        for first, stop, gap in _blank_runs(demo):
            for chunk in range(first, stop, 100_000):
                end = min(chunk + 100_000, stop)
                lines = [delimiter.join(r) for r in zip(*(v[chunk:end] for v in columns), strict=True)]
                handle.write((newline.join(lines) + newline).encode(encoding))
            handle.write((empty * gap).encode(encoding))


def _quoted(values: list[str], delimiter: str) -> list[str]:
    """Quote the cells holding the delimiter, a quote or a line break ("" for a quote)."""
    special = (delimiter, '"', "\n", "\r")
    joined = "\x00".join(values)
    if not any(ch in joined for ch in special):
        return values
    return ['"' + v.replace('"', '""') + '"' if any(ch in v for ch in special) else v for v in values]


def _write_xlsx(demo: DemoFile, path: Path) -> None:
    """Every cell as text, except dates of birth (real dates) and postal codes (numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if demo.rows + len(demo.blank_rows) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(f"trop de lignes pour un classeur Excel ({EXCEL_MAX_ROWS} au plus)")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Vacataires")
    sheet.append(demo.headers)
    birth_at = COLUMNS.index("date_naissance")
    code_at = COLUMNS.index("code_postal")
    dates: dict[str, dt.date | None] = {}
    columns = [demo.columns[c] for c in COLUMNS]

    def birth_cell(text: str):
        if text not in dates:
            try:
                dates[text] = dt.datetime.strptime(text, "%d/%m/%Y")
            except ValueError:
                dates[text] = None  # 31/02/1990 stays text, as Excel leaves it
        if dates[text] is None:
            return text
        cell = WriteOnlyCell(sheet, value=dates[text])
        cell.number_format = "DD/MM/YYYY"
        return cell

    for first, stop, gap in _blank_runs(demo):
        for values in zip(*(column[first:stop] for column in columns), strict=True):
            cells: list[Any] = [v if v != "" else None for v in values]
            cells[birth_at] = birth_cell(values[birth_at]) if values[birth_at] else None
            code = values[code_at]
            cells[code_at] = int(code) if code.isdigit() else (code or None)
            sheet.append(cells)
        for _ in range(gap):
            sheet.append([None] * len(COLUMNS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))


_FIXED_TIME = "2027-01-01T00:00:00Z"


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same records: fixed timestamps in the zip and core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + _FIXED_TIME.encode() + rb"\g<3>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2027, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


# --------------------------------------------------------------------------- entry points


def department_slug(department: str) -> str:
    name = DEPARTMENT_NAMES.get(department, f"departement-{department}")
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(name).lower()).strip("-")


def default_file_name(department: str, fmt: str = "excel-csv") -> str:
    suffix = ".xlsx" if fmt == "xlsx" else ".csv"
    return f"vacataires_{department}_{department_slug(department)}{suffix}"


def write_demo_inbox(
    inbox_dir: Path,
    rows: int = 1400,
    *,
    department: str = "82",
    defect_share: float = 0.03,
    seed: int = 2027,
    election: Election | None = None,
    fmt: str = "excel-csv",
) -> Path:
    """Drop a demo file into an inbox folder (``make run``); returns its path.

    The manifest is written as a hidden file (``.<name>.manifest.json``): intake
    reads every visible file of the folder and would refuse a JSON file.
    """
    inbox_dir = Path(inbox_dir)
    inbox_dir.mkdir(parents=True, exist_ok=True)
    path = inbox_dir / default_file_name(department, fmt)
    demo = generate(rows, department=department, defect_share=defect_share, seed=seed, election=election)
    write(demo, path, fmt, manifest_path=inbox_dir / f".{path.stem}.manifest.json")
    return path


def valid_rows(count: int, *, seed: int, department: str = "82") -> list[dict[str, str]]:
    """``count`` demo workers without defects, as the onboarding hands them to the robot."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        demo = generate(count, department=department, defect_share=0, seed=seed)
        write(demo, inbox / "v.csv", manifest_path=Path(folder) / "m.json")
        return valid_rows_of(inbox)


def valid_rows_of(folder: Path) -> list[dict[str, str]]:
    """The valid rows of the files in ``folder`` through the onboarding's own intake and row rules
    (tests, benchmarks): canonical keys, ISO dates, compact NIR, IBAN and phone, "" when empty."""
    from include.processes.election_staff import rules
    from include.processes.election_staff.columns import SPEC
    from include.processes.election_staff.onboarding import split_rows
    from include.rpa.intake import read_inputs

    table, _ = read_inputs(folder, SPEC)
    frame, quarantined, _ = split_rows(table, get_election())
    valid = frame[~frame.index.isin(quarantined.index)]
    out = valid[list(COLUMNS)].copy()
    for column, parsed in rules.DATE_COLUMNS.items():
        out[column] = valid[parsed].dt.strftime("%Y-%m-%d")
    return [
        {key: str(value) for key, value in row.items()} for row in out.astype("string").fillna("").to_dict("records")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m include.processes.election_staff.demo",
        description="Fichier de démonstration de vacataires de la mise sous pli (données fictives).",
    )
    parser.add_argument("--rows", type=int, default=1400, help="nombre de lignes (défaut : 1400)")
    parser.add_argument("--department", default="82", help="code du département (défaut : 82)")
    parser.add_argument("--defects", type=float, default=0.03, help="part de lignes en défaut (défaut : 0.03)")
    parser.add_argument("--seed", type=int, default=2027, help="graine (défaut : 2027)")
    parser.add_argument("--format", choices=FORMATS, default="excel-csv", dest="fmt")
    parser.add_argument("--election", default=None, help="identifiant de l'élection (défaut : l'active)")
    parser.add_argument("--out", type=Path, default=None, help="fichier à écrire (défaut : vacataires_<dep>_<nom>)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        election = get_election(args.election)
        demo = generate(
            args.rows,
            department=args.department,
            defect_share=args.defects,
            seed=args.seed,
            election=election,
        )
        out = args.out or Path(default_file_name(args.department, args.fmt))
        manifest = write(demo, out, args.fmt)
    except ValueError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(
        f"{out} : {manifest['rows']} lignes, {manifest['expected_quarantined']} en défaut "
        f"({len(manifest['defects_by_kind'])} types), {manifest['expected_valid']} valides attendues, "
        f"format {args.fmt}, {time.perf_counter() - started:.2f} s "
        f"(manifeste : {out.with_suffix('.manifest.json').name})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
