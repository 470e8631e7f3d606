"""Index clauses by CCL entry and date, so a line item meets only clauses that can apply.

A clause whose condition is an `all` with an `eccn_in` leaf at the top (or is such a leaf) is
*keyed* by the CCL entries of its ECCNs (3B001.c.1.a -> 3B001): it applies only to items
classified under one of those entries. Every other clause is *generic*. Likewise a clause meets
the kinds of line (`line.kind`: goods, service) that a top-level test of `line.kind` names, and
goods lines only when it has none: every clause written for exported goods stays silent on a
US person's service. This is part of the semantics, not just an optimisation: every backend
applies the same rule (`applies_to`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from schemas.facts import FACTS
from schemas.rules import All, Clause, ClauseKind, Leaf, Op
from screener.conditions import Predicate, compile_fast


def _entries(clause: Clause) -> frozenset[str]:
    tops = clause.when.all if isinstance(clause.when, All) else [clause.when]
    for cond in tops:
        if isinstance(cond, Leaf) and cond.op == Op.eccn_in:
            return frozenset(str(v).split(".")[0] for v in cond.value)
    return frozenset()


GOODS = "goods"
LINE_KIND = "line.kind"


def _lines(clause: Clause) -> frozenset[str]:
    """The kinds of line the clause meets: those its top-level `line.kind` test names, or
    goods alone."""
    tops = clause.when.all if isinstance(clause.when, All) else [clause.when]
    for cond in tops:
        if isinstance(cond, Leaf) and cond.fact == LINE_KIND:
            if cond.op == Op.equals:
                return frozenset([str(cond.value)])
            if cond.op == Op.in_:
                return frozenset(str(v) for v in cond.value)
    return frozenset([GOODS])


Guard = tuple[str, frozenset[Any] | None]  # (fact, values one must match) or (fact, None): given


def _guard(clause: Clause) -> Guard | None:
    """A top-level test that must hold for the clause to be true or undecided: when it fails
    the clause is false, so the hot path can skip the clause without evaluating it.

    Only tests that cannot be undecided qualify: `exists: true`, or equality and membership
    tests on facts derived for every transaction (FactSpec.always).
    """
    tops = clause.when.all if isinstance(clause.when, All) else [clause.when]
    for cond in tops:
        if not isinstance(cond, Leaf):
            continue
        spec = FACTS.get(cond.fact)
        if cond.op == Op.exists and cond.value is True:
            return cond.fact, None
        if spec is None or not spec.always:
            continue
        if cond.op in (Op.equals, Op.contains):
            return cond.fact, frozenset([cond.value])
        if cond.op in (Op.in_, Op.contains_any):
            return cond.fact, frozenset(cond.value)
    return None


def _excludes(clause: Clause) -> tuple[str, frozenset[Any]] | None:
    """A top-level `not_equals`/`not_in` on a scalar fact: when the fact is given and is one
    of those values, the clause is false (when it is missing the clause must be evaluated)."""
    tops = clause.when.all if isinstance(clause.when, All) else [clause.when]
    for cond in tops:
        spec = FACTS.get(cond.fact) if isinstance(cond, Leaf) else None
        if spec is None or spec.type == "list" or not isinstance(cond, Leaf):
            continue
        if cond.op == Op.not_equals:
            return cond.fact, frozenset([cond.value])
        if cond.op == Op.not_in:
            return cond.fact, frozenset(cond.value)
    return None


@dataclass(frozen=True)
class IndexedClause:
    clause: Clause
    entries: frozenset[str]  # empty: generic
    predicate: Predicate
    guard: Guard | None = None
    excludes: tuple[str, frozenset[Any]] | None = None
    lines: frozenset[str] = frozenset([GOODS])

    @classmethod
    def of(cls, clause: Clause) -> IndexedClause:
        return cls(
            clause,
            _entries(clause),
            compile_fast(clause.when),
            _guard(clause),
            _excludes(clause),
            _lines(clause),
        )

    def applies_to(self, entry: str | None, on: dt.date, line: str = GOODS) -> bool:
        return (
            line in self.lines
            and self.clause.in_effect(on)
            and (not self.entries or entry in self.entries)
        )


class ClauseIndex:
    """Candidates per (kind, CCL entry, epoch).

    An epoch is a span of dates in which no clause starts or ends, so every date in it selects
    the same clauses; lookups bisect the date into its epoch and hit a small cache.
    """

    def __init__(self, clauses: list[Clause]) -> None:
        self.clauses = [IndexedClause.of(c) for c in clauses]
        self._position = {id(ic): n for n, ic in enumerate(self.clauses)}
        self._buckets: dict[tuple[ClauseKind, str | None], list[IndexedClause]] = {}
        for ic in self.clauses:
            for entry in ic.entries or [None]:
                self._buckets.setdefault((ic.clause.kind, entry), []).append(ic)
        bounds = {c.effective_from for c in clauses}
        bounds |= {c.effective_to + dt.timedelta(days=1) for c in clauses if c.effective_to}
        self._bounds = sorted(bounds)
        self._cache: dict[tuple[ClauseKind, str | None, int, str], tuple[IndexedClause, ...]] = {}
        self._plans: dict[tuple[str | None, int, tuple[ClauseKind, ...], str], Plan] = {}

    def plan(
        self,
        entry: str | None,
        on: dt.date,
        kinds: tuple[ClauseKind, ...] = tuple(ClauseKind),
        line: str = GOODS,
    ) -> Plan:
        """Candidates of `kinds` for a line of kind `line` under `entry` on `on`, grouped
        by guard."""
        key = (entry, bisect.bisect_right(self._bounds, on), kinds, line)
        found = self._plans.get(key)
        if found is None:
            if len(self._plans) >= 100_000:
                self._plans.clear()
            found = self._plans[key] = Plan.of(
                tuple(ic for kind in kinds for ic in self.candidates(kind, entry, on, line))
            )
        return found

    def candidates(
        self, kind: ClauseKind, entry: str | None, on: dt.date, line: str = GOODS
    ) -> tuple[IndexedClause, ...]:
        """Clauses of `kind` in effect on `on` that apply to a line of kind `line` (goods:
        an item) under CCL `entry`."""
        key = (kind, entry, bisect.bisect_right(self._bounds, on), line)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= 100_000:  # entries come from input: keep the cache bounded
                self._cache.clear()
            bucket = self._buckets.get((kind, None), []) + (
                self._buckets.get((kind, entry), []) if entry is not None else []
            )
            found = self._cache[key] = tuple(
                sorted(
                    (ic for ic in bucket if line in ic.lines and ic.clause.in_effect(on)),
                    key=lambda ic: self._position[id(ic)],
                )
            )
        return found


@dataclass(frozen=True)
class Plan:
    """The candidates of one (kind, entry, epoch), grouped by guard for the hot path: a fact
    lookup selects the guarded clauses that can hold instead of testing each one."""

    unguarded: tuple[IndexedClause, ...]
    when_given: dict[str, tuple[IndexedClause, ...]]  # fact -> clauses needing it given
    by_value: dict[str, dict[Any, tuple[IndexedClause, ...]]]  # fact -> value -> clauses
    # facts under several of whose values one clause is listed (a list fact may pick it twice)
    _shared: frozenset[str] = field(init=False, default=frozenset())
    _excluding: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        shared = {
            fact
            for fact, table in self.by_value.items()
            if sum(map(len, table.values())) != len({id(ic) for cs in table.values() for ic in cs})
        }
        clauses = [*self.unguarded, *(ic for cs in self.when_given.values() for ic in cs)]
        clauses += [ic for t in self.by_value.values() for cs in t.values() for ic in cs]
        object.__setattr__(self, "_shared", frozenset(shared))
        object.__setattr__(self, "_excluding", any(ic.excludes for ic in clauses))

    @classmethod
    def of(cls, clauses: tuple[IndexedClause, ...]) -> Plan:
        unguarded: list[IndexedClause] = []
        given: dict[str, list[IndexedClause]] = {}
        by_value: dict[str, dict[Any, list[IndexedClause]]] = {}
        for ic in clauses:
            if ic.guard is None:
                unguarded.append(ic)
                continue
            fact, values = ic.guard
            if values is None:
                given.setdefault(fact, []).append(ic)
            else:
                for v in values:
                    by_value.setdefault(fact, {}).setdefault(v, []).append(ic)
        return cls(
            tuple(unguarded),
            {f: tuple(cs) for f, cs in given.items()},
            {f: {v: tuple(cs) for v, cs in m.items()} for f, m in by_value.items()},
        )

    def select(self, facts: dict[str, Any]) -> list[IndexedClause]:
        """The clauses whose guard holds for `facts` (each once), plus the unguarded ones.

        The hot path of every screening: plain loops and dict lookups, de-duplicating only
        for the facts where one clause sits under several values."""
        get = facts.get
        out = list(self.unguarded)
        for fact, clauses in self.when_given.items():
            if get(fact) is not None:
                out += clauses
        for fact, table in self.by_value.items():
            actual = get(fact)
            if actual is None:
                continue
            if type(actual) is not list:
                out += table.get(actual, ())
            elif fact in self._shared:
                picked: dict[int, IndexedClause] = {}
                for v in actual:
                    for ic in table.get(v, ()):
                        picked[id(ic)] = ic
                out += picked.values()
            else:
                for v in actual:
                    out += table.get(v, ())
        if not self._excluding:
            return out
        return [
            ic for ic in out if ic.excludes is None or get(ic.excludes[0]) not in ic.excludes[1]
        ]
