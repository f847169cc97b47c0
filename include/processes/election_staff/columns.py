"""Canonical columns of a department's worker file, with the header synonyms seen in real
files beside the toolkit's common ones (include/rpa/intake.py), matched case-, accent-, space-
and punctuation-insensitively, so "Né(e) le", "NE LE" and "né le" are one header."""

from __future__ import annotations

from include.rpa.intake import ColumnSpec

COLUMNS = (
    "nom",
    "nom_usage",
    "prenom",
    "sexe",
    "date_naissance",
    "lieu_naissance",
    "nir",
    "adresse",
    "code_postal",
    "commune",
    "email",
    "telephone",
    "iban",
    "bic",
    "statut",
    "site",
    "fonction",
    "date_debut",
    "date_fin",
)
OPTIONAL = frozenset({"nom_usage", "lieu_naissance", "email", "telephone", "bic"})
REQUIRED = frozenset(COLUMNS) - OPTIONAL

SYNONYMS = {
    "nom_usage": ["nom d'usage", "nom usuel", "nom marital", "nom d'épouse", "nom epouse"],
    "sexe": ["genre", "civilité", "H/F", "M/F"],
    "lieu_naissance": ["lieu de naissance", "né(e) à", "commune de naissance", "ville de naissance"],
    "nir": [
        "numéro de sécurité sociale",
        "n° de sécurité sociale",
        "n° sécu",
        "numéro sécu",
        "sécurité sociale",
        "NSS",
        "n° INSEE",
        "numéro INSEE",
        "NIR (sécurité sociale)",
    ],
    "code_postal": ["code postal domicile"],
    "email": ["e-mail", "mail", "courriel", "adresse mail", "adresse électronique"],
    "telephone": ["téléphone", "tél", "tel.", "portable", "mobile", "n° de téléphone"],
    "iban": ["RIB/IBAN", "IBAN (RIB)", "RIB", "code IBAN", "coordonnées bancaires"],
    "bic": ["code BIC", "BIC/SWIFT", "SWIFT"],
    "statut": ["situation", "situation professionnelle", "catégorie"],
    "site": ["site d'affectation", "lieu d'affectation", "affectation", "centre de mise sous pli"],
    "fonction": ["poste", "rôle", "emploi"],
    "date_debut": ["date de début", "début", "début de contrat", "date début contrat", "du"],
    "date_fin": ["date de fin", "fin", "fin de contrat", "date fin contrat", "au"],
}

LABELS = {
    "nom": "nom",
    "nom_usage": "nom d'usage",
    "prenom": "prénom",
    "sexe": "sexe",
    "date_naissance": "date de naissance",
    "lieu_naissance": "lieu de naissance",
    "nir": "NIR",
    "adresse": "adresse",
    "code_postal": "code postal",
    "commune": "commune",
    "email": "e-mail",
    "telephone": "téléphone",
    "iban": "IBAN",
    "bic": "BIC",
    "statut": "statut",
    "site": "site",
    "fonction": "fonction",
    "date_debut": "date de début",
    "date_fin": "date de fin",
}

SPEC = ColumnSpec(columns=COLUMNS, required=REQUIRED, synonyms=SYNONYMS, labels=LABELS)

STATUTS = ("agent public", "retraité", "demandeur d'emploi", "étudiant", "autre")
FONCTIONS = ("agent de mise sous pli", "chef de table")
