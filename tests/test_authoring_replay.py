"""Replay and shadow cores over real clauses: the narrowed SME-set draft and the added
Vietnam clause, replayed over a stored history (tests/fixtures/history/screenings.jsonl) with
the fixture lists screened, so a screening whose clauses stop firing really clears."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from schemas.result import Decision
from screener.authoring.drafts import draft_screener, load_draft
from screener.authoring.replay import (
    HistoryError,
    StoredScreening,
    read_history_jsonl,
    replay,
)
from screener.authoring.requests import (
    DraftRequestError,
    rules_lint,
    rules_replay,
    rules_test,
)
from screener.authoring.shadow import (
    JsonlShadowSink,
    MemoryShadowSink,
    ShadowRunner,
    read_shadow_log,
    shadow_report,
)
from screener.engine import Screener
from screener.packs.loader import PackError
from screener.parties.screening import PartyScreening

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HISTORY = FIXTURES / "history" / "screenings.jsonl"
NS_D5, RS_D5 = "us.ccl.3B001.sme_set.ns.d5", "us.ccl.3B001.sme_set.rs.d5"


def _draft(name: str, live: Screener, parties: PartyScreening) -> Screener:
    draft = load_draft(FIXTURES / "drafts" / name, [c.pack for c in live.compiled])
    return draft_screener(draft, parties)


@pytest.fixture(scope="module")
def narrow(screener: Screener, party_screening: PartyScreening) -> Screener:
    return _draft("narrow-sme-cleaning", screener, party_screening)


@pytest.fixture(scope="module")
def vn(screener: Screener, party_screening: PartyScreening) -> Screener:
    return _draft("vn-deposition", screener, party_screening)


def test_history_reads_stored_summaries() -> None:
    stored = list(read_history_jsonl(HISTORY))
    assert [s.id for s in stored] == [f"S-00{i}" for i in range(1, 9)]
    first = stored[0]
    assert first.screened_at == dt.date(2026, 3, 2)
    assert first.decision == Decision.license_required
    assert first.rule_ids == (NS_D5, RS_D5)
    assert first.transaction.items[0].eccn == "3B001.p.2"


def test_narrowed_scope_newly_clears_the_cleaning_tools(
    screener: Screener, narrow: Screener
) -> None:
    report = replay(read_history_jsonl(HISTORY), screener, narrow, draft_name="narrow")
    assert (report.screened, report.newly_cleared, report.newly_flagged) == (8, 3, 0)
    assert (report.reasons_changed, report.unchanged, report.drift) == (0, 5, 0)
    changes = {d.screening_id: d for d in report.changes}
    assert set(changes) == {"S-001", "S-002", "S-007"}
    # China and Hong Kong (read as China) in 2026: license_required -> clear
    for sid in ("S-001", "S-002"):
        d = changes[sid]
        assert (d.live_decision, d.draft_decision) == (Decision.license_required, Decision.clear)
        assert d.no_longer_firing == {NS_D5: "license_required", RS_D5: "license_required"}
        assert d.newly_firing == {}
    # 2025-11-03: the 50 % affiliates rule (us.744_affiliates.2025) still asks for a review
    assert changes["S-007"].draft_decision == Decision.review
    impact = {i.clause_id: i for i in report.by_clause}
    assert set(impact) == {NS_D5, RS_D5}
    assert impact[NS_D5].newly_cleared == ["S-001", "S-002", "S-007"]
    # the etch tool (S-003) and the Macau clauses (S-004) are untouched


def test_since_limits_the_replay(screener: Screener, narrow: Screener) -> None:
    report = replay(read_history_jsonl(HISTORY), screener, narrow, since=dt.date(2026, 1, 1))
    assert report.screened == 6
    assert [d.screening_id for d in report.changes] == ["S-001", "S-002"]
    assert report.since == dt.date(2026, 1, 1)
    assert report.live_versions["us-ear"] == screener.versions["us-ear"]
    assert "list:csl" in report.live_versions


def test_added_clause_newly_flags_only_after_its_date(screener: Screener, vn: Screener) -> None:
    report = replay(read_history_jsonl(HISTORY), screener, vn, draft_name="vn")
    assert (report.newly_flagged, report.newly_cleared, report.unchanged) == (1, 0, 7)
    (d,) = report.changes
    assert d.screening_id == "S-005" and d.transaction_id == "TX-005"
    assert (d.live_decision, d.draft_decision) == (Decision.clear, Decision.license_required)
    assert d.newly_firing == {"us.draft.3B001.d.vn": "license_required"}
    assert report.by_clause[0].newly_flagged == ["S-005"]
    # S-008, the same shipment on 2025-12-15, is replayed as of its own date: unchanged


def test_drift_when_the_stored_decision_differs_from_live_now(
    screener: Screener, vn: Screener, tmp_path: Path
) -> None:
    line = json.loads(HISTORY.read_text().splitlines()[2])  # S-003: etch tool to China
    line["result"] = {"decision": "clear"}  # as if a later live change made it stricter
    history = tmp_path / "h.jsonl"
    history.write_text(json.dumps(line) + "\n\n" + json.dumps(line["transaction"]) + "\n")
    stored = list(read_history_jsonl(history))
    assert [s.id for s in stored] == ["S-003", "TX-003"]  # a bare transaction is its own id
    assert stored[1].decision is None and stored[1].screened_at == dt.date(2026, 5, 4)
    report = replay(stored, screener, vn)
    assert (report.drift, report.unchanged) == (1, 2)
    # the same decision on other decisive clauses is drift too
    line["result"] = {"decision": "license_required", "rule_ids": [NS_D5]}
    history.write_text(json.dumps(line) + "\n")
    assert replay(read_history_jsonl(history), screener, vn).drift == 1
    line["result"]["rule_ids"] = json.loads(HISTORY.read_text().splitlines()[2])["result"][
        "rule_ids"
    ]
    history.write_text(json.dumps(line) + "\n")
    assert replay(read_history_jsonl(history), screener, vn).drift == 0


def test_bad_history_line_is_named(tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    good = HISTORY.read_text().splitlines()[0]
    history.write_text(good + "\n" + '{"destination_country": "ZZ"}\n')
    with pytest.raises(HistoryError, match=r"h\.jsonl:2: transaction: .*exporter"):
        list(read_history_jsonl(history))
    history.write_text("[1]\n")
    with pytest.raises(HistoryError, match=r"h\.jsonl:1: expected a JSON object, got list"):
        list(read_history_jsonl(history))


def _stored() -> list[StoredScreening]:
    return list(read_history_jsonl(HISTORY))


def test_shadow_returns_the_live_result_and_records_the_difference(
    screener: Screener, narrow: Screener
) -> None:
    sink = MemoryShadowSink()
    runner = ShadowRunner(screener, narrow, sink, "narrow", "v1")
    for s in _stored():
        got = runner.screen(s.transaction, screening_id=s.id)
        assert got.model_dump() == screener.screen(s.transaction).model_dump()
    assert len(sink.records) == 8 and all(r.error is None for r in sink.records)
    report = shadow_report(sink.records)
    assert (report.draft, report.draft_version) == ("narrow", "v1")
    assert report.live_versions == screener.versions
    assert (report.screened, report.newly_cleared) == (8, 3)


def test_a_failing_draft_never_changes_the_live_decision(screener: Screener) -> None:
    class Broken:
        def screen(self, tx: object) -> None:
            raise RuntimeError("draft blew up")

    sink = MemoryShadowSink()
    runner = ShadowRunner(screener, Broken(), sink, "broken")  # type: ignore[arg-type]
    tx = _stored()[0].transaction
    assert runner.screen(tx).decision == Decision.license_required
    (record,) = sink.records
    assert record.diff is None
    assert record.error == "TX-001: RuntimeError: draft blew up"
    assert shadow_report(sink.records).errors == ["TX-001: RuntimeError: draft blew up"]


def test_jsonl_shadow_log_round_trip(screener: Screener, vn: Screener, tmp_path: Path) -> None:
    log = tmp_path / "shadow.jsonl"
    runner = ShadowRunner(screener, vn, JsonlShadowSink(log), "vn")
    for s in _stored():
        runner.screen(s.transaction)
    records = list(read_shadow_log(log))
    assert len(records) == len(log.read_text().splitlines()) == 8
    report = shadow_report(records, draft="vn")
    assert [d.transaction_id for d in report.changes] == ["TX-005"]
    assert shadow_report(records, draft="other").screened == 0


def test_request_cores_take_draft_files_as_text(screener: Screener) -> None:
    """What POST /v1/rules/test|lint|replay will call: files by name, never a server path."""
    text = (FIXTURES / "drafts" / "vn-deposition" / "vn_deposition.yaml").read_text()
    result = rules_test({"vn.yaml": text}, screener, "vn")
    assert (result["examples"], result["failed"], result["gaps"]) == (4, [], {})
    broken = text.replace("expect: silent", "expect: fires", 1)
    (failure,) = rules_test({"vn.yaml": broken}, screener)["failed"]
    assert failure["where"].startswith("vn.yaml:")
    assert failure["reason"] == "failed: destination.country equals 'VN' (value: 'MY')"
    (finding,) = rules_lint({"vn.yaml": text.replace("value: VN}", "value: XX}")}, screener)
    assert finding.code == "unknown-country" and finding.where.startswith("vn.yaml:")
    report = rules_replay({"vn.yaml": text}, screener, read_history_jsonl(HISTORY), name="vn")
    assert [d.screening_id for d in report.changes] == ["S-005"]
    with pytest.raises(DraftRequestError):
        rules_test({"../../etc/passwd": "x"}, screener)
    with pytest.raises(PackError) as err:
        rules_test({"vn.yaml": "clauses: 3\n"}, screener)
    assert err.value.problems == ["vn.yaml:1: a clause file needs a top-level 'clauses:' list"]


def test_history_line_may_carry_a_full_stored_result(
    screener: Screener, narrow: Screener, tmp_path: Path
) -> None:
    """The audit trail stores whole ScreeningResults: the decision and decisive clauses are
    read from it (a non-decisive finding is not a stored reason)."""
    stored = _stored()[0]
    result = screener.screen(stored.transaction)
    line = {
        "id": "A-1",
        "screened_at": "2026-03-02T10:15:00Z",
        "transaction": json.loads(stored.transaction.model_dump_json()),
        "result": json.loads(result.model_dump_json()),
    }
    history = tmp_path / "audit.jsonl"
    history.write_text(json.dumps(line) + "\n")
    (read,) = read_history_jsonl(history)
    assert read.decision == Decision.license_required
    assert set(read.rule_ids or ()) == {f.rule_id for f in result.findings if f.decisive}
    report = replay([read], screener, narrow)
    assert (report.newly_cleared, report.drift) == (1, 0)


def test_shadow_off_the_callers_thread(screener: Screener, vn: Screener) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sink = MemoryShadowSink()
    with ThreadPoolExecutor(max_workers=1) as pool:
        runner = ShadowRunner(screener, vn, sink, "vn", executor=pool)
        decisions = [runner.screen(s.transaction, s.id).decision for s in _stored()]
    assert decisions[4] == Decision.clear  # S-005: live says clear, the draft would flag it
    report = shadow_report(sink.records)
    assert (report.screened, report.newly_flagged) == (8, 1)
