"""How stored integers are written: cents and hundredths of an hour as decimals, the
IBAN masked. The export uses a dot, the pages a comma."""

from __future__ import annotations

from decimal import Decimal


def amount(cents: int, separator: str = ".") -> str:
    """12600 -> '126.00' (always 2 decimals, so it reconciles to the cent)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}{separator}{rest:02d}"


def hours(hundredths: int, separator: str = ".") -> str:
    """1250 -> '12.5', 1200 -> '12', 725 -> '7.25' (no trailing zeros)."""
    text = format(Decimal(hundredths).scaleb(-2).normalize(), "f")
    return text.replace(".", separator)


def masked_iban(iban: str) -> str:
    """Every character but the last 4 hidden: 'FR14...2606' -> '***********************2606'."""
    return "*" * max(len(iban) - 4, 0) + iban[-4:]
