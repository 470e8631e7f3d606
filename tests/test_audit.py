"""The audit trail, keys and migrations, on SQLite and (when CHOKEPOINT_TEST_DATABASE_URL is
set) PostgreSQL in a throw-away schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from schemas.transaction import Transaction
from screener.audit.db import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    open_engine,
    upgrade,
)
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore, hash_key
from screener.audit.reproduce import reproduce
from screener.audit.store import AuditStore, digest, quarter
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


def test_record_get_iterate_and_stats(
    db_url: str, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHOKEPOINT_AUDIT_RESULTS", "digest")
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
    assert stored.versions == r_etch.versions and "list:csl" in stored.versions
    # the row keeps the result's digest and its summary, not the result (issue #19)
    assert stored.result == {} and stored.reproduction == "not reproduced"
    assert stored.result_sha256 == digest(r_etch.model_dump_json())
    assert stored.summary.decision == "license_required"
    assert "us.ccl.3B001.worldwide.ns" in (stored.summary.decisive or [])
    done = reproduce(stored, screener)
    assert done.verified, done.detail
    assert done.result_json == r_etch.model_dump_json()
    assert any("742.4" in f.citation for f in r_etch.findings)
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
    assert current_revision(engine) == head_revision() == "0004_audit_digest"
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


def test_a_row_stored_whole_before_the_digest_keeps_its_result(db_url: str) -> None:
    """0004 keeps the rows written before it (with their whole result, no digest) readable."""
    engine = create_engine(db_url)
    upgrade(engine, "0002_audit")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cp_screenings (screened_at, quarter, requested_by, source, as_of,"
                " decision, engine, versions, summary, input, result) VALUES ('2026-01-05',"
                " '2026-Q1', 'old', 'api', '2026-01-05', 'clear', 'python', '{}', :summary,"
                " '{}', :result)"
            ),
            {
                "summary": '{"decision": "clear", "jurisdictions": {}, "rules": [],'
                ' "versions": {}}',
                "result": '{"decision": "clear"}',
            },
        )
    engine.dispose()
    store = AuditStore(db_url)  # upgrades to the head
    old = store.get(1)
    assert old is not None and old.result == {"decision": "clear"}
    assert old.reproduction == "stored" and old.result_sha256 is None
    assert old.summary.decisive is None


def test_audit_results_full_keeps_the_result(
    db_url: str, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHOKEPOINT_AUDIT_RESULTS", "full")
    tx = Transaction.model_validate(ETCH_TO_CN)
    result = screener.screen(tx)
    store = AuditStore(db_url)
    stored = store.get(store.record(tx, result, requested_by="t"))
    assert stored is not None and stored.reproduction == "stored"
    assert stored.result == json.loads(result.model_dump_json())
    assert stored.result_sha256 == digest(result.model_dump_json())


def test_a_dateless_transaction_is_stored_as_of_its_day(db_url: str, screener: Screener) -> None:
    """Stored with the date it was screened as of, so it reproduces on any later day."""
    tx = Transaction.model_validate({k: v for k, v in ETCH_TO_CN.items() if k != "date"})
    result = screener.screen(tx)
    store = AuditStore(db_url)
    stored = store.get(store.record(tx, result, requested_by="t"))
    assert stored is not None
    assert stored.transaction["date"] == result.as_of.isoformat()
    done = reproduce(stored, screener)
    assert done.verified and done.result_json == result.model_dump_json()


def test_a_reproduction_on_other_versions_is_refused_naming_them(
    db_url: str, screener: Screener, unscreened: Screener
) -> None:
    """Another list (or pack) version, or another engine, would give another record: it is
    not re-screened, and the reason names what changed; a tampered digest is caught."""
    tx = Transaction.model_validate(GLOVES_TO_JP)
    result = screener.screen(tx)
    store = AuditStore(db_url)
    sid = store.record(tx, result, requested_by="t")
    stored = store.get(sid)
    assert stored is not None
    other = reproduce(stored, unscreened)  # no party list: list:csl is absent
    assert other.status == "versions differ" and "list:csl" in other.detail
    assert other.result_json is None
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE cp_screenings SET result_sha256 = :d WHERE id = :i"),
            {"d": "0" * 64, "i": sid},
        )
    tampered = store.get(sid)
    assert tampered is not None
    assert reproduce(tampered, screener).status == "differs"


def test_cli_reproduce_prints_the_verified_result(
    tmp_path: Path, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHOKEPOINT_AUDIT_RESULTS", "digest")
    """`chokepoint reproduce ID` re-screens on the same packs and lists and prints the result
    answered; on other lists it exits 1 saying which version changed."""
    from typer.testing import CliRunner

    from cli.main import app

    db = f"sqlite:///{tmp_path / 'r.db'}"
    ListStore(db).import_list(FIXTURE_CSL, "csl-csv", "csl")
    from screener.wiring import build_screener

    live = build_screener(db_url=db)
    tx = Transaction.model_validate(GLOVES_TO_JP)
    result = live.screen(tx)
    sid = AuditStore(db).record(tx, result, requested_by="t", source="cli")
    ok = CliRunner().invoke(app, ["reproduce", str(sid), "--db", db])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == json.loads(result.model_dump_json())
    ListStore(db).import_list(FIXTURE_CSL.with_name("csl_cross_script.csv"), "csl-csv", "csl")
    changed = CliRunner().invoke(app, ["reproduce", str(sid), "--db", db])
    assert changed.exit_code == 1 and "versions differ" in changed.stderr
    assert "list:csl" in changed.stderr
    missing = CliRunner().invoke(app, ["reproduce", "999", "--db", db])
    assert missing.exit_code == 2 and "no screening 999" in missing.stderr
