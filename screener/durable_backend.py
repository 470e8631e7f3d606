"""Compile clauses to durable-rules rulesets and evaluate them through the C extension.

How the engine is used, and why (measured in ../shared/reference/durable-rules.md):
- facts, never events: an event is consumed by the first rule that fires; a fact fires all;
- the C extension directly, never `durable.engine.Host` (its dispatcher thread steals actions
  and segfaults under concurrency), with one lock per ruleset handle;
- one reused session id, assert -> collect -> retract, so there is one live fact at a time
  (the 1,024-session limit and the 32-bit id hash never come into play; an "already
  observed" answer for a new fact is retried under another id, never read as "no hits");
- a ruleset cannot be replaced, so each is named after its pack's content hash and reused.

Three-valued logic in a two-valued engine: every clause becomes up to two rules, `<id>|T`
(the condition is true) and `<id>|U` (it cannot be decided), built from the Kleene truth
tables with explicit T/F/U formulas per node. Lists always carry a sentinel element because
`$iall` is false on an empty list. Regex leaves are evaluated in Python beforehand (durable's
`$mt` dialect is not Python's `re`) and passed in as booleans.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as dre

from schemas.facts import FACTS
from schemas.rules import All, AnyOf, Condition, Leaf, Not, Op
from screener.index import IndexedClause

SENTINEL = "\u2205"  # appended to every list fact; never a legal clause value
TRUE: dict[str, Any] = {"t": "tx"}  # every fact carries t = tx
FALSE: None = None

Expr = dict[str, Any] | None


def _key(fact: str) -> str:
    return fact.replace(".", "__")


def _and(*parts: Expr) -> Expr:
    if any(p is FALSE for p in parts):
        return FALSE
    kept = [p for p in parts if p != TRUE]
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else {"$and": kept}


def _or(*parts: Expr) -> Expr:
    if any(p == TRUE for p in parts):
        return TRUE
    kept = [p for p in parts if p is not FALSE]
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else {"$or": kept}


@dataclass
class Tri:
    """Durable expressions for 'true', 'false' and 'undecided' of one condition node."""

    t: Expr
    f: Expr
    u: Expr


class Compiler:
    def __init__(self) -> None:
        self.regexes: dict[str, tuple[str, re.Pattern[str]]] = {}  # key -> (fact, pattern)

    def leaf(self, leaf: Leaf) -> Tri:
        k, v = _key(leaf.fact), leaf.value
        spec = FACTS.get(leaf.fact)
        if spec is not None and spec.always:
            # Derived for every transaction: never missing, so no presence tests. This keeps
            # the 'undecided' formulas small enough for the engine (it refuses very large
            # patterns with error 113).
            present, missing = TRUE, FALSE
        else:
            present, missing = {"$ex": {k: 1}}, {"$nex": {k: 1}}
        op = leaf.op
        if op == Op.exists:
            return Tri(present, missing, FALSE) if v else Tri(missing, present, FALSE)
        if op == Op.eccn_in:
            chain = _key("item.eccn_chain")
            ancestors = sorted(
                {".".join(x.split(".")[:i]) for x in v for i in range(1, x.count(".") + 1)}
            )
            hit = {"$iany": {chain: _or(*({"$i": x} for x in v))}}
            miss = {"$iall": {chain: _and(*({"$neq": {"$i": x}} for x in v))}}
            vague = _or(*({_key("item.eccn"): a} for a in ancestors))
            not_vague = _and(*({"$neq": {_key("item.eccn"): a}} for a in ancestors))
            return Tri(
                hit, _and({"$ex": {chain: 1}}, miss, not_vague), _or({"$nex": {chain: 1}}, vague)
            )
        if op == Op.regex:
            k = f"__rx{len(self.regexes)}"
            self.regexes[k] = (leaf.fact, re.compile(v))
            return Tri({k: True}, {k: False}, {"$nex": {k: 1}})
        t: Expr
        f: Expr
        if op in (Op.contains, Op.contains_any) and present is TRUE:
            values = [v] if op == Op.contains else v
            t = {"$iany": {k: _or(*({"$i": x} for x in values))}}
            f = {"$iall": {k: _and(*({"$neq": {"$i": x}} for x in values))}}
            return Tri(t, f, FALSE)
        if op in (Op.equals, Op.not_equals):
            t, f = {k: v}, {"$neq": {k: v}}
            if op == Op.not_equals:
                t, f = f, t
        elif op in (Op.in_, Op.not_in):
            t = _or(*({k: x} for x in v))
            f = _and(*({"$neq": {k: x}} for x in v))
            if op == Op.not_in:
                t, f = f, t
        elif op in (Op.contains, Op.contains_any):
            values = [v] if op == Op.contains else v
            t = {"$iany": {k: _or(*({"$i": x} for x in values))}}
            f = {"$iall": {k: _and(*({"$neq": {"$i": x}} for x in values))}}
        else:
            flip = {Op.gt: "$lte", Op.gte: "$lt", Op.lt: "$gte", Op.lte: "$gt"}
            t, f = {f"${op.value}": {k: v}}, {flip[op]: {k: v}}
        return Tri(_and(present, t), _and(present, f), missing)

    def node(self, cond: Condition) -> Tri:
        if isinstance(cond, Leaf):
            return self.leaf(cond)
        if isinstance(cond, Not):
            inner = self.node(cond.not_)
            return Tri(inner.f, inner.t, inner.u)
        kids = [self.node(c) for c in (cond.all if isinstance(cond, All) else cond.any)]
        any_u = _or(*(k.u for k in kids))
        if isinstance(cond, All):
            return Tri(
                _and(*(k.t for k in kids)),
                _or(*(k.f for k in kids)),
                _and(*(_or(k.t, k.u) for k in kids), any_u),
            )
        assert isinstance(cond, AnyOf)
        return Tri(
            _or(*(k.t for k in kids)),
            _and(*(k.f for k in kids)),
            _and(*(_or(k.f, k.u) for k in kids), any_u),
        )


def _dnf(expr: Expr, limit: int = 512) -> list[list[dict[str, Any]]]:
    """Disjunctive normal form of an expression, without contradictory conjunctions.

    The Kleene 'undecided' formulas contain conjunctions that cannot hold (a fact both given
    and missing); durable-rules refuses patterns past a size limit (error 113), so each
    satisfiable conjunction becomes a rule of its own.
    """
    if expr is FALSE:
        return []
    if "$or" in expr and all(not ({"$or", "$and"} & part.keys()) for part in expr["$or"]):
        return [[expr]]  # a disjunction of plain tests stays one test
    if "$or" in expr:
        return [c for part in expr["$or"] for c in _dnf(part, limit)]
    if "$and" in expr:
        out: list[list[dict[str, Any]]] = [[]]
        for part in expr["$and"]:
            out = [a + b for a in out for b in _dnf(part, limit)]
            if len(out) > limit:
                raise ValueError(
                    f"condition too large for durable-rules ({len(out)}+ conjunctions)"
                )
        return [c for c in out if _satisfiable(c)]
    return [[expr]]


def _satisfiable(conjunction: list[dict[str, Any]]) -> bool:
    given = {k for atom in conjunction if "$ex" in atom for k in atom["$ex"]}
    missing = {k for atom in conjunction if "$nex" in atom for k in atom["$nex"]}
    return given.isdisjoint(missing)


def _guard(ic: IndexedClause) -> Expr:
    clause = ic.clause
    date = {"$gte": {"__date": clause.effective_from.toordinal()}}
    until = {"$lte": {"__date": clause.effective_to.toordinal()}} if clause.effective_to else TRUE
    entries = (
        _or(*({_key("item.eccn_entry"): e} for e in sorted(ic.entries))) if ic.entries else TRUE
    )
    return _and(date, until, entries)


_REGISTRY: dict[str, tuple[Any, threading.Lock]] = {}
_REGISTRY_LOCK = threading.Lock()


class DurableRuleset:
    """One compiled pack: `evaluate(facts, date)` returns {clause id: True | None}."""

    def __init__(self, name: str, clauses: list[IndexedClause]) -> None:
        compiler = Compiler()
        rules: dict[str, Any] = {}
        for ic in clauses:
            tri = compiler.node(ic.clause.when)
            guard = _guard(ic)
            for tag, expr in (("T", tri.t), ("U", tri.u)):
                # One rule per satisfiable conjunction: T and U are disjoint, and a clause is
                # reported once whichever of its rules fires.
                for n, conjunction in enumerate(_dnf(_and(TRUE, guard, expr))):
                    unique = list({json.dumps(a, sort_keys=True): a for a in conjunction}.values())
                    pattern = unique[0] if len(unique) == 1 else {"$and": unique}
                    rules[f"{ic.clause.id}|{tag}|{n}"] = {"all": [{"m": pattern}]}
        self.regexes = compiler.regexes
        self.rule_count = len(rules)
        with _REGISTRY_LOCK:
            if name not in _REGISTRY:
                _REGISTRY[name] = (dre.create_ruleset(name, json.dumps(rules)), threading.Lock())
        self._handle, self._lock = _REGISTRY[name]
        self._ids = itertools.count()

    def _encode(self, facts: dict[str, Any], ordinal: int) -> dict[str, Any]:
        out: dict[str, Any] = {"t": "tx", "sid": "w", "__date": ordinal}
        for fact, value in facts.items():
            out[_key(fact)] = [*value, SENTINEL] if isinstance(value, list) else value
        for k, (fact, pattern) in self.regexes.items():
            if facts.get(fact) is not None:
                out[k] = pattern.search(str(facts[fact])) is not None
        return out

    def evaluate(self, facts: dict[str, Any], ordinal: int) -> dict[str, bool | None]:
        fact = self._encode(facts, ordinal)
        hits: dict[str, bool | None] = {}
        with self._lock:
            for _attempt in range(8):
                fact["id"] = f"q{next(self._ids)}"
                text = json.dumps(fact)
                code, state = dre.assert_fact(self._handle, text)
                if code != 2:  # 2: "already observed", a 32-bit id-hash collision: new id
                    break
            else:  # pragma: no cover - eight collisions in a row
                raise RuntimeError("durable-rules refused the fact as already observed 8 times")
            try:
                if code == 0:
                    result = dre.start_action_for_state(self._handle, state)
                    message = result[1] if result else None
                    while message:
                        for rule in json.loads(message):
                            clause_id, tag, _n = rule.rsplit("|", 2)
                            hits[clause_id] = True if tag == "T" else None
                        message = dre.complete_and_start_action(self._handle, state)
                elif code not in (1, 3):
                    raise RuntimeError(f"durable-rules assert_fact returned code {code}")
            finally:
                if code in (0, 3):
                    dre.retract_fact(self._handle, text)
        return hits
