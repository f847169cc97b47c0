"""The typed summary of a run: what reports, alerts (and the supervision) read.

Written to ``summary.json`` in the run folder (contract: integer counts ``received``,
``quarantined``, ``valid``, ``entered``, ``skipped_already_done``, ``rejected``, ``failed``,
``verified``, ``mismatched``). Every received row is accounted for once:
``received == quarantined + entered + skipped_already_done + rejected + failed`` plus the
process's own final outcomes (``extra``: e.g. Brexit's letters, ineligible and held files).

The JSON keys are the project's historical ones (French where an agent reads them:
``statut``, ``erreurs``, ``minutes_gagnees``...); process-specific keys live in ``extra``
and are written beside the common ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from include.rpa.paths import read_json, write_json

SUMMARY_FILE = "summary.json"
SUCCESS, FAILURE, NO_INPUT, AWAITING_APPROVAL = "succes", "echec", "aucun_fichier", "en_attente_approbation"
COUNTS = (
    "received",
    "quarantined",
    "valid",
    "entered",
    "skipped_already_done",
    "rejected",
    "failed",
    "verified",
    "mismatched",
)
# Field -> JSON key where they differ.
_JSON_KEYS = {
    "status": "statut",
    "errors": "erreurs",
    "minutes_saved": "minutes_gagnees",
    "quarantine_reasons": "motifs_quarantaine",
    "mismatch_fields": "ecarts_par_champ",
    "out_of_season": "hors_periode",
    "source": "entree",
}
_OPTIONAL = ("minutes_saved", "out_of_season", "source", "to_enter", "found_in_portal", "mismatch_fields")


@dataclass
class RunSummary:
    dag_id: str
    run_id: str
    status: str = SUCCESS
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    received: int = 0
    quarantined: int = 0
    valid: int = 0
    entered: int = 0
    skipped_already_done: int = 0
    rejected: int = 0
    failed: int = 0
    verified: int = 0
    mismatched: int = 0
    to_enter: int | None = None  # the plan's records to type (a dry run's answer)
    found_in_portal: int | None = None  # of the entered: found in the target, not typed again
    minutes_saved: float | None = None  # this run's, each record counted once across runs
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    mismatch_fields: dict[str, int] | None = None
    out_of_season: bool | None = None  # a scheduled day outside the process's season
    source: str | None = None  # the file or folder read
    extra: dict[str, Any] = field(default_factory=dict)  # the process's own keys

    @property
    def failed_run(self) -> bool:
        return self.status == FAILURE

    def judge(self, *, awaiting: bool = False) -> RunSummary:
        """Set the status from the errors and counts: failed when a step failed, a record was
        not entered or reconciliation found a difference; no input when nothing came."""
        if self.errors or self.failed > 0 or self.mismatched > 0:
            self.status = FAILURE
        elif awaiting:
            self.status = AWAITING_APPROVAL
        elif self.received == 0:
            self.status = NO_INPUT
        else:
            self.status = SUCCESS
        return self

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            if item.name == "extra":
                continue
            value = getattr(self, item.name)
            if value is None and item.name in _OPTIONAL:
                continue
            data[_JSON_KEYS.get(item.name, item.name)] = value
        clash = set(self.extra) & set(data)
        if clash:
            raise ValueError(f"summary extra keys clash with common ones: {sorted(clash)}")
        return {**data, **self.extra}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        names = {item.name for item in dataclasses.fields(cls)} - {"extra"}
        by_key = {_JSON_KEYS.get(name, name): name for name in names}
        values = {by_key[key]: value for key, value in data.items() if key in by_key}
        extra = {key: value for key, value in data.items() if key not in by_key}
        return cls(**{"dag_id": "", "run_id": "", **values}, extra=extra)

    def write(self, run_dir: Path) -> Path:
        path = run_dir / SUMMARY_FILE
        write_json(path, self.as_json())
        return path

    @classmethod
    def read(cls, run_dir: Path) -> RunSummary | None:
        data = read_json(run_dir / SUMMARY_FILE)
        return None if data is None else cls.from_json(data)

    def xcom(self) -> dict[str, Any]:
        """What the report task returns: the counts and the status, nothing else."""
        return {**{key: getattr(self, key) for key in COUNTS}, "statut": self.status, "erreurs": self.errors}
