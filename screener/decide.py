"""Decide a jurisdiction over the facts a transaction leaves unknown.

Three-valued evaluation says which clauses are undecided; this module says whether that
matters. An undecided clause (or nexus) only calls for `review` when some value of a missing
fact would change the jurisdiction's decision. So, for each unknown fact, the clauses that
read it give a finite set of representative values (one per combination of their tests'
outcomes: a value under, at and over each threshold; each named value and one "other"; each
realisable membership pattern of a list), every combination is evaluated, and:

- if every combination gives the same decision, that is the decision, and the unknowns are
  listed as immaterial (an unknown nexus whose either answer needs no licence is `clear`);
- if every combination needs at least a licence, the decision is `license_required` and the
  facts that could make it `prohibited` are named;
- otherwise the decision is `review`, and the facts named are exactly those on which the
  decision depends (the essential variables of the decision function, which is the smallest
  set of facts whose answers settle it).

The search is exact over the representative values. A missing fact that cannot be
enumerated (a regex test, an ECCN below the paragraph given) makes its clauses free true/false
unknowns. When transaction-level unknowns (whether US persons take part, the parties' lists)
tie every item into one group too large to enumerate, they are fixed first, value by value,
and the rest is enumerated item by item. Past `LIMIT` even so, the jurisdiction stays `review`
naming every unknown (the behaviour of plain three-valued evaluation), and says so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from schemas.facts import FACTS
from schemas.result import SEVERITY, Decision, Outcome
from schemas.rules import Clause, ClauseKind, ClauseStatus, Leaf, Op
from screener.answers import PARAGRAPH, chain, domain, paragraphs
from screener.conditions import ECCN_CHAIN, Predicate, _cached_leaf, leaves
from screener.folding import (
    BY_SEVERITY,
    GroupOutcome,
    Part,
    Question,
    Settlement,
    Tables,
    Unknown,
    compact,
    final_decision,
    foldable,
    own_part,
    read,
)
from screener.packs.index import IndexedClause

Facts = dict[str, Any]
LIMIT = 96  # item evaluations the search may spend per jurisdiction and transaction
_DECIDING = (ClauseKind.nexus, ClauseKind.control)


@dataclass
class ItemState:
    """One item as the verdict sees it: its facts, its clause results, and the clauses in
    effect for it that a completion of its unknowns would re-evaluate."""

    item_index: int
    facts: Facts
    results: dict[str, bool | None]  # clause id -> True / None (absent: false)
    # nexus and control clauses in effect for the item that test a fact's presence, with
    # the facts whose presence they test
    presence: tuple[tuple[str, frozenset[str]], ...]
    claimed: tuple[IndexedClause, ...]  # exception clauses for licence exceptions claimed


class Decider:
    """Per compiled pack: the decision function and the search over unknowns."""

    def __init__(
        self,
        by_id: dict[str, Clause],
        reads: dict[str, tuple[str, ...]],
        predicates: dict[str, Predicate],
    ) -> None:
        self.by_id = by_id
        # the facts a clause's outcome depends on (`parties.hits` is read for explanations)
        self.reads = {
            cid: tuple(p for p in r if p in FACTS or p == ECCN_CHAIN) for cid, r in reads.items()
        }
        self.predicates = predicates
        self._domains: dict[tuple[str, frozenset[str]], tuple[Any, ...] | None] = {}
        self._exists: dict[str, frozenset[str]] = {}
        self._eccn: dict[str, list[Leaf]] = {}

    # ------------------------------------------------------------------ the decision function
    def item_outcome(
        self, index: int, results: dict[str, bool | None], claimed_true: frozenset[str]
    ) -> tuple[tuple[int, Part], ...]:
        """What an item's clause results say, the same reading as `VerdictAssembler.verdict`:
        a nexus clause not non-enforced establishes jurisdiction (or leaves it undecided); a
        true control clause decides with its outcome unless non-enforced or overcome by a
        claimed licence exception whose conditions hold; an undecided one is a `review`.

        A control clause that carries its own nexus (`own_nexus`: a US person's activity,
        whatever the item) reaches the line by itself: its results form a part of their own
        (key `own_part(index)`), decided whether or not the item's nexus holds."""
        established = undecided = False
        severity = SEVERITY[Decision.clear]
        own_held = own_open = False
        own_severity = SEVERITY[Decision.clear]
        for cid, r in results.items():
            clause = self.by_id[cid]
            if clause.status == ClauseStatus.non_enforced:
                continue
            if clause.kind == ClauseKind.nexus:
                established |= r is True
                undecided |= r is None
            elif clause.kind == ClauseKind.control:
                if clause.own_nexus:
                    own_held |= r is True
                    own_open |= r is None
                if r is None:
                    outcome = Outcome.review
                else:
                    assert clause.outcome is not None
                    outcome = clause.outcome
                    if outcome == Outcome.license_required and _overcome(cid, claimed_true, self):
                        continue
                if clause.own_nexus:
                    own_severity = max(own_severity, SEVERITY[Decision(outcome.value)])
                else:
                    severity = max(severity, SEVERITY[Decision(outcome.value)])
        parts: tuple[tuple[int, Part], ...] = ((index, (established, undecided, severity)),)
        if own_held or own_open:
            parts += ((own_part(index), (own_held, own_open, own_severity)),)
        return parts

    # ------------------------------------------------------------------ the search
    def settle(self, items: Sequence[ItemState], floor: Decision) -> Settlement | None:
        """The decision over every completion of the unknowns, or None when nothing is
        unknown (the plain reading then stands). `floor`: a decision the unknowns cannot
        lower (a raised red flag is `review` whatever else holds).

        Unknowns that no clause reads together are independent: the decision is the most
        severe of what each group of them allows, so each group is enumerated on its own
        (the product of the groups' few distinct outcomes replaces the product of all
        their values)."""
        plans = [self._plan(state) for state in items]
        if not any(plan.unknowns for plan in plans):
            return None
        constant = GroupOutcome((), SEVERITY[floor])
        for plan, state in zip(plans, items, strict=True):
            if not plan.unknowns:
                constant = constant.join(GroupOutcome(plan.outcome(self, state, {}, frozenset())))
        names = list(dict.fromkeys(u for plan in plans for u in plan.unknowns))
        # First the bounds: the decision only grows with each nexus or control clause that
        # holds (and shrinks with a claimed exception that holds), so all of them false and
        # all of them true bound every completion. Equal bounds decide at once.
        low, high = (self._bound(plans, items, constant, top) for top in (False, True))
        if low.decision() == high.decision():
            return Settlement(
                decision=final_decision(low.decision(), {low.applies(), high.applies()}),
                applies=low.applies() if low.applies() == high.applies() else None,
                possible=[BY_SEVERITY[low.decision()]],
                immaterial=names,
            )
        groups = _groups(plans)
        work = sum(_size(g, plans) * _touching(g, plans) for g in groups)
        if work > LIMIT:
            conditioned = self._conditioned(plans, items, constant)
            if conditioned is not None:
                return conditioned
            # too many unknowns to search here: the plain reading stands, every one named
            floor_ = low.decision()
            return Settlement(
                decision=Decision.license_required
                if floor_ >= SEVERITY[Decision.license_required]
                else Decision.review,
                applies=None,
                possible=[],
                questions=[Question(u, []) for u in names],
                exhaustive=False,
                combinations=work,
            )
        tables = [self._table(g, plans, items) for g in groups]
        domains = [_domains(g, plans) for g in groups]
        return read(groups, domains, {(): _compacted(constant, tables)})

    def _conditioned(
        self, plans: list[_ItemPlan], items: Sequence[ItemState], constant: GroupOutcome
    ) -> Settlement | None:
        """The search when transaction-level unknowns (whether US persons take part, the
        parties' lists...) tie every item's unknowns into one group too large to enumerate:
        fix those shared unknowns (each has a few representative values) and, for each
        fixing, enumerate the rest group by group, as independent as without them. None
        when that too would exceed LIMIT."""
        shared = list(dict.fromkeys(u for p in plans for u in p.unknowns if u.item_index is None))
        if not shared:
            return None
        shared_domains = _domains(shared, plans)
        fixings = math.prod(len(d) for d in shared_domains)
        touching = _touching(shared, plans)
        if fixings * touching > LIMIT:  # a lower bound of the work below, cheap to know
            return None
        groups = _groups(plans, without=frozenset(shared))
        per_fixing = sum(_size(g, plans) * _touching(g, plans) for g in groups)
        work = fixings * (per_fixing + touching)
        if work > LIMIT:
            return None
        out = {}
        for fixing in itertools.product(*shared_domains):
            fixed = dict(zip(shared, fixing, strict=True))
            # the last table: what the shared unknowns alone decide (the items only they touch)
            tables = [self._table(g, plans, items, fixed) for g in [*groups, []]]
            out[fixing] = _compacted(constant, tables)
        domains = [_domains(g, plans) for g in groups]
        return read(groups, domains, out, shared, shared_domains, combinations=work)

    def _bound(
        self,
        plans: list[_ItemPlan],
        items: Sequence[ItemState],
        constant: GroupOutcome,
        top: bool,
    ) -> GroupOutcome:
        out = constant
        for plan, state in zip(plans, items, strict=True):
            if plan.unknowns:
                out = out.join(GroupOutcome(plan.extreme(self, state, top)))
        return out

    def _table(
        self,
        group: list[Unknown],
        plans: list[_ItemPlan],
        items: Sequence[ItemState],
        fixed: dict[Unknown, Any] | None = None,
    ) -> dict[tuple[Any, ...], GroupOutcome]:
        """The outcome of each combination of the group's values, over the items it touches
        (with `fixed` shared unknowns set as given; an empty group: the items they touch)."""
        fixed = fixed or {}
        anchor = frozenset(group) or frozenset(fixed)
        members = frozenset(group) | frozenset(fixed)
        touched = [(p, s) for p, s in zip(plans, items, strict=True) if anchor & p.unknowns.keys()]
        table: dict[tuple[Any, ...], GroupOutcome] = {}
        for combo in itertools.product(*_domains(group, plans)):
            assigned = fixed | dict(zip(group, combo, strict=True))
            out = GroupOutcome(())
            for plan, state in touched:
                out = out.join(GroupOutcome(plan.outcome(self, state, assigned, members)))
            table[combo] = out
        return table

    # ------------------------------------------------------------------ per item
    def _plan(self, state: ItemState) -> _ItemPlan:
        facts, index = state.facts, state.item_index
        plan = _ItemPlan(index)

        # clauses whose result depends on a missing fact: undecided ones, decided ones that
        # test a missing fact's presence (`exists`), and the claimed licence exceptions
        def undecided(cid: str) -> bool:
            return cid in state.results and state.results[cid] is None

        relevant = [
            cid
            for cid, r in state.results.items()
            if r is None and self.by_id[cid].kind in _DECIDING
        ]
        relevant += [
            cid
            for cid, tested in state.presence
            if cid not in state.results or state.results[cid] is not None
            if any(facts.get(p) is None for p in tested)
        ]
        claimed = [ic.clause.id for ic in state.claimed if ic.predicate(facts) is None]
        if not relevant and not claimed:
            return plan
        by_fact: dict[str, set[str]] = {}
        for cid in (*relevant, *claimed):
            for p in self.reads[cid]:
                if facts.get(p) is None:
                    by_fact.setdefault(p, set()).add(cid)
        for p, cids in by_fact.items():
            domain = self._domain(p, frozenset(cids))
            if domain is None:
                continue
            unknown = plan.enumerated[p] = Unknown(index if p.startswith("item.") else None, p)
            plan.unknowns[unknown] = domain
        # a coarse classification (3B001 against a clause on 3B001.c.1.a); with no ECCN at
        # all the classification is a missing fact like any other
        coarse = {
            cid
            for cid in relevant
            if facts.get(ECCN_CHAIN) is not None
            and any(_cached_leaf(t)(facts) is None for t in self._eccn_tests(cid))
        }
        paragraph = Unknown(index, PARAGRAPH)
        if coarse:
            # the item's classification is less specific than some clauses: its paragraph
            # is an unknown like any other, one value per paragraph those clauses name
            given = facts["item.eccn"]
            plan.unknowns[paragraph] = paragraphs(
                given, [t for cid in sorted(coarse) for t in self._eccn_tests(cid)]
            )
        for cid in relevant:
            open_facts = [p for p in self.reads[cid] if facts.get(p) is None]
            if all(p in plan.enumerated for p in open_facts):
                needs = frozenset(plan.enumerated[p] for p in open_facts)
                plan.reevaluate[cid] = needs | {paragraph} if cid in coarse else needs
            elif undecided(cid):
                label = ", ".join(open_facts)
                free = Unknown(index, label, clause=cid)
                plan.unknowns[free] = (True, False)
                plan.reevaluate[cid] = frozenset([free])
        # an undecided licence exception ties all of the item's unknowns together
        plan.whole = bool(claimed)
        return plan

    def _eccn_tests(self, cid: str) -> list[Leaf]:
        found = self._eccn.get(cid)
        if found is None:
            found = self._eccn[cid] = [
                t for t in leaves(self.by_id[cid].when) if t.op == Op.eccn_in
            ]
        return found

    def presence(self, cids: Iterable[str]) -> tuple[tuple[str, frozenset[str]], ...]:
        """Of `cids`, the clauses that test a fact's presence, with those facts."""
        return tuple((cid, self._exists_on(cid)) for cid in cids if self._exists_on(cid))

    def _exists_on(self, cid: str) -> frozenset[str]:
        found = self._exists.get(cid)
        if found is None:
            found = self._exists[cid] = frozenset(
                leaf.fact for leaf in leaves(self.by_id[cid].when) if leaf.op == Op.exists
            )
        return found

    def _domain(self, fact: str, cids: frozenset[str]) -> tuple[Any, ...] | None:
        key = (fact, cids)
        if key not in self._domains:
            self._domains[key] = domain(
                fact, [leaf for c in sorted(cids) for leaf in leaves(self.by_id[c].when)]
            )
        return self._domains[key]


@dataclass
class _ItemPlan:
    index: int
    unknowns: dict[Unknown, tuple[Any, ...]] = field(default_factory=dict)
    enumerated: dict[str, Unknown] = field(default_factory=dict)  # fact -> its unknown
    # clause -> the unknowns it depends on (a free clause depends on itself)
    reevaluate: dict[str, frozenset[Unknown]] = field(default_factory=dict)
    whole: bool = False

    def outcome(
        self,
        decider: Decider,
        state: ItemState,
        assigned: dict[Unknown, Any],
        members: frozenset[Unknown],
    ) -> tuple[tuple[int, Part], ...]:
        """The item's outcome with the unknowns in `members` set as `assigned`; a clause that
        depends on unknowns outside them counts as false (it is another group's to decide,
        and the most severe of the groups' outcomes is taken)."""
        facts = dict(state.facts)
        for unknown, value in assigned.items():
            if unknown.item_index not in (None, self.index):
                continue  # another item's unknown (a group can span items)
            if unknown.fact == PARAGRAPH:
                facts["item.eccn"], facts[ECCN_CHAIN] = value, chain(value)
            elif unknown.clause is None:
                facts[unknown.fact] = list(value) if isinstance(value, tuple) else value
        results = dict(state.results)
        for cid, needs in self.reevaluate.items():
            if not needs <= members:
                results.pop(cid, None)
                continue
            free = next((u for u in needs if u.clause is not None), None)
            r = assigned[free] if free is not None else decider.predicates[cid](facts)
            if r is False:
                results.pop(cid, None)
            else:
                results[cid] = r
        claimed_true = frozenset(
            ic.clause.id for ic in state.claimed if ic.predicate(facts) is True
        )
        return decider.item_outcome(state.item_index, results, claimed_true)

    def extreme(
        self, decider: Decider, state: ItemState, top: bool
    ) -> tuple[tuple[int, Part], ...]:
        """The item's outcome with every clause that depends on an unknown true (`top`) or
        false, and the claimed licence exceptions the other way: a bound of every
        completion."""
        results = dict(state.results)
        for cid in self.reevaluate:
            if top:
                results[cid] = True
            else:
                results.pop(cid, None)
        claimed = frozenset(
            ic.clause.id
            for ic in state.claimed
            if ic.predicate(state.facts) is True or (not top and ic.predicate(state.facts) is None)
        )
        return decider.item_outcome(state.item_index, results, claimed)

    def groups(self) -> list[frozenset[Unknown]]:
        """Unknowns that must be enumerated together within this item."""
        if self.whole:
            return [frozenset(self.unknowns)]
        return [needs for needs in self.reevaluate.values() if needs]


def _touching(group: list[Unknown], plans: list[_ItemPlan]) -> int:
    members = set(group)
    return sum(1 for plan in plans if members & plan.unknowns.keys())


def _compacted(constant: GroupOutcome, tables: Tables) -> tuple[GroupOutcome, Tables]:
    """Items a nexus surely reaches, or that only one group (or the known rest) speaks for,
    need no column of their own: their parts fold into one summary, so the folds stay as
    small as the distinct decisions."""
    held, unshared = foldable(constant, tables)
    return compact(constant, held, unshared), [
        {c: compact(o, held, unshared) for c, o in t.items()} for t in tables
    ]


def _groups(
    plans: list[_ItemPlan], without: frozenset[Unknown] = frozenset()
) -> list[list[Unknown]]:
    """Connected groups of unknowns (union-find over the clauses that read them together),
    leaving out the unknowns in `without` (fixed by the caller)."""
    parent: dict[Unknown, Unknown] = {}

    def find(u: Unknown) -> Unknown:
        while parent.setdefault(u, u) != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for plan in plans:
        for unknown in plan.unknowns.keys() - without:
            find(unknown)
        for group in plan.groups():
            kept = [u for u in group if u not in without]
            for u in kept[1:]:
                parent[find(u)] = find(kept[0])
    out: dict[Unknown, list[Unknown]] = {}
    for u in parent:
        out.setdefault(find(u), []).append(u)
    return list(out.values())


def _domains(group: list[Unknown], plans: list[_ItemPlan]) -> list[tuple[Any, ...]]:
    found: dict[Unknown, tuple[Any, ...]] = {}
    for plan in plans:
        for u, d in plan.unknowns.items():
            found.setdefault(u, d)
    return [found[u] for u in group]


def _size(group: list[Unknown], plans: list[_ItemPlan]) -> int:
    size = 1
    for d in _domains(group, plans):
        size *= len(d)
    return size


def _overcome(cid: str, claimed_true: frozenset[str], decider: Decider) -> bool:
    return any(any(fnmatchcase(cid, p) for p in decider.by_id[e].overcomes) for e in claimed_true)
