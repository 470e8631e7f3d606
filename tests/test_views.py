"""The views a reviewer reads: the table keeps bracketed values (no rich markup from rule or
user text) and names items and parties; the compact view keeps every finding that decides
and the versions, at a fraction of the full result's size; the CLI offers both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from schemas.compact import CompactResult
from schemas.transaction import Transaction
from screener.compact import compact, deciding
from screener.engine import Screener
from screener.parties.store import ListStore
from screener.table_view import render_table

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENTITY_LIST_END_USER = {
    "id": "EL-1",
    "date": "2026-08-03",
    "exporter": {"name": "Acme [US] Inc.", "country": "US"},
    "destination_country": "CN",
    "parties": [
        {"role": "end_user", "name": "Jiangxi Xintuo Enterprise Co. Ltd.", "country": "CN"}
    ],
    "items": [{"description": "Spare parts [bold]rev B[/bold]", "eccn": "EAR99"}],
}


def _text(result, tx, *, full: bool = False) -> str:
    console = Console(record=True, width=200)
    render_table(result, console, tx, full=full)
    return " ".join(console.export_text().split())  # lines rejoined where rich wrapped them


@pytest.fixture(scope="module")
def etch() -> Transaction:
    return Transaction.model_validate_json((EXAMPLES / "etch-tool-to-china.json").read_text())


def test_the_table_keeps_bracketed_values_and_names_items_and_parties(screener: Screener) -> None:
    tx = Transaction.model_validate(ENTITY_LIST_END_USER)
    result = screener.screen(tx)
    assert result.decision.value == "license_required"
    for full in (False, True):
        text = _text(result, tx, full=full)
        # rich would read [entity_list] as a tag and delete it: "parties.lists =  is given"
        assert "parties.lists = [entity_list] is given" in text
        assert "parties.lists =  is given" not in text
        assert "Spare parts [bold]rev B[/bold]" in text and "Acme [US] Inc." in text
        assert "Jiangxi Xintuo Enterprise Co. Ltd." in text
        assert "us.party.entity_list" in text


def test_the_compact_table_says_no_nexus_once_per_jurisdiction(
    screener: Screener, etch: Transaction
) -> None:
    result = screener.screen(etch)
    compact_text, full_text = _text(result, etch), _text(result, etch, full=True)
    # CN, DE, EU, JP, KR, NL, TW, UK: one line each
    assert compact_text.count("No nexus") == 8
    assert full_text.count("No nexus") == 24  # 3 items x 8 jurisdictions
    assert "EU: not applicable. No nexus" in compact_text
    assert "Isotropic dry etch tool, SiGe:Si selectivity 120:1" in compact_text
    assert "Example Logistics Pte. Ltd." in compact_text
    # the finding that does not decide is named, not explained; --full shows it
    assert "us.ccl.3A090.a.rs.worldwide (item 1): not enforced" in compact_text
    assert "us.ccl.3A090.a.rs.worldwide (item 1): The eCFR" not in compact_text
    assert "us.ccl.3A090.a.rs.worldwide (item 1): The eCFR" in full_text
    assert "Use --full for the whole trace." in compact_text
    assert len(compact_text) < len(full_text)


def test_the_compact_result_keeps_what_decides(screener: Screener, etch: Transaction) -> None:
    result = screener.screen(etch)
    view = compact(result, etch)
    assert view.decision == result.decision and view.versions == result.versions
    kept = [(f.rule_id, f.item_index) for f in view.findings]
    assert kept == [(f.rule_id, f.item_index) for f in result.findings if deciding(f)]
    assert ("us.ccl.3B001.worldwide.ns", 0) in kept
    assert [s.rule_id for s in view.set_aside] == ["us.ccl.3A090.a.rs.worldwide"]
    full = {f.rule_id: f for f in result.findings}
    for f in view.findings:
        assert (f.citation, f.title, f.explanation, f.missing_facts) == (
            full[f.rule_id].citation,
            full[f.rule_id].title,
            full[f.rule_id].explanation,
            full[f.rule_id].missing_facts,
        )
    us = view.jurisdictions["US"]
    assert us.decision.value == "license_required" and us.applies is True
    assert [n.items for n in us.nexus] == [[0, 2], [1]]  # the same reason shares a line
    eu = view.jurisdictions["EU"]
    assert eu.decision.value == "not_applicable" and [n.items for n in eu.nexus] == [[0, 1, 2]]
    assert {t.clause_id for t in view.triggers} == {"us.red_flag.forwarder_in_transshipment_hub"}
    assert [i.description for i in view.items][2] == "Cleanroom gloves"
    size, full_size = len(view.model_dump_json()), len(result.model_dump_json())
    assert size * 5 < full_size, (size, full_size)


def test_cli_compact_json_and_full_table(tmp_path: Path, list_store: ListStore) -> None:
    runner = CliRunner()
    example = str(EXAMPLES / "etch-tool-to-china.json")
    common = ["--db", list_store.url, "--no-record"]
    result = runner.invoke(app, ["screen", example, "-f", "compact-json", *common])
    assert result.exit_code == 0, result.output
    view = CompactResult.model_validate_json(result.stdout)
    assert view.view == "compact" and view.decision.value == "license_required"
    assert any(k.startswith("list:") for k in view.versions)
    result = runner.invoke(app, ["screen", example, "-f", "json", "--full", *common])
    assert result.exit_code == 2 and "--full applies to --format table" in result.output
    result = runner.invoke(app, ["schema", "compact"])
    assert result.exit_code == 0 and "CompactFinding" in json.loads(result.stdout)["$defs"]
