"""Deciding over unknowns (screener/decide.py): `review` only where a missing fact would change
the jurisdiction's decision, and then naming that fact.

The property tests check the search against the real verdict: every combination of the
representative answers is written into the facts and screened by the verdict assembly
itself (screener.verdicts; the plain reading, nothing unknown left), so the decisions the
search says are possible, the facts it asks and the ones it calls immaterial are compared
with what screening the completed facts actually gives.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.result import SEVERITY, Decision
from schemas.transaction import Transaction
from screener.answers import PARAGRAPH
from screener.engine import Screener
from screener.folding import GroupOutcome, Settlement, Unknown, compact
from screener.packs.loader import deep_merge, load_packs

END_USER = {"role": "end_user", "name": "Example Foundry Co", "country": "JP"}


def _tx(**fields: Any) -> dict[str, Any]:
    return {"date": "2026-08-03", "exporter": {"name": "Exporter", "country": "US"}} | fields


def test_korean_etcher_to_japan_outside_the_worldwide_rows_is_clear(screener: Screener) -> None:
    """3B001.c.1.b (no worldwide row, no NS 2 mark for Japan): whether or not the Korean tool
    is subject to the EAR (US content not stated), no US licence is needed."""
    result = screener.screen(
        _tx(
            exporter={"name": "K Etch", "country": "KR"},
            destination_country="JP",
            parties=[END_USER],
            items=[{"eccn": "3B001.c.1.b", "origin_country": "KR"}],
        )
    )
    us = result.jurisdictions["US"]
    assert us.decision == Decision.clear
    assert us.applies is None  # still unknown, and said so
    assert us.questions == []
    assert us.immaterial_unknowns == ["items[0]: item.us_content_percent"]
    nexus = next(f for f in us.findings if f.rule_id == "us.nexus.de_minimis_25")
    assert not nexus.decisive and "Not needed to decide" in nexus.explanation


def test_korean_isotropic_etcher_to_japan_asks_for_us_content(screener: Screener) -> None:
    """3B001.c.1.a carries the worldwide NS/RS licence requirement of 2024-09-06 (15 CFR
    742.4(a)(5)): subject to the EAR it needs a licence even to Japan, so US content decides,
    and it is the one fact asked."""
    result = screener.screen(
        _tx(
            exporter={"name": "K Etch", "country": "KR"},
            destination_country="JP",
            parties=[END_USER],
            items=[{"eccn": "3B001.c.1.a", "origin_country": "KR"}],
        )
    )
    us = result.jurisdictions["US"]
    assert us.decision == Decision.review
    assert [(q.fact, q.item_index) for q in us.questions] == [("item.us_content_percent", 0)]
    answers = {a.value: a.decisions for a in us.questions[0].answers}
    assert answers == {"24.0": [Decision.clear], "26.0": [Decision.license_required]}
    assert set(us.possible_decisions) == {Decision.clear, Decision.license_required}


def test_h100_to_a_japanese_university_is_clear_on_the_headquarters_assumption(
    screener: Screener,
) -> None:
    tx = _tx(
        date="2025-09-01",
        destination_country="JP",
        parties=[{"role": "end_user", "name": "The University of Tokyo", "country": "JP"}],
        items=[{"eccn": "3A090.a", "origin_country": "US", "description": "NVIDIA H100"}],
    )
    us = screener.screen(tx).jurisdictions["US"]
    assert us.decision == Decision.clear
    (assumption,) = us.assumptions
    assert "The University of Tokyo" in assumption.assumed and "JP" in assumption.assumed
    assert "us.ccl.3A090.rs.hq_macau_d5" in assumption.clauses

    strict = screener.screen(tx | {"strict_assumptions": True}).jurisdictions["US"]
    assert strict.decision == Decision.review
    assert strict.assumptions == []
    asked = {q.fact for q in strict.questions}
    assert {"parties.headquarters_countries", "parties.headquarters_country_groups"} <= asked


def test_a_stated_headquarters_is_no_assumption(screener: Screener) -> None:
    party = {
        "role": "end_user",
        "name": "Example KK",
        "country": "JP",
        "headquarters_country": "JP",
    }
    result = screener.screen(
        _tx(
            date="2025-09-01",
            destination_country="JP",
            parties=[party],
            items=[{"eccn": "3A090.a", "origin_country": "US"}],
        )
    )
    assert result.jurisdictions["US"].decision == Decision.clear
    assert result.jurisdictions["US"].assumptions == []


def test_a_review_clause_that_holds_stays_decisive(unscreened: Screener) -> None:
    """The clause author's own `review` (a clause that holds with outcome review, here an
    entry whose licence requirements are not encoded) is not an unknown: it decides,
    whatever else is missing."""
    us = unscreened.screen(
        _tx(destination_country="CN", items=[{"eccn": "0A002", "origin_country": "US"}])
    ).jurisdictions["US"]
    assert us.decision == Decision.review
    held = [f for f in us.findings if f.decisive and not f.missing_facts]
    assert "us.classification.not_covered" in {f.rule_id for f in held}


def test_licence_required_either_way_names_what_could_make_it_prohibited(
    unscreened: Screener,
) -> None:
    """No list screened: a US-origin EUV tool to China needs a licence whatever the lists say;
    a denied party would make it prohibited, so the lists are asked, not a review."""
    us = unscreened.screen(
        _tx(destination_country="CN", items=[{"eccn": "3B001.f.1.a", "origin_country": "US"}])
    ).jurisdictions["US"]
    assert us.decision == Decision.license_required


# ------------------------------------------------------------------ the property tests


def _example_transactions() -> list[Transaction]:
    seen: set[str] = set()
    out = []
    for pack in load_packs():
        for lc in pack.clauses:
            for example in lc.clause.examples:
                tx = Transaction.model_validate(
                    deep_merge(pack.meta.example_defaults, example.transaction)
                )
                key = tx.model_dump_json()
                if key not in seen:
                    seen.add(key)
                    out.append(tx)
    return out


EXAMPLES = _example_transactions()


def _completed(
    screener: Screener, tx: Transaction, jurisdiction: str, values: dict[Unknown, Any]
) -> int:
    """The decision the plain reading gives once `values` fill the unknowns (normalised: no
    nexus reads as clear)."""
    compiled = next(c for c in screener.compiled if c.pack.jurisdiction == jurisdiction)
    facts = [dict(f) for f in screener.item_facts(tx)]
    for unknown, value in values.items():
        for i, f in enumerate(facts):
            if unknown.item_index not in (None, i):
                continue
            if unknown.fact == PARAGRAPH:
                f["item.eccn"], f["item.eccn_chain"] = value, value_chain(value)
            else:
                f[unknown.fact] = list(value) if isinstance(value, tuple) else value
    results = compiled.evaluate_items(facts, tx.date.toordinal(), lazy=True)
    decision = screener.verdicts.verdict(compiled, tx, facts, results).decision
    return max(SEVERITY[decision], SEVERITY[Decision.clear])


def value_chain(eccn: str) -> list[str]:
    parts = eccn.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _settled(screener: Screener) -> list[tuple[Transaction, str, Settlement]]:
    out = []
    for tx in EXAMPLES:
        for jurisdiction, verdict in screener.screen(tx).jurisdictions.items():
            if not (verdict.questions or verdict.immaterial_unknowns):
                continue
            settlement = screener.settlement(tx, jurisdiction)
            assert settlement is not None
            if settlement.exhaustive and all(u.clause is None for u in settlement.domains):
                out.append((tx, jurisdiction, settlement))
    return out


@pytest.fixture(scope="module")
def settled(screener: Screener) -> list[tuple[Transaction, str, Settlement]]:
    cases = _settled(screener)
    assert len(cases) >= 50, "the clause examples should exercise the search"
    return cases


def _combinations(settlement: Settlement, limit: int = 256) -> list[dict[Unknown, Any]]:
    names = list(settlement.domains)
    combos = itertools.islice(itertools.product(*settlement.domains.values()), limit)
    return [dict(zip(names, c, strict=True)) for c in combos]


def test_the_possible_decisions_are_what_screening_the_completed_facts_gives(
    screener: Screener, settled: list[tuple[Transaction, str, Settlement]]
) -> None:
    checked = 0
    for tx, jurisdiction, settlement in settled:
        if _total(settlement) > 256:
            continue
        got = {_completed(screener, tx, jurisdiction, c) for c in _combinations(settlement)}
        want = {SEVERITY[d] for d in settlement.possible}
        assert got == want, (tx.model_dump(mode="json"), jurisdiction)
        checked += 1
    assert checked >= 30


def test_flipping_an_asked_fact_changes_the_decision_and_an_immaterial_one_never(
    screener: Screener, settled: list[tuple[Transaction, str, Settlement]]
) -> None:
    asked_checked = immaterial_checked = 0
    for tx, jurisdiction, settlement in settled:
        if _total(settlement) > 128:
            continue
        combos = _combinations(settlement, limit=128)
        asked = {q.unknown for q in settlement.questions}
        for unknown in settlement.domains:
            changes = False
            for combo in combos:
                base = _completed(screener, tx, jurisdiction, combo)
                for value in settlement.domains[unknown]:
                    if value == combo[unknown]:
                        continue
                    flipped = _completed(screener, tx, jurisdiction, combo | {unknown: value})
                    if flipped != base:
                        changes = True
                        break
                if changes:
                    break
            if unknown in asked:
                assert changes, (unknown, tx.model_dump(mode="json"), jurisdiction)
                asked_checked += 1
            else:
                assert not changes, (unknown, tx.model_dump(mode="json"), jurisdiction)
                immaterial_checked += 1
    assert asked_checked >= 10 and immaterial_checked >= 10


def _multi_item_transactions(width: int = 3) -> list[Transaction]:
    """Each example's header with its own items and those of the next examples: items whose
    unknowns fall into several groups, some of them sharing an item (a nexus and a control
    settled by different facts), which the search folds together."""
    out = []
    for n, tx in enumerate(EXAMPLES[::3]):
        items = [item for other in EXAMPLES[n * 3 : n * 3 + width] for item in other.items]
        if 1 < len(items) <= 5:
            out.append(tx.model_copy(update={"items": items}))
    return out


def test_the_search_over_several_items_agrees_with_screening_every_completion(
    screener: Screener,
) -> None:
    checked = 0
    for tx in _multi_item_transactions():
        for jurisdiction in screener.screen(tx).jurisdictions:
            settlement = screener.settlement(tx, jurisdiction)
            if settlement is None or not settlement.exhaustive or _total(settlement) > 256:
                continue
            if any(u.clause is not None for u in settlement.domains):
                continue
            got = {_completed(screener, tx, jurisdiction, c) for c in _combinations(settlement)}
            assert got == {SEVERITY[d] for d in settlement.possible}, (
                tx.model_dump(mode="json"),
                jurisdiction,
            )
            checked += 1
    assert checked >= 30


_PARTS = st.dictionaries(
    st.integers(0, 4),
    st.tuples(st.booleans(), st.booleans(), st.sampled_from(sorted(set(SEVERITY.values())))),
    max_size=5,
)


@given(_PARTS, st.sets(st.integers(0, 4)), st.sampled_from(sorted(set(SEVERITY.values()))))
def test_folding_final_items_into_the_summary_keeps_the_decision(
    parts: dict[int, tuple[bool, bool, int]], fold: set[int], floor: int
) -> None:
    """An outcome whose items are all final (one source each) decides the same once any of
    them (and those a nexus holds) are folded into the summary part."""
    outcome = GroupOutcome(tuple(sorted(parts.items())), floor)
    held = frozenset(i for i, (h, _, _) in parts.items() if h and i in fold)
    folded = compact(outcome, held, frozenset(fold))
    assert (folded.decision(), folded.applies()) == (outcome.decision(), outcome.applies())


def _total(settlement: Settlement) -> int:
    total = 1
    for d in settlement.domains.values():
        total *= len(d)
    return total


def test_both_backends_give_the_same_decisions_and_questions(
    screener: Screener, durable_screener: Screener
) -> None:
    for tx in EXAMPLES[::7]:
        a, b = screener.screen(tx), durable_screener.screen(tx)
        for jurisdiction, va in a.jurisdictions.items():
            vb = b.jurisdictions[jurisdiction]
            assert (va.decision, va.questions, va.immaterial_unknowns) == (
                vb.decision,
                vb.questions,
                vb.immaterial_unknowns,
            ), (tx.model_dump(mode="json"), jurisdiction)
