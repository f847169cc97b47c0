"""Files the rules cannot decide, put to an agent in the Airflow UI ("Required actions").

One human-in-the-loop request per file (:class:`FileArbitration`, the standard provider's
``HITLOperator`` mapped over the files' positions in ``dossiers.parquet``): the subject names
the file number, the body says why the rules could not decide and what the file holds (no
name, no address). The agent chooses to enter the file, hold it as incomplete, or reject it.
Each answer is kept in ``arbitrage/<numero_dossier>.json`` (who, when, what) before it acts;
``apply()`` then reads them all, files the decisions in the ledger and returns the positions
to enter. A request left unanswered ``RESPONSE_DAYS`` days holds the file (the default).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator

from include.processes.brexit.codes import PIECES, SITUATIONS, TITRES, split_codes

ENTER, HOLD, REJECT = "Saisir le dossier", "Mettre en attente (dossier incomplet)", "Rejeter le dossier"
OPTIONS = [ENTER, HOLD, REJECT]
DECISIONS = {ENTER: "saisi_sur_decision", HOLD: "en_attente_sur_decision", REJECT: "rejete_sur_decision"}
RESPONSE_DAYS = 7
FOLDER = "arbitrage"
TITLE_PARAM = "titre"
UNDECIDED = "a_arbitrer"


def positions(run_dir: Path, ledger) -> list[int]:
    """Rows of dossiers.parquet the rules left to a person, but for the files already in the
    application (an agent chose to enter them in an earlier run): nobody is asked twice."""
    from include.processes.brexit.entry import KEY, LEDGER_PROCESS, SCOPE, load_files
    from include.rpa.ledger import DONE, MISMATCH

    frame = load_files(run_dir)
    undecided = frame[frame["decision"] == UNDECIDED]
    done = {row["business_key"] for row in ledger.rows(LEDGER_PROCESS, SCOPE, states=(*DONE, MISMATCH))}
    return [int(p) for p, key in zip(undecided.index, undecided[KEY], strict=True) if key not in done]


def request_text(row: Any) -> tuple[str, str]:
    """(subject, body) of a file's request: why, and what the file holds; no personal data
    beyond the file number and the dates the rules weighed."""
    number = str(row["numero_dossier"])
    motifs = [m for m in str(row["motifs"] or "").split("\n") if m]
    pieces = split_codes(str(row["pieces"] or ""))
    lines = [
        f"Le dossier **{number}** ne peut pas être tranché par les règles :",
        "",
        *[f"- {m}" for m in motifs],
        "",
        f"Situation : {SITUATIONS.get(str(row['situation']), row['situation'])}.",
        f"Titre que proposent les règles : {TITRES.get(str(row['titre']), 'aucun, à choisir si vous saisissez')}.",
        "Pièces fournies : " + (", ".join(PIECES.get(p, p) for p in pieces) or "aucune") + ".",
        "",
        f"**{ENTER}** : le robot le saisit dans l'application étrangers après votre réponse. "
        f"**{HOLD}** : il n'est pas saisi (à compléter). **{REJECT}** : il n'est pas saisi. "
        "Des dates contradictoires sont refusées par l'application : corrigez-les d'abord.",
        f"Sans réponse sous {RESPONSE_DAYS} jours, le dossier est mis en attente.",
    ]
    return f"Dossier {number} : décision d'un agent nécessaire", "\n".join(lines)


class FileArbitration(HITLOperator):
    """One file's request; ``position``: its row in dossiers.parquet (XCom carries only that)."""

    def __init__(self, *, position: int, **kwargs: Any) -> None:
        from airflow.sdk import Param

        kwargs.setdefault(
            "params",
            {
                TITLE_PARAM: Param(
                    "",
                    type="string",
                    enum=["", *TITRES],
                    title="Titre à délivrer si le dossier est saisi (vide : celui que proposent les règles)",
                )
            },
        )
        kwargs.setdefault("subject", "Dossier à trancher")
        kwargs.setdefault("options", OPTIONS)
        kwargs.setdefault("defaults", HOLD)
        kwargs.setdefault("response_timeout", dt.timedelta(days=RESPONSE_DAYS))
        super().__init__(**kwargs)
        self.position = position

    def _row(self, context: Any):
        from include.processes.brexit.entry import load_files
        from include.rpa.paths import run_dir

        ti = context["ti"]
        return load_files(run_dir(ti.dag_id, ti.run_id)).iloc[int(self.position)]

    def execute(self, context: Any):
        row = self._row(context)
        context["dossier"] = str(row["numero_dossier"])  # the mapped task's label in the UI
        self.subject, self.body = request_text(row)
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        from include.rpa.paths import run_dir, write_json

        number = str(self._row(context)["numero_dossier"])
        context["dossier"] = number  # the label again: a resumed task renders it anew
        if "error" not in event:
            ti = context["ti"]
            when = event.get("responded_at")
            user = event.get("responded_by_user") or {}
            write_json(
                run_dir(ti.dag_id, ti.run_id) / FOLDER / f"{number}.json",
                {
                    "position": int(self.position),
                    "numero_dossier": number,
                    "choix": (event.get("chosen_options") or [HOLD])[0],
                    "titre": (event.get("params_input") or {}).get(TITLE_PARAM) or None,
                    "par": user.get("name") or user.get("id") or "délai dépassé (décision par défaut)",
                    "le": when.isoformat() if hasattr(when, "isoformat") else when,
                },
            )
        super().execute_complete(context=context, event=event)
        return {"position": int(self.position)}


def chosen_titles(run_dir: Path) -> dict[int, str]:
    """Position -> the card an agent chose for a file they decided to enter."""
    return {int(a["position"]): a["titre"] for a in answers(run_dir) if a["choix"] == ENTER and a.get("titre")}


def answers(run_dir: Path) -> list[dict[str, Any]]:
    from include.rpa.paths import read_json

    folder = run_dir / FOLDER
    return [read_json(path) for path in sorted(folder.glob("*.json"))] if folder.exists() else []


def apply(run_dir: Path, *, run_id: str, process: str, scope: str, ledger) -> dict[str, Any]:
    """File every answer in the ledger; the positions to enter and the counts by decision."""
    counts = dict.fromkeys(DECISIONS.values(), 0)
    to_enter: list[int] = []
    for answer in answers(run_dir):
        decision = DECISIONS.get(answer["choix"], DECISIONS[HOLD])
        counts[decision] += 1
        if decision == DECISIONS[ENTER]:
            to_enter.append(int(answer["position"]))
        at = dt.datetime.fromisoformat(answer["le"]) if answer.get("le") else None
        ledger.record_decision(
            process, scope, run_id, decision, by=answer["par"], at=at, detail=answer["numero_dossier"]
        )
    return {"positions": sorted(to_enter), "decisions": counts}
