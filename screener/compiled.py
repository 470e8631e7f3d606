"""Compile loaded packs for evaluation: a clause index and a backend per pack.

The python backend (compiled closures, the oracle and the fast path) and the durable backend
(durable-rules' Rete engine, an optional extra) answer the same question: which applicable
clauses are true or undecided on an item's facts. `CompiledPack` adds what screening reads
per pack: clauses by id and pack order, the facts each reads, dates of effect, the nexus gate
that skips a pack that cannot reach the transaction, and the decider over unknowns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from schemas.rules import Clause, ClauseKind
from screener.cache import BoundedCache
from screener.conditions import fact_paths
from screener.decide import Decider
from screener.facts import Facts
from screener.packs.effective import effective_of
from screener.packs.index import GOODS, LINE_KIND, ClauseIndex
from screener.packs.pack import Pack

BackendName = Literal["python", "durable"]


class Backend(Protocol):
    """Evaluates a pack's applicable clauses on one item's facts."""

    name: str
    lazy_exceptions: bool  # exception clauses are left to `screen`, evaluated only when needed

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        """Results of every applicable clause that is true (True) or undecided (None); with
        `lazy` a backend that sets `lazy_exceptions` may skip exception clauses."""
        ...


class PythonBackend:
    """Compiled closures over the clause index: the oracle, and the fast path."""

    name = "python"
    lazy_exceptions = True
    _EAGER = tuple(ClauseKind)
    _LAZY = (ClauseKind.nexus, ClauseKind.control, ClauseKind.trigger)

    def __init__(self, index: ClauseIndex) -> None:
        self.index = index
        self._dates: dict[int, Any] = {}

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        on = self._dates.get(on_ordinal)
        if on is None:
            on = self._dates[on_ordinal] = dt.date.fromordinal(on_ordinal)
        out: dict[str, bool | None] = {}
        kinds = self._LAZY if lazy else self._EAGER
        for ic in self.index.plan(entry, on, kinds, facts.get(LINE_KIND, GOODS)).select(facts):
            r = ic.predicate(facts)
            if r is not False:
                out[ic.clause.id] = r
        return out


class DurableBackend:
    """durable-rules' Rete engine over the same clauses: the second engine that must agree."""

    name = "durable"
    lazy_exceptions = False

    def __init__(self, pack: Pack, index: ClauseIndex) -> None:
        # durable-rules is an optional extra (screener.optional): imported only when asked for
        from screener.durable_backend import DurableRuleset

        self.ruleset = DurableRuleset(f"{pack.meta.id}@{pack.version}", index.clauses)

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        return self.ruleset.evaluate(facts, on_ordinal)


@dataclass
class CompiledPack:
    """A pack ready to evaluate: its clause index, backend, clauses by id, the facts each
    clause reads, dates of effect, nexus gate and the decider over its unknowns."""

    pack: Pack
    index: ClauseIndex
    backend: Backend
    by_id: dict[str, Clause]
    reads: dict[str, tuple[str, ...]]  # clause id -> fact paths its condition reads

    def __post_init__(self) -> None:
        self.order = {clause_id: n for n, clause_id in enumerate(self.by_id)}
        self.effective = {cid: effective_of(clause) for cid, clause in self.by_id.items()}
        self.gate = _gate(self.index)
        self.decider = Decider(
            self.by_id, self.reads, {ic.clause.id: ic.predicate for ic in self.index.clauses}
        )
        self._presence: BoundedCache[tuple[tuple[str, frozenset[str]], ...]] = BoundedCache()
        readers: dict[str, set[str]] = {}
        for cid, paths in self.reads.items():
            for path in paths:
                readers.setdefault(path, set()).add(cid)
        # fact path -> the clauses that read it (which clauses an assumption could change)
        self.readers = {path: frozenset(cids) for path, cids in readers.items()}

    def presence(
        self, entry: str | None, on: dt.date, line: str = GOODS
    ) -> tuple[tuple[str, frozenset[str]], ...]:
        """The nexus and control clauses in effect for `entry` on `on` that test whether a
        fact is given (`exists`), for the search over unknowns; cached per candidate set."""
        nexus = self.index.candidates(ClauseKind.nexus, entry, on, line)
        control = self.index.candidates(ClauseKind.control, entry, on, line)
        return self._presence.get_or_build(
            (id(nexus), id(control)),
            lambda: self.decider.presence(ic.clause.id for ic in (*nexus, *control)),
        )

    def reaches(self, tx_facts: Facts) -> bool:
        """False when no nexus clause of the pack can hold for this transaction: then the
        pack has nothing to report (its verdict is not_applicable either way) and is not
        evaluated, which keeps seven packs about as cheap as one. The gate reads only
        transaction-level facts (the exporter's country and sets, transit), so it is decided
        once per transaction."""
        return self.gate is None or any(
            _holds(tx_facts.get(fact), values) for fact, values in self.gate
        )

    def evaluate_items(
        self, item_facts: list[Facts], ordinal: int, lazy: bool = False
    ) -> list[dict[str, bool | None]]:
        if item_facts and not self.reaches(item_facts[0]):
            return [{} for _ in item_facts]
        return [
            self.backend.evaluate(f, ordinal, f.get("item.eccn_entry"), lazy) for f in item_facts
        ]


def compile_packs(packs: list[Pack], backend: BackendName) -> list[CompiledPack]:
    """Each pack with its clause index and the chosen backend over it."""
    out = []
    for pack in packs:
        index = ClauseIndex([lc.clause for lc in pack.clauses])
        engine: Backend = (
            PythonBackend(index) if backend == "python" else DurableBackend(pack, index)
        )
        out.append(
            CompiledPack(
                pack,
                index,
                engine,
                {lc.clause.id: lc.clause for lc in pack.clauses},
                {lc.clause.id: clause_reads(lc.clause) for lc in pack.clauses},
            )
        )
    return out


_PARTY_FACTS = {
    "parties.lists",
    "parties.review_lists",
    "parties.entity_list_footnotes",
    "end_user.lists",
}


def _gate(index: ClauseIndex) -> tuple[tuple[str, frozenset[Any]], ...] | None:
    """The pack's nexus guards when every nexus clause has one on a fact derived for every
    transaction (exporter.country, exporter.country_sets): if none holds, no nexus clause can
    be true or undecided, whatever the date. None when some nexus clause has no such guard."""
    nexus = [ic for ic in index.clauses if ic.clause.kind == ClauseKind.nexus]
    per_line = ("item.", LINE_KIND)  # facts that differ between a transaction's lines
    guards = [
        (g[0], g[1])
        for g in (ic.guard for ic in nexus)
        if g is not None and g[1] is not None and not g[0].startswith(per_line)
    ]
    if not nexus or len(guards) != len(nexus):
        return None
    return tuple(guards)


def _holds(actual: Any, values: frozenset[Any]) -> bool:
    if isinstance(actual, list):
        return any(v in values for v in actual)
    return actual in values


def clause_reads(clause: Clause) -> tuple[str, ...]:
    """Facts a clause's finding depends on: its condition's, plus the party hits it cites."""
    paths = fact_paths(clause.when)
    return (*paths, "parties.hits") if _PARTY_FACTS & set(paths) else paths
