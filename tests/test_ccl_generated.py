"""The generated CCL pack (rules/us/ccl_generated.yaml): it is what the generator writes, every
clause cites its CCL row and the eCFR date, and real transactions get the licence decision the
CCL rows give, on both backends."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from screener.engine import Screener

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the generator imports tools.ccl_rows
_spec = importlib.util.spec_from_file_location(
    "build_ccl_pack", REPO / "tools" / "build_ccl_pack.py"
)
assert _spec is not None and _spec.loader is not None
build_ccl_pack = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_ccl_pack)
GENERATED = REPO / "rules" / "us" / "ccl_generated.yaml"


def tx(dest: str, eccn: str, date: str = "2026-08-01") -> dict[str, Any]:
    return {
        "date": date,
        "exporter": {"name": "Exporter Inc.", "country": "US"},
        "destination_country": dest,
        "items": [{"eccn": eccn, "origin_country": "US"}],
    }


def test_committed_file_is_the_generators_output() -> None:
    doc, counts = build_ccl_pack.build()
    assert GENERATED.read_text(encoding="utf-8") == build_ccl_pack.render(doc, counts), (
        "run .venv/bin/python tools/build_ccl_pack.py"
    )
    assert counts["clauses"] == len(doc["clauses"]) > 800
    assert counts["decided"] > counts["fact"] + counts["unread"]


def test_every_generated_clause_cites_its_row_and_the_ecfr_date() -> None:
    clauses = yaml.load(GENERATED.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["clauses"]
    for clause in clauses:
        entry = clause["id"].split(".")[2]
        citation = clause["citation"]
        if ".footnote" in clause["id"]:
            assert "Commerce Country Chart), footnote" in citation and f"ECCN {entry}" in citation
        else:
            assert f"ECCN {entry}, License Requirements (" in citation, clause["id"]
        assert citation.endswith("eCFR 2026-07-23"), clause["id"]
        column = re.search(r"\b([A-Z]{2}) Column ([123])\)", citation)
        leaves = clause["when"]["all"]
        marks = [leaf["value"] for leaf in leaves if leaf.get("fact") == "destination.chart_x"]
        if marks:  # a chart-column row names the column in the Country Chart part too
            assert column and marks == [column.group(1) + column.group(2)], clause["id"]
            assert f"Commerce Country Chart), {column.group(1)} Column" in citation
        assert clause["confidence"]["level"] == "low"
        assert "NOT verified" in clause["confidence"]["source"]
        assert clause["outcome"] in ("license_required", "review")


CASES = [
    # (transaction, US decision, a finding that must be among the decisive licence findings)
    (tx("JP", "1C010.a"), "clear", None),
    (tx("CN", "1C010.a"), "license_required", "us.ccl.1C010.ns2.r1"),
    (tx("DE", "9A610.a"), "license_required", "us.ccl.9A610.ns1.r1"),
    (tx("CN", "9A610.y"), "license_required", "us.ccl.9A610.rs.r3"),
    (tx("CN", "3E001"), "license_required", "us.ccl.3E001.ns1"),
    (tx("CN", "4E001"), "license_required", "us.ccl.4E001.ns1"),
    (tx("CN", "4D001"), "license_required", "us.ccl.4D001.ns1.r1"),
    (tx("CN", "5D002.z.1.a"), "license_required", "us.ccl.5D002.ns1.r1"),
    (tx("DE", "5E002"), "license_required", "us.ccl.5E002.ns1.r1"),
    (tx("JP", "4E091"), "clear", None),
    (tx("IN", "9A515.e"), "license_required", "us.ccl.9A515.footnote7"),
    (tx("IN", "9A515.a"), "license_required", "us.ccl.9A515.ns1.r1"),
]


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize(("transaction", "decision", "decisive"), CASES)
def test_generated_rows_decide(
    request: pytest.FixtureRequest,
    backend: str,
    transaction: dict[str, Any],
    decision: str,
    decisive: str | None,
) -> None:
    screener: Screener = request.getfixturevalue(
        "screener" if backend == "python" else "durable_screener"
    )
    us = screener.screen(transaction).jurisdictions["US"]
    found = {f.rule_id for f in us.findings if f.decisive and f.outcome.value != "review"}
    assert us.decision.value == decision, [(f.rule_id, f.outcome.value) for f in us.findings]
    assert "us.classification.not_covered" not in {f.rule_id for f in us.findings}
    if decisive:
        finding = next(f for f in us.findings if f.rule_id == decisive)
        assert decisive in found
        assert "eCFR 2026-07-23" in finding.citation or "ECCN" in finding.citation


def test_a_conditional_exception_is_a_review_naming_it(screener: Screener) -> None:
    """9A610.x: NS and RS apply except to parts 'for use in an aircraft controlled in 9A610.b',
    which the ECCN does not say; the review asks exactly that."""
    us = screener.screen(tx("DE", "9A610.x")).jurisdictions["US"]
    assert us.decision.value == "review"
    finding = next(f for f in us.findings if f.rule_id == "us.ccl.9A610.ns1.r1.1")
    assert "for use in an aircraft controlled in 9A610.b" in finding.explanation


def test_paragraph_scoped_row_is_parsed_into_paragraphs() -> None:
    clauses = yaml.load(GENERATED.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["clauses"]
    np1 = next(c for c in clauses if c["id"] == "us.ccl.1C010.np1.r2")
    assert np1["when"]["all"][0]["value"] == ["1C010.a", "1C010.b", "1C010.e.1"]
    assert np1["outcome"] == "review"  # '... that meet or exceed the control criteria of 1C210'
    assert "1C210" in np1["rationale"]


def test_every_d5_destination_is_inside_every_3e001_row(screener: Screener) -> None:
    """us.ccl.3E001.ns1 rests on this: every D:5 destination with a Country Chart row has NS 1,
    MT 1 and NP 1 marks and none is also in A:5 or A:6."""
    tables = screener.facts.tables
    excluded = tables.groups["A:5"] | tables.groups["A:6"]
    for code in tables.groups["D:5"]:
        if code in tables.embargoed:
            continue
        assert {"NS1", "MT1", "NP1"} <= set(tables.chart_x[code]), code
        assert code not in excluded, code
