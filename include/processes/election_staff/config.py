"""Per-election configuration, read from config/elections.toml (stdlib only:
the DAG file reads it at parse time)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONFIG_FILE = Path(__file__).resolve().parents[3] / "config" / "elections.toml"


@dataclass(frozen=True)
class Election:
    id: str
    label: str
    department: str
    period_start: dt.date
    period_end: dt.date
    run_at: dt.time
    minimum_age: int
    quarantine_ceiling: float


@dataclass(frozen=True)
class OnboardingSettings:
    batch_size: int = 200
    max_attempts: int = 6
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    abort_after_consecutive_failures: int = 5
    fresh_tab_every: int = 100
    manual_minutes_per_worker: float = 5.0

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.max_attempts < 1 or self.abort_after_consecutive_failures < 1:
            raise ValueError("elections.toml [onboarding]: batch_size, max_attempts and abort_after_... must be >= 1")
        if self.manual_minutes_per_worker < 0:
            raise ValueError("elections.toml [onboarding]: manual_minutes_per_worker must be >= 0")


@lru_cache(maxsize=4)
def onboarding_settings(path: Path = CONFIG_FILE) -> OnboardingSettings:
    with path.open("rb") as handle:
        raw = tomllib.load(handle).get("onboarding", {})
    known = set(OnboardingSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"elections.toml [onboarding]: unknown settings {sorted(unknown)}")
    return OnboardingSettings(**raw)


@lru_cache(maxsize=4)
def load_elections(path: Path = CONFIG_FILE) -> tuple[str, dict[str, Election]]:
    """(id of the active election, every election by id)."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    elections = {}
    for key, values in raw["elections"].items():
        hour, minute = (int(part) for part in values.get("run_at", "20:00").split(":"))
        elections[key] = Election(
            id=key,
            label=values["label"],
            department=str(values["department"]),
            period_start=values["period_start"],
            period_end=values["period_end"],
            run_at=dt.time(hour, minute),
            minimum_age=int(values.get("minimum_age", 18)),
            quarantine_ceiling=float(values.get("quarantine_ceiling", 0.20)),
        )
        if elections[key].period_end < elections[key].period_start:
            raise ValueError(f"elections.toml: {key}: period_end is before period_start")
    active = raw["active"]
    if active not in elections:
        raise ValueError(f"elections.toml: active election {active!r} is not defined")
    return active, elections


def get_election(election_id: str | None = None) -> Election:
    active, elections = load_elections()
    key = election_id or active
    if key not in elections:
        raise ValueError(f"Élection inconnue : {key} (connues : {', '.join(sorted(elections))})")
    return elections[key]


def period_months(start: dt.date, end: dt.date) -> list[tuple[int, int, int]]:
    """(month, first day, last day) for each calendar month of [start, end]."""
    months = []
    day = start
    while day <= end:
        next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = min(end, next_month - dt.timedelta(days=1))
        months.append((day.month, day.day, last.day))
        day = next_month
    return months
