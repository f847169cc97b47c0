"""SEPA credit transfer files (pain.001) with ``sepaxml``, checked before and after writing.

``sepaxml`` writes pain.001.001.03 and .09 and validates them against the bundled ISO XSD,
but checks neither IBANs nor the EPC character set beyond names and remittance text, so
:func:`transfer_file` does it: every IBAN (``schwifty``, RIB key included for French ones),
every text in the EPC basic Latin set (accents stripped, other characters replaced),
names cut at 70 characters, EndToEndIds unique, at most 35 characters and in the set,
amounts positive with at most 2 decimals. After writing, the file is read back: the
control sum and the number of transactions must equal what was asked, to the cent.

Amounts are ``Decimal`` euros everywhere; ``sepaxml`` takes integer cents.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from include.rpa.errors import RpaError
from include.rpa.text import strip_accents

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")
NAME_MAX, END_TO_END_MAX, REMITTANCE_MAX = 70, 35, 140
_NOT_EPC = re.compile(r"[^A-Za-z0-9 /\-?:().,'+]")
_SPACES = re.compile(r"\s+")
# Typographic characters with an EPC equivalent (others become spaces).
_EPC_EQUIVALENTS = str.maketrans(
    {
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "’": "'",
        "‘": "'",
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
    }
)
CENT = Decimal("0.01")


class SepaError(RpaError):
    """A transfer that cannot go into a SEPA file (French message, no personal data)."""


@dataclass(frozen=True)
class Account:
    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str  # traceable to the ledger row (no personal data)
    creditor: Account
    amount: Decimal  # euros
    remittance: str


@dataclass(frozen=True)
class TransferFile:
    xml: bytes
    schema: str
    message_id: str
    control_sum: Decimal
    transactions: int


def epc_text(text: str, limit: int) -> str:
    """Text in the EPC basic Latin set: accents stripped ("é" -> "e"), others replaced by a space."""
    cleaned = _NOT_EPC.sub(" ", strip_accents((text or "").translate(_EPC_EQUIVALENTS)))
    return _SPACES.sub(" ", cleaned).strip()[:limit].strip()


def checked_iban(iban: str, what: str) -> tuple[str, str | None]:
    """(compact IBAN, BIC from the bank code if known); SepaError naming ``what`` (never the IBAN)."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        parsed = IBAN(iban, validate_bban=True)
    except SchwiftyException:
        raise SepaError(f"{what} : IBAN invalide") from None
    bic = parsed.bic
    return parsed.compact, str(bic) if bic is not None else None


def transfer_file(
    debtor: Account,
    transfers: Sequence[Transfer],
    execution_date: dt.date,
    *,
    schema: str = "pain.001.001.09",
) -> TransferFile:
    """Write and check a pain.001 file paying ``transfers`` from ``debtor``'s account."""
    from sepaxml import SepaTransfer

    if schema not in SCHEMAS:
        raise SepaError(f"schéma SEPA inconnu : {schema} (attendu : {', '.join(SCHEMAS)})")
    if not transfers:
        raise SepaError("aucun virement à émettre")
    debtor_iban, debtor_bic = checked_iban(debtor.iban, "compte du donneur d'ordre")
    sepa = SepaTransfer(
        {
            "name": epc_text(debtor.name, NAME_MAX),
            "IBAN": debtor_iban,
            "BIC": debtor.bic or debtor_bic or "NOTPROVIDED",
            "batch": True,
            "currency": "EUR",
        },
        schema=schema,
        clean=True,
    )
    seen: set[str] = set()
    total = Decimal("0.00")
    for transfer in transfers:
        e2e = transfer.end_to_end_id
        if not e2e or len(e2e) > END_TO_END_MAX or epc_text(e2e, END_TO_END_MAX) != e2e or e2e in seen:
            raise SepaError(f"référence de bout en bout invalide ou en double : {e2e[:40]!r}")
        seen.add(e2e)
        if transfer.amount <= 0 or transfer.amount != transfer.amount.quantize(CENT):
            raise SepaError(f"{e2e} : montant invalide (positif, au centime)")
        iban, bic = checked_iban(transfer.creditor.iban, e2e)
        total += transfer.amount
        payment = {
            "name": epc_text(transfer.creditor.name, NAME_MAX) or "BENEFICIAIRE",
            "IBAN": iban,
            "amount": int(transfer.amount * 100),
            "execution_date": execution_date,
            "description": epc_text(transfer.remittance, REMITTANCE_MAX),
            "endtoend_id": e2e,
        }
        if transfer.creditor.bic or bic:
            payment["BIC"] = transfer.creditor.bic or bic
        sepa.add_payment(payment)
    xml = sepa.export(validate=True)
    control_sum, count = read_totals(xml)
    if control_sum != total or count != len(transfers):
        raise SepaError(f"fichier SEPA incohérent : CtrlSum {control_sum} pour {total}, {count} virements")
    return TransferFile(xml, schema, str(sepa.msg_id), control_sum, count)


def read_totals(xml: bytes) -> tuple[Decimal, int]:
    """(group header CtrlSum, NbOfTxs) of a pain.001 file."""
    root = ET.fromstring(xml)
    header = next(el for el in root.iter() if el.tag.endswith("GrpHdr"))
    values = {child.tag.rsplit("}", 1)[-1]: child.text for child in header}
    return Decimal(values["CtrlSum"]), int(values["NbOfTxs"])


def read_transfers(xml: bytes) -> dict[str, Decimal]:
    """Amount of each transaction by EndToEndId (for reconciliation)."""
    root = ET.fromstring(xml)
    found: dict[str, Decimal] = {}
    for tx in (el for el in root.iter() if el.tag.endswith("CdtTrfTxInf")):
        e2e = next(el.text for el in tx.iter() if el.tag.endswith("EndToEndId"))
        amount = next(el.text for el in tx.iter() if el.tag.endswith("InstdAmt"))
        found[str(e2e)] = Decimal(str(amount))
    return found
