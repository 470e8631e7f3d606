"""A new jurisdiction is a pack folder and its profile: no Python edit (issue #15).

The test copies the bundled rules into a scratch folder and adds "XX", a FICTITIOUS
jurisdiction that exists only as this test fixture (its "Test Export Act" is no real law):
its exports leave from Singapore and it licenses one etch-tool entry to China. The Screener
built on that folder must accept XX's control code in a transaction, answer with XX's
verdict, report XX in the gap analysis from its profile, and the JSON Schema must offer XX;
the bundled jurisdictions answer as before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.facts import FACTS
from schemas.result import Decision
from schemas.transaction import Transaction
from schemas.vocabulary import JURISDICTIONS
from screener.authoring.examples import run_examples
from screener.bundled import RULES_DIR
from screener.engine import Screener
from screener.errors import InputError, parse_model

PACK = """\
# TEST FIXTURE: "XX" is a fictitious jurisdiction made up for tests/test_new_jurisdiction.py.
id: xx-test-fixture
jurisdiction: XX
title: XX (fictitious test jurisdiction) - Test Export Act
description: Not a real regime. Proves that a pack folder and a profile add a jurisdiction.
example_defaults:
  date: 2026-06-01
  exporter: {name: "Fixture Exporter Pte. Ltd.", country: SG}
  destination_country: CN
  items:
    - description: Etch tool
      eccn: 3B001.c.1.a
      origin_country: SG
      control_codes: {XX: 3B001.c.1.a}
"""

CLAUSES = """\
# TEST FIXTURE: not a real law.
clauses:
  - id: xx.nexus.export_from_singapore
    jurisdiction: XX
    kind: nexus
    title: Export from Singapore (fictitious XX reach)
    citation: Test Export Act (fictitious), s. 1
    effective_from: 2020-01-01
    confidence: {level: low, source: "test fixture, no source: the regime does not exist"}
    when: {fact: exporter.country, op: equals, value: SG}
    examples:
      - {name: shipped from Singapore, transaction: {}, expect: fires}
      - {name: shipped from Japan, transaction: {exporter: {country: JP}}, expect: silent}

  - id: xx.tea.s2.etch_to_china
    jurisdiction: XX
    title: Listed etch tool to China (fictitious XX licence)
    citation: Test Export Act (fictitious), s. 2
    effective_from: 2020-01-01
    confidence: {level: low, source: "test fixture, no source: the regime does not exist"}
    outcome: license_required
    when:
      all:
        - {fact: item.control_codes.XX, op: equals, value: 3B001.c.1.a}
        - {fact: destination.country, op: equals, value: CN}
    examples:
      - {name: listed etch tool to China, transaction: {}, expect: fires}
      - {name: to Malaysia, transaction: {destination_country: MY}, expect: silent}
      - name: XX classification not given
        transaction: {items: [{eccn: 3B001.c.1.a, origin_country: SG}]}
        expect: undecided
"""

PROFILE = """\
# TEST FIXTURE: the profile of the fictitious jurisdiction XX.
jurisdiction: XX
name: XX (fictitious test jurisdiction)
as_of: 2026-12-04
baseline_exporter_country: SG
enforcing_agency: nobody (test fixture)
coverage: thin
coverage_note: a test fixture with one licence clause
instruments:
  - name: Test Export Act (fictitious)
    citation: Test Export Act s. 2
    reach: [list_control]
    encoded: true
    confidence: {level: low, source: "test fixture"}
"""


@pytest.fixture(scope="module")
def scratch_rules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    rules = tmp_path_factory.mktemp("rules-with-xx") / "rules"
    shutil.copytree(RULES_DIR, rules)
    (rules / "xx").mkdir()
    (rules / "xx" / "pack.yaml").write_text(PACK, encoding="utf-8")
    (rules / "xx" / "test_export_act.yaml").write_text(CLAUSES, encoding="utf-8")
    (rules / "profiles" / "xx.yaml").write_text(PROFILE, encoding="utf-8")
    yield rules
    JURISDICTIONS.discard("XX")  # the other tests see the bundled jurisdictions only


@pytest.fixture(scope="module")
def with_xx(scratch_rules: Path) -> Screener:
    return Screener(scratch_rules, gaps=True)


def _tx(destination: str = "CN", **item: object) -> Transaction:
    return parse_model(
        Transaction,
        {
            "date": "2026-06-01",
            "exporter": {"name": "Fixture Exporter Pte. Ltd.", "country": "SG"},
            "destination_country": destination,
            "items": [
                {"description": "Etch tool", "eccn": "3B001.c.1.a", "origin_country": "SG"} | item
            ],
        },
    )


def test_its_clause_examples_pass(with_xx: Screener) -> None:
    packs = [c.pack for c in with_xx.compiled]  # the US pack carries the reference tables
    run = run_examples(
        packs, only=[lc.clause.id for p in packs if p.jurisdiction == "XX" for lc in p.clauses]
    )
    assert [(r.clause_id, r.got) for r in run.results] == [
        ("xx.nexus.export_from_singapore", "fires"),
        ("xx.nexus.export_from_singapore", "silent"),
        ("xx.tea.s2.etch_to_china", "fires"),
        ("xx.tea.s2.etch_to_china", "silent"),
        ("xx.tea.s2.etch_to_china", "undecided"),
    ]
    assert not run.failed


def test_the_new_jurisdiction_answers(with_xx: Screener) -> None:
    result = with_xx.screen(_tx(control_codes={"XX": "3B001.c.1.a"}))
    xx = result.jurisdictions["XX"]
    assert xx.applies is True
    assert xx.decision == Decision.license_required
    assert [f.rule_id for f in xx.findings if f.decisive] == ["xx.tea.s2.etch_to_china"]
    assert xx.nexus[0].basis == ["xx.nexus.export_from_singapore"]
    # the bundled jurisdictions still answer beside it
    assert "US" in result.jurisdictions and "EU" in result.jurisdictions


def test_its_clauses_decide_and_ask_like_any_pack(with_xx: Screener) -> None:
    to_malaysia = with_xx.screen(_tx("MY", control_codes={"XX": "3B001.c.1.a"}))
    assert to_malaysia.jurisdictions["XX"].decision == Decision.clear
    unclassified = with_xx.screen(_tx()).jurisdictions["XX"]
    assert unclassified.decision == Decision.review
    assert [q.fact for q in unclassified.questions] == ["item.control_codes.XX"]


def test_the_gap_analysis_asks_it_from_its_profile(with_xx: Screener) -> None:
    result = with_xx.screen(_tx(control_codes={"XX": "3B001.c.1.a"}))
    positions = {p.jurisdiction: p for gap in result.gaps for p in gap.positions}
    assert positions["XX"].exporter_country == "SG"
    assert positions["XX"].decision == Decision.license_required


def test_the_contract_knows_it_while_its_pack_is_loaded(with_xx: Screener) -> None:
    assert "XX" in JURISDICTIONS
    assert "item.control_codes.XX" in FACTS
    schema = Transaction.model_json_schema()
    assert "XX" in schema["$defs"]["Item"]["properties"]["control_codes"]["properties"]


def test_an_unknown_jurisdiction_is_still_an_input_error() -> None:
    with pytest.raises(InputError, match="not a jurisdiction chokepoint knows"):
        _tx(control_codes={"QQ": "3B001.c.1.a"})
