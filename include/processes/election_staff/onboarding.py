"""The ``election_staff_onboarding`` process: each valid temporary worker of the departments'
files gets a file in the HR portal.

Its domain code: the columns (:mod:`columns`), the row rules (:mod:`rules`), the dataset
expectations (:mod:`expectations`), the HR portal's page objects (:mod:`hr_portal`), and here
the steps the DAG calls and :class:`Onboarding`, the entry engine's specification (ledger
process ``election_staff_onboarding``, scope = the election, key = the NIR, the 19 typed
columns, the portal's export compared field by field). Everything else is the toolkit's.

Each step reads and writes files in the run folder and returns small counts (XCom carries
paths and counts, never records). Cheap to import: the DAG file imports it while parsed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from include.processes.election_staff.columns import COLUMNS, LABELS, SPEC
from include.processes.election_staff.config import Election, get_election, onboarding_settings
from include.rpa import entry
from include.rpa.entry import EntrySpec, plain
from include.rpa.errors import DatasetCheckError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json
from include.rpa.report import QUARANTINE_FILE, VALIDATION_FILE

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.report import Report
    from include.rpa.summary import RunSummary
    from include.rpa.targets import WebApp
    from include.rpa.tasks import RunContext

INBOX = "election_staff"  # <RPA_DATA_DIR>/inbox/election_staff/<YYYY-MM-DD>/
# Intermediate tables are Parquet (typed, fast); what agents open is CSV.
INTAKE_FILE = "intake.parquet"
VALID_FILE = "valid.parquet"
ENTERED = "saisi"  # the outcome credited in minutes saved
_SPACES = re.compile(r"\s+")


def election_of(run: RunContext) -> Election:
    return get_election(run.params.get("election"))


# --------------------------------------------------------------------------- the entry specification


class Onboarding(EntrySpec):
    process = "election_staff_onboarding"
    conn_id = "hr_portal"
    app = "le portail RH"
    title = "Vacataires de la mise sous pli : contrôle des fichiers et saisie dans le portail RH"
    noun = "vacataires"
    key = "nir"
    columns = COLUMNS
    receipt_column = "matricule"
    labels: ClassVar[Mapping[str, str]] = {**LABELS, "matricule": "matricule"}

    def scope(self, run: RunContext) -> str:
        return election_of(run).id

    def records(self, run: RunContext) -> pd.DataFrame:
        """The validated rows (``valid.parquet``) with "" for empty values."""
        import pandas as pd

        frame = pd.read_parquet(run.folder / VALID_FILE)
        return frame.astype({column: "string" for column in COLUMNS}).fillna("")

    def identity(self, row: Any) -> dict[str, str]:
        from include.rpa.pii import initials

        return {"initiales": initials(row["nom"], row["prenom"])}

    def target(self, app: WebApp, run: RunContext, frame: pd.DataFrame) -> Any:
        from include.processes.election_staff.hr_portal import HrPortal

        return HrPortal(app.base_url, app.user, app.password)

    def expected_value(self, column: str, value: str) -> str:
        from include.processes.election_staff.hr_portal import portal_date, site_key

        value = plain(column, value)
        if column in ("date_naissance", "date_debut", "date_fin"):
            return portal_date(value)
        return site_key(value) if column == "site" else value

    def stored_value(self, column: str, value: str) -> str:
        from include.processes.election_staff.hr_portal import site_key

        value = plain(column, value)
        return site_key(value) if column == "site" else value

    def export_key(self, value: str) -> str:
        return _SPACES.sub("", value).upper()


ONBOARDING = Onboarding()


# --------------------------------------------------------------------------- steps


def intake(run: RunContext) -> dict[str, Any]:
    """The file or folder of ``input_path``, else the inbox of the run's day (within the election's
    period: the cron schedule repeats the period's days every year)."""
    from include.rpa.intake import intake_run

    election = election_of(run)
    out_of_season = None
    if not election.period_start <= run.day <= election.period_end:
        out_of_season = (
            f"Le {run.day:%d/%m/%Y} est hors de la période de mise sous pli "
            f"({election.period_start:%d/%m/%Y} – {election.period_end:%d/%m/%Y}) : rien à traiter"
        )
    return intake_run(run, SPEC, inbox=INBOX, out_of_season=out_of_season, table_file=INTAKE_FILE)


def validate(run: RunContext) -> dict[str, Any]:
    """Row rules (pandera) then dataset rules (Great Expectations).

    Writes ``valid.parquet``, ``quarantine.csv``, ``validation.json`` and the Data Docs, then
    raises :class:`DatasetCheckError` if a dataset rule failed.
    """
    import pandas as pd

    from include.processes.election_staff import rules
    from include.processes.election_staff.expectations import expectations
    from include.rpa.quality import check_received
    from include.rpa.validation import write_quarantine

    election = election_of(run)
    started = time.perf_counter()
    raw = pd.read_parquet(run.folder / INTAKE_FILE)
    frame, quarantine, reason_counts = split_rows(raw, election)
    rows_seconds = time.perf_counter() - started

    valid = frame[~frame.index.isin(quarantine.index)]
    output = valid[list(COLUMNS)].copy()
    for column in rules.DATE_COLUMNS:
        output[column] = valid[rules.DATE_COLUMNS[column]].dt.strftime("%Y-%m-%d")
    output[FILE_COLUMN] = valid[FILE_COLUMN]
    output[LINE_COLUMN] = valid[LINE_COLUMN]
    output.to_parquet(run.folder / VALID_FILE, index=False)
    write_quarantine(frame, quarantine, run.folder / QUARANTINE_FILE, with_initials)

    checks_started = time.perf_counter()
    dataset_checks = check_received(frame, COLUMNS, quarantine.index, expectations(election), run.folder)
    counts = {"received": len(frame), "quarantined": len(quarantine), "valid": len(output)}
    failed = [c["attente"] for c in dataset_checks if not c["succes"]]
    write_json(
        run.folder / VALIDATION_FILE,
        {
            **counts,
            "motifs": reason_counts,
            "controles_jeu": dataset_checks,
            "controles_echoues": failed,
            "secondes_lignes": round(rows_seconds, 3),
            "secondes_jeu": round(time.perf_counter() - checks_started, 3),
        },
    )
    if counts["received"] != counts["quarantined"] + counts["valid"]:
        raise AssertionError(f"accounting identity broken: {counts}")
    if failed:
        raise DatasetCheckError("Contrôle du fichier en échec, la saisie n'est pas lancée : " + " ; ".join(failed))
    return counts


def with_initials(rows: pd.DataFrame) -> dict[str, list[str]]:
    """How the quarantine names a row for HR: initials, never the name."""
    from include.rpa.pii import initials

    return {"initiales": [initials(n, p) for n, p in zip(rows["nom"], rows["prenom"], strict=True)]}


def split_rows(raw: pd.DataFrame, election: Election) -> tuple[pd.DataFrame, pd.Series, dict[str, int]]:
    """(normalised frame, quarantine reasons by row index, reason -> count)."""
    import pandas as pd

    from include.processes.election_staff import rules
    from include.rpa.validation import failed_rules, reasons_by_row

    frame = rules.normalise(raw)
    failures = failed_rules(frame, rules.build_schema(election))
    duplicates = failures["rule"] == "nir_doublon"
    if duplicates.any():
        first = frame[~frame["nir"].duplicated(keep="first")].set_index("nir")
        where = first[FILE_COLUMN] + ", ligne " + first[LINE_COLUMN].astype(str)
        nirs = frame.loc[failures.loc[duplicates, "index"], "nir"].to_numpy()
        failures["detail"] = pd.Series(pd.NA, index=failures.index, dtype="object")
        failures.loc[duplicates, "detail"] = " ; première occurrence : " + where.reindex(nirs).to_numpy()
    order = [f"requis:{c}" for c in COLUMNS] + list(rules.RULES)
    reasons = reasons_by_row(failures, rules.REASONS, order)
    counts = failures["rule"].map(rules.REASONS).value_counts()
    return frame, reasons, {str(k): int(v) for k, v in counts.items()}


def report(run: RunContext) -> tuple[RunSummary, Report]:
    """The run's summary (the contract's integer counts) and its French report for HR."""
    from include.rpa.report import intake_section, validation_section

    election = election_of(run)
    manual = onboarding_settings().manual_minutes_per_worker
    validation = read_json(run.folder / VALIDATION_FILE) or {}
    intake_info = read_json(run.folder / "intake.json") or {}
    outcome = entry.accounting(run, ONBOARDING, meant=int(validation.get("valid", 0)))
    credited = entry.credit_time_saved(run, ONBOARDING, dict.fromkeys(outcome.entered_keys, ENTERED), {ENTERED: manual})
    minutes = credited[ENTERED] * manual - outcome.robot_minutes
    extra = {
        "election": election.id,
        "secondes_par_vacataire": outcome.median_seconds,
        "minutes_saisie_manuelle_par_vacataire": manual,
        "controles_jeu_echoues": validation.get("controles_echoues", []),
        "fichiers": [f["fichier"] for f in intake_info.get("fichiers", [])],
    }
    summary = entry.run_summary(run, outcome, minutes_saved=round(max(0.0, minutes), 1), extra=extra).judge()
    page = entry.report_page(run, ONBOARDING, summary, f"{election.label} — traitement {run.run_id}")
    quarantine = {"fichier": "Fichier", "ligne": "Ligne", "initiales": "Initiales", "motifs": "Motifs"}
    page.add(
        intake_section(run.folder),
        validation_section(run.folder, quarantine),
        entry.entry_section(run, ONBOARDING, outcome, entry.reconciliation(run.folder)),
    )
    page.details += [
        ("Essai à blanc", "oui" if run.dry_run else "non"),
        (
            "Temps gagné (min)",
            f"{summary.minutes_saved} = {credited[ENTERED]} dossiers × {manual} min de saisie manuelle "
            f"− {outcome.robot_minutes:.1f} min de robot (un dossier n'est compté qu'une fois, "
            "tous traitements confondus)",
        ),
    ]
    return summary, page
