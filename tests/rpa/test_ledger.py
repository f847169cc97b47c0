"""The exactly-once ledger on real SQLite files and a real PostgreSQL (127.0.0.1:5432)."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from include.rpa.ledger import STATES, Ledger, url_from_connection

PROCESS = "test_process"
PG_DSN = os.environ.get("RPA_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
NIR = "2 95 10 99 126 111 93"
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A database of this test module's own, dropped at the end."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(PG_DSN, connect_timeout=3)
    except psycopg2.OperationalError as error:  # `make test` starts it (scripts/ensure_services.sh)
        pytest.fail(f"PostgreSQL not reachable ({PG_DSN}; run scripts/ensure_services.sh): {error}")
    admin.autocommit = True
    name = f"rpa_ledger_test_{os.getpid()}"
    params = admin.get_dsn_parameters()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg2://{params['user']}@{params['host']}:{params['port']}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def ledger(db_url: str) -> Iterator[Ledger]:
    ledger = Ledger(db_url)
    yield ledger
    ledger.dispose()


@pytest.fixture()
def scope() -> str:
    """A scope of each test's own: tests sharing the PostgreSQL database never see each other's rows."""
    return f"scope-{uuid.uuid4().hex[:12]}"


def hashes(n: int, version: str = "v1", start: int = 0) -> dict[str, str]:
    return {f"K{i:06d}": f"{version}-{i}" for i in range(start, start + n)}


def test_plan_registers_keys_as_pending_and_is_idempotent(ledger: Ledger, scope: str) -> None:
    records = hashes(50)
    first = ledger.plan(PROCESS, scope, records, run_id="run-1")
    assert first.to_enter == list(records) and first.new == 50
    assert first.already_done == first.rejected == first.changed == first.mismatch == []
    assert ledger.counts(PROCESS, scope) == {**dict.fromkeys(STATES, 0), "pending": 50}

    again = ledger.plan(PROCESS, scope, records, run_id="run-2")
    assert again.to_enter == list(records) and again.new == 0
    assert ledger.counts(PROCESS, scope)["pending"] == 50
    row = ledger.get(PROCESS, scope, "K000007")
    assert row is not None
    assert (row["state"], row["content_hash"], row["attempts"], row["run_id"]) == ("pending", "v1-7", 0, "run-1")
    assert row["first_seen_at"].tzinfo is not None and row["claimed_at"] is None

    more = ledger.plan(PROCESS, scope, hashes(60), run_id="run-3")
    assert (len(more.to_enter), more.new) == (60, 10)
    assert ledger.plan(PROCESS, "another-scope-" + scope, hashes(5)).new == 5


def test_plan_sorts_keys_by_state_and_content_change(ledger: Ledger, scope: str) -> None:
    records = hashes(8)
    ledger.plan(PROCESS, scope, records, run_id="run-1")
    keys = list(records)
    for key in keys:
        assert ledger.claim(PROCESS, scope, key, worker="w1")
    ledger.mark_entered(PROCESS, scope, keys[0], receipt="M-1", seconds=0.4)
    ledger.mark_entered(PROCESS, scope, keys[1], receipt="M-2", seconds=0.5)
    ledger.mark_verified(PROCESS, scope, keys[1])
    ledger.mark_rejected(PROCESS, scope, keys[2], "date de naissance invalide")
    ledger.mark_rejected(PROCESS, scope, keys[3], "date de naissance invalide")
    ledger.mark_failed(PROCESS, scope, keys[4], "HTTP 500")
    ledger.mark_entered(PROCESS, scope, keys[5], receipt="M-6")
    ledger.mark_mismatch(PROCESS, scope, keys[5], "commune différente")
    ledger.mark_entered(PROCESS, scope, keys[6], receipt="M-7")
    # keys[7] stays pending (claimed then released)
    ledger.release(PROCESS, scope, keys[7])

    same = ledger.plan(PROCESS, scope, records, run_id="run-2")
    assert same.to_enter == [keys[4], keys[7]]
    assert same.already_done == [keys[0], keys[1], keys[6]]
    assert same.rejected == [keys[2], keys[3]]
    assert same.mismatch == [keys[5]]
    assert same.changed == []

    changed = {**records, keys[0]: "v2-0", keys[1]: "v2-1", keys[3]: "v2-3", keys[4]: "v2-4", keys[5]: "v2-5"}
    plan = ledger.plan(PROCESS, scope, changed, run_id="run-3")
    assert plan.to_enter == [keys[3], keys[4], keys[7]]  # corrected rejected record gets another chance
    assert plan.changed == [keys[0], keys[1], keys[5]]  # typed already: reported, never retyped
    assert plan.already_done == [keys[6]] and plan.rejected == [keys[2]] and plan.mismatch == []
    assert plan.counts() == {"to_enter": 3, "already_done": 1, "rejected": 1, "changed": 3, "mismatch": 0, "new": 0}

    corrected = ledger.get(PROCESS, scope, keys[3])
    assert corrected is not None and (corrected["state"], corrected["content_hash"]) == ("pending", "v2-3")
    assert corrected["run_id"] == "run-3"
    entered = ledger.get(PROCESS, scope, keys[0])
    assert entered is not None and entered["content_hash"] == "v1-0"  # what was typed
    assert ledger.get(PROCESS, scope, keys[4])["content_hash"] == "v2-4"  # retried with the new content


def test_claim_marks_and_counts(ledger: Ledger, scope: str) -> None:
    ledger.plan(PROCESS, scope, hashes(4), run_id="run-1")
    assert ledger.claim(PROCESS, scope, "K000000", worker="w1", run_id="run-2")
    assert not ledger.claim(PROCESS, scope, "K000000", worker="w2")  # held
    ledger.mark_entered(PROCESS, scope, "K000000", receipt="MAT-0001", seconds=0.42, run_id="run-2")
    assert not ledger.claim(PROCESS, scope, "K000000", worker="w2")  # done: never again
    row = ledger.get(PROCESS, scope, "K000000")
    assert row is not None
    assert (row["state"], row["receipt"], row["seconds"], row["attempts"]) == ("entered", "MAT-0001", 0.42, 1)
    assert row["claimed_by"] is None and row["claimed_at"] is None and row["entered_at"] is not None
    ledger.mark_verified(PROCESS, scope, "K000000")
    assert ledger.get(PROCESS, scope, "K000000")["verified_at"] is not None

    assert ledger.claim(PROCESS, scope, "K000001", worker="w1")
    ledger.mark_failed(PROCESS, scope, "K000001", "délai dépassé")
    assert ledger.claim(PROCESS, scope, "K000001", worker="w2")  # failed: retried
    failed_twice = ledger.get(PROCESS, scope, "K000001")
    assert failed_twice is not None and failed_twice["attempts"] == 2 and failed_twice["claimed_by"] == "w2"
    ledger.mark_failed(PROCESS, scope, "K000001", "délai dépassé")

    assert ledger.claim(PROCESS, scope, "K000002", worker="w1")
    ledger.mark_rejected(PROCESS, scope, "K000002", "NIR refusé par l'application")
    assert not ledger.claim(PROCESS, scope, "K000002", worker="w1")  # rejected: not retried

    assert ledger.counts(PROCESS, scope) == {
        "pending": 1,
        "entered": 0,
        "verified": 1,
        "mismatch": 0,
        "rejected": 1,
        "failed": 1,
    }
    assert [r["business_key"] for r in ledger.rows(PROCESS, scope)] == ["K000000", "K000001", "K000002", "K000003"]
    assert [r["business_key"] for r in ledger.rows(PROCESS, scope, states=["failed"])] == ["K000001"]
    with pytest.raises(KeyError):
        ledger.mark_entered(PROCESS, scope, "unknown", receipt="x")
    assert not ledger.claim(PROCESS, scope, "unknown", worker="w1")


def test_expired_lease_lets_another_worker_claim(ledger: Ledger, scope: str) -> None:
    ledger.plan(PROCESS, scope, {"K": "h"})
    assert ledger.claim(PROCESS, scope, "K", worker="dead-worker", lease_seconds=600)
    assert not ledger.claim(PROCESS, scope, "K", worker="w2", lease_seconds=600)
    time.sleep(0.2)
    assert ledger.claim(PROCESS, scope, "K", worker="w2", lease_seconds=0.1)
    row = ledger.get(PROCESS, scope, "K")
    assert row is not None and (row["claimed_by"], row["attempts"]) == ("w2", 2)
    assert dt.datetime.now(dt.UTC) - row["claimed_at"] < dt.timedelta(seconds=5)


def test_a_worker_takes_back_its_own_live_lease(ledger: Ledger, scope: str) -> None:
    """An Airflow retry of a killed task (same worker id) resumes at once; others still wait."""
    ledger.plan(PROCESS, scope, {"K": "h"})
    assert ledger.claim(PROCESS, scope, "K", worker="dag/run/enter/3", lease_seconds=600)
    assert not ledger.claim(PROCESS, scope, "K", worker="dag/run/enter/4", lease_seconds=600)
    assert ledger.claim(PROCESS, scope, "K", worker="dag/run/enter/3", lease_seconds=600)
    ledger.mark_entered(PROCESS, scope, "K", receipt="V0000001")
    assert not ledger.claim(PROCESS, scope, "K", worker="dag/run/enter/3", lease_seconds=600)
    row = ledger.get(PROCESS, scope, "K")
    assert row is not None and (row["state"], row["attempts"]) == ("entered", 2)


def test_errors_are_stored_masked_and_truncated(ledger: Ledger, scope: str) -> None:
    ledger.plan(PROCESS, scope, {"K1": "h", "K2": "h", "K3": "h"})
    error = f"Erreur 500 pour le NIR {NIR} (IBAN {IBAN}, courriel marie.dupont@example.fr) " + "x" * 900
    ledger.mark_failed(PROCESS, scope, "K1", error)
    ledger.mark_rejected(PROCESS, scope, "K2", f"NIR 295109912611193 refusé, IBAN {IBAN.replace(' ', '')}")
    ledger.mark_mismatch(PROCESS, scope, "K3", f"iban lu {IBAN}")
    stored = [row["last_error"] for row in ledger.rows(PROCESS, scope)]
    for text in stored:
        digits = "".join(c for c in text if c.isdigit())
        assert "2951099126111" not in digits and "2004101005050001" not in digits
        assert "marie.dupont" not in text
    assert "[NIR masqué]" in stored[0] and "[IBAN masqué]" in stored[0]
    assert len(stored[0]) == 500
    assert "[NIR masqué]" in stored[1] and "[IBAN masqué]" in stored[1]


def _claim_all(url: str, scope: str, keys: list[str], worker: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(url)
    ledger.counts(PROCESS, scope)  # connected and warm before the start line
    won = []
    for start in range(0, len(keys), 25):  # both restart together every 25 keys: a race on every round
        barrier.wait(30)
        won += [key for key in keys[start : start + 25] if ledger.claim(PROCESS, scope, key, worker=worker)]
    results.put((worker, won))
    ledger.dispose()


def test_two_processes_racing_claim_each_key_exactly_once(ledger: Ledger, db_url: str, scope: str) -> None:
    records = hashes(500)
    ledger.plan(PROCESS, scope, records)
    keys = list(records)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_claim_all, args=(db_url, scope, keys, name, barrier, results)) for name in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    won = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0

    assert set(won["a"]).isdisjoint(won["b"])
    assert sorted(won["a"] + won["b"]) == keys
    rows = ledger.rows(PROCESS, scope)
    assert {row["attempts"] for row in rows} == {1}
    assert {row["business_key"]: row["claimed_by"] for row in rows} == {
        **dict.fromkeys(won["a"], "a"),
        **dict.fromkeys(won["b"], "b"),
    }
    print(f"{db_url.split(':')[0]}: a won {len(won['a'])}, b won {len(won['b'])}")


@pytest.mark.parametrize("n", [100_000])
def test_plan_of_many_keys_is_fast(ledger: Ledger, scope: str, n: int) -> None:
    records = hashes(n)
    started = time.perf_counter()
    first = ledger.plan(PROCESS, scope, records, run_id="run-1")
    registered = time.perf_counter() - started
    started = time.perf_counter()
    again = ledger.plan(PROCESS, scope, records, run_id="run-2")
    replanned = time.perf_counter() - started
    started = time.perf_counter()
    changed = ledger.plan(PROCESS, scope, hashes(n, "v2"), run_id="run-3")
    rehashed = time.perf_counter() - started
    print(
        f"{ledger.engine.dialect.name}: plan of {n} new keys {registered:.2f} s, again {replanned:.2f} s,"
        f" all content changed {rehashed:.2f} s"
    )
    assert len(first.to_enter) == len(again.to_enter) == len(changed.to_enter) == n
    assert (first.new, again.new, changed.new) == (n, 0, 0)
    assert ledger.counts(PROCESS, scope)["pending"] == n
    assert [ledger.get(PROCESS, scope, key)["content_hash"] for key in ("K000000", f"K{n - 1:06d}")] == [
        "v2-0",
        f"v2-{n - 1}",
    ]
    assert registered < 30 and replanned < 15 and rehashed < 30


def test_from_airflow_sqlite_connection_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sub" / "x.sqlite"
    monkeypatch.setenv("AIRFLOW_CONN_RPA_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    ledger = Ledger.from_airflow()
    assert ledger.url.get_backend_name() == "sqlite" and ledger.url.database == str(path)
    ledger.plan(PROCESS, "s", {"K": "h"})
    assert path.exists()
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    ledger.dispose()


def test_from_airflow_sqlite_connection_uri_and_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "uri.sqlite"
    monkeypatch.setenv("AIRFLOW_CONN_RPA_LEDGER", f"sqlite:///{path}")
    assert Ledger.from_airflow().url.database == str(path)

    monkeypatch.delenv("AIRFLOW_CONN_RPA_LEDGER")
    monkeypatch.setenv("RPA_DATA_DIR", str(tmp_path / "data"))
    fallback = Ledger.from_airflow()
    assert fallback.url.database == str(tmp_path / "data" / "ledger.sqlite")
    assert (tmp_path / "data" / "ledger.sqlite").exists()


def test_postgres_connection_url() -> None:
    from airflow.models import Connection

    conn = Connection(
        conn_id="rpa_ledger", uri="postgresql://rpa:p%40ss%2Fw@pg.intranet:5433/rpa_ledger?sslmode=require&cursor=x"
    )
    url = url_from_connection(conn)
    assert url.drivername == "postgresql+psycopg2"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "rpa",
        "p@ss/w",
        "pg.intranet",
        5433,
        "rpa_ledger",
    )
    assert dict(url.query) == {"sslmode": "require"}
    with pytest.raises(ValueError, match="not supported"):
        url_from_connection(Connection(conn_id="x", conn_type="mysql", host="h"))


# --------------------------------------------------------------------------- time saved


def test_time_saved_is_credited_once_per_record_and_outcome_across_runs(ledger: Ledger, scope: str) -> None:
    minutes = {"saisi": 30.0, "lettre": 30.0}
    first = ledger.credit(PROCESS, scope, "run-1", {"A": "saisi", "B": "lettre", "C": "saisi"}, minutes)
    assert first == {"saisi": 2, "lettre": 1}
    # The same export again: nothing new. A retry of run 1's report counts run 1's credits again.
    assert ledger.credit(PROCESS, scope, "run-2", {"A": "saisi", "B": "lettre"}, minutes) == {"saisi": 0, "lettre": 0}
    assert ledger.credit(PROCESS, scope, "run-1", {"A": "saisi"}, minutes) == {"saisi": 2, "lettre": 1}
    # B sent again complete and entered: a new outcome, credited once.
    assert ledger.credit(PROCESS, scope, "run-3", {"B": "saisi", "D": "lettre"}, minutes) == {"saisi": 1, "lettre": 1}
    assert ledger.minutes_saved(PROCESS, scope) == 5 * 30.0
    assert ledger.minutes_saved(PROCESS, f"{scope}-other") == 0.0
    assert ledger.credit(PROCESS, scope, "run-4", {}, minutes) == {"saisi": 0, "lettre": 0}
