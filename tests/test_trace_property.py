"""Property test: the explanation of a condition agrees with the evaluator's result.

`trace_condition` re-runs a condition to explain it; the explanation an auditor reads (one
line per leaf, `screener.explain.describe`) must say of every test what the evaluator decided,
including leaves under `not` (issue 20: a fired clause's "NOT contains one of [A:5, A:6]"
read "no"). Random trees over every operator, nested all/any/not, facts that may be missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.result import ConditionTrace
from schemas.rules import All, Clause, Leaf, Not, Op
from screener.authoring.examples import explain
from screener.conditions import compile_condition, trace_condition
from screener.explain import describe, finding_explanation

STRINGS = ["CN", "DE", "MO"]
GROUPS = ["D:1", "D:5", "A:5", "A:6"]
ECCNS = ["3B001", "3B001.c", "3B001.c.1.a", "3A090.a", "EAR99"]

_MARK = {True: "yes", False: "no", None: "unknown"}


def _leaf(op: Op) -> st.SearchStrategy[dict[str, Any]]:
    if op in (Op.gt, Op.gte, Op.lt, Op.lte):
        return st.builds(
            lambda v: {"fact": "item.value_usd", "op": op.value, "value": v},
            st.sampled_from([10, 25, 500]),
        )
    if op in (Op.equals, Op.not_equals):
        return st.builds(
            lambda v: {"fact": "destination.country", "op": op.value, "value": v},
            st.sampled_from(STRINGS),
        )
    if op in (Op.in_, Op.not_in):
        return st.builds(
            lambda v: {"fact": "destination.country", "op": op.value, "value": v},
            st.lists(st.sampled_from(STRINGS), min_size=1, max_size=2, unique=True),
        )
    if op == Op.regex:
        return st.builds(
            lambda v: {"fact": "destination.country", "op": "regex", "value": f"^{v[0]}"},
            st.sampled_from(STRINGS),
        )
    if op == Op.contains:
        return st.builds(
            lambda v: {"fact": "destination.country_groups", "op": "contains", "value": v},
            st.sampled_from(GROUPS),
        )
    if op == Op.contains_any:
        return st.builds(
            lambda v: {"fact": "destination.country_groups", "op": "contains_any", "value": v},
            st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True),
        )
    if op == Op.eccn_in:
        return st.builds(
            lambda v: {"fact": "item.eccn", "op": "eccn_in", "value": v},
            st.lists(st.sampled_from(ECCNS[:4]), min_size=1, max_size=2, unique=True),
        )
    assert op == Op.exists
    return st.builds(
        lambda fact, v: {"fact": fact, "op": "exists", "value": v},
        st.sampled_from(["item.value_usd", "destination.country"]),
        st.booleans(),
    )


LEAVES = st.one_of([_leaf(op) for op in Op])
CONDITIONS = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.builds(lambda c: {"not": c}, children),
        st.builds(lambda cs: {"all": cs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(children, min_size=1, max_size=3)),
    ),
    max_leaves=8,
)


@st.composite
def fact_sets(draw: st.DrawFn) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if draw(st.booleans()):
        facts["item.value_usd"] = draw(st.sampled_from([0, 10, 10.5, 25, 26, 500, 501]))
    if draw(st.booleans()):
        facts["destination.country"] = draw(st.sampled_from([*STRINGS, "JP"]))
    if draw(st.integers(0, 3)):
        facts["destination.country_groups"] = draw(
            st.lists(st.sampled_from(GROUPS), max_size=3, unique=True)
        )
    eccn = draw(st.sampled_from([*ECCNS, None]))
    if eccn is not None:
        parts = eccn.split(".")
        facts["item.eccn"] = eccn
        facts["item.eccn_chain"] = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return facts


def _clause(when: dict[str, Any]) -> Clause:
    return Clause.model_validate(
        {
            "id": "us.prop.trace",
            "jurisdiction": "US",
            "title": "property",
            "citation": "test",
            "effective_from": "2020-01-01",
            "confidence": {"level": "high", "source": "test"},
            "outcome": "review",
            "when": when,
            "examples": [{"name": "x", "transaction": {}, "expect": "fires"}],
        }
    )


def _check(node: Any, negated: bool, facts: dict[str, Any], traces: Iterator[ConditionTrace]):
    """Walk the tree in trace order: each leaf's trace must state what the evaluator decides
    of the test as shown (negated under an odd number of `not`s), in words too; and each
    inner node must follow from its children's traced results (De Morgan under negation).
    Returns the node's value as read from the traces, with the negation applied."""
    if isinstance(node, Leaf):
        trace = next(traces)
        shown = Not.model_validate({"not": node.model_dump()}) if negated else node
        expected = compile_condition(shown)(facts)
        assert trace.fact == node.fact
        assert trace.op == ("not " if negated else "") + node.op.value
        assert trace.result is expected, (trace, facts)
        text = describe(trace)
        assert text.endswith(": " + _MARK[expected]), text
        assert ("NOT " in text) is negated, text
        return trace.result
    if isinstance(node, Not):
        return _check(node.not_, not negated, facts, traces)
    children = node.all if isinstance(node, All) else node.any
    results = [_check(c, negated, facts, traces) for c in children]
    # under negation all(...) reads as any(not ...) and any(...) as all(not ...)
    conjunctive = isinstance(node, All) != negated
    if conjunctive:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    evaluated = compile_condition(node)(facts)
    assert value is ((not evaluated) if negated and evaluated is not None else evaluated)
    return value


@settings(max_examples=600, deadline=None)
@given(CONDITIONS, fact_sets())
def test_every_trace_agrees_with_the_evaluator(when: dict[str, Any], facts: dict[str, Any]):
    clause = _clause(when)
    cond = clause.when
    result, traces = trace_condition(cond, facts)
    assert result is compile_condition(cond)(facts)
    leaves = iter(traces)
    assert _check(cond, False, facts, leaves) is result
    assert next(leaves, None) is None  # one trace per leaf, nothing more
    # the explanations built on the traces say the same of each test
    text = finding_explanation(clause, result, traces, [])
    assert all(describe(t) in text for t in traces)
    head = explain(result, traces)
    if result is True:
        assert head.startswith("every test held")
    elif result is False:
        assert head.startswith("failed")
    else:
        assert head.startswith("undecided")


def test_a_fired_negated_test_reads_as_held() -> None:
    """The case of issue 20 (us.ccl.3A090.a.rs.operative): D:5 and not A:5/A:6 fired, and
    the negated test reads "yes"."""
    cond = All.model_validate(
        {
            "all": [
                {"fact": "destination.country_groups", "op": "contains_any", "value": ["D:5"]},
                {
                    "not": {
                        "fact": "destination.country_groups",
                        "op": "contains_any",
                        "value": ["A:5", "A:6"],
                    }
                },
            ]
        }
    )
    result, traces = trace_condition(cond, {"destination.country_groups": ["D:1", "D:5"]})
    assert result is True
    assert [describe(t) for t in traces] == [
        "destination.country_groups = [D:1, D:5] contains one of [D:5]: yes",
        "destination.country_groups = [D:1, D:5] NOT contains one of [A:5, A:6]: yes",
    ]
