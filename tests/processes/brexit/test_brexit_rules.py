"""Table-driven tests of the Brexit files' rules: the decision (eligibility, card, completeness)
at its date boundaries, the row rules, and the normalisation of free text."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from include.processes.brexit import rules
from include.processes.brexit.codes import PIECES, SITUATIONS
from include.processes.brexit.columns import COLUMNS, SPEC
from include.processes.brexit.config import load_settings, parse_settings
from include.rpa.normalize import canonical_choice
from include.rpa.text import header_key
from include.rpa.validation import failed_rules

D = dt.date
SETTINGS = load_settings()
NO_WINDOW = dataclasses.replace(SETTINGS, arbitration_window_days=0)

BASE_DOCUMENTS = ("passeport", "photo", "justificatif_installation", "justificatif_residence_2020")
BELOW_FIVE = ("justificatif_activite", "assurance_maladie")
ALL_RESIDENT = BASE_DOCUMENTS + BELOW_FIVE
FAMILY_JOINING = ("passeport", "photo", "justificatif_installation", "justificatif_lien_familial", *BELOW_FIVE)

BASE = rules.Dossier(
    numero_dossier="WA-2021-000001",
    date_naissance=D(1970, 5, 12),
    nationalite="britannique",
    date_expiration_passeport=D(2028, 1, 1),
    date_entree_france=D(2010, 3, 15),
    situation="salarie",
    pieces=frozenset(ALL_RESIDENT),
    date_depot=D(2021, 4, 12),
)
TEN, FIVE, FRONTIER = "carte_sejour_permanent_10_ans", "carte_sejour_5_ans", "titre_frontalier"


def file(**changes) -> rules.Dossier:
    if "pieces" in changes:
        changes["pieces"] = frozenset(changes["pieces"])
    return dataclasses.replace(BASE, **changes)


# (id, settings, changes, outcome, card, missing documents, rules)
DECISIONS = [
    # ---- settled before 1 January 2021 (raw cutoff, no arbitration window)
    ("installe_31_12_2020", NO_WINDOW, {"date_entree_france": D(2020, 12, 31)}, "saisir", FIVE, (), {"eligible"}),
    (
        "installe_01_01_2021",
        NO_WINDOW,
        {"date_entree_france": D(2021, 1, 1)},
        "non_eligible",
        None,
        (),
        {"installation_apres_date_limite"},
    ),
    # ---- the arbitration window: 30 days each side of the cutoff (2020-12-02 .. 2021-01-30)
    ("avant_fenetre", SETTINGS, {"date_entree_france": D(2020, 12, 1)}, "saisir", FIVE, (), {"eligible"}),
    (
        "premier_jour_fenetre",
        SETTINGS,
        {"date_entree_france": D(2020, 12, 2)},
        "a_arbitrer",
        FIVE,
        (),
        {"installation_proche_date_limite"},
    ),
    (
        "fenetre_31_12_2020",
        SETTINGS,
        {"date_entree_france": D(2020, 12, 31)},
        "a_arbitrer",
        FIVE,
        (),
        {"installation_proche_date_limite"},
    ),
    (
        "fenetre_01_01_2021",
        SETTINGS,
        {"date_entree_france": D(2021, 1, 1)},
        "a_arbitrer",
        FIVE,
        (),
        {"installation_proche_date_limite"},
    ),
    (
        "dernier_jour_fenetre",
        SETTINGS,
        {"date_entree_france": D(2021, 1, 30)},
        "a_arbitrer",
        FIVE,
        (),
        {"installation_proche_date_limite"},
    ),
    (
        "apres_fenetre",
        SETTINGS,
        {"date_entree_france": D(2021, 1, 31)},
        "non_eligible",
        None,
        (),
        {"installation_apres_date_limite"},
    ),
    # ---- filing deadline: 30 September 2021 included
    ("depot_30_09_2021", SETTINGS, {"date_depot": D(2021, 9, 30)}, "saisir", TEN, (), {"eligible"}),
    (
        "depot_01_10_2021_sans_motif",
        SETTINGS,
        {"date_depot": D(2021, 10, 1)},
        "non_eligible",
        None,
        (),
        {"depot_tardif_sans_motif"},
    ),
    (
        "depot_tardif_motif_espaces",
        SETTINGS,
        {"date_depot": D(2021, 10, 1), "motif_depot_tardif": "   "},
        "non_eligible",
        None,
        (),
        {"depot_tardif_sans_motif"},
    ),
    (
        "depot_tardif_motif_inconnu",
        SETTINGS,
        {"date_depot": D(2021, 10, 1), "motif_depot_tardif": "Hospitalisation de longue durée"},
        "a_arbitrer",
        TEN,
        (),
        {"motif_tardif_a_apprecier"},
    ),
    (
        "depot_tardif_majorite",
        SETTINGS,
        {"date_depot": D(2021, 11, 2), "date_naissance": D(2003, 10, 1), "motif_depot_tardif": "Majorité"},
        "saisir",
        TEN,
        (),
        {"eligible", "depot_tardif_admis"},
    ),
    (
        "depot_tardif_majorite_detaillee",
        SETTINGS,
        {
            "date_depot": D(2021, 11, 2),
            "date_naissance": D(2003, 10, 2),
            "motif_depot_tardif": "Devenue majeure : 18 ans le 02/10/2021",
        },
        "saisir",
        TEN,
        (),
        {"eligible", "depot_tardif_admis"},
    ),
    # 18 on the deadline itself: adult in time, the reason does not hold.
    (
        "majorite_atteinte_le_30_09_2021",
        SETTINGS,
        {"date_depot": D(2021, 11, 2), "date_naissance": D(2003, 9, 30), "motif_depot_tardif": "majorité"},
        "a_arbitrer",
        TEN,
        (),
        {"motif_tardif_incoherent"},
    ),
    (
        "regroupement_familial_pour_un_salarie",
        SETTINGS,
        {"date_depot": D(2021, 10, 5), "motif_depot_tardif": "Regroupement familial"},
        "a_arbitrer",
        TEN,
        (),
        {"motif_tardif_incoherent"},
    ),
    # ---- family members
    (
        "famille_rejoignant_2021",
        SETTINGS,
        {
            "situation": "membre_famille",
            "nationalite": "américaine",
            "date_entree_france": D(2021, 6, 1),
            "date_depot": D(2021, 7, 1),
            "pieces": FAMILY_JOINING,
        },
        "saisir",
        FIVE,
        (),
        {"eligible", "famille_rejoignant"},
    ),
    (
        "famille_dans_la_fenetre",
        SETTINGS,
        {
            "situation": "membre_famille",
            "date_entree_france": D(2021, 1, 15),
            "date_depot": D(2021, 3, 1),
            "pieces": FAMILY_JOINING,
        },
        "saisir",
        FIVE,
        (),
        {"eligible", "famille_rejoignant"},
    ),
    (
        "famille_rejoignant_depot_tardif",
        SETTINGS,
        {
            "situation": "membre_famille",
            "date_entree_france": D(2021, 11, 1),
            "date_depot": D(2022, 1, 10),
            "pieces": FAMILY_JOINING,
        },
        "saisir",
        FIVE,
        (),
        {"eligible", "famille_rejoignant", "depot_tardif_admis"},
    ),
    (
        "famille_ancienne_depot_tardif",
        SETTINGS,
        {"situation": "membre_famille", "date_depot": D(2021, 10, 1)},
        "non_eligible",
        None,
        ("justificatif_lien_familial",),
        {"depot_tardif_sans_motif"},
    ),
    (
        "famille_non_britannique_10_ans",
        SETTINGS,
        {
            "situation": "membre_famille",
            "nationalite": "indienne",
            "pieces": (*BASE_DOCUMENTS, "justificatif_lien_familial"),
        },
        "saisir",
        TEN,
        (),
        {"eligible"},
    ),
    (
        "famille_installee_avant_2021_sans_residence_2020",
        SETTINGS,
        {
            "situation": "membre_famille",
            "pieces": ("passeport", "photo", "justificatif_installation", "justificatif_lien_familial"),
        },
        "incomplet",
        TEN,
        ("justificatif_residence_2020",),
        {"pieces_manquantes"},
    ),
    (
        "famille_sans_lien",
        SETTINGS,
        {"situation": "membre_famille", "pieces": BASE_DOCUMENTS},
        "incomplet",
        TEN,
        ("justificatif_lien_familial",),
        {"pieces_manquantes"},
    ),
    # ---- card: 5 full years of residence on the filing date
    (
        "cinq_ans_le_jour_du_depot",
        SETTINGS,
        {"date_entree_france": D(2016, 3, 15), "date_depot": D(2021, 3, 15), "pieces": BASE_DOCUMENTS},
        "saisir",
        TEN,
        (),
        {"eligible"},
    ),
    (
        "cinq_ans_le_lendemain_du_depot",
        SETTINGS,
        {"date_entree_france": D(2016, 3, 15), "date_depot": D(2021, 3, 14), "pieces": BASE_DOCUMENTS},
        "incomplet",
        FIVE,
        BELOW_FIVE,
        {"pieces_manquantes"},
    ),
    (
        "installe_un_29_fevrier_depot_28_02",
        SETTINGS,
        {"date_entree_france": D(2016, 2, 29), "date_depot": D(2021, 2, 28)},
        "saisir",
        FIVE,
        (),
        {"eligible"},
    ),
    (
        "installe_un_29_fevrier_depot_01_03",
        SETTINGS,
        {"date_entree_france": D(2016, 2, 29), "date_depot": D(2021, 3, 1)},
        "saisir",
        TEN,
        (),
        {"eligible"},
    ),
    # ---- frontier workers
    (
        "frontalier",
        SETTINGS,
        {"situation": "frontalier", "pieces": ("passeport", "photo", "justificatif_emploi_frontalier")},
        "saisir",
        FRONTIER,
        (),
        {"eligible"},
    ),
    (
        "frontalier_recent_contrat_de_travail",
        SETTINGS,
        {
            "situation": "frontalier",
            "date_entree_france": D(2019, 6, 1),
            "pieces": ("passeport", "photo", "justificatif_activite"),
        },
        "saisir",
        FRONTIER,
        (),
        {"eligible"},
    ),
    (
        "frontalier_sans_justificatif_d_emploi",
        SETTINGS,
        {"situation": "frontalier", "pieces": ("passeport", "photo", "assurance_maladie")},
        "incomplet",
        FRONTIER,
        ("justificatif_emploi_frontalier",),
        {"pieces_manquantes"},
    ),
    (
        "frontalier_apres_2020",
        SETTINGS,
        {"situation": "frontalier", "date_entree_france": D(2021, 3, 1), "pieces": ("passeport", "photo")},
        "non_eligible",
        None,
        ("justificatif_emploi_frontalier",),
        {"installation_apres_date_limite"},
    ),
    # ---- passport valid on the filing date, its expiry day included
    (
        "passeport_expire_le_jour_du_depot",
        SETTINGS,
        {"date_expiration_passeport": D(2021, 4, 12)},
        "saisir",
        TEN,
        (),
        {"eligible"},
    ),
    (
        "passeport_expire_la_veille",
        SETTINGS,
        {"date_expiration_passeport": D(2021, 4, 11)},
        "non_eligible",
        None,
        (),
        {"passeport_expire"},
    ),
    # ---- nationality
    (
        "irlandais",
        SETTINGS,
        {"nationalite": "irlandaise"},
        "non_eligible",
        None,
        (),
        {"nationalite_non_britannique"},
    ),
    (
        "franco_britannique",
        SETTINGS,
        {"nationalite": "franco-britannique"},
        "non_eligible",
        None,
        (),
        {"nationalite_francaise"},
    ),
    (
        "francais_membre_de_famille",
        SETTINGS,
        {
            "nationalite": "française",
            "situation": "membre_famille",
            "pieces": (*ALL_RESIDENT, "justificatif_lien_familial"),
        },
        "non_eligible",
        None,
        (),
        {"nationalite_francaise"},
    ),
    # ---- completeness
    ("dix_ans_sans_activite", SETTINGS, {"pieces": BASE_DOCUMENTS}, "saisir", TEN, (), {"eligible"}),
    (
        "cinq_ans_sans_activite",
        SETTINGS,
        {"date_entree_france": D(2018, 1, 1), "pieces": BASE_DOCUMENTS},
        "incomplet",
        FIVE,
        BELOW_FIVE,
        {"pieces_manquantes"},
    ),
    ("aucune_piece", SETTINGS, {"pieces": ()}, "incomplet", TEN, BASE_DOCUMENTS, {"pieces_manquantes"}),
    # ---- contradictory dates: a human decides, no card computed
    (
        "entree_avant_naissance",
        SETTINGS,
        {"date_entree_france": D(1969, 1, 1)},
        "a_arbitrer",
        None,
        (),
        {"entree_avant_naissance"},
    ),
    (
        "depot_avant_entree",
        SETTINGS,
        {"date_entree_france": D(2020, 11, 20), "date_depot": D(2020, 11, 2)},
        "a_arbitrer",
        None,
        (),
        {"depot_avant_entree"},
    ),
    (
        "passeport_avant_naissance",
        SETTINGS,
        {"date_expiration_passeport": D(1965, 1, 1)},
        "a_arbitrer",
        None,
        (),
        {"passeport_avant_naissance"},
    ),
    (
        "naissance_apres_depot",
        SETTINGS,
        {"date_naissance": D(2022, 1, 1)},
        "a_arbitrer",
        None,
        (),
        {"entree_avant_naissance", "depot_avant_naissance"},
    ),
    (
        "dates_contradictoires_sous_5_ans_pieces",
        SETTINGS,
        {"date_entree_france": D(1969, 1, 1), "pieces": BASE_DOCUMENTS},
        "a_arbitrer",
        None,
        BELOW_FIVE,
        {"entree_avant_naissance"},
    ),
    # ---- precedence: not eligible beats arbitration, arbitration beats missing documents
    (
        "fenetre_et_passeport_expire",
        SETTINGS,
        {"date_entree_france": D(2020, 12, 20), "date_expiration_passeport": D(2021, 1, 1)},
        "non_eligible",
        None,
        (),
        {"passeport_expire"},
    ),
    (
        "fenetre_et_pieces_manquantes",
        SETTINGS,
        {"date_entree_france": D(2020, 12, 20), "pieces": BASE_DOCUMENTS},
        "a_arbitrer",
        FIVE,
        BELOW_FIVE,
        {"installation_proche_date_limite"},
    ),
]


@pytest.mark.parametrize(
    ("settings", "changes", "outcome", "card", "missing", "rule_ids"),
    [case[1:] for case in DECISIONS],
    ids=[case[0] for case in DECISIONS],
)
def test_decision(settings, changes, outcome, card, missing, rule_ids):
    decision = rules.decide(file(**changes), settings)
    assert decision.outcome == outcome
    assert decision.titre == card
    assert decision.pieces_manquantes == tuple(sorted(missing))
    assert set(decision.regles) == rule_ids
    assert decision.motifs and all(m.endswith(".") for m in decision.motifs)
    assert all(r in rules.DECISION_RULES for r in decision.regles)


def test_years_of_residence_are_reported():
    assert (
        rules.decide(file(date_entree_france=D(2016, 3, 15), date_depot=D(2021, 3, 15)), SETTINGS).annees_residence == 5
    )
    assert (
        rules.decide(file(date_entree_france=D(2016, 3, 15), date_depot=D(2021, 3, 14)), SETTINGS).annees_residence == 4
    )
    assert rules.decide(file(date_entree_france=D(1969, 1, 1)), SETTINGS).annees_residence is None


def test_sentences_explain_in_french_with_dates():
    late = rules.decide(file(date_depot=D(2021, 10, 1)), SETTINGS)
    assert late.motifs == (
        "Demande déposée le 01/10/2021, après la date limite du 30/09/2021, sans motif de dépôt tardif.",
    )
    window = rules.decide(file(date_entree_france=D(2020, 12, 31), pieces=frozenset()), SETTINGS)
    assert window.motifs[0].startswith("Date d'installation déclarée (31/12/2020) à 1 jour(s) du 01/01/2021")
    assert window.motifs[1].startswith("Pièce(s) manquante(s) : Passeport en cours de validité ; ")
    saisir = rules.decide(BASE, SETTINGS)
    assert saisir.motifs == (
        "Éligible : 11 an(s) de résidence au dépôt, Carte de séjour « accord de retrait » – séjour permanent (10 ans).",
    )


def test_required_documents_per_situation():
    assert rules.required_documents("salarie", 5, True, SETTINGS) == tuple(sorted(BASE_DOCUMENTS))
    assert rules.required_documents("salarie", 4, True, SETTINGS) == tuple(sorted(ALL_RESIDENT))
    assert rules.required_documents("frontalier", 0, True, SETTINGS) == (
        "justificatif_emploi_frontalier",
        "passeport",
        "photo",
    )
    assert rules.required_documents("membre_famille", 0, False, SETTINGS) == tuple(sorted(FAMILY_JOINING))
    for situation in SITUATIONS:
        assert {"passeport", "photo"} <= set(rules.required_documents(situation, 10, True, SETTINGS))


# ---------------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("britannique", "britannique"),
        ("Britannique", "britannique"),
        ("BRITANNIQUE", "britannique"),
        ("British", "britannique"),
        ("British citizen", "britannique"),
        ("Royaume-Uni", "britannique"),
        ("Royaume Uni", "britannique"),
        ("United Kingdom", "britannique"),
        ("Grande-Bretagne", "britannique"),
        ("GBR", "britannique"),
        ("GB", "britannique"),
        ("UK", "britannique"),
        ("Anglaise", "britannique"),
        ("anglais", "britannique"),
        ("Écossaise", "britannique"),
        ("Gallois", "britannique"),
        ("Nord-Irlandaise", "britannique"),
        ("Britannique / Irlandaise", "britannique"),
        ("Irlandaise", "irlandaise"),
        ("Irish", "irish"),
        ("Américaine", "américaine"),
        ("  Sud-Africaine ", "sud-africaine"),
        ("Franco-britannique", "franco-britannique"),
        ("Britannique et française", "franco-britannique"),
        ("British, French", "franco-britannique"),
        ("Française", "française"),
        ("FRA", "française"),
    ],
)
def test_nationality(written, expected):
    assert rules.normalise_nationality(written) == expected


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Salarié", "salarie"),
        ("salarié(e)", "salarie"),
        ("SALARIE", "salarie"),
        ("Salariée", "salarie"),
        ("Auto-entrepreneur", "independant"),
        ("Indépendante", "independant"),
        ("Étudiant", "etudiant"),
        ("Etudiant(e)", "etudiant"),
        ("Inactif", "inactif"),
        ("Retraitée", "inactif"),
        ("Demandeur d'emploi", "demandeur_emploi"),
        ("demandeuse d\u2019emploi", "demandeur_emploi"),
        ("Frontalier", "frontalier"),
        ("Travailleur frontalier", "frontalier"),
        ("Frontalière", "frontalier"),
        ("Membre de famille", "membre_famille"),
        ("Conjointe", "membre_famille"),
        ("membre_famille", "membre_famille"),
        ("Stagiaire", "Stagiaire"),  # unknown: left as sent, the row rule rejects it
    ],
)
def test_situation(written, code):
    assert canonical_choice(pd.Series([written]), rules.SITUATION_SYNONYMS).tolist() == [code]


@pytest.mark.parametrize(
    ("written", "codes", "unknown"),
    [
        ("Passeport", {"passeport"}, ()),
        ("passport; Photo d'identité", {"passeport", "photo"}, ()),
        ("PASSEPORT | photographie d\u2019identité", {"passeport", "photo"}, ()),
        ("Copie du passeport\nPhotos d'identité", {"passeport", "photo"}, ()),
        ("Justificatif de domicile 2020, Bail", {"justificatif_residence_2020", "justificatif_installation"}, ()),
        ("Avis d'imposition 2020 (PDF)", {"justificatif_residence_2020"}, ()),
        ("Attestation CPAM", {"assurance_maladie"}, ()),
        ("Carte Vitale", {"assurance_maladie"}, ()),
        ("assurance maladie", {"assurance_maladie"}, ()),
        ("Formulaire S1", {"assurance_maladie"}, ()),
        ("Contrat de travail", {"justificatif_activite"}, ()),
        ("Bulletins de salaire", {"justificatif_activite"}, ()),
        ("Fiches de paie", {"justificatif_activite"}, ()),
        ("Extrait Kbis ; Avis de pension", {"justificatif_activite"}, ()),
        ("Contrat de travail et bulletins de salaire", {"justificatif_activite"}, ()),
        ("Passeport + photo", {"passeport", "photo"}, ()),
        ("Livret de famille", {"justificatif_lien_familial"}, ()),
        ("Justificatif d'emploi en France", {"justificatif_emploi_frontalier"}, ()),
        ("Contrat de travail en France", {"justificatif_emploi_frontalier"}, ()),
        ("justificatif_residence_2020|photo", {"justificatif_residence_2020", "photo"}, ()),
        ("Justificatif de la date d'installation en France", {"justificatif_installation"}, ()),
        ("", set(), ()),
        (" ; ,", set(), ()),
        ("Passeport, Justificatif de domicile", {"passeport"}, ("Justificatif de domicile",)),
        ("RIB", set(), ("RIB",)),
        ("Passeport et RIB", set(), ("Passeport et RIB",)),
    ],
)
def test_documents(written, codes, unknown):
    assert rules.split_documents(written) == (tuple(sorted(codes)), unknown)


def test_every_document_label_and_code_is_recognised():
    for code, label in PIECES.items():
        assert rules.split_documents(label) == ((code,), ())
        assert rules.split_documents(code) == ((code,), ())


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Majorité", "majorite"),
        ("majorite", "majorite"),
        ("Accès à la majorité", "majorite"),
        ("Devenu(e) majeur(e)", "majorite"),
        ("Majorité : 18 ans le 03/02/2022", "majorite"),
        ("Majorité (18 ans en octobre 2021)", "majorite"),
        ("Regroupement familial", "regroupement_familial"),
        ("regroupement familial - arrivée en mars 2022", "regroupement_familial"),
        ("Majorité non atteinte au 30/09/2021", None),
        ("Hospitalisation", None),
        ("Je ne savais pas", None),
        ("", None),
    ],
)
def test_late_filing_reason(written, code):
    assert rules.late_reason_code(written, SETTINGS) == code


# ---------------------------------------------------------------------------------- row rules

VALID_ROW = {
    "numero_dossier": "WA-2021-000001",
    "nom": "O'Brien",
    "prenom": "Siân",
    "date_naissance": "12/05/1970",
    "nationalite": "British",
    "numero_passeport": "012345678",
    "date_expiration_passeport": "01/01/2028",
    "date_entree_france": "15/03/2010",
    "adresse": "12, rue de l'Église",
    "code_postal": "09000",
    "commune": "Foix",
    "situation": "Salarié",
    "pieces": "Passeport ; photo d'identité ; justificatif de domicile 2020 ; bail",
    "date_depot": "12/04/2021",
    "motif_depot_tardif": "",
}


def rules_failed(rows: list[dict[str, str]]) -> list[set[str]]:
    frame = pd.DataFrame([{c: row.get(c, "") for c in COLUMNS} for row in rows], dtype=str)
    frame["_fichier"] = "test.csv"
    frame["_ligne"] = range(2, len(frame) + 2)
    failures = failed_rules(rules.normalise(frame), rules.build_schema(SETTINGS))
    return [set(failures.loc[failures["index"] == i, "rule"]) for i in range(len(rows))]


ROW_CASES = [
    ({}, set()),
    ({"nom": ""}, {"requis:nom"}),
    ({"numero_dossier": ""}, {"requis:numero_dossier"}),
    ({"nationalite": ""}, {"requis:nationalite"}),
    ({"pieces": ""}, set()),  # nothing provided: incomplete, not malformed
    ({"motif_depot_tardif": "Majorité"}, set()),
    # file number
    ({"numero_dossier": "wa-2021-000001"}, set()),
    ({"numero_dossier": "WA_2021_000001"}, set()),
    ({"numero_dossier": "WA 2021 000001"}, {"numero_dossier_format"}),
    ({"numero_dossier": "WA-2021-00001"}, {"numero_dossier_format"}),
    ({"numero_dossier": "2021000001"}, {"numero_dossier_format"}),
    # dates, Excel traps included
    ({"date_naissance": "1970-05-12"}, set()),
    ({"date_naissance": "12/5/1970"}, set()),
    ({"date_naissance": "25700"}, {"date:date_naissance"}),
    ({"date_naissance": "12/05/70"}, {"date:date_naissance"}),
    ({"date_naissance": "31/02/1970"}, {"date:date_naissance"}),
    ({"date_entree_france": "03/15/2010"}, {"date:date_entree_france"}),
    ({"date_expiration_passeport": "########"}, {"date:date_expiration_passeport"}),
    ({"date_depot": "12 avril 2021"}, {"date:date_depot"}),
    ({"date_depot": ""}, {"requis:date_depot"}),
    # passport: 9 characters for a British passport, 6 to 12 for another
    ({"numero_passeport": "AB1234567"}, set()),
    ({"numero_passeport": "012 345 678"}, set()),
    ({"numero_passeport": "12345678"}, {"numero_passeport"}),
    ({"numero_passeport": "1,23457E+8"}, {"numero_passeport"}),
    ({"numero_passeport": "12345678", "nationalite": "Américaine", "situation": "Conjoint"}, set()),
    ({"numero_passeport": "12345", "nationalite": "Américaine", "situation": "Conjoint"}, {"numero_passeport"}),
    # postal code and commune
    ({"code_postal": "9000"}, set()),
    ({"code_postal": "09 000", "commune": "FOIX"}, set()),
    ({"code_postal": "090"}, {"code_postal_format"}),
    ({"code_postal": "O9000"}, {"code_postal_format"}),
    ({"code_postal": "31000"}, {"code_postal_commune"}),
    ({"code_postal": "17700", "commune": "La Jonquera", "situation": "Frontalier"}, set()),
    ({"code_postal": "17700", "commune": "La Jonquera"}, {"code_postal_commune"}),
    # situation and documents
    ({"situation": "Retraitée"}, set()),
    ({"situation": "Bénévole"}, {"situation"}),
    ({"pieces": "Passeport, RIB"}, {"pieces_inconnues"}),
]


@pytest.mark.parametrize(("changes", "expected"), ROW_CASES)
def test_row_rules(changes, expected):
    assert rules_failed([{**VALID_ROW, **changes}]) == [expected]


def test_duplicate_file_number_keeps_the_first_row():
    other = {**VALID_ROW, "nom": "Smith", "numero_dossier": "wa-2021-000001"}
    malformed = {**VALID_ROW, "numero_dossier": "WA 1"}
    assert rules_failed([VALID_ROW, other, malformed, malformed]) == [
        set(),
        {"numero_dossier_doublon"},
        {"numero_dossier_format"},
        {"numero_dossier_format"},
    ]


def test_every_rule_has_a_french_reason():
    assert set(rules.RULE_ORDER) == set(rules.REASONS)


def test_quarantine_reasons_name_the_excel_trap():
    rows = [
        VALID_ROW,
        {**VALID_ROW, "numero_dossier": "WA-2021-000002", "date_naissance": "25700", "numero_passeport": "12345678"},
        {**VALID_ROW, "pieces": "Passeport | Lettre de motivation"},
    ]
    frame = pd.DataFrame(rows, dtype=str)
    frame["_fichier"] = "export.csv"
    frame["_ligne"] = [2, 3, 4]
    reasons, counts = rules.quarantine_reasons(rules.normalise(frame), SETTINGS)
    assert reasons.to_dict() == {
        1: "Date de naissance invalide (format attendu jj/mm/aaaa) : nombre de série Excel (cellule au format "
        "Nombre), à ressaisir au format jj/mm/aaaa ; N° de passeport mal formé (9 lettres ou chiffres pour un "
        "passeport britannique, 6 à 12 sinon) : 8 chiffres, le zéro initial a sans doute été perdu par Excel",
        2: "N° de dossier déjà présent plus haut dans l'envoi : seule sa première ligne est prise en compte ; "
        "première occurrence : export.csv, ligne 2 ; Pièce(s) fournie(s) non reconnue(s), à requalifier dans la "
        "liste des pièces : « Lettre de motivation »",
    }
    assert sum(counts.values()) == 4


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("44197", " : nombre de série Excel (cellule au format Nombre), à ressaisir au format jj/mm/aaaa"),
        ("44197,0", " : nombre de série Excel (cellule au format Nombre), à ressaisir au format jj/mm/aaaa"),
        ("05/03/88", " : année sur deux chiffres"),
        ("03/25/2021", " : ordre mois/jour/année à l'américaine ?"),
        ("#####", " : « ##### » (colonne trop étroite dans Excel lors de l'enregistrement)"),
        ("31/02/2021", ""),
        ("hier", ""),
    ],
)
def test_date_hints(written, hint):
    assert rules.date_hint(written) == hint


# ---------------------------------------------------------------------------------- columns and settings


def test_headers_and_synonyms_are_unambiguous():
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for alias in (column, *SPEC.synonyms.get(column, ())):
            key = header_key(alias)
            assert seen.setdefault(key, column) == column, f"{alias!r} names both {seen[key]} and {column}"
    assert "motif_depot_tardif" not in SPEC.required
    lookup = SPEC.lookup()
    for title, column in [
        ("N° de dossier", "numero_dossier"),
        ("Date d'entrée en France", "date_entree_france"),
        ("Pièces fournies", "pieces"),
        ("Nationalité", "nationalite"),
        ("Né(e) le", "date_naissance"),
        ("Motif de dépôt tardif", "motif_depot_tardif"),
    ]:
        assert lookup[header_key(title)] == column


def test_settings_from_the_toml_file():
    s = SETTINGS
    assert (s.residence_cutoff, s.filing_deadline) == (D(2021, 1, 1), D(2021, 9, 30))
    assert s.arbitration_window == (D(2020, 12, 2), D(2021, 1, 30))
    assert NO_WINDOW.arbitration_window[0] > NO_WINDOW.arbitration_window[1]  # empty
    assert (s.manual_minutes_per_file, s.agent_minutes_per_human_file) == (30, 5)
    assert [r.code for r in s.late_reasons] == ["majorite", "regroupement_familial"]
    assert set(s.required_documents) == set(SITUATIONS)
    assert s.letters.prefecture and s.letters.reply_days == 30
    assert load_settings() is SETTINGS  # cached


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["documents"]["required"].__setitem__("salarie", ["passport"]), "unknown codes"),
        (lambda raw: raw["documents"]["required"].pop("frontalier"), "situations without a list"),
        (lambda raw: raw["rules"].__setitem__("filing_deadline", "2021-09-30"), "expected a date"),
        (lambda raw: raw["rules"].__setitem__("quarantine_ceiling", 1.5), "quarantine_ceiling"),
    ],
)
def test_settings_are_checked(change, message):
    import copy
    import tomllib

    from include.processes.brexit.config import CONFIG_FILE

    raw = copy.deepcopy(tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8")))
    change(raw)
    with pytest.raises(ValueError, match=message):
        parse_settings(raw)
