"""`chokepoint rules ...` end to end (in-process runner): outputs and exit codes 0/1/2."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from schemas.transaction import Transaction
from screener.audit.store import AuditStore
from screener.engine import Screener

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NARROW = FIXTURES / "drafts" / "narrow-sme-cleaning"
VN = FIXTURES / "drafts" / "vn-deposition"
HISTORY = FIXTURES / "history" / "screenings.jsonl"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["rules", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app,
        [
            *("lists", "import", str(FIXTURES / "lists" / "consolidated.csv")),
            *("--format", "csl-csv", "--name", "csl", "--db", url),
        ],
    )
    assert result.exit_code == 0, result.output
    return url


def test_rules_test_on_a_draft_passes(tmp_path: Path) -> None:
    code, out = run("test", str(NARROW))
    assert code == 0, out
    assert "15/15 examples pass in 2 clauses (draft narrow-sme-cleaning)" in out
    assert "branch coverage 100.0 %" in out
    code, out = run("test", str(NARROW), "--all")
    assert code == 0 and "single-wafer cleaning tool (p.2) to China is no longer in the set" in out
    assert "failed: item.eccn eccn_in" in out and "'3B001.p.2')" in out


def test_rules_test_failure_is_readable_and_exits_1(tmp_path: Path) -> None:
    text = (VN / "vn_deposition.yaml").read_text()
    text = text.replace(
        "[{eccn: 3B001.d.13, origin_country: US}]}\n        expect: silent",
        "[{eccn: 3B001.d.13, origin_country: US}]}\n        expect: fires",
        1,
    )
    (tmp_path / "vn.yaml").write_text(text)
    code, out = run("test", str(tmp_path / "vn.yaml"))
    assert code == 1
    assert "Failing examples" in out and "deposition tool to Malaysia" in out
    assert "destination.country equals 'VN' (value: 'MY')" in out
    code, out = run("test", str(tmp_path / "vn.yaml"), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["examples"] == 4
    assert [f["example"] for f in data["failed"]] == ["deposition tool to Malaysia"]


def test_rules_test_fail_under_coverage(tmp_path: Path) -> None:
    code, out = run("test", "--format", "json", "--fail-under", "99")
    data = json.loads(out)
    assert code == 1 and data["clauses"] > 200 and not data["failed"]
    assert data["branch_coverage"] < 99
    assert "us.ccl.3A090.rs.china_2022" in data["gaps"]


def test_rules_lint_live_is_clean_and_a_bad_draft_fails(tmp_path: Path) -> None:
    code, out = run("lint")
    assert code == 0, out
    assert "0 finding(s), 2 note(s)" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text((VN / "vn_deposition.yaml").read_text().replace("value: VN}", "value: XX}"))
    code, out = run("lint", str(bad), "--format", "json")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["code"] == "unknown-country"
    assert finding["message"] == "clause us.draft.3B001.d.vn: 'XX' is not an ISO-2 country code"


def test_rules_bad_input_exits_2(tmp_path: Path) -> None:
    assert run("lint", str(tmp_path / "missing"))[0] == 2
    assert run("test", str(tmp_path / "missing"))[0] == 2
    assert run("replay", str(NARROW), "--history", str(tmp_path / "none.jsonl"))[0] == 2
    broken = tmp_path / "h.jsonl"
    broken.write_text("not json\n")
    code, out = run("replay", str(NARROW), "--history", str(broken))
    assert code == 2 and "h.jsonl:1:" in out


def test_rules_replay_prints_the_difference_by_clause(db: str) -> None:
    code, out = run(
        "replay", str(NARROW), "--history", str(HISTORY), "--since", "2026-01-01", "--db", db
    )
    assert code == 0, out
    assert "6 screenings: 0 newly flagged, 2 newly cleared" in out
    assert "S-001" in out and "S-002" in out and "S-007" not in out
    assert "-us.ccl.3B001.sme_set.ns.d5" in out
    code, out = run(
        "replay", str(VN), "--history", str(HISTORY), "--db", db, "-f", "json", "--fail-on-change"
    )
    assert code == 1
    report = json.loads(out)
    assert report["newly_flagged"] == 1
    assert report["changes"][0]["screening_id"] == "S-005"
    assert report["by_clause"][0]["clause_id"] == "us.draft.3B001.d.vn"


def test_rules_shadow_and_report(db: str, tmp_path: Path) -> None:
    txs = []
    for n, line in enumerate(HISTORY.read_text().splitlines()):
        path = tmp_path / f"tx{n}.json"
        path.write_text(json.dumps(json.loads(line)["transaction"]))
        txs.append(str(path))
    log = tmp_path / "shadow.jsonl"
    code, out = run("shadow", str(VN), *txs, "--log", str(log), "--db", db)
    assert code == 0, out
    assert "tx4.json: clear" in out  # the live decision, unchanged by the draft
    code, out = run("shadow-report", str(log))
    assert code == 0, out
    assert "8 screenings: 1 newly flagged, 0 newly cleared" in out
    assert "+us.draft.3B001.d.vn (license_required)" in out


def test_rules_schema_prints_the_clause_file_schema() -> None:
    code, out = run("schema", "clause-file")
    assert code == 0 and json.loads(out)["required"] == ["clauses"]
    assert run("schema", "nope")[0] == 2


def test_rules_test_on_a_complete_pack_folder(tmp_path: Path) -> None:
    rules = Path(__file__).resolve().parent.parent / "rules" / "us"
    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(rules / "pack.yaml", pack)
    shutil.copy(rules / "parties.yaml", pack)
    code, out = run("test", str(pack))
    assert code == 0, out
    assert "examples pass in 10 clauses" in out


def test_yaml_errors_are_shown_verbatim(tmp_path: Path) -> None:
    """A message quoting the analyst's YAML (`[unclosed`) is text, never console markup."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("clauses:\n  - id: [unclosed\n")
    code, out = run("lint", str(bad))
    assert code == 1 and "yaml" in out and "- id: [unclosed" in out
    (tmp_path / "d").mkdir()
    shutil.copy(VN / "vn_deposition.yaml", tmp_path / "d")
    (tmp_path / "d" / "draft.yaml").write_text("pack: nope\n")
    code, out = run("lint", str(tmp_path / "d"), "-f", "json")
    (finding,) = json.loads(out)["findings"]
    assert finding["where"] == f"{tmp_path / 'd' / 'draft.yaml'}:1"
    assert finding["message"] == (
        "pack 'nope' is not a live pack "
        "(cn-ecl, de-dual-use, eu-dual-use, jp-fefta, kr-fta, nl-national, tw-fta, uk-eco, us-ear)"
    )


def test_rules_copy_then_test(tmp_path: Path) -> None:
    code, out = run("copy", "us.ccl.3B001.sme_set.ns.d5", str(tmp_path / "d"))
    assert code == 0 and "us.ccl.3B001.sme_set.ns.d5.yaml" in out
    code, out = run("test", str(tmp_path / "d"))
    assert code == 0 and "8/8 examples pass in 1 clauses" in out
    assert run("copy", "us.nope", str(tmp_path / "d"))[0] == 2


def test_rules_replay_reads_the_audit_trail(db: str, screener: Screener) -> None:
    """Without --history, replay reads the screenings stored in --db (as the service does)."""
    store = AuditStore(db)
    ids = {}
    for line in HISTORY.read_text().splitlines():
        data = json.loads(line)
        tx = Transaction.model_validate(data["transaction"])
        at = dt.datetime.fromisoformat(data["screened_at"]).replace(hour=9, tzinfo=dt.UTC)
        ids[data["id"]] = store.record(tx, screener.screen(tx), requested_by="t", at=at)
    code, out = run("replay", str(NARROW), "--since", "2026-01-01", "--db", db)
    assert code == 0, out
    assert "over the audit trail" in out
    assert "6 screenings: 0 newly flagged, 2 newly cleared" in out
    code, out = run(
        *("replay", str(NARROW), "--db", db, "-f", "json"),
        *("--since", "2026-03-02", "--until", "2026-04-15"),
    )
    report = json.loads(out)
    assert (report["screened"], report["newly_cleared"], report["drift"]) == (2, 2, 0)
    assert {c["screening_id"] for c in report["changes"]} == {str(ids["S-001"]), str(ids["S-002"])}
    code, out = run("replay", str(VN), "--db", db, "-f", "json", "--fail-on-change")
    assert code == 1 and json.loads(out)["changes"][0]["screening_id"] == str(ids["S-005"])
