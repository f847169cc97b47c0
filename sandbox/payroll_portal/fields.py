"""The allowance form's fields: names (form ``name``/``id``), French labels, choices,
limits and the export's columns."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "scrutin": "Scrutin",
    "mode": "Mode de rémunération",
    "heures": "Heures travaillées",
    "plis": "Nombre de plis",
    "chef_de_table": "Chef de table",
    "montant": "Montant brut (€)",
}

FORM_FIELDS = ("scrutin", "mode", "heures", "plis", "chef_de_table", "montant")
# plis is required only when the allowance is paid by the envelope (checked in validation).
OPTIONAL = frozenset({"plis"})

# Rounds of voting (option value: id, as in config/elections.toml; text: French label).
SCRUTINS: dict[str, str] = {
    "presidentielle-2027-t1": "Présidentielle 2027 — 1er tour",
    "presidentielle-2027-t2": "Présidentielle 2027 — 2nd tour",
    "legislatives-2027-t1": "Législatives 2027 — 1er tour",
    "legislatives-2027-t2": "Législatives 2027 — 2nd tour",
}
# Codes as in config/elections.toml ([elections.<id>.paie] mode).
MODE_ENVELOPE, MODE_HOUR = "enveloppe", "heure"
MODES: dict[str, str] = {MODE_ENVELOPE: "à l'enveloppe", MODE_HOUR: "à l'heure"}
YES_NO: dict[str, str] = {"oui": "Oui", "non": "Non"}

# Décret n° 2012-498: at most 600 € per round of voting.
CEILING_CENTS = 600_00
MAX_HOURS = 200

EXPORT_COLUMNS = (
    "numero",
    "matricule",
    "nir",
    "scrutin",
    "mode",
    "heures",
    "plis",
    "chef_de_table",
    "montant",
    "iban",
    "bic",
    "cree_le",
    "cree_par",
)
