"""The Brexit run's ``summary.json`` and French ``report.html``.

Every received row ends in exactly one place:
``received == quarantined + entered + skipped_already_done + rejected + failed + incomplete
+ ineligible + held``, where ``incomplete`` counts files the rules found incomplete (a letter
each) and ``held`` the files left to a person that are not entered: held or rejected by an
agent, or not answered yet. A file left to a person that an earlier run entered is
``skipped_already_done``, like any file already done.

Time saved (measured, not assumed): each file the run dealt with (entered, letter written,
ineligible, held or rejected by an agent) would have taken an agent
``manual_minutes_per_file``, credited once per file and outcome across runs (the same export
twice saves nobody any time the second time); from that are taken the robot's measured
minutes and ``agent_minutes_per_human_file`` for each file an agent decided in this run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.processes.brexit import arbitration
from include.processes.brexit.codes import TITRES
from include.processes.brexit.config import BrexitSettings, load_settings
from include.processes.brexit.entry import PERMITS
from include.processes.brexit.triage import DOSSIERS_FILE, LETTERS_FOLDER, load_dossiers
from include.rpa import entry
from include.rpa.paths import read_json
from include.rpa.report import SHOWN, VALIDATION_FILE, Report, Table
from include.rpa.summary import RunSummary

if TYPE_CHECKING:
    import pandas as pd

    from include.rpa.tasks import RunContext

# Outcomes credited in minutes saved (once per file and outcome across runs): entered in the
# application, a letter asking for documents, ineligible, held or rejected by an agent (one
# outcome: the robot prepared the file for the agent's decision, whichever it was).
ENTERED, LETTER, INELIGIBLE, DECIDED = "saisi", "lettre", "non_eligible", "decide_par_un_agent"
OUTCOMES = (ENTERED, LETTER, INELIGIBLE, DECIDED)
RULE_OUTCOMES = {"incomplet": LETTER, "non_eligible": INELIGIBLE}


def report(run: RunContext, settings: BrexitSettings | None = None) -> tuple[RunSummary, Report]:
    settings = settings or load_settings()
    validation = read_json(run.folder / VALIDATION_FILE) or {}
    answers = arbitration.answers(run.folder)
    chosen = [arbitration.decision_of(a["choix"]) for a in answers]
    asked = read_json(run.folder / arbitration.FOLDER / arbitration.TODO_FILE) or []
    already = read_json(run.folder / arbitration.FOLDER / arbitration.DONE_FILE) or []
    undecided = int(validation.get("a_arbitrer", 0))
    meant = int(validation.get("a_saisir", 0)) + chosen.count(arbitration.ENTERED)
    outcome = entry.accounting(run, PERMITS, meant=0 if run.dry_run else meant)
    credited = entry.credit_time_saved(
        run, PERMITS, outcomes_of(run, outcome, answers), dict.fromkeys(OUTCOMES, settings.manual_minutes_per_file)
    )
    extra = {
        "a_saisir": int(validation.get("a_saisir", 0)),
        "incomplete": int(validation.get("incomplets", 0)),
        "ineligible": int(validation.get("non_eligibles", 0)),
        "a_arbitrer": undecided,
        "lettres": int(validation.get("lettres", 0)),
        "arbitrages": {
            "soumis": len(asked),
            "deja_saisis": len(already),
            "saisis": chosen.count(arbitration.ENTERED),
            "mis_en_attente": chosen.count(arbitration.HELD),
            "rejetes": chosen.count(arbitration.REJECTED),
            "sans_reponse": len(asked) - len(answers),
        },
        "held": undecided - len(already) - chosen.count(arbitration.ENTERED),
        "secondes_par_dossier": outcome.median_seconds,
        "titres": validation.get("titres", {}),
    }
    summary = entry.run_summary(run, outcome, extra=extra)
    summary.skipped_already_done += len(already)  # left to a person, entered by an earlier run
    if not run.dry_run:
        figures = time_saved(sum(credited.values()), outcome.robot_minutes, len(answers), settings)
        summary.minutes_saved = figures.pop("minutes_gagnees")
        summary.extra.update(figures)
    summary.judge()
    return summary, _report(run, summary, settings, outcome)


def outcomes_of(run: RunContext, outcome: entry.Accounting, answers: list[dict[str, Any]]) -> dict[str, str]:
    """File number -> what this run did with it, for the time credited: entered, letter,
    ineligible, or an agent's hold or rejection."""
    done: dict[str, str] = dict.fromkeys(outcome.entered_keys, ENTERED)
    if (run.folder / DOSSIERS_FILE).exists():
        frame = load_dossiers(run.folder)
        for number, decision in zip(frame["numero_dossier"], frame["decision"], strict=True):
            if decision in RULE_OUTCOMES:
                done[str(number)] = RULE_OUTCOMES[decision]
    for answer in answers:
        if arbitration.decision_of(answer["choix"]) != arbitration.ENTERED:
            done[answer["numero_dossier"]] = DECIDED
    return done


def time_saved(credited: int, robot_minutes: float, decided: int, settings: BrexitSettings) -> dict[str, Any]:
    """Minutes saved by a run: ``credited`` files (counted once across runs) × the minutes of a
    file by hand, less the robot's minutes and the agents' minutes on the ``decided`` files."""
    manual = credited * settings.manual_minutes_per_file
    agents = decided * settings.agent_minutes_per_human_file
    return {
        "dossiers_credites": credited,
        "minutes_manuelles_evitees": round(manual, 1),
        "minutes_robot": round(robot_minutes, 1),
        "minutes_agent_arbitrage": round(agents, 1),
        "minutes_gagnees": round(max(0.0, manual - robot_minutes - agents), 1),
    }


def _report(run: RunContext, summary: RunSummary, settings: BrexitSettings, outcome: entry.Accounting) -> Report:
    from include.rpa.report import validation_section

    extra = summary.extra
    page = entry.report_page(run, PERMITS, summary, f"Traitement {run.run_id}")
    if (run.folder / DOSSIERS_FILE).exists():
        frame = load_dossiers(run.folder)
        page.tables += [
            _decisions_table(frame, "non_eligible", "Dossiers non éligibles (non saisis)"),
            _decisions_table(frame, "incomplet", "Dossiers incomplets (lettre à envoyer, non saisis)"),
            _arbitration_table(frame, run),
        ]
    page.tables.append(
        Table(
            "Titres délivrés (dossiers à saisir)",
            ["Titre", "Dossiers"],
            [[TITRES.get(k, k), v] for k, v in extra["titres"].items()],
        )
    )
    quarantine = {"fichier": "Fichier", "ligne": "Ligne", "numero_dossier": "N° de dossier", "motifs": "Motifs"}
    checked = entry.reconciliation(run.folder)
    page.add(validation_section(run.folder, quarantine), entry.entry_section(run, PERMITS, outcome, checked))
    if (run.folder / LETTERS_FOLDER).exists():
        page.links.insert(
            0, ("Lettres de pièces manquantes (une par dossier, à envoyer telles quelles)", LETTERS_FOLDER)
        )
    page.details[:0] = [("Entrée", summary.source or "—"), ("Essai à blanc", "oui" if run.dry_run else "non")]
    if summary.minutes_saved is not None:
        decided = sum(extra["arbitrages"][k] for k in ("saisis", "mis_en_attente", "rejetes"))
        page.details.append(
            (
                "Temps gagné (min)",
                f"{summary.minutes_saved} = {extra['dossiers_credites']} dossier(s) × "
                f"{settings.manual_minutes_per_file:g} min à la main − {extra['minutes_robot']} min de robot − "
                f"{decided} décision(s) d'agent × {settings.agent_minutes_per_human_file:g} min "
                "(un dossier n'est compté qu'une fois par issue, tous traitements confondus)",
            )
        )
    return page


def _decisions_table(frame: pd.DataFrame, decision: str, title: str) -> Table:
    rows = [
        [r["numero_dossier"], r["motifs"].replace("\n", " ; "), r["pieces_manquantes"].replace("|", ", ")]
        for _, r in frame[frame["decision"] == decision].iterrows()
    ]
    note = f"{SHOWN} premiers sur {len(rows)}" if len(rows) > SHOWN else None
    return Table(title, ["N° de dossier", "Motifs", "Pièces manquantes"], rows[:SHOWN], note)


def _arbitration_table(frame: pd.DataFrame, run: RunContext) -> Table:
    answered = {a["numero_dossier"]: a for a in arbitration.answers(run.folder)}
    already = set(read_json(run.folder / arbitration.FOLDER / arbitration.DONE_FILE) or [])
    rows = []
    for position, r in frame[frame["decision"] == arbitration.UNDECIDED].iterrows():
        answer = answered.get(r["numero_dossier"])
        if answer:
            decision, who, when = answer["choix"], answer["par"], answer["le"]
        else:
            decision = "déjà saisi lors d'un traitement précédent" if position in already else "en attente de réponse"
            who = when = ""
        rows.append([r["numero_dossier"], r["motifs"].replace("\n", " ; "), decision, who, when])
    return Table("Dossiers soumis à un agent", ["N° de dossier", "Pourquoi", "Décision", "Par", "Le"], rows[:SHOWN])
