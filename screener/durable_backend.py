"""Compile clauses to durable-rules rulesets and evaluate them through the C extension.

How the engine is used, and why (each point measured on durable-rules 2.x for this project):
- facts, never events: an event is consumed by the first rule that fires; a fact fires all;
- the C extension directly, never `durable.engine.Host` (its dispatcher thread steals actions
  and segfaults under concurrency), with one lock per ruleset handle;
- one reused session id, assert -> collect -> retract, so there is one live fact at a time
  (the 1,024-session limit and the 32-bit id hash never come into play; an "already
  observed" answer for a new fact is retried under another id, never read as "no hits");
- a ruleset cannot be replaced, so each is named after its pack's content hash and reused.

Three-valued logic in a two-valued engine: every clause becomes rules for "true" and for
"undecided", built from the Kleene truth tables with explicit T/F/U formulas per node, split
into patterns the engine accepts (at most 32 tests each) and sharded into rulesets it can
hold. Lists always carry a sentinel element because `$iall` is false on an empty list.
Regex leaves (durable's `$mt` dialect is not Python's `re`) and leaves with more than three
values are evaluated in Python beforehand and passed in as "T"/"F"/"U"; everything else,
including how leaves combine, dates and the CCL-entry index, is decided by the engine.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

from schemas.facts import FACTS
from schemas.rules import All, AnyOf, Condition, Leaf, Not, Op
from screener.conditions import Predicate, compile_condition
from screener.optional import durable_engine
from screener.packs.index import GOODS, LINE_KIND, IndexedClause

dre = durable_engine()  # an optional extra: BackendUnavailable when not installed

_MAX_VALUES = 3  # value lists longer than this are evaluated before the assert
_TRI = {True: "T", False: "F", None: "U"}
SENTINEL = "\u2205"  # appended to every list fact; never a legal clause value
TRUE: dict[str, Any] = {"t": "tx"}  # every fact carries t = tx
FALSE: None = None

Expr = dict[str, Any] | None


def _key(fact: str) -> str:
    return fact.replace(".", "__")


def _and(*parts: Expr) -> Expr:
    """Conjunction, flattened, without repeats; FALSE when it cannot hold (see _contradictory)."""
    if any(p is FALSE for p in parts):
        return FALSE
    kept: dict[str, dict[str, Any]] = {}
    for p in parts:
        for q in p["$and"] if p is not None and "$and" in p else [p]:
            if q is not None and q != TRUE:
                kept.setdefault(json.dumps(q, sort_keys=True), q)
    atoms = list(kept.values())
    if _contradictory(atoms):
        return FALSE
    if not atoms:
        return TRUE
    return atoms[0] if len(atoms) == 1 else {"$and": atoms}


def _values(inner: dict[str, Any], op: str) -> set[str] | None:
    """Values v of `{"$i": v}` (op "$i") or `{"$neq": {"$i": v}}` (op "$neq") under $or/$and."""
    terms = inner.get("$or") or inner.get("$and") or [inner]
    out = set()
    for term in terms:
        if op == "$i" and set(term) == {"$i"}:
            out.add(json.dumps(term["$i"]))
        elif op == "$neq" and set(term) == {"$neq"} and set(term["$neq"]) == {"$i"}:
            out.add(json.dumps(term["$neq"]["$i"]))
        else:
            return None
    return out


def _contradictory(atoms: list[dict[str, Any]]) -> bool:
    """True when a conjunction of atoms cannot hold: a fact both given and missing, equal to
    two values, equal and unequal to one value, or a list that must and must not hold a value."""
    given = {k for a in atoms if "$ex" in a for k in a["$ex"]}
    missing = {k for a in atoms if "$nex" in a for k in a["$nex"]}
    if not given.isdisjoint(missing):
        return True
    equal: dict[str, str] = {}
    unequal: set[tuple[str, str]] = set()
    must: dict[str, list[set[str]]] = {}
    never: dict[str, set[str]] = {}
    for a in atoms:
        ((op, body),) = a.items()
        if not op.startswith("$"):
            value = json.dumps(body)
            if equal.setdefault(op, value) != value:
                return True
        elif op == "$neq" and len(body) == 1:
            ((k, v),) = body.items()
            if not isinstance(v, dict):
                unequal.add((k, json.dumps(v)))
        elif op in ("$iany", "$iall") and len(body) == 1:
            ((k, inner),) = body.items()
            values = _values(inner, "$i" if op == "$iany" else "$neq")
            if values is not None and op == "$iany":
                must.setdefault(k, []).append(values)
            elif values is not None:
                never.setdefault(k, set()).update(values)
    if any((k, v) in unequal for k, v in equal.items()):
        return True
    return any(options <= never.get(k, set()) for k, sets in must.items() for options in sets)


def _or(*parts: Expr) -> Expr:
    """Disjunction, flattened, without repeats."""
    if any(p == TRUE for p in parts):
        return TRUE
    kept: dict[str, dict[str, Any]] = {}
    for p in parts:
        for q in p["$or"] if p is not None and "$or" in p else [p]:
            if q is not None:
                kept.setdefault(json.dumps(q, sort_keys=True), q)
    atoms = list(kept.values())
    if not atoms:
        return FALSE
    return atoms[0] if len(atoms) == 1 else {"$or": atoms}


@dataclass
class Tri:
    """Durable expressions for 'true', 'false' and 'undecided' of one condition node."""

    t: Expr
    f: Expr
    u: Expr


class Compiler:
    def __init__(self) -> None:
        # Leaves evaluated in Python before the assert and passed in as "T"/"F"/"U": regex
        # (durable's $mt dialect is not Python's re) and value lists too long for one
        # pattern (durable refuses more than 32 tests per rule; "none of 40 ECCNs" is 41).
        self.pre: dict[str, Predicate] = {}

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
        if op == Op.regex or (isinstance(v, list) and len(v) > _MAX_VALUES):
            return self._pre(leaf)
        if op == Op.exists:
            return Tri(present, missing, FALSE) if v else Tri(missing, present, FALSE)
        if op == Op.eccn_in:
            chain = _key("item.eccn_chain")
            # Too coarse: the item's ECCN is strictly above a wanted value, and neither it nor
            # any code above it is itself wanted (that would be a hit).
            ancestors = sorted(
                a
                for a in {".".join(x.split(".")[:i]) for x in v for i in range(1, x.count(".") + 1)}
                if not any(".".join(a.split(".")[: j + 1]) in v for j in range(a.count(".") + 1))
            )
            hit = {"$iany": {chain: _or(*({"$i": x} for x in v))}}
            miss = {"$iall": {chain: _and(*({"$neq": {"$i": x}} for x in v))}}
            vague = _or(*({_key("item.eccn"): a} for a in ancestors))
            not_vague = _and(*({"$neq": {_key("item.eccn"): a}} for a in ancestors))
            return Tri(
                hit, _and({"$ex": {chain: 1}}, miss, not_vague), _or({"$nex": {chain: 1}}, vague)
            )
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
            tri = Tri(
                _and(*(k.t for k in kids)),
                _or(*(k.f for k in kids)),
                _and(*(_or(k.t, k.u) for k in kids), any_u),
            )
        else:
            assert isinstance(cond, AnyOf)
            tri = Tri(
                _or(*(k.t for k in kids)),
                _and(*(k.f for k in kids)),
                _and(*(_or(k.f, k.u) for k in kids), any_u),
            )
        if max(_size(e) if e else 0 for e in (tri.t, tri.f, tri.u)) > _MAX_NODE:
            # Too large for one pattern: splitting it would multiply rules (and shards, and
            # asserts per item), so the node is evaluated before the assert instead.
            return self._pre(cond)
        return tri

    def _pre(self, cond: Condition) -> Tri:
        k = f"__pre{len(self.pre)}"
        self.pre[k] = compile_condition(cond)
        return Tri({k: "T"}, {k: "F"}, {k: "U"})


# durable-rules keeps each rule's tests in one sequence of at most 32 entries (atoms and
# operators, MAX_SEQUENCE_EXPRESSIONS) and refuses larger patterns with error 113.
_MAX_PATTERN = 28
_MAX_NODE = 12  # a composite node whose T, F or U formula is larger is pre-evaluated
_MAX_RULES_PER_CLAUSE = 4096


def _size(expr: dict[str, Any]) -> int:
    for op in ("$and", "$or"):
        if op in expr:
            return 1 + sum(_size(c) for c in expr[op])
    for op in ("$iany", "$iall"):
        if op in expr:
            return 1 + _size(next(iter(expr[op].values())))
    return 1


def _split(expr: Expr) -> list[dict[str, Any]]:
    """Rules equivalent to `expr` (their disjunction), each small enough for the engine.

    Small patterns stay whole; a large disjunction becomes one rule per disjunct; a large
    conjunction is distributed over its largest disjunction, and conjunctions that test a
    fact both given and missing (common in the 'undecided' formulas) are dropped.
    """
    if expr is FALSE:
        return []
    if _size(expr) <= _MAX_PATTERN:
        return [expr]
    if "$or" in expr:
        return [rule for part in expr["$or"] for rule in _split(part)]
    pivots = [p for p in expr.get("$and", []) if "$or" in p]
    if not pivots:
        raise ValueError(f"a test too large for durable-rules: {json.dumps(expr)[:200]}")
    pivot = max(pivots, key=_size)
    rest = [p for p in expr["$and"] if p is not pivot]
    rules = [rule for option in pivot["$or"] for rule in _split(_and(*rest, option))]
    if len(rules) > _MAX_RULES_PER_CLAUSE:
        raise ValueError(f"condition needs more than {_MAX_RULES_PER_CLAUSE} durable rules")
    return rules


def _anchored(pattern: Expr) -> dict[str, Any]:
    """The rule's pattern with the positive type test first, then equality tests.

    Every pattern must test `t == tx` (a pattern of only negative tests matches the session
    state object and loops). Equality tests are hashed in the engine's alpha network while
    other tests are chained in lists of bounded length (error 107 past it), so they go first.
    """
    atoms = [] if pattern is None or pattern == TRUE else pattern.get("$and", [pattern])
    ordered = sorted(atoms, key=lambda a: next(iter(a)).startswith("$"))
    return {"$and": [TRUE, *ordered]}


def _guard(ic: IndexedClause) -> Expr:
    clause = ic.clause
    date = {"$gte": {"__date": clause.effective_from.toordinal()}}
    until = {"$lte": {"__date": clause.effective_to.toordinal()}} if clause.effective_to else TRUE
    entries = (
        _or(*({_key("item.eccn_entry"): e} for e in sorted(ic.entries))) if ic.entries else TRUE
    )
    # a clause without a `line.kind` test of its own meets goods lines only (ClauseIndex)
    lines = {_key(LINE_KIND): GOODS} if ic.lines == frozenset([GOODS]) else TRUE
    return _and(date, until, entries, lines)


_REGISTRY: dict[str, tuple[Any, threading.Lock]] = {}
_REGISTRY_LOCK = threading.Lock()
# The engine bounds how many non-equality tests can follow one node of its network (error
# 107) and how long one pattern can be (113): rules are compiled in shards of at most this
# many, halved again where a shard still does not fit. A clause's rules may sit in several
# shards: its result is the union, and its true and undecided rules are disjoint.
_SHARD_RULES = 64
_LIMIT_ERRORS = ("error code: 107", "error code: 113")


def _rules(clauses: list[IndexedClause], compiler: Compiler) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    for ic in clauses:
        tri = compiler.node(ic.clause.when)
        guard = _guard(ic)
        for tag, expr in (("T", tri.t), ("U", tri.u)):
            # One rule per pattern the split yields: T and U are disjoint, and a clause is
            # reported once whichever of its rules fires.
            for n, pattern in enumerate(_split(_and(guard, expr))):
                rules[f"{ic.clause.id}|{tag}|{n}"] = {"all": [{"m": _anchored(pattern)}]}
    return rules


def _keys(expr: dict[str, Any]) -> set[str]:
    """Fact keys a pattern reads."""
    out: set[str] = set()
    for op, body in expr.items():
        if op in ("$and", "$or"):
            for part in body:
                out |= _keys(part)
        elif op.startswith("$"):
            out |= {k for k in body if not k.startswith("$")}
        else:
            out.add(op)
    return out


class _Shard:
    """One C ruleset handle and its lock; assert -> collect -> retract on one session."""

    def __init__(self, name: str, rules: dict[str, Any]) -> None:
        # The facts this shard's rules read: only they are sent (the engine refuses facts
        # with more than 64 properties, error 302).
        self.keys = frozenset(k for rule in rules.values() for k in _keys(rule["all"][0]["m"]))
        with _REGISTRY_LOCK:
            if name not in _REGISTRY:
                _REGISTRY[name] = (dre.create_ruleset(name, json.dumps(rules)), threading.Lock())
        self._handle, self._lock = _REGISTRY[name]
        self._ids = itertools.count()

    def evaluate(self, fact: dict[str, Any], hits: dict[str, bool | None]) -> None:
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
                            value = True if tag == "T" else None
                            if hits.get(clause_id, value) is not value:
                                raise RuntimeError(
                                    f"{clause_id}: both true and undecided rules fired"
                                )
                            hits[clause_id] = value
                        message = dre.complete_and_start_action(self._handle, state)
                elif code not in (1, 3):
                    raise RuntimeError(f"durable-rules assert_fact returned code {code}")
            finally:
                if code in (0, 3):
                    dre.retract_fact(self._handle, text)


class DurableRuleset:
    """One compiled pack: `evaluate(facts, date)` returns {clause id: True | None}.

    Clauses are sharded by the CCL entry they are indexed under (as in `ClauseIndex`), so an
    item is asserted into the generic shards and its own entry's shards only.
    """

    def __init__(self, name: str, clauses: list[IndexedClause]) -> None:
        self._compiler = Compiler()
        buckets: dict[str | None, list[IndexedClause]] = {}
        for ic in clauses:
            entries: list[str | None] = [*sorted(ic.entries)] or [None]
            for entry in entries:
                buckets.setdefault(entry, []).append(ic)
        self.shards: dict[str | None, list[_Shard]] = {}
        self.rule_count = 0
        for entry, members in buckets.items():
            items = list(_rules(members, self._compiler).items())
            chunks = [items[i : i + _SHARD_RULES] for i in range(0, len(items), _SHARD_RULES)]
            while chunks:
                chunk = chunks.pop()
                shard_name = f"{name}#{entry or '*'}#{chunk[0][0]}#{len(chunk)}"
                try:
                    shard = _Shard(shard_name, dict(chunk))
                except dre.error as exc:
                    if len(chunk) == 1 or not str(exc).endswith(_LIMIT_ERRORS):
                        raise ValueError(
                            f"rule {chunk[0][0]} cannot be compiled to durable-rules: {exc}"
                        ) from exc
                    half = len(chunk) // 2
                    chunks += [chunk[:half], chunk[half:]]
                    continue
                self.shards.setdefault(entry, []).append(shard)
                self.rule_count += len(chunk)
        self.pre = self._compiler.pre

    def evaluate(self, facts: dict[str, Any], ordinal: int) -> dict[str, bool | None]:
        encoded: dict[str, Any] = {"__date": ordinal}
        for fact, value in facts.items():
            encoded[_key(fact)] = [*value, SENTINEL] if isinstance(value, list) else value
        hits: dict[str, bool | None] = {}
        entry = facts.get("item.eccn_entry")
        for shard in self.shards.get(None, []) + (self.shards.get(entry, []) if entry else []):
            asserted: dict[str, Any] = {"t": "tx", "sid": "w"}
            for k in shard.keys:
                if k.startswith("__pre"):
                    if k not in encoded:
                        encoded[k] = _TRI[self.pre[k](facts)]
                    asserted[k] = encoded[k]
                elif k in encoded:
                    asserted[k] = encoded[k]
            shard.evaluate(asserted, hits)
        return hits
