"""The foreigner's file: field names (form ``name``/``id``, database column and export
column are the same), French labels, the four screens of the creation form, the codes
offered by the selects and checkboxes, and the export's columns.

The codes are a copy of ``include/processes/brexit/codes.py`` (the sandbox stands for an
application of its own and imports nothing from ``include/``);
``tests/sandbox/test_foreigners_portal.py`` checks that the two stay equal.
"""

from __future__ import annotations

from collections.abc import Iterable

LABELS: dict[str, str] = {
    "numero_dossier": "N° de dossier (demande en ligne)",
    "nom": "Nom",
    "prenom": "Prénom(s)",
    "date_naissance": "Date de naissance",
    "nationalite": "Nationalité",
    "numero_passeport": "N° de passeport",
    "date_expiration_passeport": "Date d'expiration du passeport",
    "date_entree_france": "Date d'entrée en France",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "situation": "Situation",
    "date_depot": "Date de dépôt de la demande",
    "pieces": "Pièces fournies",
    "titre": "Titre de séjour délivré",
}

IDENTITE = (
    "numero_dossier",
    "nom",
    "prenom",
    "date_naissance",
    "nationalite",
    "numero_passeport",
    "date_expiration_passeport",
)
RESIDENCE = ("date_entree_france", "adresse", "code_postal", "commune", "situation", "date_depot")
PIECES_STEP = ("pieces",)
DECISION = ("titre",)

# Stored fields, in the order of the detail page and of the export (after the two numbers).
FILE_FIELDS = tuple(f for f in IDENTITE + RESIDENCE + PIECES_STEP + DECISION if f != "numero_dossier")
DATE_FIELDS = frozenset({"date_naissance", "date_expiration_passeport", "date_entree_france", "date_depot"})

EXPORT_COLUMNS = (
    "numero_dossier",
    "numero_etranger",
    "nom",
    "prenom",
    "date_naissance",
    "nationalite",
    "numero_passeport",
    "date_expiration_passeport",
    "date_entree_france",
    "adresse",
    "code_postal",
    "commune",
    "situation",
    "pieces",
    "titre",
    "date_depot",
    "cree_le",
    "cree_par",
)

# ----------------------------------------------------------------------------- codes
# Copy of include/processes/brexit/codes.py: option values and checkbox values are the
# codes, the visible texts their French labels; the export writes the codes.

SITUATIONS: dict[str, str] = {
    "salarie": "Salarié",
    "independant": "Indépendant",
    "etudiant": "Étudiant",
    "inactif": "Inactif",
    "demandeur_emploi": "Demandeur d'emploi",
    "frontalier": "Travailleur frontalier",
    "membre_famille": "Membre de famille",
}

PIECES: dict[str, str] = {
    "passeport": "Passeport en cours de validité",
    "photo": "Photographie d'identité",
    "justificatif_installation": "Justificatif de la date d'installation en France",
    "justificatif_residence_2020": "Justificatif de résidence en France en 2020",
    "justificatif_activite": "Justificatif d'activité ou de ressources",
    "assurance_maladie": "Attestation d'assurance maladie",
    "justificatif_lien_familial": "Justificatif du lien familial avec un ressortissant britannique",
    "justificatif_emploi_frontalier": "Justificatif d'emploi en France (travailleur frontalier)",
}

TITRES: dict[str, str] = {
    "carte_sejour_permanent_10_ans": "Carte de séjour « accord de retrait » – séjour permanent (10 ans)",
    "carte_sejour_5_ans": "Carte de séjour « accord de retrait » (5 ans)",
    "titre_frontalier": "Titre de séjour « accord de retrait – travailleur frontalier » (5 ans)",
}

# Lists of codes travel as one text field, sorted, joined by this separator.
SEPARATOR = "|"

# The frontier workers' situation and document go together.
FRONTIER_SITUATION = "frontalier"
FRONTIER_TITRE = "titre_frontalier"


def join_codes(codes: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(set(codes)))


def split_codes(text: str) -> list[str]:
    return sorted({code for code in (text or "").split(SEPARATOR) if code})
