"""A batch's counts and what its report says beyond them, rebuilt from the output rows.

Shared by the runner (which counts as it writes and on resume), the cluster workers (which
count their partition) and the HTML report (which reads the counts), so it sits below all
three.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from screener.batch.layout import OUTPUT_COLUMNS
from screener.engine import Screener

Row = tuple[str, ...]


KEEP = 1000  # lines of each kind (prohibited, licence, review, error) kept for the report


@dataclass
class ReportContext:
    """What the report says about the run beyond the rows: the versions screened against
    (`pack id` -> hash, `list:NAME` -> hash) and each clause's title and citation."""

    versions: dict[str, str] = field(default_factory=dict)
    clauses: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, screener: Screener) -> ReportContext:
        return cls(
            versions=screener.versions,
            clauses={
                cid: (clause.title, clause.citation)
                for compiled in screener.compiled
                for cid, clause in compiled.by_id.items()
            },
        )


@dataclass
class BatchSummary:
    """Counts of every outcome, rebuilt from the output rows (also on resume)."""

    total: int = 0  # data lines in the input
    lines: int = 0  # output rows written
    ok: int = 0
    errors: int = 0
    by_decision: Counter[str] = field(default_factory=Counter)
    by_jurisdiction: dict[str, Counter[str]] = field(default_factory=dict)
    by_destination: dict[str, Counter[str]] = field(default_factory=dict)
    rules: Counter[str] = field(default_factory=Counter)
    red_flags: Counter[str] = field(default_factory=Counter)
    prohibited: list[Row] = field(default_factory=list)
    licensed: list[Row] = field(default_factory=list)
    review: list[Row] = field(default_factory=list)
    failed: list[Row] = field(default_factory=list)
    resumed_after: int = 0  # output rows found on resume
    partitions: int = 0  # on a cluster: partitions of this run, and those written so far
    partitions_done: int = 0
    seconds: float = 0.0
    context: ReportContext = field(default_factory=ReportContext)

    def account(self, row: Row) -> None:
        rec = dict(zip(OUTPUT_COLUMNS, row, strict=True))
        self.lines += 1
        if rec["status"] != "ok":
            self.errors += 1
            if len(self.failed) < KEEP:
                self.failed.append(row)
            return
        self.ok += 1
        decision = rec["decision"]
        self.by_decision[decision] += 1
        for part in rec["jurisdictions"].split(";"):
            j, _, d = part.partition("=")
            if j:
                self.by_jurisdiction.setdefault(j, Counter())[d] += 1
        destination = rec["destination_country"] or "(none)"
        self.by_destination.setdefault(destination, Counter())[decision] += 1
        self.rules.update(r for r in rec["rules"].split(" | ") if r)
        self.red_flags.update(r for r in rec["red_flags"].split(" | ") if r)
        kept = {
            "prohibited": self.prohibited,
            "license_required": self.licensed,
            "review": self.review,
        }.get(decision)
        if kept is not None and len(kept) < KEEP:
            kept.append(row)

    def merge(self, other: BatchSummary) -> None:
        """Add the counts of the rows that follow (a chunk's or a partition's, `render`):
        the same totals, and the same first KEEP rows of each kind, as accounting each row."""
        self.lines += other.lines
        self.ok += other.ok
        self.errors += other.errors
        self.by_decision.update(other.by_decision)
        for mine, theirs in (
            (self.by_jurisdiction, other.by_jurisdiction),
            (self.by_destination, other.by_destination),
        ):
            for key, counts in theirs.items():
                mine.setdefault(key, Counter()).update(counts)
        self.rules.update(other.rules)
        self.red_flags.update(other.red_flags)
        for kept, more in (
            (self.prohibited, other.prohibited),
            (self.licensed, other.licensed),
            (self.review, other.review),
            (self.failed, other.failed),
        ):
            kept.extend(more[: KEEP - len(kept)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "lines": self.lines,
            "ok": self.ok,
            "errors": self.errors,
            "by_decision": dict(self.by_decision.most_common()),
            "by_jurisdiction": {j: dict(c) for j, c in sorted(self.by_jurisdiction.items())},
            "by_destination": {d: dict(c) for d, c in sorted(self.by_destination.items())},
            "top_rules": dict(self.rules.most_common(20)),
            "red_flags": dict(self.red_flags.most_common()),
            "resumed_after": self.resumed_after,
            "seconds": round(self.seconds, 3),
        }
