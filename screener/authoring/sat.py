"""Can a condition (or two together) be true? A conservative satisfiability check for lint.

A condition is put in disjunctive normal form (negations pushed to the leaves) and each
conjunction is checked fact by fact: equality and membership sets, numeric intervals, list
membership, `exists`, and the CCL hierarchy for `eccn_in`. With the US tables it also knows
which Country Groups each destination belongs to. Anything it cannot reason about (regex, a
form too large to expand) counts as satisfiable, so a clause is only ever reported as
impossible when it provably is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from schemas.rules import All, Condition, Leaf, Not, Op
from screener.packs.tables import UsTables

Literal_ = tuple[Leaf, bool]  # (leaf, negated)
_MAX_TERMS = 512
_NEGATE = {
    Op.equals: Op.not_equals,
    Op.not_equals: Op.equals,
    Op.in_: Op.not_in,
    Op.not_in: Op.in_,
    Op.gt: Op.lte,
    Op.gte: Op.lt,
    Op.lt: Op.gte,
    Op.lte: Op.gt,
}


class TooLarge(Exception):
    """The normal form would be too large to check: treat as satisfiable."""


def dnf(cond: Condition, negated: bool = False) -> list[list[Literal_]]:
    """The condition as a disjunction of conjunctions of (leaf, negated) literals."""
    if isinstance(cond, Leaf):
        return [[(cond, negated)]]
    if isinstance(cond, Not):
        return dnf(cond.not_, not negated)
    kids = cond.all if isinstance(cond, All) else cond.any
    conjunctive = isinstance(cond, All) != negated  # De Morgan
    parts = [dnf(k, negated) for k in kids]
    if not conjunctive:
        out = [term for part in parts for term in part]
    else:
        out = [[]]
        for part in parts:
            out = [a + b for a in out for b in part]
            if len(out) > _MAX_TERMS:
                raise TooLarge
    if len(out) > _MAX_TERMS:
        raise TooLarge
    return out


def _under(eccn: str, ancestor: str) -> bool:
    return eccn == ancestor or eccn.startswith(ancestor + ".")


@dataclass
class _Fact:
    allowed: set[Any] | None = None
    excluded: set[Any] = field(default_factory=set)
    low: float = -math.inf
    low_open: bool = False
    high: float = math.inf
    high_open: bool = False
    given: bool = False  # exists: true
    missing: bool = False  # exists: false
    tested: bool = False  # any other test, which is undecided on a missing fact
    has: set[Any] = field(default_factory=set)
    lacks: set[Any] = field(default_factory=set)
    some_of: list[set[Any]] = field(default_factory=list)
    eccns: list[set[str]] = field(default_factory=list)
    not_eccns: set[str] = field(default_factory=set)

    def allow(self, values: set[Any]) -> None:
        self.allowed = values if self.allowed is None else self.allowed & values

    def bound(self, op: Op, v: float) -> None:
        if op in (Op.gt, Op.gte) and (v > self.low or (v == self.low and op == Op.gt)):
            self.low, self.low_open = v, op == Op.gt
        if op in (Op.lt, Op.lte) and (v < self.high or (v == self.high and op == Op.lt)):
            self.high, self.high_open = v, op == Op.lt

    def add(self, leaf: Leaf, negated: bool) -> None:
        op, v = leaf.op, leaf.value
        if op == Op.exists:
            if v != negated:
                self.given = True
            else:
                self.missing = True
            return
        self.tested = True
        if op == Op.regex:
            return
        if op == Op.eccn_in:
            if negated:
                self.not_eccns |= set(v)
            else:
                self.eccns.append(set(v))
            return
        if op in (Op.contains, Op.contains_any):
            values = {v} if op == Op.contains else set(v)
            if negated:
                self.lacks |= values
            elif op == Op.contains:
                self.has |= values
            else:
                self.some_of.append(values)
            return
        if negated:
            op = _NEGATE[op]
        if op == Op.equals:
            self.allow({v})
        elif op == Op.in_:
            self.allow(set(v))
        elif op == Op.not_equals:
            self.excluded.add(v)
        elif op == Op.not_in:
            self.excluded |= set(v)
        else:
            self.bound(op, v)

    def possible(self) -> set[Any] | None:
        """Values still possible (None: any), after the interval and exclusions."""
        if self.allowed is None:
            return None
        return {
            a
            for a in self.allowed - self.excluded
            if not isinstance(a, int | float) or isinstance(a, bool) or self._in_range(a)
        }

    def _in_range(self, a: float) -> bool:
        lo = a > self.low if self.low_open else a >= self.low
        hi = a < self.high if self.high_open else a <= self.high
        return lo and hi

    def satisfiable(self) -> bool:
        if self.missing and (self.given or self.tested):
            return False
        possible = self.possible()
        if possible is not None and not possible:
            return False
        if self.low > self.high or (self.low == self.high and (self.low_open or self.high_open)):
            return False
        if self.has & self.lacks or any(not (s - self.lacks) for s in self.some_of):
            return False
        return self._eccn_possible()

    def _eccn_possible(self) -> bool:
        if not self.eccns:
            return True
        candidates = self.eccns[0]
        for other in self.eccns[1:]:
            candidates = {
                a if len(a) >= len(b) else b
                for a in candidates
                for b in other
                if _under(a, b) or _under(b, a)
            }
        # an ECCN below a candidate but outside every excluded paragraph must remain
        return any(not any(_under(c, n) for n in self.not_eccns) for c in candidates)


def _conjunction_possible(term: list[Literal_], tables: UsTables | None) -> bool:
    facts: dict[str, _Fact] = {}
    for leaf, negated in term:
        facts.setdefault(leaf.fact, _Fact()).add(leaf, negated)
    if not all(f.satisfiable() for f in facts.values()):
        return False
    country, groups = facts.get("destination.country"), facts.get("destination.country_groups")
    if tables is not None and country is not None and groups is not None:
        possible = country.possible()
        if possible is not None:
            fits = [
                c
                for c in possible
                if groups.has <= set(tables.country_groups(c))
                and not groups.lacks & set(tables.country_groups(c))
            ]
            return bool(fits)
    return True


def satisfiable(*conds: Condition, tables: UsTables | None = None) -> bool:
    """Whether all `conds` can be true together for one item (conservative: True when
    unsure)."""
    try:
        terms: list[list[Literal_]] = [[]]
        for cond in conds:
            terms = [a + b for a in terms for b in dnf(cond)]
            if len(terms) > _MAX_TERMS:
                return True
    except TooLarge:
        return True
    return any(_conjunction_possible(t, tables) for t in terms)
