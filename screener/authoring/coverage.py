"""Which branches of a clause's condition its examples exercise.

Every node of a `when` tree (the root, each `all`/`any`/`not` and each leaf) has two
branches: it can hold and it can fail. An example exercises the branches its facts drive the
nodes to (every node is evaluated, no short-circuit, as in `trace_condition`). A branch no
example reaches is a gap: nothing proves, for instance, that the clause stays silent when its
country test fails, so a mistake there would go unnoticed. Undecided results are recorded but
are not branches: they prove the clause asks for a missing fact, not which way it goes.
The node directly under a `not` is not counted apart: its branches are the `not`'s, mirrored,
and the gap reads as the clause does (`not (parties.lists contains_any [...]) is never false`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.rules import All, Clause, Condition, Leaf, Not
from screener.conditions import Facts, Predicate, compile_condition
from screener.packs.loader import YamlDoc
from screener.packs.pack import LoadedClause


def describe(node: Condition) -> str:
    """A node in the words of the YAML: `destination.country equals 'VN'`, `any of 3`."""
    if isinstance(node, Leaf):
        value = node.value
        if isinstance(value, list) and len(value) > 4:
            value = [*value[:4], f"... {len(value) - 4} more"]
        return f"{node.fact} {node.op.value} {value!r}"
    if isinstance(node, Not):
        return f"not ({describe(node.not_)})"
    kids = node.all if isinstance(node, All) else node.any
    return f"{'all' if isinstance(node, All) else 'any'} of {len(kids)}"


def nodes(
    cond: Condition, path: tuple[Any, ...] = ("when",)
) -> list[tuple[tuple[Any, ...], Condition]]:
    """Every node with its YAML path below the clause (`("when", "all", 1)`), depth first."""
    out: list[tuple[tuple[Any, ...], Condition]] = [(path, cond)]
    if isinstance(cond, Not):
        out += nodes(cond.not_, (*path, "not"))
    elif not isinstance(cond, Leaf):
        key = "all" if isinstance(cond, All) else "any"
        for i, child in enumerate(cond.all if isinstance(cond, All) else cond.any):
            out += nodes(child, (*path, key, i))
    return out


@dataclass
class Branch:
    """One node of a clause's condition and the values the examples gave it."""

    path: str
    line: int
    text: str
    seen: set[bool | None] = field(default_factory=set)

    @property
    def missing(self) -> list[str]:
        return [
            word for value, word in ((True, "true"), (False, "false")) if value not in self.seen
        ]


@dataclass
class ClauseCoverage:
    clause_id: str
    file: Path
    line: int
    fires: int = 0
    silent: int = 0
    undecided: int = 0
    branches: list[Branch] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(2 - len(b.missing) for b in self.branches)

    @property
    def total(self) -> int:
        return 2 * len(self.branches)

    @property
    def gaps(self) -> list[str]:
        """Readable gaps: `line 43: destination.country equals 'VN' is never false`."""
        out = []
        if not self.fires:
            out.append(f"line {self.line}: no example fires the clause")
        if not self.silent:
            out.append(f"line {self.line}: no example keeps the clause silent")
        out += [
            f"line {b.line}: {b.text} is never {' or '.join(b.missing)}"
            for b in self.branches
            if b.missing and b.path != "when"  # the root is the two lines above
        ]
        return out


class Locator:
    """YAML lines of clause parts, reading each clause file once."""

    def __init__(self) -> None:
        self._docs: dict[Path, YamlDoc] = {}
        self._index: dict[tuple[Path, str], int] = {}

    def line(self, lc: LoadedClause, *loc: Any) -> int:
        doc = self._docs.get(lc.file)
        if doc is None:
            doc = self._docs[lc.file] = YamlDoc.read(lc.file)
            for n, raw in enumerate(doc.data.get("clauses", [])):
                if isinstance(raw, dict):
                    self._index[(lc.file, str(raw.get("id")))] = n
        i = self._index.get((lc.file, lc.clause.id))
        return lc.line if i is None else doc.line("clauses", i, *loc)


class CoverageTracker:
    """Collects, per clause, the values every node takes over the clause's examples."""

    def __init__(self, lc: LoadedClause, locator: Locator) -> None:
        self.clause: Clause = lc.clause
        self.coverage = ClauseCoverage(lc.clause.id, lc.file, lc.line)
        self._nodes: list[tuple[Branch, Predicate]] = []
        for path, node in nodes(lc.clause.when):
            if path[-1] == "not":
                continue  # the `not` above it has the same branches, mirrored
            branch = Branch(
                path=".".join(map(str, path)), line=locator.line(lc, *path), text=describe(node)
            )
            self.coverage.branches.append(branch)
            self._nodes.append((branch, compile_condition(node)))

    def observe(self, facts: Facts | None, got: bool | None) -> None:
        """Record one example: `facts` None when the clause was not evaluated (not in effect
        on the example's date, or the item is under another CCL entry)."""
        if got is True:
            self.coverage.fires += 1
        elif got is False:
            self.coverage.silent += 1
        else:
            self.coverage.undecided += 1
        if facts is None:
            return
        for branch, predicate in self._nodes:
            branch.seen.add(predicate(facts))
