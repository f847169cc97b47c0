"""Regenerate include/rpa/reference/communes.csv from Etalab's official data.

Source: the npm package ``@etalab/decoupage-administratif`` (data/communes.json,
Licence Ouverte / MIT), fetched with ``npm pack`` so that tests and runs need
no network. Usage: ``bin/python scripts/update_communes.py [--version X]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "include" / "rpa" / "reference" / "communes.csv"
KEPT_TYPES = ("commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", default="6.0.0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = f"@etalab/decoupage-administratif@{args.version}"
        name = (
            subprocess.run(["npm", "pack", "--silent", package], cwd=tmp, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(Path(tmp) / name) as archive:
            communes = json.load(archive.extractfile("package/data/communes.json"))
    rows = sorted(
        (
            c["code"],
            c["nom"],
            c.get("departement", ""),
            c.get("region", ""),
            " ".join(sorted(set(c.get("codesPostaux", [])))),
            c["type"],
        )
        for c in communes
        if c["type"] in KEPT_TYPES
    )
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["insee", "nom", "departement", "region", "codes_postaux", "type"])
        writer.writerows(rows)
    print(f"{len(rows)} communes written to {OUT} from {package}")


if __name__ == "__main__":
    main()
