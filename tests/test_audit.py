"""The audit trail, keys and migrations, on SQLite and (when CHOKEPOINT_TEST_DATABASE_URL is
set) PostgreSQL in a throw-away schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from schemas.transaction import Transaction
from screener.audit.db import VERSION_TABLE, current_revision, head_revision, open_engine
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore, hash_key
from screener.audit.store import AuditStore, quarter
from screener.engine import Screener
from screener.parties.store import ListStore

FIXTURE_CSL = Path(__file__).parent / "fixtures" / "lists" / "consolidated.csv"

ETCH_TO_CN = {
    "id": "PO-1",
    "date": "2026-08-03",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
}
GLOVES_TO_JP = {
    "id": "PO-2",
    "date": "2026-08-03",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "JP",
    "parties": [{"role": "end_user", "name": "Example KK", "country": "JP"}],
    "items": [{"eccn": "EAR99", "origin_country": "US"}],
}


def test_record_get_iterate_and_stats(db_url: str, screener: Screener) -> None:
    store = AuditStore(db_url)
    etch = Transaction.model_validate(ETCH_TO_CN)
    gloves = Transaction.model_validate(GLOVES_TO_JP)
    r_etch, r_gloves = screener.screen(etch), screener.screen(gloves)
    assert r_etch.decision.value == "license_required"
    old = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
    first = store.record(etch, r_etch, requested_by="key:aa:alice", at=old)
    second = store.record(gloves, r_gloves, requested_by="key:bb:bob", source="cli")
    third = store.record(etch, r_etch, requested_by="key:aa:alice")

    stored = store.get(first)
    assert stored is not None
    assert stored.requested_by == "key:aa:alice" and stored.source == "api"
    assert stored.screened_at == old
    assert stored.transaction["items"][0]["eccn"] == "3B001.c.1.a"
    assert stored.result["decision"] == "license_required"
    assert stored.versions == r_etch.versions and "list:csl" in stored.versions
    assert any("742.4" in f["citation"] for f in stored.result["findings"])
    assert store.get(999_999) is None

    replay = list(store.iter_screenings(since=dt.date(2026, 3, 1), page=1))
    assert [s.id for s in replay] == [second, third]
    assert replay[0].transaction == gloves
    assert replay[1].summary.decision == "license_required"
    assert "us.ccl.3B001.worldwide.ns" in replay[1].summary.rules
    assert replay[1].summary.jurisdictions["US"] == "license_required"
    assert replay[1].summary.jurisdictions["NL"] == "not_applicable"  # every pack is recorded
    assert [s.id for s in store.iter_screenings()] == [first, second, third]

    stats = store.stats()
    assert stats.total == 3
    assert stats.by_decision == {"license_required": 2, r_gloves.decision.value: 1}
    assert stats.by_jurisdiction["US"]["license_required"] == 2
    assert stats.by_rule["us.ccl.3B001.worldwide.ns"] == 2
    now_q = quarter(dt.datetime.now(dt.UTC))
    assert stats.by_quarter["2026-Q1"] == {"license_required": 1}
    assert sum(stats.by_quarter[now_q].values()) == 2
    assert store.stats(since=dt.date(2026, 3, 1)).total == 2
    assert store.stats(until=dt.date(2026, 3, 1)).total == 1


def test_keys_are_stored_hashed_and_can_be_revoked(db_url: str) -> None:
    keys = KeyStore(db_url)
    key, record = keys.create("author", "rule team")
    assert key.startswith(f"cp_{record.prefix}_") and len(key) > 40
    verified = keys.verify(key)
    assert verified is not None and verified.role == "author"
    assert keys.verify(key + "x") is None and keys.verify("") is None
    with keys.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM cp_api_keys")).scalars().all()
    assert stored == [hash_key(key)] and key not in stored[0]
    assert keys.revoke(record.prefix) is not None
    assert keys.verify(key) is None
    assert keys.revoke("nope") is None
    with pytest.raises(ValueError, match="unknown role"):
        keys.create("superuser")


def test_jobs_unfinished_are_listed_for_resume(db_url: str) -> None:
    jobs = JobStore(db_url)
    a = jobs.create(
        "a1", created_by="k", input_name="a.csv", input_path="i", output_path="o", total_lines=3
    )
    jobs.create(
        "b2", created_by="k", input_name="b.csv", input_path="i", output_path="o", total_lines=3
    )
    jobs.update("b2", status="done", done_lines=3, counts={"ok": 3})
    assert [j.id for j in jobs.unfinished()] == [a.id]
    done = jobs.get("b2")
    assert done is not None and done.finished_at is not None and done.counts == {"ok": 3}


def test_migrations_adopt_a_list_store_database(tmp_path: Path) -> None:
    """A database the list store created before alembic keeps its lists and gains the
    audit tables; the list store then works on the upgraded schema."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    engine = open_engine(url)
    assert current_revision(engine) == head_revision() == "0003_screening_hits"
    tables = set(inspect(engine).get_table_names())
    assert {
        "cp_screenings",
        "cp_api_keys",
        "cp_batch_jobs",
        "cp_screening_hits",
        VERSION_TABLE,
    } <= tables
    assert ListStore(url).versions()[0].entries == 32

    fresh = f"sqlite:///{tmp_path / 'new.db'}"
    open_engine(fresh)
    store = ListStore(fresh)
    store.import_list(FIXTURE_CSL, "csl-csv", "csl")
    assert store.versions()[0].name == "csl"
