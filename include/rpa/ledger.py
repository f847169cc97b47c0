"""The exactly-once ledger: one row per (process, scope, business key), on SQLite or PostgreSQL.

A record goes ``pending`` -> (claimed by one worker) -> ``entered`` -> ``verified`` or
``mismatch``; the target may refuse it (``rejected``: bad data, never retried unless its
content changes) or misbehave (``failed``: retried). ``plan()`` registers what a run
received and says what to type; ``claim()`` is an atomic conditional UPDATE, so two
workers racing on one key never both type it; every ``mark_*()`` releases the claim.

Process-agnostic: a process names itself (``"election_staff_onboarding"``), its scope
(``"presidentielle-2027-t1"``) and its business keys (the NIR); the content hash is
whatever digest of the typed fields the process computes.

Times are UTC from the workers' clocks (keep them NTP-synchronised: the lease relies on
them); a lease lasts the ``lease_seconds`` of whoever tries to claim, so all workers of a
process should use the same value, longer than a record takes. Error texts are masked
with ``mask_text`` and cut to 500 characters before they are stored.

``plan()`` sends each batch of 10,000 keys as one parameter (a PostgreSQL array, a JSON
text for SQLite >= 3.33 with JSON1) to set-based statements: about 1-4 s for 100,000 new
keys, where executemany() took 17-30 s on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from include.rpa.paths import data_dir
from include.rpa.pii import mask_text

log = logging.getLogger(__name__)

PENDING, ENTERED, VERIFIED, MISMATCH, REJECTED, FAILED = (
    "pending",
    "entered",
    "verified",
    "mismatch",
    "rejected",
    "failed",
)
STATES = (PENDING, ENTERED, VERIFIED, MISMATCH, REJECTED, FAILED)
CLAIMABLE = (PENDING, FAILED)
DONE = (ENTERED, VERIFIED)
ERROR_MAX_CHARS = 500
SQLITE_BUSY_SECONDS = 30
_BATCH = 10_000
_ANALYZE_AFTER = 10_000
_PG_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out (SQLite stores them naive, PostgreSQL as timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger: use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = MetaData()
entries = Table(
    "rpa_ledger",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("process", String(100), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("business_key", String(200), nullable=False),
    Column("state", String(16), nullable=False, default=PENDING),
    Column("content_hash", String(128)),
    Column("receipt", String(200)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("claimed_by", String(200)),
    Column("claimed_at", UtcDateTime),
    Column("entered_at", UtcDateTime),
    Column("verified_at", UtcDateTime),
    Column("seconds", Float),
    Column("last_error", String(ERROR_MAX_CHARS)),
    Column("run_id", String(250)),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("process", "scope", "business_key", name="uq_rpa_ledger_key"),
    CheckConstraint(f"state IN ({', '.join(repr(s) for s in STATES)})", name="ck_rpa_ledger_state"),
    Index("ix_rpa_ledger_state", "process", "scope", "state"),
)


decision_table = Table(
    "rpa_decisions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("process", String(100), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("run_id", String(250), nullable=False),
    Column("decision", String(50), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", UtcDateTime),
    Column("detail", String(ERROR_MAX_CHARS)),
    Column("recorded_at", UtcDateTime, nullable=False),
)


# Minutes an agent was spared, credited once per record and outcome across runs: a re-run of
# the same file, or a record sent again, credits nothing new (supervision totals are not
# inflated). A record whose outcome changes (a letter, then the complete file entered)
# credits the new outcome: an agent would have handled it again.
credit_table = Table(
    "rpa_time_saved",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("process", String(100), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("business_key", String(200), nullable=False),
    Column("outcome", String(50), nullable=False),
    Column("minutes", Float, nullable=False),
    Column("run_id", String(250), nullable=False),
    Column("credited_at", UtcDateTime, nullable=False),
    UniqueConstraint("process", "scope", "business_key", "outcome", name="uq_rpa_time_saved"),
)


@dataclass
class Plan:
    """What ``plan()`` found for the keys of one run, each key in exactly one list."""

    to_enter: list[str] = field(default_factory=list)  # pending or failed: to type
    already_done: list[str] = field(default_factory=list)  # entered or verified, same content: skip
    rejected: list[str] = field(default_factory=list)  # refused before, same content: not retried
    changed: list[str] = field(default_factory=list)  # entered/verified/mismatch, content changed: report
    mismatch: list[str] = field(default_factory=list)  # entered but read back different: for a person
    new: int = 0  # how many keys this call registered

    def counts(self) -> dict[str, int]:
        return {
            "to_enter": len(self.to_enter),
            "already_done": len(self.already_done),
            "rejected": len(self.rejected),
            "changed": len(self.changed),
            "mismatch": len(self.mismatch),
            "new": self.new,
        }


class Ledger:
    """The ledger on one database; ``Ledger(url)`` or ``Ledger.from_airflow()``."""

    def __init__(self, url: str | URL) -> None:
        self.url = make_url(url)
        self.engine = _make_engine(self.url)
        _create_tables(self.engine)

    @classmethod
    def from_airflow(cls, conn_id: str = "rpa_ledger") -> Ledger:
        """The ledger named by an Airflow Connection (SQLite file or PostgreSQL database).

        Without such a Connection: ``<RPA_DATA_DIR>/ledger.sqlite``. Any other failure to
        read the Connection raises: silently using another ledger would retype records.
        """
        from airflow.sdk import BaseHook
        from airflow.sdk.exceptions import AirflowNotFoundException

        try:
            conn = BaseHook.get_connection(conn_id)
        except AirflowNotFoundException:
            path = data_dir() / "ledger.sqlite"
            log.info("Connection %r absente: registre SQLite par défaut %s", conn_id, path)
            return cls(_sqlite_url(path))
        return cls(url_from_connection(conn))

    def __repr__(self) -> str:
        return f"Ledger({self.url.render_as_string(hide_password=True)!r})"

    def dispose(self) -> None:
        self.engine.dispose()

    # ----------------------------------------------------------------------- planning

    def plan(
        self,
        process: str,
        scope: str,
        records: Mapping[str, str | None],
        run_id: str | None = None,
        *,
        write: bool = True,
    ) -> Plan:
        """Register unknown keys as pending (in bulk) and sort every given key by what to do with it.

        ``write=False`` (a dry run) sorts the keys the same way and changes nothing.
        """
        keys = [_check_key(key) for key in records]
        known = self._known(process, scope, keys)
        now = utcnow()
        if write:
            self._insert_pending(process, scope, [k for k in keys if k not in known], records, run_id, now)
        plan = Plan(new=len(keys) - len(known))
        refresh: list[tuple[int, str | None, str, str]] = []  # rows whose content changed
        for key in keys:
            content_hash = records[key]
            if key not in known:
                plan.to_enter.append(key)
                continue
            row_id, state, stored_hash = known[key]
            differs = content_hash is not None and stored_hash is not None and content_hash != stored_hash
            if state in CLAIMABLE:
                plan.to_enter.append(key)
                if differs or (stored_hash is None and content_hash is not None):  # type the latest content
                    refresh.append((row_id, content_hash, state, state))
            elif state == REJECTED and differs:  # corrected data: give it another chance
                plan.to_enter.append(key)
                refresh.append((row_id, content_hash, state, PENDING))
            elif state == REJECTED:
                plan.rejected.append(key)
            elif differs:
                plan.changed.append(key)
            elif state == MISMATCH:
                plan.mismatch.append(key)
            else:
                plan.already_done.append(key)
        if write:
            self._refresh(refresh, run_id, now)
        return plan

    def _known(self, process: str, scope: str, keys: Sequence[str]) -> dict[str, tuple[int, str, str | None]]:
        known: dict[str, tuple[int, str, str | None]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(keys, _BATCH):
                among, params = _among(conn, "business_key", chunk)
                query = text(
                    f"SELECT business_key, id, state, content_hash FROM {entries.name}"
                    f" WHERE process = :process AND scope = :scope AND {among}"
                )
                params.update(process=process, scope=scope)
                for key, row_id, state, content_hash in conn.execute(query, params):
                    known[key] = (row_id, state, content_hash)
        return known

    def _insert_pending(
        self,
        process: str,
        scope: str,
        keys: Sequence[str],
        records: Mapping[str, str | None],
        run_id: str | None,
        now: dt.datetime,
    ) -> None:
        """INSERT ... SELECT from one array parameter per chunk: one statement per 10,000 keys."""
        if not keys:
            return
        common = {"process": process, "scope": scope, "run_id": run_id, "now": now}
        with self.engine.begin() as conn:
            for chunk in _chunks(keys, _BATCH):
                rows = [(key, records[key]) for key in chunk]
                source, params = _values_source(conn, [("business_key", "text"), ("content_hash", "text")], rows)
                statement = text(
                    f"INSERT INTO {entries.name} (process, scope, business_key, content_hash, state, attempts,"
                    " first_seen_at, updated_at, run_id)"
                    f" SELECT :process, :scope, v.business_key, v.content_hash, '{PENDING}', 0, :now, :now, :run_id"
                    f" FROM ({source}) AS v WHERE true"  # WHERE: SQLite's upsert-after-SELECT parsing rule
                    " ON CONFLICT (process, scope, business_key) DO NOTHING"
                ).bindparams(bindparam("now", type_=UtcDateTime()))
                conn.execute(statement, {**params, **common})
        if self.engine.dialect.name == "postgresql" and len(keys) >= _ANALYZE_AFTER:
            # Fresh statistics now rather than at autovacuum's next pass: the planner would
            # otherwise plan the next statements for the table as it was before this insert.
            with self.engine.connect() as conn:
                conn.execute(text(f"ANALYZE {entries.name}"))
                conn.commit()

    def _refresh(self, changes: list[tuple[int, str | None, str, str]], run_id: str | None, now: dt.datetime) -> None:
        """New content hash (and state) for (id, hash, old state, new state), unless the state moved meanwhile."""
        if not changes:
            return
        columns = [("id", "bigint"), ("content_hash", "text"), ("old_state", "text"), ("new_state", "text")]
        with self.engine.begin() as conn:
            for chunk in _chunks(changes, _BATCH):
                source, params = _values_source(conn, columns, chunk)
                among, ids = "", {}
                if conn.dialect.name == "postgresql":  # lets it find the rows by primary key
                    among, ids = _among(conn, "t.id", [change[0] for change in chunk], "bigint", "ids")
                    among = f" AND {among}"
                statement = text(
                    f"UPDATE {entries.name} AS t SET content_hash = v.content_hash, state = v.new_state,"
                    " run_id = COALESCE(:run_id, t.run_id), updated_at = :now"
                    f" FROM ({source}) AS v WHERE t.id = v.id AND t.state = v.old_state{among}"
                ).bindparams(bindparam("now", type_=UtcDateTime()))
                conn.execute(statement, {**params, **ids, "run_id": run_id, "now": now})

    # ----------------------------------------------------------------------- claiming

    def claim(
        self,
        process: str,
        scope: str,
        key: str,
        worker: str,
        lease_seconds: float = 600,
        run_id: str | None = None,
    ) -> bool:
        """Take the key for ``worker`` if it is pending or failed and nobody else holds a live lease on it.

        One conditional UPDATE: of two workers racing on a key, exactly one gets True. A
        worker may take back its own lease: an Airflow retry of a killed task (same
        ``worker``: DAG, run, task and map index) resumes at once on the record it was typing.
        """
        now = utcnow()
        expired = now - dt.timedelta(seconds=lease_seconds)
        values: dict[str, Any] = {
            "claimed_by": worker,
            "claimed_at": now,
            "attempts": entries.c.attempts + 1,
            "updated_at": now,
        }
        if run_id is not None:
            values["run_id"] = run_id
        statement = (
            update(entries)
            .where(
                _key_clause(process, scope, key),
                entries.c.state.in_(CLAIMABLE),
                or_(entries.c.claimed_at.is_(None), entries.c.claimed_at < expired, entries.c.claimed_by == worker),
            )
            .values(**values)
        )
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1

    # ----------------------------------------------------------------------- outcomes

    def mark_entered(
        self,
        process: str,
        scope: str,
        key: str,
        *,
        receipt: str | None,
        seconds: float | None = None,
        run_id: str | None = None,
    ) -> None:
        """The target stored the record; ``receipt`` is its file number."""
        now = utcnow()
        values = {"receipt": receipt, "seconds": seconds, "entered_at": now, "last_error": None}
        self._set(process, scope, key, ENTERED, now, run_id, **values)

    def mark_verified(
        self, process: str, scope: str, key: str, *, receipt: str | None = None, run_id: str | None = None
    ) -> None:
        """Reconciliation read the record back as meant."""
        now = utcnow()
        values: dict[str, Any] = {"verified_at": now, "last_error": None}
        if receipt is not None:
            values["receipt"] = receipt
        self._set(process, scope, key, VERIFIED, now, run_id, **values)

    def mark_mismatch(self, process: str, scope: str, key: str, detail: str, *, run_id: str | None = None) -> None:
        """Reconciliation read back something else than what was meant (``detail`` is masked)."""
        self._set(process, scope, key, MISMATCH, utcnow(), run_id, last_error=_masked(detail))

    def mark_rejected(self, process: str, scope: str, key: str, reason: str, *, run_id: str | None = None) -> None:
        """The data was refused (by validation or by the target): not retried unless its content changes."""
        self._set(process, scope, key, REJECTED, utcnow(), run_id, last_error=_masked(reason))

    def mark_failed(self, process: str, scope: str, key: str, error: str, *, run_id: str | None = None) -> None:
        """The target misbehaved: released for a later attempt (``attempts`` is kept)."""
        self._set(process, scope, key, FAILED, utcnow(), run_id, last_error=_masked(error))

    def release(self, process: str, scope: str, key: str, *, run_id: str | None = None) -> None:
        """Give a claimed key back without an outcome (state unchanged)."""
        self._set(process, scope, key, None, utcnow(), run_id)

    def _set(
        self,
        process: str,
        scope: str,
        key: str,
        state: str | None,
        now: dt.datetime,
        run_id: str | None,
        **values: Any,
    ) -> None:
        values.update(claimed_by=None, claimed_at=None, updated_at=now)
        if state is not None:
            values["state"] = state
        if run_id is not None:
            values["run_id"] = run_id
        with self.engine.begin() as conn:
            found = conn.execute(update(entries).where(_key_clause(process, scope, key)).values(**values)).rowcount
        if not found:
            raise KeyError(f"no ledger row for {process}/{scope}/{mask_text(key)}")

    # ----------------------------------------------------------------------- decisions

    def record_decision(
        self,
        process: str,
        scope: str,
        run_id: str,
        decision: str,
        *,
        by: str | None,
        at: dt.datetime | None,
        detail: str | None = None,
    ) -> None:
        """Keep a person's decision on a run (an approval of payments, say): who, when, what."""
        row = {
            "process": process,
            "scope": scope,
            "run_id": run_id,
            "decision": decision,
            "decided_by": by,
            "decided_at": at,
            "detail": _masked(detail),
            "recorded_at": utcnow(),
        }
        with self.engine.begin() as conn:
            conn.execute(decision_table.insert().values(**row))

    def decisions(self, process: str, scope: str) -> list[dict[str, Any]]:
        query = select(decision_table).where(decision_table.c.process == process, decision_table.c.scope == scope)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query.order_by(decision_table.c.id)).mappings()]

    # ----------------------------------------------------------------------- time saved

    def credit(
        self,
        process: str,
        scope: str,
        run_id: str,
        outcomes: Mapping[str, str],
        minutes: Mapping[str, float],
    ) -> dict[str, int]:
        """Credit each key's outcome (``outcomes``: key -> outcome) with ``minutes[outcome]``,
        unless an earlier run credited the same key and outcome; how many this run holds
        by outcome (a retry of the same run counts its own credits again, never twice)."""
        now = utcnow()
        rows = [(_check_key(key), outcome, float(minutes[outcome])) for key, outcome in outcomes.items()]
        columns = [("business_key", "text"), ("outcome", "text"), ("minutes", "float")]
        if rows:
            with self.engine.begin() as conn:
                for chunk in _chunks(rows, _BATCH):
                    source, params = _values_source(conn, columns, chunk)
                    statement = text(
                        f"INSERT INTO {credit_table.name} (process, scope, business_key, outcome, minutes, run_id,"
                        " credited_at)"
                        " SELECT :process, :scope, v.business_key, v.outcome, v.minutes, :run_id, :now"
                        f" FROM ({source}) AS v WHERE true"
                        " ON CONFLICT (process, scope, business_key, outcome) DO NOTHING"
                    ).bindparams(bindparam("now", type_=UtcDateTime()))
                    conn.execute(
                        statement, {**params, "process": process, "scope": scope, "run_id": run_id, "now": now}
                    )
        query = (
            select(credit_table.c.outcome, func.count())
            .where(credit_table.c.process == process, credit_table.c.scope == scope, credit_table.c.run_id == run_id)
            .group_by(credit_table.c.outcome)
        )
        with self.engine.connect() as conn:
            held = dict(conn.execute(query).tuples().all())
        return {outcome: int(held.get(outcome, 0)) for outcome in minutes}

    def minutes_saved(self, process: str, scope: str) -> float:
        """Every credit of the scope: the agents' minutes the robot spared to date (before the
        robot's and the agents' own minutes are taken off, which each run's summary does)."""
        query = select(func.coalesce(func.sum(credit_table.c.minutes), 0.0)).where(
            credit_table.c.process == process, credit_table.c.scope == scope
        )
        with self.engine.connect() as conn:
            return float(conn.execute(query).scalar_one())

    # ----------------------------------------------------------------------- reading

    def counts(self, process: str, scope: str) -> dict[str, int]:
        """Rows per state (every state present, 0 when none)."""
        query = (
            select(entries.c.state, func.count())
            .where(entries.c.process == process, entries.c.scope == scope)
            .group_by(entries.c.state)
        )
        with self.engine.connect() as conn:
            found = dict(conn.execute(query).tuples().all())
        return {state: int(found.get(state, 0)) for state in STATES}

    def rows(self, process: str, scope: str, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every row of the scope (optionally of some states) as dicts, in registration order."""
        query = select(entries).where(entries.c.process == process, entries.c.scope == scope)
        if states is not None:
            query = query.where(entries.c.state.in_(list(states)))
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query.order_by(entries.c.id)).mappings()]

    def get(self, process: str, scope: str, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(entries).where(_key_clause(process, scope, key))).mappings().first()
        return dict(row) if row is not None else None


# --------------------------------------------------------------------------- helpers


def url_from_connection(conn: Any) -> URL:
    """SQLAlchemy URL of an Airflow Connection of type ``sqlite`` or ``postgres``."""
    conn_type = (conn.conn_type or "").lower()
    if conn_type == "sqlite":
        # JSON form puts the file in host; the URI form (sqlite:////path) in schema.
        path = conn.host or conn.schema
        if not path:
            raise ValueError(f"Connection {conn.conn_id!r}: the SQLite file path (host) is empty")
        return _sqlite_url(Path(path))
    if conn_type in ("postgres", "postgresql"):
        extra = conn.extra_dejson if conn.extra else {}
        return URL.create(
            "postgresql+psycopg2",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
            query={k: str(v) for k, v in extra.items() if k in _PG_OPTIONS},
        )
    raise ValueError(f"Connection {conn.conn_id!r}: type {conn.conn_type!r} is not supported (sqlite, postgres)")


def _sqlite_url(path: Path) -> URL:
    path.parent.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(path))


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"unsupported ledger database: {url.get_backend_name()} (sqlite or postgresql)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL: readers never block the writer; busy_timeout: concurrent task processes wait
        # for the write lock instead of failing with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _create_tables(engine: Engine) -> None:
    try:
        metadata.create_all(engine)
    except DBAPIError:
        # Two processes creating the tables at once: the loser finds them on a second look.
        metadata.create_all(engine)


def _values_source(
    conn: Connection, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]]
) -> tuple[str, dict[str, Any]]:
    """A derived table of ``rows`` bound as one parameter per column (PostgreSQL arrays) or one JSON text (SQLite).

    Set-based statements over it replace executemany(), which costs a round trip or a
    statement per row (100,000 keys: 17-30 s on PostgreSQL instead of about 1 s).
    """
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"CAST(:col{i} AS {sql_type}[])" for i, (_, sql_type) in enumerate(columns))
        names = ", ".join(name for name, _ in columns)
        params = {f"col{i}": [row[i] for row in rows] for i in range(len(columns))}
        return f"SELECT * FROM unnest({arrays}) AS u({names})", params
    fields = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _) in enumerate(columns))
    return f"SELECT {fields} FROM json_each(:rows)", {"rows": json.dumps(rows, ensure_ascii=False)}


def _among(
    conn: Connection, column: str, values: Sequence[Any], sql_type: str = "text", name: str = "among"
) -> tuple[str, dict[str, Any]]:
    """``column`` among ``values``, bound as a single parameter (an index lookup per value on both databases)."""
    if conn.dialect.name == "postgresql":
        # = ANY(array), not IN (SELECT unnest(...)) nor a join: before ANALYZE has seen a
        # bulk insert, PostgreSQL may plan those over the whole table (minutes for 100,000 keys).
        return f"{column} = ANY(CAST(:{name} AS {sql_type}[]))", {name: list(values)}
    return f"{column} IN (SELECT value FROM json_each(:{name}))", {name: json.dumps(list(values), ensure_ascii=False)}


def _key_clause(process: str, scope: str, key: str) -> Any:
    return and_(entries.c.process == process, entries.c.scope == scope, entries.c.business_key == key)


def _masked(text: str | None) -> str | None:
    if text is None:
        return None
    return mask_text(str(text))[:ERROR_MAX_CHARS]


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("business keys must be non-empty strings")
    return key


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
