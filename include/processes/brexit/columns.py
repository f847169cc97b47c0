"""Canonical columns of the online application portal's export (Withdrawal Agreement residence
permits), with the header synonyms seen in French exports and hand-made spreadsheets (matched
case-, accent-, space- and punctuation-insensitively, so "N° de dossier", "N° DOSSIER" and
"numéro de dossier" are one header).

``motif_depot_tardif`` (reason given for filing after the deadline) is OPTIONAL: exports of
on-time files may lack the column. It is needed by the late-filing rule: a late file without
it, or with it empty, has no reason and is not eligible (see ``rules.decide``).

``pieces`` must be present as a column but may be empty in a row: an application with no
document is incomplete (a letter asks for everything), not malformed.
"""

from __future__ import annotations

from include.rpa.intake import ColumnSpec

COLUMNS = (
    "numero_dossier",
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
    "date_depot",
    "motif_depot_tardif",
)
OPTIONAL = frozenset({"motif_depot_tardif"})
# Headers a file must have.
REQUIRED = frozenset(COLUMNS) - OPTIONAL
# Cells a row must fill (an empty "pieces" cell is a business case: nothing provided).
NON_EMPTY = REQUIRED - {"pieces"}
DATE_COLUMNS = ("date_naissance", "date_expiration_passeport", "date_entree_france", "date_depot")

SYNONYMS = {
    "numero_dossier": [
        "N° de dossier",
        "numéro de dossier",
        "n° dossier",
        "dossier",
        "référence du dossier",
        "référence dossier",
        "référence",
        "identifiant du dossier",
        "n° de demande",
        "numéro de demande",
    ],
    "nom": ["surname", "last name"],
    "prenom": ["first name", "given names", "forename"],
    "date_naissance": ["date of birth"],
    "nationalite": ["nationalité", "nationalité déclarée", "nationality", "pays de nationalité"],
    "numero_passeport": [
        "N° de passeport",
        "numéro de passeport",
        "n° passeport",
        "passeport",
        "passport number",
        "n° du passeport",
    ],
    "date_expiration_passeport": [
        "date d'expiration du passeport",
        "expiration du passeport",
        "date d'expiration",
        "passeport valable jusqu'au",
        "validité du passeport",
        "fin de validité du passeport",
        "passport expiry date",
    ],
    "date_entree_france": [
        "date d'entrée en France",
        "date d'entrée",
        "entrée en France",
        "date d'arrivée en France",
        "date d'arrivée",
        "date d'installation en France",
        "date d'installation",
        "installé(e) en France depuis le",
        "date of arrival in France",
    ],
    "adresse": ["adresse en France", "address"],
    "code_postal": ["code postal", "postcode"],
    "commune": ["town", "city"],
    "situation": [
        "situation",
        "situation déclarée",
        "situation professionnelle",
        "statut",
        "catégorie",
        "qualité",
        "activité",
    ],
    "pieces": [
        "pièces fournies",
        "pièces jointes",
        "pièces justificatives",
        "pièces déposées",
        "liste des pièces",
        "justificatifs fournis",
        "justificatifs",
        "documents fournis",
        "documents",
    ],
    "date_depot": [
        "date de dépôt",
        "date de la demande",
        "date de dépôt de la demande",
        "déposé le",
        "déposée le",
        "date de soumission",
        "date de création du dossier",
        "date of application",
    ],
    "motif_depot_tardif": [
        "motif de dépôt tardif",
        "motif du dépôt tardif",
        "motif de retard",
        "motif du retard",
        "justification du retard",
        "raison du dépôt tardif",
        "motif dépôt hors délai",
        "reason for late application",
    ],
}

LABELS = {
    "numero_dossier": "n° de dossier",
    "nom": "nom",
    "prenom": "prénom",
    "date_naissance": "date de naissance",
    "nationalite": "nationalité",
    "numero_passeport": "n° de passeport",
    "date_expiration_passeport": "date d'expiration du passeport",
    "date_entree_france": "date d'entrée en France",
    "adresse": "adresse",
    "code_postal": "code postal",
    "commune": "commune",
    "situation": "situation",
    "pieces": "pièces fournies",
    "date_depot": "date de dépôt",
    "motif_depot_tardif": "motif de dépôt tardif",
}

SPEC = ColumnSpec(columns=COLUMNS, required=REQUIRED, synonyms=SYNONYMS, labels=LABELS)
