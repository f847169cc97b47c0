"""Per-election configuration, read from config/elections.toml (stdlib only:
the DAG file reads it at parse time)."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

CONFIG_FILE = Path(__file__).resolve().parents[3] / "config" / "elections.toml"
# Another file in its place (a prefecture's own elections, a test's short batches): every
# process of a deployment (DAG processor, workers) must see the same value.
CONFIG_ENV = "RPA_ELECTIONS_CONFIG"


def config_file() -> Path:
    """The elections file in use: ``$RPA_ELECTIONS_CONFIG``, else ``config/elections.toml``."""
    return Path(os.environ.get(CONFIG_ENV) or CONFIG_FILE)


@dataclass(frozen=True)
class PaySettings:
    """How an election's workers are paid (``[elections.<id>.paie]``); amounts in euros."""

    mode: str  # "enveloppe" or "heure"
    rate_per_envelope: Decimal
    hourly_rate: Decimal
    table_lead_supplement: Decimal
    cap_per_round: Decimal
    smic_hourly: Decimal
    max_hours_per_day: Decimal
    execution_date: dt.date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str | None
    sepa_schema: str = "pain.001.001.09"

    MODES = ("enveloppe", "heure")


def _decimal(values: dict, key: str, where: str) -> Decimal:
    raw = values.get(key)
    if isinstance(raw, float):
        raise ValueError(f'elections.toml: {where}.{key}: write amounts as strings ("0.21"), not floats')
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"elections.toml: {where}.{key}: not an amount: {raw!r}") from None
    if value < 0:
        raise ValueError(f"elections.toml: {where}.{key}: must be >= 0")
    return value


def _pay(values: dict | None, where: str) -> PaySettings | None:
    if not values:
        return None
    debtor = values.get("donneur_ordre") or {}
    settings = PaySettings(
        mode=values.get("mode", "enveloppe"),
        rate_per_envelope=_decimal(values, "tarif_enveloppe", where),
        hourly_rate=_decimal(values, "tarif_horaire", where),
        table_lead_supplement=_decimal(values, "supplement_chef_de_table", where),
        cap_per_round=_decimal(values, "plafond_par_tour", where),
        smic_hourly=_decimal(values, "smic_horaire", where),
        max_hours_per_day=_decimal(values, "heures_max_par_jour", where),
        execution_date=values["date_execution_virement"],
        debtor_name=str(debtor.get("nom", "")),
        debtor_iban=str(debtor.get("iban", "")),
        debtor_bic=debtor.get("bic"),
        sepa_schema=str(values.get("schema_sepa", "pain.001.001.09")),
    )
    if settings.mode not in PaySettings.MODES:
        raise ValueError(f"elections.toml: {where}.mode: {settings.mode!r} (attendu : enveloppe ou heure)")
    if not settings.debtor_name or not settings.debtor_iban:
        raise ValueError(f"elections.toml: {where}.donneur_ordre: nom and iban are required")
    return settings


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
    pay: PaySettings | None = None


@dataclass(frozen=True)
class OnboardingSettings:
    """``[onboarding]`` of elections.toml: what the report's minutes saved are based on (how the
    robot works the HR portal is in config/robots.toml)."""

    manual_minutes_per_worker: float = 5.0

    def __post_init__(self) -> None:
        if self.manual_minutes_per_worker < 0:
            raise ValueError("elections.toml [onboarding]: manual_minutes_per_worker must be >= 0")


def onboarding_settings(path: Path | None = None) -> OnboardingSettings:
    return _onboarding_settings(path or config_file())


@lru_cache(maxsize=4)
def _onboarding_settings(path: Path) -> OnboardingSettings:
    with path.open("rb") as handle:
        raw = tomllib.load(handle).get("onboarding", {})
    known = set(OnboardingSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"elections.toml [onboarding]: unknown settings {sorted(unknown)}")
    return OnboardingSettings(**raw)


def load_elections(path: Path | None = None) -> tuple[str, dict[str, Election]]:
    """(id of the active election, every election by id)."""
    return _load_elections(path or config_file())


@lru_cache(maxsize=4)
def _load_elections(path: Path) -> tuple[str, dict[str, Election]]:
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
            pay=_pay(values.get("paie"), f"elections.{key}.paie"),
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
