"""Representative answers to a missing fact, for the search over unknowns (screener.decide).

One answer per distinct combination of outcomes of the tests that read the fact: under, at
and over each threshold (within the fact's physical bounds); each value named and one other;
each realisable membership pattern of a list (values tested by the same tests stand for one
another); each paragraph below a coarse ECCN and one that none of the tests names.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from schemas.facts import FACTS
from schemas.rules import Leaf, Op
from schemas.vocabulary import PARAMETERS
from screener.conditions import ECCN_CHAIN, _cached_leaf

OTHER = "(any other value)"
_MAX_LIST_VALUES = 10  # list facts tested against more values are not enumerated
_BOUNDS: dict[str, tuple[float, float | None]] = {
    "item.us_content_percent": (0.0, 100.0),
    "item.value_usd": (0.0, None),
    "item.quantity": (0.0, None),
} | {f"item.parameters.{p.name}": (p.minimum, p.maximum) for p in PARAMETERS.values()}
_NOT_ENUMERATED = {ECCN_CHAIN, "item.eccn", "item.eccn_entry"}
PARAGRAPH = "item.eccn (the paragraph below the one given)"
_OTHER_PARAGRAPH = "(another paragraph)"


def show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)


def domain(fact: str, tests: Iterable[Leaf]) -> tuple[Any, ...] | None:
    """Representative values of a missing fact: one per distinct combination of outcomes of
    the tests that read it, within its physical bounds; None when it cannot be enumerated."""
    spec = FACTS.get(fact)
    mine = [leaf for leaf in tests if leaf.fact == fact and leaf.op != Op.exists]
    if spec is None or fact in _NOT_ENUMERATED or any(t.op == Op.regex for t in mine):
        return None
    if spec.type == "bool":
        candidates: list[Any] = [True, False]
    elif spec.type == "number":
        candidates = _numbers(fact, mine)
    elif spec.type == "string":
        named = {v for t in mine for v in (t.value if isinstance(t.value, list) else [t.value])}
        candidates = [*sorted(map(str, named)), OTHER]
    else:
        if any(t.op not in (Op.contains, Op.contains_any) for t in mine):
            return None
        # values tested by the same tests are interchangeable: one stands for its class
        classes: dict[frozenset[int], Any] = {}
        for v in sorted({v for t in mine for v in _values(t)}, key=str):
            classes.setdefault(frozenset(n for n, t in enumerate(mine) if v in _values(t)), v)
        if len(classes) > _MAX_LIST_VALUES:
            return None
        values = list(classes.values())
        candidates = [c for r in range(len(values) + 1) for c in itertools.combinations(values, r)]
    if not mine:
        return (candidates[0],) if spec.type == "list" else tuple(candidates[:1])
    seen: dict[tuple[bool | None, ...], Any] = {}
    for value in candidates:
        given = list(value) if isinstance(value, tuple) else value
        signature = tuple(_cached_leaf(t)({fact: given}) for t in mine)
        seen.setdefault(signature, value)
    return tuple(seen.values())


def chain(eccn: str) -> list[str]:
    parts = eccn.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def paragraphs(given: str, tests: list[Leaf]) -> tuple[str, ...]:
    """The paragraphs below `given` that the tests name, and one that none of them names,
    each standing for a distinct combination of the tests' outcomes."""
    below = sorted({v for t in tests for v in t.value if v.startswith(given + ".")})
    # a named paragraph with named paragraphs below it stands as "none of those below"
    candidates = [
        f"{code}.{_OTHER_PARAGRAPH}" if any(v.startswith(code + ".") for v in below) else code
        for code in below
    ]
    candidates.append(f"{given}.{_OTHER_PARAGRAPH}")
    seen: dict[tuple[bool | None, ...], str] = {}
    for code in candidates:
        signature = tuple(_cached_leaf(t)({ECCN_CHAIN: chain(code)}) for t in tests)
        seen.setdefault(signature, code)
    return tuple(seen.values())


def _values(test: Leaf) -> list[Any]:
    return test.value if isinstance(test.value, list) else [test.value]


def _numbers(fact: str, tests: list[Leaf]) -> list[float]:
    thresholds = sorted(
        {
            float(v)
            for t in tests
            for v in (t.value if isinstance(t.value, list) else [t.value])
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    )
    if not thresholds:
        return [0.0]
    points = [thresholds[0] - 1]
    for a, b in itertools.pairwise(thresholds):
        points += [a, (a + b) / 2]
    points += [thresholds[-1], thresholds[-1] + 1]
    low, high = _BOUNDS.get(fact, (float("-inf"), None))
    exclusive = (
        fact.startswith("item.parameters.")
        and PARAMETERS[fact.removeprefix("item.parameters.")].exclusive_minimum
    )
    return [
        p for p in points if (p > low if exclusive else p >= low) and (high is None or p <= high)
    ] or [low]
