"""The plain-Python evaluator of clause conditions: the oracle every other backend must match.

Evaluation is three-valued (Kleene): True, False, or None when a fact the condition needs is
missing (or, for `eccn_in`, when the item's ECCN is less specific than the clause needs).
`all` is False if any child is False, else None if any child is None; `any` is True if any
child is True, else None if any child is None; `not` swaps True and False and keeps None.

Two entry points: `compile_condition` builds a closure for the hot path (no allocation per
call beyond the result), and `trace_condition` re-runs a condition with a trace of every leaf
for the explanation of a clause that fired or could not be decided.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

from schemas.result import ConditionTrace
from schemas.rules import All, Condition, Leaf, Not, Op

Facts = dict[str, Any]
Predicate = Callable[[Facts], bool | None]

ECCN_CHAIN = "item.eccn_chain"


def _eccn_in(values: list[str]) -> Callable[[Facts], bool | None]:
    wanted = frozenset(values)
    # An item classified 3B001.f cannot be decided against a clause on 3B001.f.1: the
    # classification is less specific than the clause.
    ancestors_of_wanted = frozenset(
        ".".join(v.split(".")[:i]) for v in values for i in range(1, v.count(".") + 1)
    )

    def test(facts: Facts) -> bool | None:
        chain = facts.get(ECCN_CHAIN)
        if chain is None:
            return None
        if not wanted.isdisjoint(chain):
            return True
        return None if chain[-1] in ancestors_of_wanted else False

    return test


def _leaf(leaf: Leaf) -> Predicate:
    fact, op, value = leaf.fact, leaf.op, leaf.value
    if op == Op.eccn_in:
        return _eccn_in(value)
    if op == Op.exists:
        return lambda f: (f.get(fact) is not None) == value
    if op == Op.regex:
        pattern = re.compile(value)
        test: Callable[[Any], bool] = lambda a: pattern.search(str(a)) is not None  # noqa: E731
    elif op == Op.equals:
        test = lambda a: a == value  # noqa: E731
    elif op == Op.not_equals:
        test = lambda a: a != value  # noqa: E731
    elif op in (Op.in_, Op.not_in):
        members = frozenset(value)
        test = (lambda a: a in members) if op == Op.in_ else (lambda a: a not in members)
    elif op == Op.contains:
        test = lambda a: value in a  # noqa: E731
    elif op == Op.contains_any:
        members = frozenset(value)
        test = lambda a: not members.isdisjoint(a)  # noqa: E731
    elif op == Op.gt:
        test = lambda a: a > value  # noqa: E731
    elif op == Op.gte:
        test = lambda a: a >= value  # noqa: E731
    elif op == Op.lt:
        test = lambda a: a < value  # noqa: E731
    elif op == Op.lte:
        test = lambda a: a <= value  # noqa: E731
    else:  # pragma: no cover - Op is a closed enum
        raise ValueError(f"unsupported op {op}")

    def predicate(facts: Facts) -> bool | None:
        actual = facts.get(fact)
        return None if actual is None else test(actual)

    return predicate


def compile_condition(cond: Condition) -> Predicate:
    """Compile a condition tree into a three-valued predicate over a flat fact dict."""
    if isinstance(cond, Leaf):
        return _leaf(cond)
    if isinstance(cond, Not):
        inner = compile_condition(cond.not_)

        def negate(facts: Facts) -> bool | None:
            r = inner(facts)
            return None if r is None else not r

        return negate
    children = [compile_condition(c) for c in (cond.all if isinstance(cond, All) else cond.any)]
    if isinstance(cond, All):

        def all_of(facts: Facts) -> bool | None:
            unknown = False
            for child in children:
                r = child(facts)
                if r is False:
                    return False
                if r is None:
                    unknown = True
            return None if unknown else True

        return all_of

    def any_of(facts: Facts) -> bool | None:
        unknown = False
        for child in children:
            r = child(facts)
            if r is True:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    return any_of


def leaves(cond: Condition) -> list[Leaf]:
    """Every leaf of a condition, depth first."""
    if isinstance(cond, Leaf):
        return [cond]
    if isinstance(cond, Not):
        return leaves(cond.not_)
    return [leaf for c in (cond.all if isinstance(cond, All) else cond.any) for leaf in leaves(c)]


_LEAF_CACHE: dict[int, tuple[weakref.ref[Leaf], Predicate]] = {}


def _cached_leaf(leaf: Leaf) -> Predicate:
    """The compiled predicate of a leaf, compiled once (keyed by identity). The cache holds
    the leaf weakly and drops the entry when the leaf dies, so draft packs loaded and unloaded
    in a running process do not accumulate here."""
    hit = _LEAF_CACHE.get(id(leaf))
    if hit is None or hit[0]() is not leaf:
        hit = _LEAF_CACHE[id(leaf)] = (weakref.ref(leaf), _leaf(leaf))
        weakref.finalize(leaf, _LEAF_CACHE.pop, id(leaf), None)
    return hit[1]


def fact_paths(cond: Condition) -> tuple[str, ...]:
    """The facts a condition reads, in order, without repeats (eccn_in reads the chain)."""
    paths = {(ECCN_CHAIN if leaf.op == Op.eccn_in else leaf.fact): None for leaf in leaves(cond)}
    return tuple(paths)


def trace_condition(cond: Condition, facts: Facts) -> tuple[bool | None, list[ConditionTrace]]:
    """Evaluate every leaf (no short-circuit) and return the result with the traces.

    A leaf under an odd number of `not`s is traced as the negated test ("not contains_any")
    with the result of that negated test, so that each trace reads true as written: a clause
    that fired on "NOT contains one of [A:5, A:6]" shows that test as held, not the inner one.
    """
    traces: list[ConditionTrace] = []

    def walk(node: Condition, negated: bool) -> bool | None:
        if isinstance(node, Leaf):
            result = _cached_leaf(node)(facts)
            actual = facts.get(node.fact)
            if node.op == Op.eccn_in:
                actual = facts.get("item.eccn")
            traces.append(
                ConditionTrace(
                    fact=node.fact,
                    op=("not " if negated else "") + node.op.value,
                    expected=node.value,
                    actual=actual,
                    result=(not result) if negated and result is not None else result,
                )
            )
            return result
        if isinstance(node, Not):
            r = walk(node.not_, not negated)
            return None if r is None else not r
        results = [walk(c, negated) for c in (node.all if isinstance(node, All) else node.any)]
        if isinstance(node, All):
            if False in results:
                return False
            return None if None in results else True
        if True in results:
            return True
        return None if None in results else False

    return walk(cond, False), traces


def missing_facts(traces: list[ConditionTrace]) -> list[str]:
    """Facts whose absence left a leaf undecided, in order, without repeats."""
    seen: dict[str, None] = {}
    for t in traces:
        if t.result is None:
            # an eccn_in leaf is undecided with a value when the ECCN is too coarse
            seen.setdefault(
                t.fact if t.actual is None else f"{t.fact} (a paragraph below {t.actual})"
            )
    return list(seen)


_INLINE_TESTS: dict[Op, str] = {
    Op.equals: "a == {v}",
    Op.not_equals: "a != {v}",
    Op.in_: "a in {v}",
    Op.not_in: "a not in {v}",
    Op.contains: "{v} in a",
    Op.contains_any: "not {v}.isdisjoint(a)",
    Op.gt: "a > {v}",
    Op.gte: "a >= {v}",
    Op.lt: "a < {v}",
    Op.lte: "a <= {v}",
    Op.regex: "{v}.search(str(a)) is not None",
}


def compile_fast(cond: Condition) -> Predicate:
    """The same predicate as `compile_condition`, generated as one Python function.

    A clause is usually an `all` of leaves; its leaves become straight-line code (one dict
    lookup and one test each, returning False at the first failure) instead of a closure call
    per leaf, which roughly halves the hot path. Any other node is delegated to the closure
    compiler. `compile_condition` stays the oracle: a test requires both to agree on random
    condition trees.
    """
    if not isinstance(cond, All):
        return compile_condition(cond)
    env: dict[str, Any] = {}
    lines = ["def predicate(f):", "    u = False"]
    for n, child in enumerate(cond.all):
        name = f"v{n}"
        if isinstance(child, Leaf) and child.op == Op.exists:
            test = "is None" if child.value else "is not None"
            lines.append(f"    if f.get({child.fact!r}) {test}: return False")
        elif isinstance(child, Leaf) and child.op in _INLINE_TESTS:
            value = child.value
            if child.op in (Op.in_, Op.not_in, Op.contains_any):
                value = frozenset(value)
            elif child.op == Op.regex:
                value = re.compile(value)
            env[name] = value
            lines += [
                f"    a = f.get({child.fact!r})",
                "    if a is None: u = True",
                f"    elif not ({_INLINE_TESTS[child.op].format(v=name)}): return False",
            ]
        else:
            env[name] = compile_condition(child)
            lines += [
                f"    r = {name}(f)",
                "    if r is False: return False",
                "    if r is None: u = True",
            ]
    lines.append("    return None if u else True")
    exec("\n".join(lines), env)
    predicate: Predicate = env["predicate"]
    return predicate
