"""Steps of the election_staff_onboarding DAG: intake, validate, report (entry: ``entry.py``,
reconciliation: ``reconcile.py``).

Each step reads and writes files in the run folder and returns small counts
(XCom carries paths and counts, never records).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from include.processes.election_staff.columns import COLUMNS, SPEC
from include.processes.election_staff.config import Election
from include.rpa.errors import DatasetCheckError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import read_json, write_json

PROCESS = "election_staff"
# Intermediate tables are Parquet (typed, fast); what agents open is CSV.
INTAKE_FILE = "intake.parquet"
VALID_FILE = "valid.parquet"
QUARANTINE_FILE = "quarantine.csv"


def intake(input_path: Path, run_dir: Path) -> dict[str, Any]:
    """Read every file under ``input_path`` into ``intake.parquet`` (all text)."""
    from include.rpa.intake import intake_to_run

    return intake_to_run(input_path, run_dir, SPEC, INTAKE_FILE)


def validate(run_dir: Path, election: Election) -> dict[str, Any]:
    """Row rules (pandera) then dataset rules (Great Expectations).

    Writes ``valid.csv``, ``quarantine.csv``, ``validation.json`` and the Data
    Docs, then raises :class:`DatasetCheckError` if a dataset rule failed.
    """
    import pandas as pd

    from include.processes.election_staff import rules

    started = time.perf_counter()
    raw = pd.read_parquet(run_dir / INTAKE_FILE)
    frame, quarantine, reason_counts = split_rows(raw, election)
    rows_seconds = time.perf_counter() - started

    valid = frame[~frame.index.isin(quarantine.index)]
    output = valid[list(COLUMNS)].copy()
    for column in rules.DATE_COLUMNS:
        output[column] = valid[rules.DATE_COLUMNS[column]].dt.strftime("%Y-%m-%d")
    output[FILE_COLUMN] = valid[FILE_COLUMN]
    output[LINE_COLUMN] = valid[LINE_COLUMN]
    output.to_parquet(run_dir / VALID_FILE, index=False)
    write_quarantine(frame, quarantine, run_dir / QUARANTINE_FILE)

    checks_started = time.perf_counter()
    dataset_checks = check_dataset(frame, quarantine.index, election, run_dir)
    counts = {"received": len(frame), "quarantined": len(quarantine), "valid": len(output)}
    failed = [c["attente"] for c in dataset_checks if not c["succes"]]
    write_json(
        run_dir / "validation.json",
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


def split_rows(raw, election: Election):
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


def write_quarantine(frame, reasons, path: Path) -> None:
    """fichier;ligne;initiales;motifs, UTF-8 with BOM and ';' so Excel opens it as is."""
    import pandas as pd

    from include.rpa.pii import initials

    rows = frame.loc[reasons.index]
    table = pd.DataFrame(
        {
            "fichier": rows[FILE_COLUMN],
            "ligne": rows[LINE_COLUMN],
            "initiales": [initials(n, p) for n, p in zip(rows["nom"], rows["prenom"], strict=True)],
            "motifs": reasons,
        }
    ).sort_values(["fichier", "ligne"])
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")


def check_dataset(frame, quarantined_index, election: Election, run_dir: Path) -> list[dict[str, Any]]:
    from include.processes.election_staff.expectations import KEPT_FLAG, QUARANTINE_FLAG, expectations
    from include.rpa.quality import DatasetCheck, run_checks

    dataset = frame[list(COLUMNS)].copy()
    quarantined = frame.index.isin(quarantined_index)
    dataset[QUARANTINE_FLAG] = quarantined.astype(int)
    dataset[KEPT_FLAG] = (~quarantined).astype(int)
    return run_checks([DatasetCheck("lignes_recues", dataset, expectations(election))], run_dir)


def write_report(run_dir: Path, *, dag_id: str, run_id: str, election: Election, dry_run: bool) -> dict[str, Any]:
    """summary.json (the contract's integer counts) and report.html (French)."""
    from include.processes.election_staff.config import onboarding_settings
    from include.processes.election_staff.entry_report import entry_section
    from include.rpa.report import Report, Table, render
    from include.rpa.steps import step_errors

    intake_info = read_json(run_dir / "intake.json") or {}
    validation = read_json(run_dir / "validation.json") or {}
    errors = step_errors(run_dir)
    received = int(validation.get("received", intake_info.get("received", 0)))
    valid = int(validation.get("valid", 0))
    no_input = not errors and not intake_info.get("fichiers") and received == 0
    robot = entry_section(run_dir, election, onboarding_settings(), valid=valid, dry_run=dry_run)
    failed = bool(errors) or robot.summary["failed"] > 0 or robot.summary["mismatched"] > 0
    summary = {
        "dag_id": dag_id,
        "run_id": run_id,
        "election": election.id,
        "dry_run": dry_run,
        "entree": intake_info.get("entree"),
        "statut": "echec" if failed else ("aucun_fichier" if no_input else "succes"),
        # A scheduled day outside the election's period (the cron repeats yearly): no alert.
        "hors_periode": bool(intake_info.get("hors_periode")),
        "erreurs": [e["message"] for e in errors],
        "received": received,
        "quarantined": int(validation.get("quarantined", 0)),
        "valid": valid,
        **robot.summary,
        "motifs_quarantaine": validation.get("motifs", {}),
        "controles_jeu_echoues": validation.get("controles_echoues", []),
        "fichiers": [f["fichier"] for f in intake_info.get("fichiers", [])],
    }
    write_json(run_dir / "summary.json", summary)

    if errors:
        status = "Traitement arrêté : " + " ; ".join(sorted({e["etape"] for e in errors}))
    elif failed:
        status = f"Saisie incomplète : {summary['failed']} vacataire(s) en échec, {summary['mismatched']} en écart"
    elif no_input:
        status = intake_info.get("motif") or f"Aucun fichier à traiter dans {intake_info.get('entree')}"
    elif dry_run:
        status = f"Essai à blanc : {summary['to_enter']} vacataire(s) seraient créés dans le portail RH"
    else:
        status = (
            f"{summary['entered']} vacataire(s) saisi(s) dans le portail RH, {summary['verified']} vérifié(s) "
            f"par rapprochement ; {summary['quarantined']} ligne(s) en quarantaine"
        )
    report = Report(
        title="Vacataires de la mise sous pli : contrôle des fichiers et saisie dans le portail RH",
        subtitle=f"{election.label} — traitement {run_id}",
        success=not failed,
        status=status,
        errors=[e["message"] for e in errors],
        counts=[
            ("lignes reçues", summary["received"]),
            ("lignes valides", summary["valid"]),
            ("lignes en quarantaine", summary["quarantined"]),
            *robot.counts,
        ],
    )
    files = intake_info.get("fichiers", [])
    report.tables.append(
        Table(
            "Fichiers lus",
            ["Fichier", "Format", "Encodage", "Séparateur", "Lignes", "Colonnes ignorées"],
            [
                [
                    f["fichier"],
                    f["format"],
                    f["encodage"] or "",
                    f["separateur"] or "",
                    f["lignes"],
                    ", ".join(f["colonnes_ignorees"]),
                ]
                for f in files
            ],
        )
    )
    reasons = validation.get("motifs", {})
    report.tables.append(
        Table(
            "Motifs de quarantaine",
            ["Motif", "Lignes"],
            [[k, v] for k, v in reasons.items()],
            note="Une ligne peut avoir plusieurs motifs.",
        )
    )
    report.tables.append(_quarantine_table(run_dir))
    checks = validation.get("controles_jeu", [])
    report.tables.append(
        Table(
            "Contrôles d'ensemble (Great Expectations)",
            ["Contrôle", "Résultat", "Valeur observée"],
            [[c["attente"], "réussi" if c["succes"] else "ÉCHEC", _observed(c["observe"])] for c in checks],
        )
    )
    report.tables += robot.tables
    for label, name in (
        ("Lignes en quarantaine (CSV, à ouvrir avec Excel)", QUARANTINE_FILE),
        ("Contrôles Great Expectations (Data Docs)", "data_docs/index.html"),
        ("Résumé technique (JSON)", "summary.json"),
    ):
        if (run_dir / name).exists():
            report.links.append((label, name))
    report.links += robot.links
    report.details = [
        ("Entrée", intake_info.get("entree") or "—"),
        ("Essai à blanc", "oui" if dry_run else "non"),
        ("Durée de lecture (s)", intake_info.get("secondes", "—")),
        ("Durée des règles ligne à ligne (s)", validation.get("secondes_lignes", "—")),
        ("Durée des contrôles d'ensemble (s)", validation.get("secondes_jeu", "—")),
        *robot.details,
    ]
    render(report, run_dir / "report.html")
    keys = ("received", "quarantined", "valid", "entered", "skipped_already_done", "rejected", "failed")
    return {k: summary[k] for k in (*keys, "mismatched", "statut", "erreurs")}


QUARANTINE_SHOWN = 500


def _quarantine_table(run_dir: Path):
    from include.rpa.report import Table, csv_rows

    rows, total = csv_rows(run_dir / QUARANTINE_FILE, ["fichier", "ligne", "initiales", "motifs"], QUARANTINE_SHOWN)
    note = None
    if total > QUARANTINE_SHOWN:
        note = f"{QUARANTINE_SHOWN} premières lignes sur {total} : la liste complète est dans {QUARANTINE_FILE}."
    return Table("Lignes en quarantaine", ["Fichier", "Ligne", "Initiales", "Motifs"], rows, note)


def _observed(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1%}".replace(".", ",").replace("%", " %") if value <= 1 else f"{value:.2f}"
    return "—" if value is None else str(value)
