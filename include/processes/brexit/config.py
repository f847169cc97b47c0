"""Settings of the Brexit residence-permit process, read from config/brexit.toml (stdlib only:
the DAG file may read them at parse time).

Every code named in the file (situations, documents) is checked against
:mod:`include.processes.brexit.codes` when loading, so a typo fails at once, in English for
the data team.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from include.processes.brexit.codes import PIECES, SITUATIONS

CONFIG_FILE = Path(__file__).resolve().parents[3] / "config" / "brexit.toml"


@dataclass(frozen=True)
class LateReason:
    """A reason accepted for filing after the deadline: its code, French label and the
    phrasings an applicant may write."""

    code: str
    label: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class LetterSettings:
    """Letterhead and wording of the missing-documents letters."""

    prefecture: str
    service: str
    address: tuple[str, ...]
    city: str
    signatory: str
    reply_days: int
    reply_channel: str


@dataclass(frozen=True)
class BrexitSettings:
    residence_cutoff: dt.date
    filing_deadline: dt.date
    arbitration_window_days: int
    permanent_residence_years: int
    file_number_pattern: str
    quarantine_ceiling: float
    late_reasons: tuple[LateReason, ...]
    # situation code -> document codes required whatever the length of residence
    required_documents: MappingProxyType[str, tuple[str, ...]]
    below_permanent_documents: tuple[str, ...]
    duration_exempt_situations: frozenset[str]
    family_before_cutoff_documents: tuple[str, ...]
    manual_minutes_per_file: float
    agent_minutes_per_human_file: float
    letters: LetterSettings

    @property
    def arbitration_window(self) -> tuple[dt.date, dt.date]:
        """First and last settling dates that are too close to the cutoff to decide (inclusive)."""
        days = dt.timedelta(days=self.arbitration_window_days)
        if not self.arbitration_window_days:
            return self.residence_cutoff, self.residence_cutoff - dt.timedelta(days=1)  # empty
        return self.residence_cutoff - days, self.residence_cutoff + days - dt.timedelta(days=1)

    def late_reason(self, code: str) -> LateReason:
        for reason in self.late_reasons:
            if reason.code == code:
                return reason
        raise KeyError(code)


def _codes(values: Any, known: dict[str, str], where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"brexit.toml: {where}: expected a list of codes")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"brexit.toml: {where}: unknown codes {unknown} (known: {', '.join(known)})")
    return tuple(dict.fromkeys(values))


def _date(values: dict[str, Any], key: str, where: str) -> dt.date:
    value = values.get(key)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"brexit.toml: {where}.{key}: expected a date (YYYY-MM-DD, unquoted)")
    return value


def parse_settings(raw: dict[str, Any]) -> BrexitSettings:
    rules = raw.get("rules", {})
    documents = raw.get("documents", {})
    required_raw = documents.get("required", {})
    missing = [s for s in SITUATIONS if s not in required_raw]
    if missing:
        raise ValueError(f"brexit.toml: [documents.required]: situations without a list: {missing}")
    _codes(list(required_raw), SITUATIONS, "[documents.required]")
    required = {s: _codes(required_raw[s], PIECES, f"[documents.required].{s}") for s in SITUATIONS}
    reasons = tuple(
        LateReason(
            code=code,
            label=str(values["label"]),
            synonyms=tuple(str(s) for s in values.get("synonyms", ())),
        )
        for code, values in raw.get("late_filing_reasons", {}).items()
    )
    effort = raw.get("effort", {})
    letters = raw.get("letters", {})
    pattern = str(rules.get("file_number_pattern", r"^WA-[0-9]{4}-[0-9]{6}$"))
    re.compile(pattern)
    settings = BrexitSettings(
        residence_cutoff=_date(rules, "residence_cutoff", "[rules]"),
        filing_deadline=_date(rules, "filing_deadline", "[rules]"),
        arbitration_window_days=int(rules.get("arbitration_window_days", 30)),
        permanent_residence_years=int(rules.get("permanent_residence_years", 5)),
        file_number_pattern=pattern,
        quarantine_ceiling=float(rules.get("quarantine_ceiling", 0.20)),
        late_reasons=reasons,
        required_documents=MappingProxyType(required),
        below_permanent_documents=_codes(documents.get("below_permanent", []), PIECES, "[documents].below_permanent"),
        duration_exempt_situations=frozenset(
            _codes(documents.get("duration_exempt", []), SITUATIONS, "[documents].duration_exempt")
        ),
        family_before_cutoff_documents=_codes(
            documents.get("family_before_cutoff", []), PIECES, "[documents].family_before_cutoff"
        ),
        manual_minutes_per_file=float(effort.get("manual_minutes_per_file", 30)),
        agent_minutes_per_human_file=float(effort.get("agent_minutes_per_human_file", 5)),
        letters=LetterSettings(
            prefecture=str(letters.get("prefecture", "")),
            service=str(letters.get("service", "")),
            address=tuple(str(line) for line in letters.get("address", ())),
            city=str(letters.get("city", "")),
            signatory=str(letters.get("signatory", "")),
            reply_days=int(letters.get("reply_days", 30)),
            reply_channel=str(letters.get("reply_channel", "")),
        ),
    )
    _check(settings)
    return settings


def _check(settings: BrexitSettings) -> None:
    if settings.arbitration_window_days < 0:
        raise ValueError("brexit.toml: [rules].arbitration_window_days must be >= 0")
    if settings.permanent_residence_years < 1:
        raise ValueError("brexit.toml: [rules].permanent_residence_years must be >= 1")
    if not 0 <= settings.quarantine_ceiling <= 1:
        raise ValueError("brexit.toml: [rules].quarantine_ceiling must be between 0 and 1")
    if settings.filing_deadline < settings.residence_cutoff:
        raise ValueError("brexit.toml: [rules].filing_deadline is before residence_cutoff")
    if settings.manual_minutes_per_file < 0 or settings.agent_minutes_per_human_file < 0:
        raise ValueError("brexit.toml: [effort]: minutes must be >= 0")
    if settings.letters.reply_days < 1:
        raise ValueError("brexit.toml: [letters].reply_days must be >= 1")
    if not settings.letters.prefecture:
        raise ValueError("brexit.toml: [letters].prefecture is required")
    codes = [r.code for r in settings.late_reasons]
    if len(set(codes)) != len(codes) or any(not r.label for r in settings.late_reasons):
        raise ValueError("brexit.toml: [late_filing_reasons]: each reason needs a unique code and a label")


@lru_cache(maxsize=4)
def load_settings(path: Path = CONFIG_FILE) -> BrexitSettings:
    with path.open("rb") as handle:
        return parse_settings(tomllib.load(handle))
