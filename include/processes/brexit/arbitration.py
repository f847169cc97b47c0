"""Files the rules cannot decide, put to an agent in the Airflow UI ("Required actions").

One human-in-the-loop request per run (:class:`Arbitration`, the standard provider's
``HITLOperator``) with one form field per undecidable file: the field is named by the file
number, its description says why the rules could not decide and what the file holds (no
name, no address), and the agent picks, per file, to enter it (with which card), hold it as
incomplete, or reject it; then "Enregistrer les décisions". One request for all the files
of a run: an agent decides them together, and a request parked in Airflow's
``awaiting_input`` state resumes reliably under the scheduler (a mapped request per file
did not, in Airflow 3.3: resumed mapped tasks ran ``execute`` again).

Each answer is kept in ``arbitrage/<numero_dossier>.json`` (who, when, what) before it acts;
:func:`include.processes.brexit.entry.plan_decided` then files the decisions in the ledger
and plans the files to enter. A
request left unanswered ``RESPONSE_DAYS`` days holds every file (the fields' default).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator

from include.processes.brexit.codes import PIECES, SITUATIONS, TITRES, split_codes

SAVE = "Enregistrer les décisions"
HOLD, REJECT = "Mettre en attente (dossier incomplet)", "Rejeter le dossier"
ENTER_PREFIX = "Saisir : "
ENTER_CHOICES = {f"{ENTER_PREFIX}{label}": code for code, label in TITRES.items()}
CHOICES = [*ENTER_CHOICES, HOLD, REJECT]
ENTERED, HELD, REJECTED = "saisi_sur_decision", "en_attente_sur_decision", "rejete_sur_decision"
RESPONSE_DAYS = 7
FOLDER = "arbitrage"
TODO_FILE = "a_trancher.json"  # positions put to an agent by this run
DONE_FILE = "deja_saisis.json"  # positions the rules left to a person but already in the application
UNDECIDED = "a_arbitrer"


def decision_of(choice: str) -> str:
    if choice in ENTER_CHOICES:
        return ENTERED
    return REJECTED if choice == REJECT else HELD


def field_text(row: Any) -> tuple[str, str]:
    """(title, description) of a file's form field: why, and what the file holds; no personal
    data beyond the file number and the dates the rules weighed."""
    motifs = [m for m in str(row["motifs"] or "").split("\n") if m]
    pieces = split_codes(str(row["pieces"] or ""))
    proposed = TITRES.get(str(row["titre"]))
    description = " ".join(
        [
            *motifs,
            f"Situation : {SITUATIONS.get(str(row['situation']), row['situation'])}.",
            f"Titre proposé par les règles : {proposed or 'aucun'}.",
            "Pièces fournies : " + (", ".join(PIECES.get(p, p) for p in pieces) or "aucune") + ".",
        ]
    )
    return f"Dossier {row['numero_dossier']}", description


class Arbitration(HITLOperator):
    """The run's request: one field per file of ``arbitrage/a_trancher.json`` (skipped when none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("subject", "Dossiers Brexit à trancher")
        kwargs.setdefault("options", [SAVE])
        kwargs.setdefault("defaults", SAVE)
        kwargs.setdefault("response_timeout", dt.timedelta(days=RESPONSE_DAYS))
        super().__init__(**kwargs)

    def _todo(self, context: Any):
        from include.processes.brexit.triage import load_dossiers
        from include.rpa.paths import read_json, run_dir

        ti = context["ti"]
        folder = run_dir(ti.dag_id, ti.run_id)
        todo = read_json(folder / FOLDER / TODO_FILE) or []
        return folder, load_dossiers(folder).iloc[todo] if todo else None

    def execute(self, context: Any):
        from airflow.sdk import Param
        from airflow.sdk.definitions.param import ParamsDict
        from airflow.sdk.exceptions import AirflowSkipException

        _, rows = self._todo(context)
        if rows is None:
            raise AirflowSkipException("Aucun dossier à trancher")
        fields = {}
        for _, row in rows.iterrows():
            title, description = field_text(row)
            fields[str(row["numero_dossier"])] = Param(
                HOLD, type="string", enum=CHOICES, title=title, description=description
            )
        self.params = ParamsDict(fields)
        self.subject = f"{len(fields)} dossier(s) Brexit à trancher"
        self.body = (
            f"Les règles ne tranchent pas **{len(fields)} dossier(s)** : pour chacun, le formulaire dit pourquoi. "
            "Choisissez « Saisir » (avec le titre à délivrer), « Mettre en attente » ou « Rejeter », puis "
            f"**{SAVE}**. Les dossiers à saisir le sont par le robot aussitôt ; des dates contradictoires sont "
            "refusées par l'application (corrigez-les d'abord). "
            f"Sans réponse sous {RESPONSE_DAYS} jours, tous les dossiers sont mis en attente."
        )
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        from include.rpa.paths import write_json

        folder, rows = self._todo(context)
        given = event.get("params_input") or {}
        when = event.get("responded_at")
        user = event.get("responded_by_user") or {}
        who = user.get("name") or user.get("id") or "délai dépassé (décision par défaut)"
        if "error" not in event and rows is not None:
            for position, row in rows.iterrows():
                number = str(row["numero_dossier"])
                choice = given.get(number) if given.get(number) in CHOICES else HOLD
                write_json(
                    folder / FOLDER / f"{number}.json",
                    {
                        "position": int(position),
                        "numero_dossier": number,
                        "choix": choice,
                        "titre": ENTER_CHOICES.get(choice),
                        "par": who,
                        "le": when.isoformat() if hasattr(when, "isoformat") else when,
                    },
                )
        self.params = {}  # the answer's fields are not this operator's static params
        event = {**event, "params_input": {}}
        super().execute_complete(context=context, event=event)
        return {"dossiers": 0 if rows is None else len(rows)}


def chosen_titles(run_dir: Path) -> dict[int, str]:
    """Position -> the card an agent chose for a file they decided to enter."""
    return {int(a["position"]): a["titre"] for a in answers(run_dir) if a.get("titre")}


def answers(run_dir: Path) -> list[dict[str, Any]]:
    from include.rpa.paths import read_json

    folder = run_dir / FOLDER
    if not folder.exists():
        return []
    return [read_json(path) for path in sorted(folder.glob("*.json")) if path.name not in (TODO_FILE, DONE_FILE)]
