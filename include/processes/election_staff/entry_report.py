"""The robot's part of the onboarding report and of ``summary.json``: entry and reconciliation.

Counts come from the plan and the ledger (:func:`entry.accounting`), so they hold
whatever retries happened; reasons and captures from the batches' outcome files; the
mismatches from ``reconciliation.csv``. No personal data: file, line, initials, matricule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from include.processes.election_staff import entry
from include.processes.election_staff.config import Election, OnboardingSettings
from include.processes.election_staff.reconcile import RECONCILE_FILE, RECONCILE_SUMMARY
from include.rpa.paths import read_json
from include.rpa.report import Table, csv_rows

SHOWN = 500
RESULT_LABELS = {
    "rejected": "refusé par le portail",
    "failed": "en échec (portail indisponible)",
    "busy": "en cours dans un autre traitement",
    "not_attempted": "non traité (lot interrompu)",
}


@dataclass
class EntrySection:
    summary: dict[str, Any]
    counts: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    details: list[tuple[str, object]] = field(default_factory=list)


def entry_section(
    run_dir: Path, election: Election, settings: OnboardingSettings, *, valid: int, dry_run: bool
) -> EntrySection:
    outcome = entry.accounting(run_dir, election) if (run_dir / entry.PLAN_SUMMARY).exists() else _nothing()
    reconciliation = read_json(run_dir / RECONCILE_SUMMARY) or {}
    seconds = outcome.pop("seconds")
    robot_minutes = sum(seconds) / 60
    entered = outcome["entered"]
    # A valid row neither entered, skipped nor rejected is a failure, whatever stopped it.
    failed = 0 if dry_run else valid - entered - outcome["skipped_already_done"] - outcome["rejected"]
    summary = {
        "entered": entered,
        "skipped_already_done": outcome["skipped_already_done"],
        "rejected": outcome["rejected"],
        "failed": failed,
        "verified": int(reconciliation.get("verified", 0)),
        "mismatched": int(reconciliation.get("mismatched", 0)),
        "to_enter": outcome["to_enter"],
        # Of the entered: already in the portal when searched (an interrupted attempt, or an agent
        # created them by hand), recorded with their matricule, not typed again.
        "found_in_portal": sum(1 for o in entry.batch_outcomes(run_dir) if o["result"] == "found"),
        "secondes_par_vacataire": entry.median_seconds(seconds),
        "minutes_saisie_manuelle_par_vacataire": settings.manual_minutes_per_worker,
        "minutes_gagnees": round(max(0.0, entered * settings.manual_minutes_per_worker - robot_minutes), 1),
        "ecarts_par_champ": reconciliation.get("ecarts_par_champ", {}),
    }
    section = EntrySection(summary)
    if dry_run:
        section.counts = [
            ("à créer dans le portail (essai à blanc)", outcome["to_enter"]),
            ("déjà saisis (ignorés)", outcome["skipped_already_done"]),
            ("refusés précédemment (ignorés)", outcome["rejected"]),
        ]
        section.tables.append(_plan_table(run_dir))
    else:
        section.counts = [
            ("vacataires saisis dans le portail", entered),
            ("dont retrouvés dans le portail (non ressaisis)", summary["found_in_portal"]),
            ("déjà saisis (ignorés)", outcome["skipped_already_done"]),
            ("refusés par le portail", outcome["rejected"]),
            ("en échec", failed),
            ("vérifiés par rapprochement", summary["verified"]),
            ("en écart au rapprochement", summary["mismatched"]),
        ]
        section.tables += [_problems_table(run_dir), *_mismatch_tables(run_dir, summary["ecarts_par_champ"])]
    for label, name in (
        ("Plan de saisie (CSV)", entry.PLAN_CSV),
        ("Écarts de rapprochement (CSV)", RECONCILE_FILE),
        ("Copies d'écran des refus et échecs (données masquées)", entry.EVIDENCE_DIR),
    ):
        if (run_dir / name).exists():
            section.links.append((label, name))
    section.details = [
        ("Secondes par vacataire (médiane, robot)", summary["secondes_par_vacataire"] or "—"),
        (
            "Temps gagné (min)",
            f"{summary['minutes_gagnees']} = {entered} dossiers × {settings.manual_minutes_per_worker} min "
            f"de saisie manuelle − {robot_minutes:.1f} min de robot",
        ),
        ("Durée du rapprochement (s)", reconciliation.get("secondes", "—")),
    ]
    return section


def _nothing() -> dict[str, Any]:
    return {"entered": 0, "skipped_already_done": 0, "rejected": 0, "rejected_now": 0, "to_enter": 0, "seconds": []}


def _plan_table(run_dir: Path) -> Table:
    rows, total = csv_rows(run_dir / entry.PLAN_CSV, ["fichier", "ligne", "initiales", "decision"], SHOWN)
    return Table(
        "Plan de saisie (essai à blanc : rien n'a été saisi)",
        ["Fichier", "Ligne", "Initiales", "Décision"],
        rows,
        _more(total, entry.PLAN_CSV),
    )


def _problems_table(run_dir: Path) -> Table:
    rows = [
        [o["label"], RESULT_LABELS[o["result"]], o["attempts"], o.get("reason") or "", ", ".join(o["evidence"])]
        for o in entry.batch_outcomes(run_dir)
        if o["result"] in RESULT_LABELS
    ]
    return Table(
        "Refus et échecs de saisie",
        ["Dossier (fichier-ligne)", "Résultat", "Tentatives", "Motif", "Copies d'écran"],
        rows[:SHOWN],
        f"{SHOWN} premiers sur {len(rows)}" if len(rows) > SHOWN else None,
    )


def _mismatch_tables(run_dir: Path, by_field: dict[str, int]) -> list[Table]:
    rows, total = csv_rows(run_dir / RECONCILE_FILE, ["fichier", "ligne", "initiales", "matricule", "champs"], SHOWN)
    return [
        Table("Écarts de rapprochement par champ", ["Champ", "Vacataires"], [[k, v] for k, v in by_field.items()]),
        Table(
            "Écarts de rapprochement (portail RH ≠ fichier validé)",
            ["Fichier", "Ligne", "Initiales", "Matricule", "Champs en écart"],
            rows,
            _more(total, RECONCILE_FILE),
        ),
    ]


def _more(total: int, name: str) -> str | None:
    return f"{SHOWN} premières lignes sur {total} : la liste complète est dans {name}." if total > SHOWN else None
