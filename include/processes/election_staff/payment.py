"""Steps of ``election_staff_payment`` before approval: intake, workers, validate, compute.

- ``workers()``: who can be paid: the election's workers the onboarding ledger says are in
  the HR portal (``entered`` or ``verified``), with their contract dates, matricule, name and
  bank details read from the HR portal's export (the payroll robot's source of truth, as an
  agent would look them up);
- ``validate()``: the service records' row rules (:mod:`service_rules`), quarantine with
  French reasons, ``received == quarantined + valid``;
- ``compute()``: one allowance per worker for the round (:mod:`pay`), the totals HR approves
  (count, total, capped, below SMIC) and ``allowances.csv`` for HR (masked: matricule and
  initials, never NIR or IBAN).

Files in the run folder; XCom carries counts and totals as text (Decimal, never float).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.processes.election_staff.config import Election
from include.processes.election_staff.onboarding import ONBOARDING, election_of, with_initials
from include.rpa.errors import RpaError
from include.rpa.intake import FILE_COLUMN, LINE_COLUMN
from include.rpa.paths import write_json
from include.rpa.report import QUARANTINE_FILE, VALIDATION_FILE

if TYPE_CHECKING:
    from include.rpa.tasks import RunContext

PAYMENT_PROCESS = "election_staff_payment"
INTAKE_FILE, VALID_FILE = "intake.parquet", "valid.parquet"
WORKERS_FILE, ALLOWANCES_FILE, ALLOWANCES_CSV = "workers.parquet", "allowances.parquet", "allowances.csv"
TOTALS_FILE = "totals.json"
TABLE_LEAD = "chef de table"


def intake(run: RunContext) -> dict[str, Any]:
    """The service records named by ``input_path`` (no inbox: a payment is asked for)."""
    from include.processes.election_staff.service_rules import SPEC
    from include.rpa.intake import intake_run

    return intake_run(run, SPEC, table_file=INTAKE_FILE)


def validate(run: RunContext, *, ledger=None, export_text: str | None = None) -> dict[str, Any]:
    """Who can be paid (the HR portal's export and the onboarding ledger), then the row rules."""
    from include.rpa.ledger import Ledger

    election = election_of(run)
    payable = workers(election, export_text, ledger or Ledger.from_airflow())
    return validate_records(run.folder, election, payable)


def workers(election: Election, export_text: str | None, ledger) -> Any:
    """The payable workers: in the HR export AND entered/verified in the onboarding ledger
    (``export_text``: the export, else downloaded with the robot's account)."""
    import pandas as pd

    from include.processes.election_staff.service_rules import Workers
    from include.rpa.entry import read_export
    from include.rpa.ledger import DONE

    onboarded = {row["business_key"] for row in ledger.rows(ONBOARDING.process, election.id, states=DONE)}
    export = read_export(ONBOARDING, export_text)
    rows = [found[0] for nir, found in export.items() if nir in onboarded and len(found) == 1]
    table = pd.DataFrame(
        rows, columns=["nir", "matricule", "nom", "prenom", "iban", "bic", "fonction", "date_debut", "date_fin"]
    ).set_index("nir")
    for column in ("date_debut", "date_fin"):
        table[column] = pd.to_datetime(table[column], format="%d/%m/%Y", errors="coerce")
    return Workers(table)


def validate_records(run_dir: Path, election: Election, payable) -> dict[str, Any]:
    import pandas as pd

    from include.processes.election_staff.service_rules import COLUMNS, DAY, ENVELOPES, HOURS, REASONS, split
    from include.rpa.validation import write_quarantine

    raw = pd.read_parquet(run_dir / INTAKE_FILE)
    payable.table.to_parquet(run_dir / WORKERS_FILE)  # names and bank details for the transfer file
    frame, reasons = split(raw, election, payable)
    valid = frame[~frame.index.isin(reasons.index)]
    out = valid[[*COLUMNS, FILE_COLUMN, LINE_COLUMN]].copy()
    out["jour"] = valid[DAY].dt.strftime("%Y-%m-%d")
    out["heures_nombre"] = valid[HOURS].map(lambda h: f"{h:.2f}")
    out["plis_nombre"] = valid[ENVELOPES].astype("Int64")
    out.to_parquet(run_dir / VALID_FILE, index=False)
    names = payable.table.reindex(frame["nir"])
    labelled = frame.assign(nom=names["nom"].fillna("").to_numpy(), prenom=names["prenom"].fillna("").to_numpy())
    write_quarantine(labelled, reasons, run_dir / QUARANTINE_FILE, with_initials)
    counts = {"received": len(frame), "quarantined": len(reasons), "valid": len(out)}
    by_reason = reasons.str.split(" ; ").explode().value_counts() if len(reasons) else pd.Series(dtype=int)
    write_json(run_dir / VALIDATION_FILE, {**counts, "motifs": {str(k): int(v) for k, v in by_reason.items()}})
    if counts["received"] != counts["quarantined"] + counts["valid"]:
        raise AssertionError(f"accounting identity broken: {counts}")
    unknown = [k for k in by_reason.index if k not in REASONS.values()]
    if unknown:
        raise AssertionError(f"reasons without a rule: {unknown}")
    return counts


def compute(run: RunContext) -> dict[str, str | int]:
    """One allowance per worker validated by :func:`validate` (see :func:`compute_allowances`)."""
    import pandas as pd

    from include.processes.election_staff.service_rules import Workers

    return compute_allowances(run.folder, election_of(run), Workers(pd.read_parquet(run.folder / WORKERS_FILE)))


def compute_allowances(run_dir: Path, election: Election, payable) -> dict[str, str | int]:
    """One allowance per worker; ``allowances.parquet``/``.csv`` and the totals HR approves."""
    import pandas as pd

    from include.processes.election_staff.pay import Day, allowance
    from include.rpa.pii import initials

    if election.pay is None:
        raise RpaError(f"Élection {election.id} : pas de section [paie] dans elections.toml")
    valid = pd.read_parquet(run_dir / VALID_FILE)
    rows = []
    for nir, days in valid.groupby("nir", sort=True):
        worker = payable.table.loc[nir]
        lead = (days["fonction"].str.casefold() == TABLE_LEAD).any() or str(worker["fonction"]) == TABLE_LEAD
        result = allowance(
            [
                Day(Decimal(h), None if pd.isna(p) else int(p))
                for h, p in zip(days["heures_nombre"], days["plis_nombre"], strict=True)
            ],
            table_lead=bool(lead),
            settings=election.pay,
        )
        rows.append(
            {
                "nir": nir,
                "matricule": worker["matricule"],
                "initiales": initials(str(worker["nom"]), str(worker["prenom"])),
                "jours": len(days),
                "heures": str(result.hours),
                "plis": result.envelopes,
                "chef_de_table": result.table_lead,
                "montant_calcule": str(result.computed),
                "montant": str(result.amount),
                "plafonne": result.capped,
                "sous_smic": result.below_smic,
            }
        )
    table = pd.DataFrame(rows)
    table.to_parquet(run_dir / ALLOWANCES_FILE, index=False)
    if len(table):
        table.drop(columns=["nir"]).to_csv(run_dir / ALLOWANCES_CSV, sep=";", index=False, encoding="utf-8-sig")
    total = sum((Decimal(a) for a in table.get("montant", [])), Decimal("0.00"))
    totals = {
        "workers": len(table),
        "total": str(total),
        "capped": int(table["plafonne"].sum()) if len(table) else 0,
        "below_smic": int(table["sous_smic"].sum()) if len(table) else 0,
        "mode": election.pay.mode,
    }
    write_json(run_dir / TOTALS_FILE, totals)
    return totals
