"""The worker file's fields: names (form ``name``/``id``, database column and
export column are the same), French labels, choices and the three steps of
the creation form."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "nom": "Nom de naissance",
    "nom_usage": "Nom d'usage",
    "prenom": "Prénom",
    "sexe": "Sexe",
    "date_naissance": "Date de naissance",
    "lieu_naissance": "Lieu de naissance",
    "nir": "N° de sécurité sociale (NIR)",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "email": "Adresse e-mail",
    "telephone": "Téléphone",
    "iban": "IBAN",
    "bic": "BIC",
    "statut": "Statut",
    "site": "Site d'affectation",
    "site_autre": "Autre site (préciser)",
    "fonction": "Fonction",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
}

IDENTITE = ("nom", "nom_usage", "prenom", "sexe", "date_naissance", "lieu_naissance", "nir")
ADRESSE = ("adresse", "code_postal", "commune", "email", "telephone", "iban", "bic")
# site_autre is a form field only: the stored site is its text when site is "Autre".
AFFECTATION = ("statut", "site", "site_autre", "fonction", "date_debut", "date_fin")

# Stored fields, in the order of the detail page and of the export (after nir, matricule).
WORKER_FIELDS = tuple(f for f in IDENTITE + ADRESSE + AFFECTATION if f != "site_autre")
DATE_FIELDS = frozenset({"date_naissance", "date_debut", "date_fin"})
OPTIONAL = frozenset({"nom_usage", "lieu_naissance", "email", "telephone", "bic", "site_autre"})

SEXES = {"M": "Masculin", "F": "Féminin"}
STATUTS = ("agent public", "retraité", "demandeur d'emploi", "étudiant", "autre")
FONCTIONS = ("agent de mise sous pli", "chef de table")
# Sites of the Tarn-et-Garonne secretariat (as in the demo data); any other one: "Autre" + free text.
SITES = (
    "Montauban – Salle Eurythmie",
    "Montauban – Hôtel de la préfecture",
    "Castelsarrasin – Salle des fêtes",
    "Moissac – Salle des fêtes",
)
SITE_OTHER = "Autre"

EXPORT_COLUMNS = ("nir", "matricule", *(f for f in WORKER_FIELDS if f != "nir"), "cree_le", "cree_par")
