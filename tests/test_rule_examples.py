"""Every clause's own examples, run against the real packs (OPA-style: tests beside the policy).

An example is a transaction merged over the pack's `example_defaults`; `expect` says whether
the clause must fire, stay silent, or be undecided for the first item.
"""

from __future__ import annotations

import pytest

from schemas.transaction import Transaction
from screener.engine import Screener
from screener.packs.index import IndexedClause
from screener.packs.loader import deep_merge, load_packs

CASES = [
    pytest.param(pack, lc, example, id=f"{lc.clause.id}::{example.name}")
    for pack in load_packs()
    for lc in pack.clauses
    for example in lc.clause.examples
]
EXPECTED = {"fires": True, "silent": False, "undecided": None}


@pytest.mark.parametrize(("pack", "loaded", "example"), CASES)
def test_clause_example(unscreened: Screener, pack, loaded, example) -> None:
    tx = Transaction.model_validate(deep_merge(pack.meta.example_defaults, example.transaction))
    facts = unscreened.item_facts(tx)[0] | example.facts
    ic = IndexedClause.of(loaded.clause)
    applies = ic.applies_to(facts.get("item.eccn_entry"), tx.date, facts["line.kind"])
    result = ic.predicate(facts) if applies else False
    assert result is EXPECTED[example.expect], (
        f"{loaded.file}:{loaded.line}: example {example.name!r} expected {example.expect}, "
        f"got {result}; facts: { {k: v for k, v in facts.items() if k != 'item.eccn_chain'} }"
    )


def test_every_clause_has_a_firing_example() -> None:
    lonely = [
        lc.clause.id
        for pack in load_packs()
        for lc in pack.clauses
        if not any(e.expect == "fires" for e in lc.clause.examples)
    ]
    assert not lonely, f"clauses with no example that fires: {lonely}"
