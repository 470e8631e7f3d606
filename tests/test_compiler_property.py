"""Property test of the durable-rules compiler against the Python evaluator.

The pack-level oracle test (`test_backends_agree.py`) only exercises the shapes of
conditions the packs happen to use. Here random condition trees (all / any / not over every
operator, facts that may be missing, values on the boundaries) are compiled to one durable
ruleset and evaluated on random fact sets; the three-valued result of every clause must be
the same in both engines.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from schemas.rules import Clause
from screener.conditions import compile_condition, compile_fast
from screener.packs.index import IndexedClause

NUMBERS = ("item.us_content_percent", "item.value_usd")  # optional
STRINGS = {"destination.country": ["CN", "DE", "MO"], "item.origin_country": ["US", "JP"]}
LISTS = {
    "destination.country_groups": ["D:1", "D:5", "A:5"],
    "end_use.categories": ["military", "civil"],
}
ECCNS = ["3B001", "3B001.c", "3B001.c.1.a", "3B001.f.1", "3A090.a", "EAR99"]


def random_leaf(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(["number", "string", "list", "eccn", "exists"])
    if kind == "number":
        return {
            "fact": rng.choice(NUMBERS),
            "op": rng.choice(["gt", "gte", "lt", "lte"]),
            "value": rng.choice([10, 25, 500]),
        }
    if kind == "string":
        fact = rng.choice(list(STRINGS))
        op = rng.choice(["equals", "not_equals", "in", "not_in", "regex"])
        values = STRINGS[fact]
        if op in ("in", "not_in"):
            return {"fact": fact, "op": op, "value": rng.sample(values, 2)}
        if op == "regex":
            return {"fact": fact, "op": op, "value": "^" + rng.choice(values)[0]}
        return {"fact": fact, "op": op, "value": rng.choice(values)}
    if kind == "list":
        fact = rng.choice(list(LISTS))
        if rng.random() < 0.5:
            return {"fact": fact, "op": "contains", "value": rng.choice(LISTS[fact])}
        return {"fact": fact, "op": "contains_any", "value": rng.sample(LISTS[fact], 2)}
    if kind == "eccn":
        return {
            "fact": "item.eccn",
            "op": "eccn_in",
            "value": rng.sample(ECCNS[:5], rng.randint(1, 2)),
        }
    return {
        "fact": rng.choice([*NUMBERS, "item.origin_country"]),
        "op": "exists",
        "value": rng.random() < 0.5,
    }


def random_condition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    roll = rng.random()
    if depth >= 2 or roll < 0.3:
        return random_leaf(rng)
    if roll < 0.5:
        return {"not": random_condition(rng, depth + 1)}
    key = "all" if roll < 0.75 else "any"
    return {key: [random_condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]}


def random_facts(rng: random.Random) -> dict[str, Any]:
    eccn = rng.choice([*ECCNS, None])
    facts: dict[str, Any] = {
        "destination.country": rng.choice(STRINGS["destination.country"] + ["JP"]),
        "destination.country_groups": rng.sample(
            LISTS["destination.country_groups"], rng.randint(0, 2)
        ),
        "end_use.categories": rng.sample(LISTS["end_use.categories"], rng.randint(0, 2)),
        "line.kind": "goods",  # derived for every line (clauses without a test of it: goods)
    }
    for fact in NUMBERS:
        if rng.random() < 0.7:
            facts[fact] = rng.choice([0, 10, 10.5, 25, 26, 499, 500, 501])
    if rng.random() < 0.7:
        facts["item.origin_country"] = rng.choice(["US", "JP", "KR"])
    if eccn is not None:
        parts = eccn.split(".")
        facts["item.eccn"] = eccn
        facts["item.eccn_chain"] = [".".join(parts[: i + 1]) for i in range(len(parts))]
        facts["item.eccn_entry"] = parts[0]
    return facts


def test_random_conditions_agree_between_engines() -> None:
    pytest.importorskip("durable_rules_engine", reason="the durable extra is not installed")
    from screener.durable_backend import DurableRuleset

    rng = random.Random(20261126)
    clauses = [
        Clause.model_validate(
            {
                "id": f"us.prop.{n}",
                "jurisdiction": "US",
                "title": "property",
                "citation": "test",
                "effective_from": "2020-01-01",
                "confidence": {"level": "high", "source": "test"},
                "outcome": "review",
                "when": random_condition(rng),
                "examples": [{"name": "x", "transaction": {}, "expect": "fires"}],
            }
        )
        for n in range(400)
    ]
    indexed = [IndexedClause.of(c) for c in clauses]
    ruleset = DurableRuleset("property-test-20261126", indexed)
    ordinal = dt.date(2026, 1, 1).toordinal()
    predicates = {c.id: compile_condition(c.when) for c in clauses}
    outcomes = {True: 0, None: 0, False: 0}
    for _ in range(600):
        facts = random_facts(rng)
        expected = {}
        for ic in indexed:
            if ic.applies_to(facts.get("item.eccn_entry"), dt.date(2026, 1, 1)):
                r = predicates[ic.clause.id](facts)
                outcomes[r] += 1
                if r is not False:
                    expected[ic.clause.id] = r
        assert ruleset.evaluate(facts, ordinal) == expected, facts
    # the generator must reach all three truth values often, or the test proves little
    assert min(outcomes.values()) > 10_000, outcomes


def test_generated_predicates_agree_with_the_closure_oracle() -> None:
    """`compile_fast` (generated code, the hot path) against `compile_condition`."""
    rng = random.Random(7)
    conditions = [random_condition(rng) for _ in range(600)]
    clauses = [
        Clause.model_validate(
            {
                "id": f"us.gen.{n}",
                "jurisdiction": "US",
                "title": "t",
                "citation": "c",
                "effective_from": "2020-01-01",
                "confidence": {"level": "high", "source": "t"},
                "outcome": "review",
                "when": {"all": [c, random_condition(rng)]},
                "examples": [{"name": "x", "transaction": {}, "expect": "fires"}],
            }
        )
        for n, c in enumerate(conditions)
    ]
    pairs = [(compile_fast(c.when), compile_condition(c.when)) for c in clauses]
    seen = set()
    for _ in range(400):
        facts = random_facts(rng)
        for fast, oracle in pairs:
            result = fast(facts)
            assert result is oracle(facts), facts
            seen.add(result)
    assert seen == {True, False, None}
