"""Steps of the brexit_residence_permits DAG that read the portal's export: intake, then
validate (row rules, the decision on each valid file, letters for incomplete files).

Each step reads and writes files in the run folder and returns small counts (XCom carries
paths and counts, never records). Outputs of ``validate``:

- ``dossiers.parquet``: one row per valid file: the canonical columns normalised (dates
  YYYY-MM-DD, situation code, ``pieces`` as joined codes, nationality normalised, postal code
  5 digits, passport number compact), then ``decision`` (saisir, incomplet, non_eligible,
  a_arbitrer), ``titre`` (code, "" when none), ``pieces_manquantes`` (joined codes),
  ``motifs`` (French sentences, one per line), ``regles`` (joined decision rule ids),
  ``annees_residence`` (nullable integer), ``_fichier``, ``_ligne``.
- ``quarantine.csv``: fichier;ligne;numero_dossier;initiales;motifs (UTF-8 with BOM, ``;``).
- ``lettres/<numero_dossier>.html``: one letter per incomplete file (only when the dataset
  checks pass: a stopped run sends nothing).
- ``validation.json``: the counts below, reasons and rules counted, dataset checks, timings.
- ``data_docs/``: Great Expectations' Data Docs.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.processes.brexit.columns import COLUMNS, DATE_COLUMNS, SPEC
from include.processes.brexit.config import BrexitSettings, load_settings
from include.rpa.errors import DatasetCheckError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import write_json
from include.rpa.report import QUARANTINE_FILE, VALIDATION_FILE

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.tasks import RunContext

INBOX = "brexit"  # <RPA_DATA_DIR>/inbox/brexit/<YYYY-MM-DD>/
INTAKE_FILE = "intake.parquet"
DOSSIERS_FILE = "dossiers.parquet"
LETTERS_FOLDER = "lettres"
# decision -> its count key
OUTCOME_COUNTS = {
    "saisir": "a_saisir",
    "incomplet": "incomplets",
    "non_eligible": "non_eligibles",
    "a_arbitrer": "a_arbitrer",
}
COUNT_KEYS = ("received", "quarantined", "valid", *OUTCOME_COUNTS.values())
DECISION_COLUMNS = ("decision", "titre", "pieces_manquantes", "motifs", "regles", "annees_residence")
DOSSIER_COLUMNS = (*COLUMNS, *DECISION_COLUMNS, FILE_COLUMN, LINE_COLUMN)
MOTIFS_SEPARATOR = "\n"


def intake(run: RunContext) -> dict[str, Any]:
    """The export named by ``input_path``, else the files dropped in the inbox on the run's day."""
    from include.rpa.intake import intake_run

    return intake_run(run, SPEC, inbox=INBOX, table_file=INTAKE_FILE)


def validate(run: RunContext) -> dict[str, int]:
    """The validate step (letters dated the day they are written)."""
    return triage(run.folder)


def load_dossiers(run_dir: Path) -> pd.DataFrame:
    """``dossiers.parquet`` (every valid file with the rules' decision), "" for empty values."""
    import pandas as pd

    frame = pd.read_parquet(run_dir / DOSSIERS_FILE)
    text = [c for c in frame.columns if c not in ("annees_residence", LINE_COLUMN)]
    frame[text] = frame[text].astype("string").fillna("")
    return frame


def triage(
    run_dir: Path, settings: BrexitSettings | None = None, *, letter_date: dt.date | None = None
) -> dict[str, int]:
    """Row rules (pandera), the decision on each valid file, dataset rules (Great Expectations).

    Writes the outputs listed in the module docstring, then raises :class:`DatasetCheckError`
    if a dataset rule failed. ``letter_date`` (default: today) dates the letters.
    """
    import pandas as pd

    from include.processes.brexit import rules
    from include.processes.brexit.expectations import expectations
    from include.processes.brexit.letters import write_letters
    from include.rpa.quality import check_received
    from include.rpa.validation import write_quarantine

    settings = settings or load_settings()
    started = time.perf_counter()
    raw = pd.read_parquet(run_dir / INTAKE_FILE)
    frame = rules.normalise(raw)
    reasons, reason_counts = rules.quarantine_reasons(frame, settings)
    valid = frame[~frame.index.isin(reasons.index)]
    rows_seconds = time.perf_counter() - started

    decided_at = time.perf_counter()
    dossiers = decide_files(valid, settings)
    dossiers.to_parquet(run_dir / DOSSIERS_FILE, index=False)
    write_quarantine(frame, reasons, run_dir / QUARANTINE_FILE, _named)
    decision_seconds = time.perf_counter() - decided_at

    checks_started = time.perf_counter()
    dataset_checks = check_received(
        frame, COLUMNS, reasons.index, expectations(settings), run_dir, name="dossiers_recus"
    )
    checks_seconds = time.perf_counter() - checks_started
    failed = [c["attente"] for c in dataset_checks if not c["succes"]]

    outcomes = dossiers["decision"].value_counts()
    counts = {
        "received": len(frame),
        "quarantined": len(reasons),
        "valid": len(dossiers),
        **{key: int(outcomes.get(outcome, 0)) for outcome, key in OUTCOME_COUNTS.items()},
    }
    letters_folder = run_dir / LETTERS_FOLDER
    for stale in letters_folder.glob("*.html") if letters_folder.exists() else ():
        stale.unlink()  # a retried task writes the letters of this attempt only
    letters = 0
    if not failed:
        incomplete = dossiers[dossiers["decision"] == "incomplet"]
        letters = write_letters(incomplete.to_dict("records"), letters_folder, settings, letter_date=letter_date)

    saisir = dossiers[dossiers["decision"] == "saisir"]
    write_json(
        run_dir / VALIDATION_FILE,
        {
            **counts,
            "lettres": letters,
            "titres": {str(k): int(v) for k, v in saisir["titre"].value_counts().sort_index().items()},
            "motifs": reason_counts,
            "regles": _rule_counts(dossiers),
            "controles_jeu": dataset_checks,
            "controles_echoues": failed,
            "secondes_lignes": round(rows_seconds, 3),
            "secondes_decision": round(decision_seconds, 3),
            "secondes_jeu": round(checks_seconds, 3),
        },
    )
    if counts["received"] != counts["quarantined"] + counts["valid"]:
        raise AssertionError(f"accounting identity broken: {counts}")
    if counts["valid"] != sum(counts[key] for key in OUTCOME_COUNTS.values()):
        raise AssertionError(f"decision identity broken: {counts}")
    if failed:
        raise DatasetCheckError("Contrôle du fichier en échec, le traitement s'arrête : " + " ; ".join(failed))
    return counts


def decide_files(valid: pd.DataFrame, settings: BrexitSettings) -> pd.DataFrame:
    """dossiers.parquet's table: the valid rows normalised, and each one's decision."""
    import pandas as pd

    from include.processes.brexit import rules
    from include.processes.brexit.codes import join_codes

    out = valid[list(COLUMNS)].copy()
    for column in DATE_COLUMNS:
        out[column] = valid[rules.PARSED[column]].dt.strftime("%Y-%m-%d")
    out["pieces"] = valid[rules.DOCUMENTS]
    decisions = [rules.decide(file, settings) for file in rules.dossiers_of(valid)]
    out["decision"] = [d.outcome for d in decisions]
    out["titre"] = [d.titre or "" for d in decisions]
    out["pieces_manquantes"] = [join_codes(d.pieces_manquantes) for d in decisions]
    out["motifs"] = [MOTIFS_SEPARATOR.join(d.motifs) for d in decisions]
    out["regles"] = [join_codes(d.regles) for d in decisions]
    out["annees_residence"] = pd.array([d.annees_residence for d in decisions], dtype="Int64")
    out[FILE_COLUMN] = valid[FILE_COLUMN]
    out[LINE_COLUMN] = valid[LINE_COLUMN]
    return out[list(DOSSIER_COLUMNS)].reset_index(drop=True)


def _rule_counts(dossiers: pd.DataFrame) -> dict[str, dict[str, int]]:
    """decision -> French rule label -> files (a file may have several rules)."""
    from include.processes.brexit.codes import split_codes
    from include.processes.brexit.rules import DECISION_RULES

    table: dict[str, dict[str, int]] = {}
    for outcome, joined in zip(dossiers["decision"], dossiers["regles"], strict=True):
        bucket = table.setdefault(outcome, {})
        for rule in split_codes(joined):
            label = DECISION_RULES.get(rule, rule)
            bucket[label] = bucket.get(label, 0) + 1
    return {outcome: dict(sorted(labels.items())) for outcome, labels in sorted(table.items())}


def _named(rows: pd.DataFrame) -> dict[str, list[str]]:
    """How the quarantine names a row for the office: file number and initials, never the name."""
    from include.rpa.pii import initials

    return {
        "numero_dossier": list(rows["numero_dossier"]),
        "initiales": [initials(n, p) for n, p in zip(rows["nom"], rows["prenom"], strict=True)],
    }
