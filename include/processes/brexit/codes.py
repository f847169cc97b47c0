"""The vocabulary shared by the Brexit pipeline and the foreigners' office application:
situations, documents ("pièces") and residence documents ("titres"), as codes with their
French labels.

The pipeline normalises the application portal's free text to these codes; the
foreigners' office screens offer the same codes (select options, checkboxes), and its
export writes them back, so reconciliation compares codes, not labels.
"""

from __future__ import annotations

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


def join_codes(codes) -> str:
    return SEPARATOR.join(sorted(set(codes)))


def split_codes(text: str) -> list[str]:
    return sorted({code for code in (text or "").split(SEPARATOR) if code})
