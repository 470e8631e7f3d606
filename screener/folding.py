"""How the outcomes of independent groups of unknowns combine into a decision.

The search (`screener.decide`) enumerates each group of unknowns on its own; what a group
contributes is an `GroupOutcome` (per item: whether a nexus holds or is undecided, and the most
severe control outcome). Outcomes join item by item (or, max), so the decision over every
completion is read off folds of the groups' distinct outcomes, and an unknown is essential (a
question to ask) exactly when two completions that differ only in it decide differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from schemas.result import SEVERITY, Decision
from screener.answers import _MAX_LIST_VALUES as MAX_ANSWERS
from screener.answers import show


class Unknown(NamedTuple):
    """One unknown: a fact of one item (`item.*`), or of the whole transaction (index None);
    or, `clause` set, the outcome of one clause that cannot be enumerated (free)."""

    item_index: int | None
    fact: str
    clause: str | None = None

    def label(self) -> str:
        where = f"items[{self.item_index}]: " if self.item_index is not None else ""
        return where + self.fact


@dataclass
class Question:
    """An unknown whose answer changes the decision, with what each answer leads to."""

    unknown: Unknown
    answers: list[tuple[str, list[Decision]]]  # representative value -> decisions it allows


@dataclass
class Settlement:
    decision: Decision
    applies: bool | None
    possible: list[Decision]
    questions: list[Question] = field(default_factory=list)
    immaterial: list[Unknown] = field(default_factory=list)
    exhaustive: bool = True
    combinations: int = 1
    domains: dict[Unknown, tuple[Any, ...]] = field(default_factory=dict)



Part = tuple[bool, bool, int]  # a nexus holds, a nexus is undecided, most severe outcome


class GroupOutcome(NamedTuple):
    """What a group of unknowns (or the known rest) contributes, per item: whether a nexus
    clause holds or is undecided, and the most severe control outcome. Groups combine item
    by item (or, max), so an item's nexus and its controls may be settled by different
    groups; `floor` is a decision the jurisdiction cannot go below once it applies."""

    parts: tuple[tuple[int, Part], ...]
    floor: int = SEVERITY[Decision.not_applicable]

    def join(self, other: GroupOutcome) -> GroupOutcome:
        return _join(self, other)

    def _join(self, other: GroupOutcome) -> GroupOutcome:
        merged = dict(self.parts)
        for i, (held, open_, severity) in other.parts:
            h, o, s = merged.get(i, (False, False, SEVERITY[Decision.clear]))
            merged[i] = (h or held, o or open_, max(s, severity))
        return GroupOutcome(tuple(sorted(merged.items())), max(self.floor, other.floor))

    def applies(self) -> bool | None:
        if any(held for _, (held, _, _) in self.parts):
            return True
        return None if any(open_ for _, (_, open_, _) in self.parts) else False

    def decision(self) -> int:
        """The jurisdiction's decision; "no nexus" reads as clear (neither needs a licence:
        one answer, not a question)."""
        return _decision(self)


BY_SEVERITY: dict[int, Decision] = {s: Decision(d) for d, s in SEVERITY.items()}


@lru_cache(maxsize=65536)
def _join(a: GroupOutcome, b: GroupOutcome) -> GroupOutcome:
    return a._join(b)


@lru_cache(maxsize=65536)
def _decision(outcome: GroupOutcome) -> int:
    severity = SEVERITY[Decision.clear]
    reached = False
    for _, (held, open_, s) in outcome.parts:
        if held or open_:
            reached = True
            severity = max(severity, s if held else max(s, SEVERITY[Decision.review]))
    return max(severity, outcome.floor) if reached else SEVERITY[Decision.clear]


SUMMARY = -1  # the part index that stands for every item folded into one summary


def own_part(index: int) -> int:
    """The part index of item `index`'s clauses that carry their own nexus (`own_nexus`):
    a line of its own as far as the decision goes (below SUMMARY, so never confused)."""
    return -2 - index


def foldable(
    constant: GroupOutcome, tables: list[dict[tuple[Any, ...], GroupOutcome]]
) -> tuple[frozenset[int], frozenset[int]]:
    """The items whose parts can be folded into one summary: those a nexus surely reaches
    (held by the known rest, or in every outcome of some group: then each source's severity
    counts as it is), and those only one source speaks for (its part is then final)."""
    count: dict[int, int] = {}
    held = {i for i, (h, _, _) in constant.parts if h}
    for items in [{i for i, _ in constant.parts}] + [
        {i for out in t.values() for i, _ in out.parts} for t in tables
    ]:
        for i in items:
            count[i] = count.get(i, 0) + 1
    for t in tables:
        outs = [{i for i, (h, _, _) in out.parts if h} for out in t.values()]
        held |= set.intersection(*outs) if outs else set()
    return frozenset(held), frozenset(i for i, n in count.items() if n == 1)


@lru_cache(maxsize=65536)
def compact(outcome: GroupOutcome, held: frozenset[int], unshared: frozenset[int]) -> GroupOutcome:
    """The outcome with the foldable items' parts (`foldable`) folded into one summary part:
    only whether some item holds a nexus, whether some is undecided, and the most severe
    outcome of the items reached still matter (what `_decision` and `applies` read), so
    outcomes differing only in how those items got there merge."""
    kept: list[tuple[int, Part]] = []
    held_any = open_any = False
    worst = SEVERITY[Decision.clear]
    for i, (h, open_, s) in outcome.parts:
        if i in held:
            held_any, worst = True, max(worst, s)
        elif i not in unshared:
            kept.append((i, (h, open_, s)))
        elif h or open_:
            held_any |= h
            open_any |= open_
            worst = max(worst, s if h else max(s, SEVERITY[Decision.review]))
    if held_any or open_any:
        kept.append((SUMMARY, (held_any, open_any, worst)))
    return GroupOutcome(tuple(sorted(kept)), outcome.floor)


def final_decision(severity: int, applied: set[bool | None]) -> Decision:
    return BY_SEVERITY[severity] if applied - {False} else Decision.not_applicable



Tables = list[dict[tuple[Any, ...], GroupOutcome]]  # per group: combination -> outcome


@dataclass
class _Folds:
    """One fixing of the shared unknowns: its known rest, its groups' tables (the last may be
    the items only the shared unknowns touch) and the prefix and suffix folds over them."""

    constant: GroupOutcome
    tables: Tables
    outputs: list[set[GroupOutcome]] = field(init=False)
    prefix: list[set[GroupOutcome]] = field(init=False)
    suffix: list[set[GroupOutcome]] = field(init=False)

    def __post_init__(self) -> None:
        # what all groups but one can lead to, from prefix and suffix folds (each
        # deduplicated, so they stay as small as the distinct outcomes, not the product)
        self.outputs = [set(t.values()) for t in self.tables]
        self.prefix = [{self.constant}]
        for outs in self.outputs:
            self.prefix.append(fold(self.prefix[-1], outs))
        suffix = [{GroupOutcome(())}]
        for outs in reversed(self.outputs):
            suffix.append(fold(suffix[-1], outs))
        self.suffix = suffix[::-1]

    def leads(self, g: int) -> dict[GroupOutcome, tuple[int, ...]]:
        """What each outcome of group g leads to, against every outcome of the rest."""
        rests = list(fold(self.prefix[g], self.suffix[g + 1]))
        return {out: tuple(r.join(out).decision() for r in rests) for out in self.outputs[g]}


def read(
    groups: list[list[Unknown]],
    domains: list[list[tuple[Any, ...]]],
    fixings: dict[tuple[Any, ...], tuple[GroupOutcome, Tables]],
    shared: Sequence[Unknown] = (),
    shared_domains: Sequence[tuple[Any, ...]] = (),
    combinations: int | None = None,
) -> Settlement:
    """The settlement of a search whose groups are independent once the `shared` unknowns
    are fixed: `fixings` maps each assignment of them (the empty one when there are none) to
    its known rest and its groups' tables. An unknown of a group is asked for when, under
    some fixing, two completions differing only in it decide differently; a shared one when
    changing it alone, everything else held, changes the decision."""
    folds = {fixing: _Folds(constant, tables) for fixing, (constant, tables) in fixings.items()}
    everything = set().union(*(f.prefix[-1] for f in folds.values()))
    possible = sorted({o.decision() for o in everything})
    applied = {o.applies() for o in everything}
    applies = True if applied == {True} else (False if applied == {False} else None)
    if len(possible) == 1:
        decision = final_decision(possible[0], applied)
    elif possible[0] >= SEVERITY[Decision.license_required]:
        decision = Decision.license_required
    else:
        decision = Decision.review
    questions: list[Question] = []
    immaterial: list[Unknown] = []
    for k, unknown in enumerate(shared):
        if len(possible) > 1 and _shared_essential(k, shared_domains[k], folds):
            answers = []
            for value in shared_domains[k]:
                allowed = {
                    o.decision() for f, fs in folds.items() if f[k] == value for o in fs.prefix[-1]
                }
                answers.append((show(value), [BY_SEVERITY[s] for s in sorted(allowed)]))
            questions.append(Question(unknown, answers[: MAX_ANSWERS + 1]))
        else:
            immaterial.append(unknown)
    for g, group in enumerate(groups):
        leads = {fixing: f.leads(g) for fixing, f in folds.items()}
        for n, unknown in enumerate(group):
            if len(possible) > 1 and any(
                essential(f.tables[g], n, leads[fixing]) for fixing, f in folds.items()
            ):
                answers = []
                for value in domains[g][n]:
                    allowed = {
                        d
                        for fixing, f in folds.items()
                        for combo, out in f.tables[g].items()
                        if combo[n] == value
                        for d in leads[fixing][out]
                    }
                    answers.append((show(value), [BY_SEVERITY[s] for s in sorted(allowed)]))
                questions.append(Question(unknown, answers[: MAX_ANSWERS + 1]))
            else:
                immaterial.append(unknown)
    named = dict(zip(shared, shared_domains, strict=True))
    for group, ds in zip(groups, domains, strict=True):
        named |= dict(zip(group, ds, strict=True))
    return Settlement(
        decision=decision,
        applies=applies,
        possible=[BY_SEVERITY[s] for s in possible],
        questions=questions,
        immaterial=immaterial,
        combinations=combinations
        if combinations is not None
        else sum(len(t) for f in folds.values() for t in f.tables),
        domains=named,
    )


def _shared_essential(
    k: int, values: tuple[Any, ...], folds: dict[tuple[Any, ...], _Folds]
) -> bool:
    """Shared unknown k matters: two fixings differing only there, with the same completion
    of every group (the groups' combinations are the same under both), decide differently.
    The pairs of outcomes are folded group by group, deduplicated as the single folds are."""
    for fixing, a in folds.items():
        for value in values:
            if value == fixing[k]:
                continue
            b = folds[(*fixing[:k], value, *fixing[k + 1 :])]
            pairs = {(a.constant, b.constant)}
            for ta, tb in zip(a.tables, b.tables, strict=True):
                step = {(ta[c], tb[c]) for c in ta}
                pairs = {(x.join(p), y.join(q)) for x, y in pairs for p, q in step}
            if any(x.decision() != y.decision() for x, y in pairs):
                return True
    return False


def fold(left: set[GroupOutcome], right: set[GroupOutcome]) -> set[GroupOutcome]:
    return {a.join(b) for a in left for b in right}


def essential(
    table: dict[tuple[Any, ...], GroupOutcome], n: int, leads: dict[GroupOutcome, tuple[int, ...]]
) -> bool:
    """The decision depends on unknown n of a group: two of the group's combinations that
    differ only there lead, with some outcome of the other groups, to different decisions."""
    seen: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for combo, out in table.items():
        if seen.setdefault(combo[:n] + combo[n + 1 :], leads[out]) != leads[out]:
            return True
    return False
