"""Load config/airflow_settings.yaml's Connections and Pools into Airflow's
metadata database (create or update; idempotent).

Usage: ``bin/python scripts/load_settings.py [path]``. ``${VAR}`` and
``${VAR:-default}`` in values are expanded from the environment. A Connection
also given as an ``AIRFLOW_CONN_<ID>`` environment variable is still loaded,
but the environment variable wins when Airflow resolves it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

DEFAULT = Path(__file__).resolve().parents[1] / "config" / "airflow_settings.yaml"
_VAR = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def expand(value: Any) -> Any:
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found is None and default is None:
            raise SystemExit(f"load_settings: ${{{name}}} is not set")
        return found if found is not None else default

    return _VAR.sub(substitute, value)


def _port_as_int(conn: dict[str, Any]) -> dict[str, Any]:
    """``conn_port: ${RPA_HR_PORTAL_PORT:-8081}`` expands to text: the port is a number."""
    port = conn.get("conn_port")
    if isinstance(port, str):
        conn["conn_port"] = int(port) if port.strip() else None
    return conn


def read_settings(path: Path = DEFAULT) -> dict[str, list[dict[str, Any]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["airflow"]
    return {
        "connections": [_port_as_int({k: expand(v) for k, v in c.items()}) for c in raw.get("connections") or []],
        "pools": [{k: expand(v) for k, v in p.items()} for p in raw.get("pools") or []],
    }


def main() -> None:
    from airflow.models import Connection, Pool
    from airflow.utils.session import create_session

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    settings = read_settings(path)
    with create_session() as session:
        for spec in settings["connections"]:
            conn = session.query(Connection).filter(Connection.conn_id == spec["conn_id"]).one_or_none()
            if conn is None:
                conn = Connection(conn_id=spec["conn_id"])
                session.add(conn)
            conn.conn_type = spec["conn_type"]
            conn.description = spec.get("conn_description")
            conn.host = spec.get("conn_host")
            conn.schema = spec.get("conn_schema")
            conn.login = spec.get("conn_login")
            conn.set_password(spec.get("conn_password"))
            conn.port = spec.get("conn_port")
            extra = spec.get("conn_extra")
            conn.set_extra(None if extra is None else (extra if isinstance(extra, str) else json.dumps(extra)))
        for spec in settings["pools"]:
            Pool.create_or_update_pool(
                name=spec["pool_name"],
                slots=int(spec["pool_slot"]),
                description=spec.get("pool_description", ""),
                include_deferred=False,
                session=session,
            )
    counts = f"{len(settings['connections'])} connections and {len(settings['pools'])} pools"
    print(f"Loaded {counts} from {path.name}")


if __name__ == "__main__":
    main()
