"""What the portals' server-side form checks share: the values as typed and the French errors
by field, French dates, and the spaces users type (no-break spaces included)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

SPACES = re.compile(r"[\s\u00a0\u202f]+")
FRENCH_DATE = re.compile(r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$")


@dataclass
class CheckedForm:
    """A form's outcome; an app's subclass sets ``MESSAGES`` (key -> French message)."""

    MESSAGES: ClassVar[Mapping[str, str]] = {}

    values: dict[str, str] = field(default_factory=dict)  # as typed, to redisplay
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, name: str, key: str, **kwargs: str) -> None:
        self.errors.setdefault(name, self.MESSAGES[key].format(**kwargs))


def parse_date(value: str) -> dt.date | None:
    """dd/mm/yyyy -> date; None when malformed or not a real day."""
    if not FRENCH_DATE.match(value):
        return None
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None
