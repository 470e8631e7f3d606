"""Index clauses by CCL entry and date, so a line item meets only clauses that can apply.

A clause whose condition is an `all` with an `eccn_in` leaf at the top (or is such a leaf) is
*keyed* by the CCL entries of its ECCNs (3B001.c.1.a -> 3B001): it applies only to items
classified under one of those entries. Every other clause is *generic*. This is part of the
semantics, not just an optimisation: every backend applies the same rule (`applies_to`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from schemas.rules import All, Clause, ClauseKind, Leaf, Op
from screener.conditions import Predicate, compile_condition


def _entries(clause: Clause) -> frozenset[str]:
    tops = clause.when.all if isinstance(clause.when, All) else [clause.when]
    for cond in tops:
        if isinstance(cond, Leaf) and cond.op == Op.eccn_in:
            return frozenset(str(v).split(".")[0] for v in cond.value)
    return frozenset()


@dataclass(frozen=True)
class IndexedClause:
    clause: Clause
    entries: frozenset[str]  # empty: generic
    predicate: Predicate

    @classmethod
    def of(cls, clause: Clause) -> IndexedClause:
        return cls(clause, _entries(clause), compile_condition(clause.when))

    def applies_to(self, entry: str | None, on: dt.date) -> bool:
        return self.clause.in_effect(on) and (not self.entries or entry in self.entries)


class ClauseIndex:
    """Candidates per (kind, CCL entry, epoch).

    An epoch is a span of dates in which no clause starts or ends, so every date in it selects
    the same clauses; lookups bisect the date into its epoch and hit a small cache.
    """

    def __init__(self, clauses: list[Clause]) -> None:
        self.clauses = [IndexedClause.of(c) for c in clauses]
        bounds = {c.effective_from for c in clauses}
        bounds |= {c.effective_to + dt.timedelta(days=1) for c in clauses if c.effective_to}
        self._bounds = sorted(bounds)
        self._cache: dict[tuple[ClauseKind, str | None, int], tuple[IndexedClause, ...]] = {}

    def candidates(
        self, kind: ClauseKind, entry: str | None, on: dt.date
    ) -> tuple[IndexedClause, ...]:
        """Clauses of `kind` in effect on `on` that apply to an item under CCL `entry`."""
        key = (kind, entry, bisect.bisect_right(self._bounds, on))
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= 100_000:  # entries come from input: keep the cache bounded
                self._cache.clear()
            found = self._cache[key] = tuple(
                ic for ic in self.clauses if ic.clause.kind == kind and ic.applies_to(entry, on)
            )
        return found
