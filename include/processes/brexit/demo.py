"""Seeded demo exports of the online application portal (Withdrawal Agreement residence permits),
with the outcome expected for every file.

``generate(count, seed=...)`` builds ``count`` fictitious files, British applicants (Faker
``en_GB`` names) living in Occitanie communes (official reference data, Faker ``fr_FR``
streets), frontier workers living across the Spanish border, family members of other
nationalities. Each file is built for one case of :data:`CASES` (the cell texts vary the way
the portal and applicants write them: nationality and situation variants, document names in
free text with ``,`` ``;`` ``|`` or line breaks, postal codes that lost their leading zero), so
its outcome is known by construction, not by calling the rules. ``write_demo()`` writes the
file as French Excel does (cp1252, ``;``, dd/mm/yyyy, French headers) and a companion JSON of
the expected outcomes: counts with the keys of ``triage.triage`` and, per spreadsheet row,
the case, decision, card, missing documents and rules.

    bin/python -m include.processes.brexit.demo --count 300 --seed 2021 --out /tmp/demandes.csv

File numbers are ``WA-<year of filing>-<6 digits>`` (the portal's numbering as configured in
config/brexit.toml). Passport numbers are 9 characters. The same arguments always give the
same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from include.processes.brexit.codes import join_codes
from include.processes.brexit.columns import COLUMNS
from include.processes.brexit.config import BrexitSettings, load_settings
from include.rpa.text import is_cp1252

HEADERS: dict[str, str] = {
    "numero_dossier": "N° de dossier",
    "nom": "Nom",
    "prenom": "Prénom",
    "date_naissance": "Date de naissance",
    "nationalite": "Nationalité",
    "numero_passeport": "N° de passeport",
    "date_expiration_passeport": "Date d'expiration du passeport",
    "date_entree_france": "Date d'entrée en France",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "situation": "Situation",
    "pieces": "Pièces fournies",
    "date_depot": "Date de dépôt",
    "motif_depot_tardif": "Motif de dépôt tardif",
}
FORMATS = {"excel-csv": "cp1252", "utf8-bom-csv": "utf-8-sig"}
QUARANTINE = "quarantaine"


@dataclass(frozen=True)
class Case:
    outcome: str  # a decision of rules.OUTCOMES, or "quarantaine"
    weight: int  # per thousand files


# Case -> expected outcome and share (per thousand). Quarantine cases are named by the one row
# rule (rules.REASONS id) their single defect breaks.
CASES: dict[str, Case] = {
    "saisir_10_ans": Case("saisir", 300),
    "saisir_5_ans": Case("saisir", 220),
    "saisir_famille": Case("saisir", 50),
    "saisir_famille_rejoignant": Case("saisir", 30),
    "saisir_frontalier": Case("saisir", 40),
    "saisir_tardif_majorite": Case("saisir", 20),
    "incomplet_5_ans": Case("incomplet", 50),
    "incomplet_10_ans": Case("incomplet", 30),
    "incomplet_famille": Case("incomplet", 20),
    "incomplet_frontalier": Case("incomplet", 10),
    "non_eligible_nationalite": Case("non_eligible", 25),
    "non_eligible_francais": Case("non_eligible", 10),
    "non_eligible_passeport": Case("non_eligible", 20),
    "non_eligible_installation": Case("non_eligible", 25),
    "non_eligible_tardif_sans_motif": Case("non_eligible", 20),
    "a_arbitrer_fenetre": Case("a_arbitrer", 30),
    "a_arbitrer_dates": Case("a_arbitrer", 20),
    "a_arbitrer_motif": Case("a_arbitrer", 15),
    "a_arbitrer_motif_incoherent": Case("a_arbitrer", 5),
    "requis:nom": Case(QUARANTINE, 6),
    "date:date_naissance": Case(QUARANTINE, 6),
    "date:date_entree_france": Case(QUARANTINE, 6),
    "date:date_depot": Case(QUARANTINE, 6),
    "numero_dossier_format": Case(QUARANTINE, 6),
    "numero_dossier_doublon": Case(QUARANTINE, 6),
    "numero_passeport": Case(QUARANTINE, 6),
    "code_postal_format": Case(QUARANTINE, 6),
    "situation": Case(QUARANTINE, 6),
    "pieces_inconnues": Case(QUARANTINE, 6),
}
# From this many files on, every case occurs at least once (10 quarantine cases at 6 %, rounded).
ALL_CASES_FROM = 158
OUTCOME_KEYS = {
    "saisir": "a_saisir",
    "incomplet": "incomplets",
    "non_eligible": "non_eligibles",
    "a_arbitrer": "a_arbitrer",
}
PORTAL_OPENING = dt.date(2020, 10, 19)
LAST_LATE_FILING = dt.date(2022, 12, 31)

# ---- how cells are written
BRITISH_WRITTEN = (
    ("Britannique", 30),
    ("britannique", 15),
    ("BRITANNIQUE", 8),
    ("British", 12),
    ("Royaume-Uni", 8),
    ("GBR", 6),
    ("Anglaise", 5),
    ("Anglais", 4),
    ("Écossaise", 3),
    ("Gallois", 2),
    ("UK", 3),
    ("British citizen", 4),
)
FAMILY_NATIONALITIES = ("Américaine", "Australienne", "Canadienne", "Indienne", "Sud-africaine", "Néo-zélandaise")
OTHER_NATIONALITIES = ("Irlandaise", "Irish", "Américaine", "Canadienne", "Australienne", "Néerlandaise")
FRENCH_WRITTEN = ("Franco-britannique", "Britannique et française", "Française, britannique", "Française")
SITUATION_WRITTEN = {
    "salarie": ("Salarié", "Salarié(e)", "salariée", "SALARIE"),
    "independant": ("Indépendant", "Auto-entrepreneur", "Travailleur indépendant", "Indépendante"),
    "etudiant": ("Étudiant", "Étudiante", "Etudiant(e)"),
    "inactif": ("Inactif", "Retraité", "Retraitée", "Inactive"),
    "demandeur_emploi": ("Demandeur d'emploi", "Demandeuse d'emploi", "demandeur d\u2019emploi"),
    "frontalier": ("Frontalier", "Travailleur frontalier", "Frontalière"),
    "membre_famille": ("Membre de famille", "Conjoint", "Conjointe", "Enfant", "membre de la famille"),
}
# (situation, weight, arrival age range) of resident applicants who are not family members.
RESIDENT_SITUATIONS = (
    ("salarie", 30, (20, 50)),
    ("independant", 14, (22, 50)),
    ("inactif", 36, (45, 68)),
    ("etudiant", 6, (18, 24)),
    ("demandeur_emploi", 8, (20, 50)),
)
DOCUMENTS_WRITTEN = {
    "passeport": ("Passeport", "passeport", "Copie du passeport", "Passeport britannique", "PASSEPORT"),
    "photo": ("Photo d'identité", "photo", "Photographie d\u2019identité", "E-photo", "Photos d'identité"),
    "justificatif_installation": (
        "Justificatif d'installation",
        "Bail",
        "Contrat de location",
        "Acte d'achat",
        "Acte de vente",
        "Attestation d'hébergement",
        "justificatif de la date d'installation",
    ),
    "justificatif_residence_2020": (
        "Justificatif de domicile 2020",
        "Justificatif de résidence 2020",
        "Avis d'imposition 2020",
        "Factures 2020",
        "Taxe d'habitation 2020",
        "Quittances de loyer 2020",
    ),
    "assurance_maladie": (
        "Attestation CPAM",
        "Carte Vitale",
        "Assurance maladie",
        "Formulaire S1",
        "Attestation de droits",
        "carte vitale",
    ),
    "justificatif_lien_familial": ("Acte de mariage", "Livret de famille", "Acte de naissance", "Attestation de PACS"),
    "justificatif_emploi_frontalier": (
        "Justificatif d'emploi en France",
        "Attestation de travailleur frontalier",
        "Contrat de travail en France",
    ),
}
ACTIVITY_WRITTEN = {
    "salarie": ("Contrat de travail", "Bulletins de salaire", "Attestation employeur", "Fiches de paie"),
    "independant": ("Extrait Kbis", "Attestation URSSAF", "Avis de situation SIRENE"),
    "etudiant": ("Certificat de scolarité", "Carte d'étudiant"),
    "inactif": ("Avis de pension", "Relevés bancaires", "Justificatif de ressources"),
    "demandeur_emploi": ("Attestation France Travail", "Inscription Pôle emploi"),
    "membre_famille": ("Justificatif de ressources", "Relevés bancaires", "Contrat de travail"),
    "frontalier": ("Contrat de travail", "Bulletins de salaire"),
}
SEPARATORS = (", ", " ; ", ";", " | ", "\n")
LATE_MAJORITY_WRITTEN = ("Majorité", "Accès à la majorité", "Devenue majeure", "devenu majeur")
LATE_UNKNOWN_WRITTEN = (
    "Hospitalisation de longue durée",
    "Je n'avais pas connaissance de la démarche",
    "Problème technique sur le site de dépôt",
    "Séjour prolongé au Royaume-Uni pour raisons familiales",
    "Décès d'un proche",
)
UNKNOWN_SITUATIONS = ("Bénévole", "Au pair", "Stagiaire", "Autre")
UNKNOWN_DOCUMENTS = ("Justificatif de domicile", "RIB", "Lettre de motivation", "Permis de conduire")
# Frontier workers live across the border (Catalonia, Aragon): postal code, town.
ACROSS_THE_BORDER = (
    ("17700", "La Jonquera"),
    ("17520", "Puigcerdà"),
    ("17600", "Figueres"),
    ("25700", "La Seu d'Urgell"),
    ("17497", "Portbou"),
)
STREETS_ACROSS_THE_BORDER = (
    "Carrer Major",
    "Avinguda de Catalunya",
    "Carrer de Sant Jordi",
    "Plaça de l'Ajuntament",
    "Carrer del Puig",
    "Carrer de la Font",
)
EXTRA_LAST_NAMES = ("O'Brien", "McAllister", "Smith-Jones", "Fitzgerald", "O\u2019Neill", "Llewellyn", "MacLeod")
EXTRA_FIRST_NAMES = ("Siân", "Zoë", "Rhiannon", "Seán", "Eleanor-Rose", "Hamish")


@dataclass
class DemoExport:
    """A generated export: cell texts per record, and what a validation run must find."""

    records: list[dict[str, str]]  # canonical column -> cell text, in file order
    expected: list[dict[str, Any]]  # per record: ligne, numero_dossier, cas, decision, titre, ...
    seed: int
    settings: BrexitSettings = field(repr=False)

    def counts(self) -> dict[str, int]:
        """The counts ``triage.triage`` must return for this file."""
        decisions = Counter(e["decision"] for e in self.expected)
        quarantined = decisions[QUARANTINE]
        return {
            "received": len(self.expected),
            "quarantined": quarantined,
            "valid": len(self.expected) - quarantined,
            **{key: decisions[outcome] for outcome, key in OUTCOME_KEYS.items()},
        }

    def by_case(self) -> dict[str, int]:
        found = Counter(e["cas"] for e in self.expected)
        return {case: found[case] for case in CASES if found[case]}

    def expectation(self, file_name: str | None = None) -> dict[str, Any]:
        """The companion JSON's content (fictitious data only)."""
        return {
            "fichier": file_name,
            "seed": self.seed,
            "count": len(self.records),
            "counts": self.counts(),
            "lettres": sum(e["decision"] == "incomplet" for e in self.expected),
            "par_cas": self.by_case(),
            "dossiers": self.expected,
        }


def _largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` split in proportion to ``weights``, rounding by largest remainder (ties: first key)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    order = list(weights)
    by_remainder = sorted(exact, key=lambda k: (counts[k] - exact[k], order.index(k)))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def case_counts(count: int) -> dict[str, int]:
    """How many files of each case ``count`` files hold.

    Outcomes first (saisir 66 %, incomplet 11 %, non_eligible 10 %, a_arbitrer 7 %, quarantine
    6 %, rounded by largest remainder), then each outcome's cases in proportion to their weights,
    every case of an outcome at least once when the outcome has enough files (all cases from
    :data:`ALL_CASES_FROM` files on).
    """
    if count < 1:
        raise ValueError("count doit être au moins 1")
    outcomes: dict[str, dict[str, int]] = {}
    for case, spec in CASES.items():
        outcomes.setdefault(spec.outcome, {})[case] = spec.weight
    per_outcome = _largest_remainder(count, {o: sum(w.values()) for o, w in outcomes.items()})
    counts: dict[str, int] = {}
    for outcome, weights in outcomes.items():
        shares = _largest_remainder(per_outcome[outcome], weights)
        if per_outcome[outcome] >= len(weights):
            for case in weights:
                if shares[case] == 0:
                    shares[max(shares, key=shares.__getitem__)] -= 1
                    shares[case] = 1
        counts.update(shares)
    return {case: counts[case] for case in CASES}


# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class _Pools:
    last: tuple[str, ...]
    first: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (postal code, commune) in Occitanie


@lru_cache(maxsize=4)
def _pools(seed: int) -> _Pools:
    from faker import Faker

    from include.rpa.checks import communes

    british = Faker("en_GB")
    british.seed_instance(seed)
    french = Faker("fr_FR")
    french.seed_instance(seed)
    last = [*dict.fromkeys(british.last_name() for _ in range(800)), *EXTRA_LAST_NAMES]
    first = [*dict.fromkeys(british.first_name() for _ in range(800)), *EXTRA_FIRST_NAMES]
    streets = dict.fromkeys(french.street_address() for _ in range(1500))
    places = [
        (code, row["nom"])
        for row in communes.communes_table()
        if row["region"] == "76" and row["type"] == "commune-actuelle" and is_cp1252(row["nom"])
        for code in row["codes_postaux"].split()
    ]
    return _Pools(
        last=tuple(v for v in last if is_cp1252(v)),
        first=tuple(v for v in first if is_cp1252(v)),
        streets=tuple(v for v in streets if is_cp1252(v)),
        places=tuple(places),
    )


# --------------------------------------------------------------------------- dates


def _minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- one file


@dataclass
class _File:
    """One application being built: typed values, written to cells at the end."""

    case: str
    numero: str = ""
    nom: str = ""
    prenom: str = ""
    birth: dt.date | None = None
    nationality: str = ""
    passport: str = ""
    expiry: dt.date = dt.date(2030, 1, 1)
    entry: dt.date = dt.date(2010, 1, 1)
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""
    situation: str = "salarie"
    documents: list[str] = field(default_factory=list)  # codes provided
    activity_text: str = ""  # how the activity proof is written
    filing: dt.date = dt.date(2021, 3, 1)
    motif: str = ""
    # expectations
    decision: str = "saisir"
    titre: str = ""
    missing: tuple[str, ...] = ()
    rules: tuple[str, ...] = ("eligible",)
    # cell overrides (defects)
    cells: dict[str, str] = field(default_factory=dict)


class _Maker:
    def __init__(self, seed: int, settings: BrexitSettings) -> None:
        self.rng = random.Random(seed)
        self.pools = _pools(seed)
        self.settings = settings
        self.first_window_day, self.last_window_day = settings.arbitration_window
        self.last_eligible_entry = min(self.first_window_day, settings.residence_cutoff) - dt.timedelta(days=1)

    # ---- draws
    def pick(self, values):
        return values[self.rng.randrange(len(values))]

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        if last < first:
            raise ValueError(f"empty date range {first} .. {last}")
        return first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))

    def on_time(self) -> dt.date:
        return self.day(PORTAL_OPENING, self.settings.filing_deadline)

    def late(self) -> dt.date:
        return self.day(self.settings.filing_deadline + dt.timedelta(days=1), LAST_LATE_FILING)

    # ---- building blocks
    def person(self, f: _File, arrival_age: tuple[int, int] = (20, 50)) -> None:
        f.nom = self.pick(self.pools.last)
        f.prenom = self.pick(self.pools.first)
        if f.birth is None:
            f.birth = _minus_years(f.entry, self.rng.randint(*arrival_age)) - dt.timedelta(days=self.rng.randrange(365))
        if not f.nationality:
            f.nationality = self.weighted(BRITISH_WRITTEN)
        f.passport = "".join(self.rng.choice("0123456789") for _ in range(9))
        if self.rng.random() < 0.1:
            f.passport = self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") * 2 + f.passport[2:]
        f.expiry = f.filing + dt.timedelta(days=self.rng.randint(30, 3650))
        if f.situation == "frontalier":
            f.code_postal, f.commune = self.pick(ACROSS_THE_BORDER)
            f.adresse = f"{self.pick(STREETS_ACROSS_THE_BORDER)}, {self.rng.randint(1, 60)}"
        else:
            f.code_postal, f.commune = self.pick(self.pools.places)
            if f.code_postal.startswith("0") and self.rng.random() < 0.5:
                f.code_postal = f.code_postal[1:]  # a column once formatted as a number
            if self.rng.random() < 0.2:
                f.commune = f.commune.upper()
            f.adresse = self.pick(self.pools.streets)
        f.activity_text = self.pick(ACTIVITY_WRITTEN[f.situation])

    def resident(self, f: _File) -> tuple[int, int]:
        """A resident's situation (not a family member, not a frontier worker); its arrival ages."""
        situation, _, ages = self.weighted([((s, w, a), w) for s, w, a in RESIDENT_SITUATIONS])
        f.situation = situation
        return ages

    def ten_years(self, f: _File, filing: dt.date | None = None) -> None:
        """Settled 5 to 30 full years before filing."""
        f.filing = filing or self.on_time()
        years = self.rng.randint(self.settings.permanent_residence_years, 25)
        f.entry = _minus_years(f.filing, years) - dt.timedelta(days=self.rng.randrange(300))
        f.titre = "carte_sejour_permanent_10_ans"

    def five_years(self, f: _File) -> None:
        """Settled before the arbitration window, less than 5 years before filing."""
        f.filing = self.on_time()
        first = _minus_years(f.filing, self.settings.permanent_residence_years) + dt.timedelta(days=30)
        f.entry = self.day(first, min(self.last_eligible_entry, f.filing - dt.timedelta(days=1)))
        f.titre = "carte_sejour_5_ans"

    def required(self, f: _File, years_ok: bool, before_cutoff: bool = True) -> list[str]:
        """The documents this file needs (the generator's own reading of config/brexit.toml)."""
        s = self.settings
        documents = list(s.required_documents[f.situation])
        if f.situation == "membre_famille" and before_cutoff:
            documents += s.family_before_cutoff_documents
        if f.situation not in s.duration_exempt_situations and not years_ok:
            documents += s.below_permanent_documents
        return sorted(set(documents))

    def extra(self, f: _File) -> None:
        """Harmless documents applicants add (never needed, never wrong)."""
        if self.rng.random() < 0.25 and "assurance_maladie" not in f.documents:
            f.documents.append("assurance_maladie")

    # ---- cases
    def build(self, case: str) -> _File:
        f = _File(case)
        outcome = CASES[case].outcome
        getattr(self, "_" + case.replace(":", "_"))(f)
        if outcome != QUARANTINE:
            f.decision = outcome
        return f

    def _resident_complete(self, f: _File, ten: bool, filing: dt.date | None = None) -> None:
        ages = self.resident(f)
        if ten:
            self.ten_years(f, filing)
        else:
            self.five_years(f)
        self.person(f, ages)
        f.documents = self.required(f, years_ok=ten)
        if ten:
            self.extra(f)

    def _saisir_10_ans(self, f: _File) -> None:
        self._resident_complete(f, ten=True)

    def _saisir_5_ans(self, f: _File) -> None:
        self._resident_complete(f, ten=False)

    def _family(self, f: _File) -> bool:
        f.situation = "membre_famille"
        ten = self.rng.random() < 0.6
        if ten:
            self.ten_years(f)
        else:
            self.five_years(f)
        if self.rng.random() < 0.5:
            f.nationality = self.pick(FAMILY_NATIONALITIES)
        self.person(f, (18, 60))
        f.documents = self.required(f, years_ok=ten)
        return ten

    def _saisir_famille(self, f: _File) -> None:
        self._family(f)

    def _saisir_famille_rejoignant(self, f: _File) -> None:
        f.situation = "membre_famille"
        f.entry = self.day(self.settings.residence_cutoff, dt.date(2022, 3, 31))
        f.filing = f.entry + dt.timedelta(days=self.rng.randint(7, 150))
        f.titre = "carte_sejour_5_ans"
        if self.rng.random() < 0.5:
            f.nationality = self.pick(FAMILY_NATIONALITIES)
        self.person(f, (18, 60))
        f.documents = self.required(f, years_ok=False, before_cutoff=False)
        rules = ["eligible", "famille_rejoignant"]
        if f.filing > self.settings.filing_deadline:
            rules.append("depot_tardif_admis")
            if self.rng.random() < 0.3:
                f.motif = "Regroupement familial"
        f.rules = tuple(sorted(rules))

    def _frontier(self, f: _File) -> None:
        f.situation = "frontalier"
        if self.rng.random() < 0.5:
            self.ten_years(f)
        else:
            self.five_years(f)
        f.titre = "titre_frontalier"
        self.person(f, (20, 50))
        f.documents = self.required(f, years_ok=True)

    def _saisir_frontalier(self, f: _File) -> None:
        self._frontier(f)
        if self.rng.random() < 0.4:
            # A work contract with the employer in France proves the employment (rules.EQUIVALENT_DOCUMENTS).
            f.documents = [d for d in f.documents if d != "justificatif_emploi_frontalier"]
            f.documents.append("justificatif_activite")

    def _saisir_tardif_majorite(self, f: _File) -> None:
        deadline = self.settings.filing_deadline
        ages = self.resident(f)
        if f.situation == "inactif":
            f.situation = "etudiant"
        f.filing = self.day(deadline + dt.timedelta(days=15), deadline + dt.timedelta(days=365))
        youngest = _minus_years(f.filing, 18)
        f.birth = self.day(_minus_years(deadline, 18) + dt.timedelta(days=1), youngest)
        f.entry = _minus_years(f.birth, -self.rng.randint(1, 10)) + dt.timedelta(days=self.rng.randrange(200))
        f.titre = "carte_sejour_permanent_10_ans"
        self.person(f, ages)
        f.documents = self.required(f, years_ok=True)
        motif = self.pick(LATE_MAJORITY_WRITTEN)
        if self.rng.random() < 0.4:
            motif = f"{motif} : 18 ans le {_fr(_minus_years(f.birth, -18))}"
        f.motif = motif
        f.rules = ("depot_tardif_admis", "eligible")

    def _incomplete(self, f: _File, choices: tuple[str, ...], all_missing: bool = False) -> None:
        needed = list(f.documents)
        if all_missing:
            gone = set(needed)
        else:
            candidates = [d for d in choices if d in needed]
            gone = set(self.rng.sample(candidates, k=min(len(candidates), self.rng.choice((1, 1, 2)))))
        f.documents = [d for d in needed if d not in gone]
        f.missing = tuple(sorted(gone))
        f.rules = ("pieces_manquantes",)

    def _incomplet_5_ans(self, f: _File) -> None:
        self._resident_complete(f, ten=False)
        self._incomplete(f, ("justificatif_activite", "assurance_maladie", "photo", "justificatif_residence_2020"))

    def _incomplet_10_ans(self, f: _File) -> None:
        self._resident_complete(f, ten=True)
        f.documents = [d for d in f.documents if d != "assurance_maladie"]  # no harmless extra
        everything = self.rng.random() < 0.15  # nothing uploaded at all
        choices = ("photo", "justificatif_residence_2020", "justificatif_installation", "passeport")
        self._incomplete(f, choices, all_missing=everything)

    def _incomplet_famille(self, f: _File) -> None:
        self._family(f)
        self._incomplete(f, ("justificatif_lien_familial",))

    def _incomplet_frontalier(self, f: _File) -> None:
        self._frontier(f)
        self._incomplete(f, ("justificatif_emploi_frontalier", "photo"))

    def _non_eligible_nationalite(self, f: _File) -> None:
        f.nationality = self.pick(OTHER_NATIONALITIES)
        self._resident_complete(f, ten=True)
        f.titre, f.rules = "", ("nationalite_non_britannique",)

    def _non_eligible_francais(self, f: _File) -> None:
        f.nationality = self.pick(FRENCH_WRITTEN)
        self._resident_complete(f, ten=True)
        f.titre, f.rules = "", ("nationalite_francaise",)

    def _non_eligible_passeport(self, f: _File) -> None:
        self._resident_complete(f, ten=True)
        f.expiry = f.filing - dt.timedelta(days=self.rng.randint(1, 700))
        f.titre, f.rules = "", ("passeport_expire",)

    def _non_eligible_installation(self, f: _File) -> None:
        ages = self.resident(f)
        deadline = self.settings.filing_deadline
        f.entry = self.day(self.last_window_day + dt.timedelta(days=1), deadline - dt.timedelta(days=30))
        f.filing = self.day(f.entry + dt.timedelta(days=5), deadline)
        self.person(f, ages)
        f.documents = self.required(f, years_ok=False)
        f.titre, f.rules = "", ("installation_apres_date_limite",)

    def _non_eligible_tardif_sans_motif(self, f: _File) -> None:
        self._resident_complete(f, ten=True, filing=self.late())
        f.titre, f.rules = "", ("depot_tardif_sans_motif",)

    def _a_arbitrer_fenetre(self, f: _File) -> None:
        ages = self.resident(f)
        f.entry = self.day(self.first_window_day, self.last_window_day)
        f.filing = self.day(max(f.entry + dt.timedelta(days=1), PORTAL_OPENING), self.settings.filing_deadline)
        f.titre = "carte_sejour_5_ans"
        self.person(f, ages)
        f.documents = self.required(f, years_ok=False)
        f.rules = ("installation_proche_date_limite",)

    def _a_arbitrer_dates(self, f: _File) -> None:
        ages = self.resident(f)
        kind = self.rng.choice(("entree_avant_naissance", "depot_avant_entree", "passeport_avant_naissance"))
        if kind == "depot_avant_entree":
            f.filing = self.day(PORTAL_OPENING, self.last_eligible_entry - dt.timedelta(days=20))
            f.entry = self.day(f.filing + dt.timedelta(days=1), self.last_eligible_entry)
        else:
            self.ten_years(f)
        self.person(f, ages)
        if kind == "entree_avant_naissance":
            f.birth = f.entry + dt.timedelta(days=self.rng.randint(1, 1000))  # still born before filing
        elif kind == "passeport_avant_naissance":
            f.expiry = f.birth - dt.timedelta(days=self.rng.randint(100, 5000))
        f.documents = self.required(f, years_ok=False)  # dates in doubt: the full list
        f.titre, f.rules = "", (kind,)

    def _a_arbitrer_motif(self, f: _File) -> None:
        self._resident_complete(f, ten=True, filing=self.late())
        f.motif = self.pick(LATE_UNKNOWN_WRITTEN)
        f.rules = ("motif_tardif_a_apprecier",)

    def _a_arbitrer_motif_incoherent(self, f: _File) -> None:
        self._resident_complete(f, ten=True, filing=self.late())
        # Adult long before the deadline, or not a family member joining after 2020.
        f.motif = self.pick(("Majorité", "Regroupement familial", "Accès à la majorité"))
        f.rules = ("motif_tardif_incoherent",)

    # ---- quarantine: a complete 10-year file with exactly one defect
    def _defective(self, f: _File, rule: str) -> None:
        self._resident_complete(f, ten=True)
        f.decision, f.titre, f.missing, f.rules = QUARANTINE, "", (), (rule,)

    def _requis_nom(self, f: _File) -> None:
        self._defective(f, "requis:nom")
        f.cells["nom"] = ""

    def _date_date_naissance(self, f: _File) -> None:
        self._defective(f, "date:date_naissance")
        f.cells["date_naissance"] = str((f.birth - dt.date(1899, 12, 30)).days)  # Excel serial number

    def _date_date_entree_france(self, f: _File) -> None:
        self._defective(f, "date:date_entree_france")
        f.entry = f.entry.replace(day=self.rng.randint(13, 28))
        f.cells["date_entree_france"] = f.entry.strftime("%m/%d/%Y")  # American order

    def _date_date_depot(self, f: _File) -> None:
        self._defective(f, "date:date_depot")
        f.cells["date_depot"] = f.filing.strftime("%d/%m/%y")  # two-digit year

    def _numero_dossier_format(self, f: _File) -> None:
        self._defective(f, "numero_dossier_format")
        f.cells["numero_dossier"] = self.pick(("{y}{n}", "WA {y} {n}", "WA-{y}-{n5}", "AR-{y}-{n}"))

    def _numero_dossier_doublon(self, f: _File) -> None:
        self._defective(f, "numero_dossier_doublon")  # the row is replaced by an earlier one's copy

    def _numero_passeport(self, f: _File) -> None:
        self._defective(f, "numero_passeport")
        digits = "".join(self.rng.choice("0123456789") for _ in range(8))
        f.passport = "0" + digits
        f.cells["numero_passeport"] = digits  # Excel dropped the leading zero

    def _code_postal_format(self, f: _File) -> None:
        self._defective(f, "code_postal_format")
        code = f.code_postal.zfill(5)
        f.cells["code_postal"] = self.pick((code[:3], code + "0", code.replace("0", "O") if "0" in code else code[:3]))

    def _situation(self, f: _File) -> None:
        self._defective(f, "situation")
        f.cells["situation"] = self.pick(UNKNOWN_SITUATIONS)

    def _pieces_inconnues(self, f: _File) -> None:
        self._defective(f, "pieces_inconnues")
        f.cells["pieces_extra"] = self.pick(UNKNOWN_DOCUMENTS)

    # ---- cells
    def documents_text(self, f: _File) -> str:
        names = []
        for code in f.documents:
            if code == "justificatif_activite":
                names.append(f.activity_text)
            else:
                names.append(self.pick(DOCUMENTS_WRITTEN[code]))
        if "pieces_extra" in f.cells:
            names.append(f.cells["pieces_extra"])
        self.rng.shuffle(names)
        return self.pick(SEPARATORS).join(names)

    def cells(self, f: _File) -> dict[str, str]:
        date_style = self.rng.random()

        def written(day: dt.date) -> str:
            return day.isoformat() if date_style < 0.05 else _fr(day)

        row = {
            "numero_dossier": f.numero,
            "nom": f.nom,
            "prenom": f.prenom,
            "date_naissance": written(f.birth),
            "nationalite": f.nationality,
            "numero_passeport": f.passport,
            "date_expiration_passeport": written(f.expiry),
            "date_entree_france": written(f.entry),
            "adresse": f.adresse,
            "code_postal": f.code_postal,
            "commune": f.commune,
            "situation": self.pick(SITUATION_WRITTEN[f.situation]),
            "pieces": self.documents_text(f),
            "date_depot": written(f.filing),
            "motif_depot_tardif": f.motif,
        }
        for column, value in f.cells.items():
            if column in row:
                row[column] = value
        if "numero_dossier" in f.cells:
            year, number = f.numero[3:7], f.numero[-6:]
            row["numero_dossier"] = f.cells["numero_dossier"].format(y=year, n=number, n5=number[1:])
        return row


def generate(count: int, *, seed: int = 2021, settings: BrexitSettings | None = None) -> DemoExport:
    """``count`` files in the proportions of :func:`case_counts`, shuffled; same seed, same files."""
    settings = settings or load_settings()
    maker = _Maker(seed, settings)
    rng = maker.rng
    cases = [case for case, n in case_counts(count).items() for _ in range(n)]
    rng.shuffle(cases)
    # The first file is an ordinary one, so that a duplicated file number always repeats an
    # earlier valid file.
    ordinary = next((i for i, c in enumerate(cases) if c == "saisir_10_ans"), None)
    if ordinary is not None:
        cases[0], cases[ordinary] = cases[ordinary], cases[0]
    serials = rng.sample(range(1, 1_000_000), count)
    files = [maker.build(case) for case in cases]
    for f, serial in zip(files, serials, strict=True):
        f.numero = f"WA-{f.filing.year}-{serial:06d}"
    records, expected = [], []
    for position, f in enumerate(files):
        row = maker.cells(f)
        if f.case == "numero_dossier_doublon":
            earlier = [i for i in range(position) if files[i].decision != QUARANTINE]
            if earlier:
                row = dict(records[rng.choice(earlier)])
                f.numero = row["numero_dossier"]
            else:  # a tiny file: nothing to repeat, keep the defect count exact with another one
                row["nom"], f.rules = "", ("requis:nom",)
        records.append(row)
        expected.append(
            {
                "ligne": position + 2,
                "numero_dossier": row["numero_dossier"],
                "cas": f.case,
                "decision": f.decision,
                "titre": f.titre if f.decision != QUARANTINE else "",
                "pieces_manquantes": join_codes(f.missing),
                "regles": join_codes(f.rules),
            }
        )
    return DemoExport(records=records, expected=expected, seed=seed, settings=settings)


def expected_outcomes(count: int, *, seed: int = 2021, settings: BrexitSettings | None = None) -> dict[str, Any]:
    """What a validation run must find in ``write_demo(path, count, seed)``'s file."""
    return generate(count, seed=seed, settings=settings).expectation()


def companion_path(path: Path) -> Path:
    """``.<name>.attendu.json`` beside the file: hidden, so intake never reads it."""
    return path.parent / f".{path.stem}.attendu.json"


def write_demo(
    path: Path,
    count: int = 300,
    seed: int = 2021,
    *,
    fmt: str = "excel-csv",
    settings: BrexitSettings | None = None,
    expected_path: Path | None = None,
) -> dict[str, Any]:
    """Write the export (French Excel CSV by default) and its expected outcomes; returns them."""
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt} (connus : {', '.join(FORMATS)})")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    demo = generate(count, seed=seed, settings=settings)
    with path.open("w", encoding=FORMATS[fmt], newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([HEADERS[c] for c in COLUMNS])
        for record in demo.records:
            writer.writerow([record[c] for c in COLUMNS])
    expectation = demo.expectation(path.name)
    target = expected_path or companion_path(path)
    target.write_text(json.dumps(expectation, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return expectation


def default_file_name() -> str:
    return "demandes_accord_de_retrait.csv"


def write_demo_inbox(inbox_dir: Path, count: int = 300, *, seed: int = 2021) -> Path:
    """Drop a demo export into an inbox folder (its expectations as a hidden file); returns its path."""
    path = Path(inbox_dir) / default_file_name()
    write_demo(path, count, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m include.processes.brexit.demo",
        description="Export de démonstration du portail de demandes « accord de retrait » (données fictives).",
    )
    parser.add_argument("--count", type=int, default=300, help="nombre de dossiers (défaut : 300)")
    parser.add_argument("--seed", type=int, default=2021, help="graine (défaut : 2021)")
    parser.add_argument("--format", choices=list(FORMATS), default="excel-csv", dest="fmt")
    parser.add_argument("--out", type=Path, default=Path(default_file_name()), help="fichier à écrire")
    args = parser.parse_args(argv)
    try:
        expectation = write_demo(args.out, args.count, args.seed, fmt=args.fmt)
    except ValueError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    counts = expectation["counts"]
    print(
        f"{args.out} : {counts['received']} dossiers, {counts['quarantined']} en quarantaine, "
        f"{counts['a_saisir']} à saisir, {counts['incomplets']} incomplets, {counts['non_eligibles']} non éligibles, "
        f"{counts['a_arbitrer']} à arbitrer (attendus : {companion_path(args.out).name})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
