"""The allowance of one "mise sous pli" worker for one round, in ``Decimal`` euros.

By envelope: envelopes x rate; by hour: hours x hourly rate; a table lead gets the
supplement once per round. Rounded to the cent half-up, then capped per round (600 € by
default, décret n° 2012-498). An allowance below the SMIC for the hours worked is flagged
for an HR agent to review, never blocked. Facts: docs/domain/pay-and-sepa.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from include.processes.election_staff.config import PaySettings

CENT = Decimal("0.01")
TABLE_LEAD = "chef de table"


@dataclass(frozen=True)
class Day:
    hours: Decimal
    envelopes: int | None  # None: paid by the hour, envelopes not counted


@dataclass(frozen=True)
class Allowance:
    hours: Decimal
    envelopes: int
    computed: Decimal  # before the cap, rounded to the cent
    amount: Decimal  # what is paid
    capped: bool
    below_smic: bool
    table_lead: bool

    @property
    def hourly(self) -> Decimal | None:
        """What the worker earned per hour (None without hours)."""
        return (self.amount / self.hours).quantize(CENT, ROUND_HALF_UP) if self.hours else None


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def allowance(days: Iterable[Day], *, table_lead: bool, settings: PaySettings) -> Allowance:
    """The allowance for a worker's days of one round."""
    days = list(days)
    hours = sum((day.hours for day in days), Decimal("0"))
    envelopes = sum(day.envelopes or 0 for day in days)
    if settings.mode == "enveloppe":
        gross = Decimal(envelopes) * settings.rate_per_envelope
    else:
        gross = hours * settings.hourly_rate
    if table_lead:
        gross += settings.table_lead_supplement
    computed = to_cent(gross)
    amount = min(computed, settings.cap_per_round)
    below = hours > 0 and amount < to_cent(hours * settings.smic_hourly)
    return Allowance(hours, envelopes, computed, amount, computed > amount, below, table_lead)
