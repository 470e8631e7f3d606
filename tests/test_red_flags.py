"""Red flags (trigger clauses): a raised one lists its reason and makes the decision review.

Each clause's own examples (tests/test_rule_examples.py) test when it fires; these tests hold
the engine to what a trigger does to a screening result, on both backends.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from schemas.result import Decision, Trigger
from screener.engine import Screener
from screener.parties.screening import PartyScreening

REPO = Path(__file__).resolve().parent.parent
BASE = {
    "date": "2026-08-01",
    "exporter": {"name": "Example Exporter Inc.", "country": "US"},
    "destination_country": "DE",
    "items": [{"eccn": "EAR99", "origin_country": "US", "value_usd": 1000}],
    "end_use": {"categories": ["civil"]},
}
FORWARDER_ONLY = BASE | {
    "parties": [{"role": "freight_forwarder", "name": "Example Spedition GmbH", "country": "DE"}]
}


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_raised_red_flag_makes_a_clear_transaction_review(
    screener: Screener, durable_screener: Screener, backend: str
) -> None:
    engine = screener if backend == "python" else durable_screener
    named = BASE | {
        "parties": [
            {"role": "freight_forwarder", "name": "Example Spedition GmbH", "country": "DE"},
            {"role": "end_user", "name": "Example Werk GmbH", "country": "DE"},
        ]
    }
    clear = engine.screen(named)
    assert clear.decision == Decision.clear, [f.rule_id for f in clear.findings]
    assert clear.triggers == []

    flagged = engine.screen(FORWARDER_ONLY)
    assert flagged.decision == Decision.review
    assert flagged.findings == []  # the review comes from the red flag alone
    (trigger,) = flagged.triggers
    assert isinstance(trigger, Trigger)
    assert trigger.clause_id == "us.red_flag.forwarder_final_destination"
    assert trigger.status == "raised"
    assert trigger.item_index == 0
    assert "Supp. No. 3 to 15 CFR Part 732" in trigger.citation
    assert "final destination" in trigger.reason
    assert flagged.jurisdictions["US"].triggers == flagged.triggers
    assert flagged.jurisdictions["US"].decision == Decision.review


def test_a_red_flag_never_lowers_a_licence_requirement(screener: Screener) -> None:
    tx = {
        **FORWARDER_ONLY,
        "destination_country": "CN",
        "items": [{"eccn": "3B001.c.1.a", "origin_country": "US", "value_usd": 4_200_000}],
        "parties": [{"role": "freight_forwarder", "name": "Example Logistics", "country": "CN"}],
    }
    result = screener.screen(tx)
    ids = {t.clause_id for t in result.triggers}
    assert {
        "us.red_flag.forwarder_final_destination",
        "us.red_flag.forwarder_in_transshipment_hub",
    } <= ids
    assert result.decision == Decision.license_required


def test_no_red_flag_without_a_nexus(screener: Screener) -> None:
    """A foreign item outside US jurisdiction: the US red flags are not raised."""
    tx = FORWARDER_ONLY | {
        "exporter": {"name": "Example GmbH", "country": "DE"},
        "destination_country": "FR",
        "items": [{"eccn": "EAR99", "origin_country": "DE", "us_content_percent": 0}],
    }
    result = screener.screen(tx)
    assert result.jurisdictions["US"].applies is False
    assert result.triggers == []
    assert result.jurisdictions["US"].decision == Decision.not_applicable


def test_each_item_reports_its_own_red_flags(screener: Screener) -> None:
    tx = BASE | {
        "destination_country": "MY",
        "end_use": {"categories": []},
        "items": [
            {"eccn": "EAR99", "origin_country": "US"},
            {"eccn": "3A090.a", "origin_country": "US"},
        ],
        "parties": [{"role": "ultimate_consignee", "name": "Example Sdn. Bhd.", "country": "MY"}],
    }
    result = screener.screen(tx)
    by_item = {(t.item_index, t.clause_id) for t in result.triggers}
    assert by_item == {
        (1, "us.red_flag.ai_chips_diversion_hub"),
    }


def test_the_table_shows_red_flags(screener: Screener) -> None:
    from rich.console import Console

    from screener.table_view import render_table

    console = Console(record=True, width=300)
    render_table(screener.screen(FORWARDER_ONLY), console)
    text = console.export_text()
    assert "Red flag us.red_flag.forwarder_final_destination (item 0, raised)" in text
    assert "No other clause fired." in text


def test_an_undecided_red_flag_is_listed_but_decides_nothing(
    tmp_path: Path, party_screening: PartyScreening
) -> None:
    """A trigger on a fact the transaction may lack (the end user's country): without an end
    user it is undecided, named with the missing fact, and does not make the decision review."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules" / "us", rules / "us")
    (rules / "us" / "test_trigger.yaml").write_text(UNDECIDED_TRIGGER)
    engine = Screener(rules, parties=party_screening)
    named = BASE | {"parties": [{"role": "end_user", "name": "Example", "country": "AE"}]}
    assert [t.status for t in engine.screen(named).triggers] == ["raised"]
    result = engine.screen(BASE)
    (trigger,) = result.triggers
    assert (trigger.clause_id, trigger.status) == ("us.red_flag.test_end_user_in_ae", "undecided")
    assert trigger.missing_facts == ["end_user.country"]
    assert result.findings == []
    assert result.decision == Decision.clear


UNDECIDED_TRIGGER = """
clauses:
  - id: us.red_flag.test_end_user_in_ae
    jurisdiction: US
    kind: trigger
    title: test trigger
    citation: test
    effective_from: 2020-01-01
    confidence: {level: low, source: test}
    rationale: an end user in the UAE (test only)
    when: {fact: end_user.country, op: equals, value: AE}
    examples:
      - name: fires
        transaction: {parties: [{role: end_user, name: X, country: AE}]}
        expect: fires
"""
