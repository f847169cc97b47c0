"""The Brexit run's ``summary.json`` and French ``report.html``.

Every received row ends in exactly one place:
``received == quarantined + entered + skipped_already_done + rejected + failed + incomplete
+ ineligible + held``, where ``incomplete`` counts files the rules found incomplete (a letter
each) and ``held`` those an agent held or rejected or has not answered yet.

Time saved (measured, not assumed): every file the run dealt with (entered, letter written,
ineligible, held or rejected by an agent; each once) would have taken an agent
``manual_minutes_per_file``; from that are taken the robot's measured minutes and
``agent_minutes_per_human_file`` for each file that needed a person (the arbitrations).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from include.processes.brexit import arbitration, entry
from include.processes.brexit.codes import TITRES
from include.processes.brexit.config import BrexitSettings, load_settings
from include.processes.brexit.triage import LETTERS_FOLDER, QUARANTINE_FILE, VALIDATION_FILE
from include.rpa.batches import EVIDENCE_DIR, batch_outcomes, median_seconds
from include.rpa.paths import read_json, write_json
from include.rpa.report import Report, Table, csv_rows, render
from include.rpa.steps import step_errors

SHOWN = 500
RESULT_LABELS = {
    "rejected": "refusé par l'application",
    "failed": "en échec (application indisponible)",
    "busy": "en cours dans un autre traitement",
    "not_attempted": "non traité (lot interrompu)",
}


def write(run_dir: Path, *, dag_id: str, run_id: str, dry_run: bool, settings: BrexitSettings | None = None) -> dict:
    settings = settings or load_settings()
    intake_info = read_json(run_dir / "intake.json") or {}
    validation = read_json(run_dir / VALIDATION_FILE) or {}
    reconciliation = read_json(run_dir / entry.RECONCILE_SUMMARY) or {}
    errors = step_errors(run_dir)
    outcome = entry.accounting(run_dir)
    seconds = outcome.pop("seconds")
    answers = arbitration.answers(run_dir)
    chosen = [arbitration.decision_of(a["choix"]) for a in answers]
    undecided = int(validation.get("a_arbitrer", 0))
    held = undecided - chosen.count(arbitration.ENTERED)
    received = int(validation.get("received", intake_info.get("received", 0)))
    summary: dict[str, Any] = {
        "dag_id": dag_id,
        "run_id": run_id,
        "dry_run": dry_run,
        "entree": intake_info.get("entree"),
        "erreurs": [e["message"] for e in errors],
        "received": received,
        "quarantined": int(validation.get("quarantined", 0)),
        "valid": int(validation.get("valid", 0)),
        "a_saisir": int(validation.get("a_saisir", 0)),
        "incomplete": int(validation.get("incomplets", 0)),
        "ineligible": int(validation.get("non_eligibles", 0)),
        "a_arbitrer": undecided,
        "lettres": int(validation.get("lettres", 0)),
        "arbitrages": {
            "saisis": chosen.count(arbitration.ENTERED),
            "mis_en_attente": chosen.count(arbitration.HELD),
            "rejetes": chosen.count(arbitration.REJECTED),
            "sans_reponse": undecided - len(answers),
        },
        "held": held,
        "entered": outcome["entered"],
        "skipped_already_done": outcome["skipped_already_done"],
        "rejected": outcome["rejected"],
        "failed": outcome["failed"],
        "to_enter": outcome["to_enter"],
        "verified": int(reconciliation.get("verified", 0)),
        "mismatched": int(reconciliation.get("mismatched", 0)),
        "ecarts_par_champ": reconciliation.get("ecarts_par_champ", {}),
        "found_in_portal": sum(1 for o in batch_outcomes(run_dir) if o["result"] == "found"),
        "secondes_par_dossier": median_seconds(seconds),
        "motifs_quarantaine": validation.get("motifs", {}),
        "titres": validation.get("titres", {}),
    }
    if not dry_run:
        summary.update(time_saved(summary, sum(seconds) / 60, settings))
    if not dry_run:
        # Files meant for the robot that no plan took (a step before it failed) did not get in.
        meant = summary["a_saisir"] + summary["arbitrages"]["saisis"]
        summary["failed"] += max(0, meant - outcome["planned"])
    broken = bool(errors) or summary["failed"] > 0 or summary["mismatched"] > 0
    no_input = not errors and received == 0
    summary["statut"] = "echec" if broken else ("aucun_fichier" if no_input else "succes")
    write_json(run_dir / "summary.json", summary)
    render(_report(run_dir, summary, settings, errors, dry_run), run_dir / "report.html")
    keys = ("received", "quarantined", "valid", "entered", "skipped_already_done", "rejected", "failed")
    return {k: summary[k] for k in (*keys, "mismatched", "statut", "erreurs")}


def handled_files(summary: dict[str, Any]) -> int:
    """Files this run spared an agent, each once: entered (by the rules' decision or an agent's),
    incomplete (letter written), ineligible, held or rejected by an agent."""
    return summary["entered"] + summary["incomplete"] + summary["ineligible"] + summary["held"]


def time_saved(summary: dict[str, Any], robot_minutes: float, settings: BrexitSettings) -> dict[str, Any]:
    human = summary["a_arbitrer"]
    manual = handled_files(summary) * settings.manual_minutes_per_file
    spent = robot_minutes + human * settings.agent_minutes_per_human_file
    return {
        "minutes_manuelles_evitees": round(manual, 1),
        "minutes_robot": round(robot_minutes, 1),
        "minutes_agent_arbitrage": round(human * settings.agent_minutes_per_human_file, 1),
        "minutes_gagnees": round(max(0.0, manual - spent), 1),
    }


def _report(
    run_dir: Path, summary: dict[str, Any], settings: BrexitSettings, errors: list[dict], dry_run: bool
) -> Report:
    failed = summary["statut"] == "echec"
    if errors:
        status = "Traitement arrêté : " + " ; ".join(sorted({e["etape"] for e in errors}))
    elif failed:
        status = f"Saisie incomplète : {summary['failed']} dossier(s) en échec, {summary['mismatched']} en écart"
    elif summary["statut"] == "aucun_fichier":
        status = "Aucun dossier à traiter"
    elif dry_run:
        status = f"Essai à blanc : {summary['to_enter']} dossier(s) seraient saisis dans l'application étrangers"
    else:
        status = (
            f"{summary['entered']} dossier(s) saisi(s) et {summary['verified']} vérifié(s) ; "
            f"{summary['lettres']} lettre(s) de pièces manquantes ; "
            f"{summary['a_arbitrer']} dossier(s) soumis à un agent"
        )
    report = Report(
        title="Titres de séjour « accord de retrait » (Brexit) : contrôle et saisie des dossiers",
        subtitle=f"Traitement {summary['run_id']}",
        success=not failed,
        status=status,
        errors=summary["erreurs"],
        counts=[
            ("dossiers reçus", summary["received"]),
            ("lignes en quarantaine (illisibles ou incohérentes)", summary["quarantined"]),
            ("dossiers à saisir selon les règles", summary["a_saisir"]),
            ("dossiers incomplets (lettre écrite)", summary["incomplete"]),
            ("dossiers non éligibles", summary["ineligible"]),
            ("dossiers soumis à un agent", summary["a_arbitrer"]),
            ("dossiers saisis dans l'application", summary["entered"]),
            ("dont retrouvés dans l'application (non ressaisis)", summary["found_in_portal"]),
            ("déjà saisis (ignorés)", summary["skipped_already_done"]),
            ("refusés par l'application", summary["rejected"]),
            ("en échec", summary["failed"]),
            ("vérifiés par rapprochement", summary["verified"]),
            ("en écart au rapprochement", summary["mismatched"]),
        ],
    )
    frame = _files(run_dir)
    if frame is not None:
        report.tables += [
            _decisions_table(frame, "non_eligible", "Dossiers non éligibles (non saisis)"),
            _decisions_table(frame, "incomplet", "Dossiers incomplets (lettre à envoyer, non saisis)"),
            _arbitration_table(frame, run_dir),
        ]
    report.tables.append(
        Table(
            "Titres délivrés (dossiers à saisir)",
            ["Titre", "Dossiers"],
            [[TITRES.get(k, k), v] for k, v in summary["titres"].items()],
        )
    )
    rows, total = csv_rows(run_dir / QUARANTINE_FILE, ["fichier", "ligne", "numero_dossier", "motifs"], SHOWN)
    report.tables.append(
        Table(
            "Lignes en quarantaine",
            ["Fichier", "Ligne", "N° de dossier", "Motifs"],
            rows,
            _more(total, QUARANTINE_FILE),
        )
    )
    problems = [
        [o["label"], RESULT_LABELS[o["result"]], o["attempts"], o.get("reason") or "", ", ".join(o["evidence"])]
        for o in batch_outcomes(run_dir)
        if o["result"] in RESULT_LABELS
    ]
    report.tables.append(
        Table(
            "Refus et échecs de saisie",
            ["Dossier (fichier-ligne)", "Résultat", "Tentatives", "Motif", "Copies d'écran"],
            problems[:SHOWN],
        )
    )
    rows, total = csv_rows(
        run_dir / entry.RECONCILE_FILE, ["fichier", "ligne", "numero_dossier", "numero_etranger", "champs"], SHOWN
    )
    report.tables.append(
        Table(
            "Écarts de rapprochement (application étrangers ≠ dossier validé)",
            ["Fichier", "Ligne", "N° de dossier", "N° étranger", "Champs en écart"],
            rows,
            _more(total, entry.RECONCILE_FILE),
        )
    )
    for label, name in (
        ("Lettres de pièces manquantes (une par dossier, à envoyer telles quelles)", LETTERS_FOLDER),
        ("Lignes en quarantaine (CSV)", QUARANTINE_FILE),
        ("Écarts de rapprochement (CSV)", entry.RECONCILE_FILE),
        ("Copies d'écran des refus et échecs (données masquées)", EVIDENCE_DIR),
        ("Contrôles Great Expectations (Data Docs)", "data_docs/index.html"),
        ("Résumé technique (JSON)", "summary.json"),
    ):
        if (run_dir / name).exists():
            report.links.append((label, name))
    report.details = [
        ("Entrée", summary["entree"] or "—"),
        ("Essai à blanc", "oui" if dry_run else "non"),
        ("Secondes par dossier (médiane, robot)", summary["secondes_par_dossier"] or "—"),
    ]
    if "minutes_gagnees" in summary:
        decided = handled_files(summary)
        report.details.append(
            (
                "Temps gagné (min)",
                f"{summary['minutes_gagnees']} = {decided} dossiers × {settings.manual_minutes_per_file:g} min "
                "à la main "
                f"− {summary['minutes_robot']} min de robot − {summary['a_arbitrer']} décision(s) d'agent × "
                f"{settings.agent_minutes_per_human_file:g} min",
            )
        )
    return report


def _files(run_dir: Path):
    from include.processes.brexit.triage import DOSSIERS_FILE

    return entry.load_files(run_dir) if (run_dir / DOSSIERS_FILE).exists() else None


def _decisions_table(frame, decision: str, title: str) -> Table:
    rows = [
        [r["numero_dossier"], r["motifs"].replace("\n", " ; "), r["pieces_manquantes"].replace("|", ", ")]
        for _, r in frame[frame["decision"] == decision].iterrows()
    ]
    note = f"{SHOWN} premiers sur {len(rows)}" if len(rows) > SHOWN else None
    return Table(title, ["N° de dossier", "Motifs", "Pièces manquantes"], rows[:SHOWN], note)


def _arbitration_table(frame, run_dir: Path) -> Table:
    answered = {a["numero_dossier"]: a for a in arbitration.answers(run_dir)}
    rows = []
    for _, r in frame[frame["decision"] == arbitration.UNDECIDED].iterrows():
        answer = answered.get(r["numero_dossier"])
        rows.append(
            [
                r["numero_dossier"],
                r["motifs"].replace("\n", " ; "),
                answer["choix"] if answer else "en attente de réponse",
                answer["par"] if answer else "",
                answer["le"] if answer else "",
            ]
        )
    return Table("Dossiers soumis à un agent", ["N° de dossier", "Pourquoi", "Décision", "Par", "Le"], rows[:SHOWN])


def _more(total: int, name: str) -> str | None:
    return f"{SHOWN} premières lignes sur {total} : la liste complète est dans {name}." if total > SHOWN else None
