"""Run every clause's examples, table-driven, with a reason an analyst can act on.

The same evaluation as tests/test_rule_examples.py: the example's transaction is merged over
the pack's `example_defaults`, facts are derived as for a real screening (no party lists, so
party facts are absent unless the example sets them), and the clause is evaluated on the
first line (the first item, or the first service of an example with no items) if it is in
effect on the transaction's date, meets that kind of line and is keyed to its CCL entry.
A failure says which condition decided it and with which value of the fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.result import ConditionTrace
from schemas.transaction import Transaction
from screener.authoring.coverage import ClauseCoverage, CoverageTracker, Locator
from screener.conditions import missing_facts, trace_condition
from screener.engine import Screener
from screener.packs.index import IndexedClause
from screener.packs.pack import LoadedClause, Pack, deep_merge

WORDS: dict[bool | None, str] = {True: "fires", False: "silent", None: "undecided"}


@dataclass
class ExampleResult:
    clause_id: str
    example: str
    file: Path
    line: int
    expect: str
    got: str
    reason: str

    @property
    def passed(self) -> bool:
        return self.expect == self.got

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ExampleRun:
    results: list[ExampleResult] = field(default_factory=list)
    coverage: list[ClauseCoverage] = field(default_factory=list)

    @property
    def failed(self) -> list[ExampleResult]:
        return [r for r in self.results if not r.passed]

    @property
    def branch_coverage(self) -> float:
        total = sum(c.total for c in self.coverage)
        return 100.0 * sum(c.covered for c in self.coverage) / total if total else 100.0

    @property
    def fully_covered(self) -> int:
        return sum(1 for c in self.coverage if not c.gaps)


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) > 6:
        return repr([*value[:6], f"... {len(value) - 6} more"])
    return repr(value)


def _test_text(t: ConditionTrace) -> str:
    return f"{t.fact} {t.op} {_show(t.expected)} (value: {_show(t.actual)})"


def explain(result: bool | None, traces: list[ConditionTrace]) -> str:
    """Why the condition came out as it did, naming the tests and the facts' values."""
    if result is None:
        undecided = [_test_text(t) for t in traces if t.result is None]
        return (
            "undecided: missing "
            + ", ".join(missing_facts(traces))
            + ("; untested: " + "; ".join(undecided) if undecided else "")
        )
    wanted = bool(result)
    decisive = [_test_text(t) for t in traces if t.result is wanted]
    head = "every test held" if wanted else "failed"
    return f"{head}: " + "; ".join(decisive or [_test_text(t) for t in traces])


def run_clause(
    pack: Pack, lc: LoadedClause, screener: Screener, locator: Locator
) -> tuple[list[ExampleResult], ClauseCoverage]:
    """Every example of one clause, and the coverage its examples give."""
    clause = lc.clause
    ic = IndexedClause.of(clause)
    tracker = CoverageTracker(lc, locator)
    out: list[ExampleResult] = []
    for j, example in enumerate(clause.examples):
        tx = Transaction.model_validate(deep_merge(pack.meta.example_defaults, example.transaction))
        facts = screener.item_facts(tx)[0] | example.facts
        entry = facts.get("item.eccn_entry")
        if not clause.in_effect(tx.date):
            got: bool | None = False
            reason = (
                f"not in effect on {tx.date} (effective {clause.effective_from} to "
                f"{clause.effective_to or 'open'})"
            )
            tracker.observe(None, got)
        elif not ic.applies_to(entry, tx.date, facts["line.kind"]):
            got = False
            reason = (
                f"meets {' and '.join(sorted(ic.lines))} lines; the first line is "
                f"{facts['line.kind']}"
                if facts["line.kind"] not in ic.lines
                else f"keyed to CCL entries {', '.join(sorted(ic.entries))}; the item is under "
                f"{entry or 'no entry'} ({facts.get('item.eccn')})"
            )
            tracker.observe(None, got)
        else:
            got = ic.predicate(facts)
            traced, traces = trace_condition(clause.when, facts)
            reason = explain(traced, traces)
            tracker.observe(facts, got)
        out.append(
            ExampleResult(
                clause_id=clause.id,
                example=example.name,
                file=lc.file,
                line=locator.line(lc, "examples", j),
                expect=example.expect,
                got=WORDS[got],
                reason=reason,
            )
        )
    return out, tracker.coverage


def run_examples(packs: list[Pack], only: Iterable[str] | None = None) -> ExampleRun:
    """Run the examples of every clause of `packs` (or only of the clause ids in `only`)."""
    wanted = set(only) if only is not None else None
    screener = Screener(backend="python", packs=packs)  # no lists: party facts stay absent
    locator = Locator()
    run = ExampleRun()
    for pack in packs:
        for lc in pack.clauses:
            if wanted is not None and lc.clause.id not in wanted:
                continue
            results, coverage = run_clause(pack, lc, screener, locator)
            run.results += results
            run.coverage.append(coverage)
    return run
