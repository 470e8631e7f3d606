"""Evaluate cross-shipment patterns over a stream of transactions.

Semantics, shared by every backend (so that they must give identical alerts):

- Lines arrive in date order. A line is *selected* by a pattern when its `select` condition
  is true (undecided is not selected) and every `group_by` fact is given.
- The window of a line dated t holds the group's selected lines dated d with t - d <
  window_days that came before it in the stream, plus the line itself.
- The pattern *holds* at the line when that window meets every threshold (lines, total value
  with missing values counted as 0, distinct values of `distinct_by` with missing ones not
  counted).
- It alerts when it holds and the group has not alerted in the previous window_days (one
  alert per episode instead of one per line while the episode lasts).

A backend (`WindowBackend`) only answers "what is in this group's window now"; thresholds,
suppression and the alert text are here, once. The indexed backend keeps running counters
per group; the durable backend asks a Rete join of the engine (screener/patterns/durable.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from schemas.patterns import Alert, Pattern
from schemas.transaction import Transaction
from screener.conditions import Predicate, compile_fast
from screener.patterns.indexed import IndexedWindows
from screener.patterns.stream import Line, LineBuilder
from screener.patterns.windows import Entry, PatternBackendName, Window, WindowBackend


@dataclass(frozen=True)
class CompiledPattern:
    pattern: Pattern
    select: Predicate

    @classmethod
    def of(cls, pattern: Pattern) -> CompiledPattern:
        return cls(pattern, compile_fast(pattern.select))


def _cents(value: float | None) -> int:
    return 0 if value is None else round(value * 100)


class PatternEngine:
    """Feed lines (or transactions) in date order; alerts come out as lines complete them."""

    def __init__(self, patterns: list[Pattern], backend: WindowBackend) -> None:
        self.patterns = [CompiledPattern.of(p) for p in patterns]
        self.backend = backend
        self.lines_seen = 0
        self._last_alert: dict[tuple[int, str], int] = {}
        self._sweep_at = 1 << 16

    def feed(self, line: Line) -> list[Alert]:
        self.lines_seen += 1
        if self.lines_seen >= self._sweep_at:
            self._sweep(line.ordinal)
        facts = line.facts
        alerts: list[Alert] = []
        for n, cp in enumerate(self.patterns):
            p = cp.pattern
            if cp.select(facts) is not True:
                continue
            values = [facts.get(f) for f in p.group_by]
            if any(v is None for v in values):
                continue
            # line facts are codes and normalised keys (no tabs): a tab joins them unambiguously
            group = str(values[0]) if len(values) == 1 else "\t".join(map(str, values))
            distinct = facts.get(p.distinct_by) if p.distinct_by else None
            entry = Entry(
                line.seq,
                line.ordinal,
                _cents(facts.get("item.value_usd")),
                None if distinct is None else str(distinct),
                line.transaction_id,
            )
            window = self.backend.add(n, group, entry, p.window_days)
            t = p.thresholds
            if window.lines < t.min_lines:
                continue
            if t.min_total_value_usd is not None and window.cents < round(
                t.min_total_value_usd * 100
            ):
                continue
            if t.min_distinct is not None and window.distinct < t.min_distinct:
                continue
            last = self._last_alert.get((n, group))
            if last is not None and line.ordinal - last < p.window_days:
                continue
            self._last_alert[(n, group)] = line.ordinal
            members = self.backend.members(n, group, entry, p.window_days)
            alerts.append(
                self._alert(p, line, dict(zip(p.group_by, values, strict=True)), window, members)
            )
        return alerts

    def _sweep(self, ordinal: int) -> None:
        """Forget suppressions that can no longer suppress (bounded memory on long streams)."""
        longest = max((cp.pattern.window_days for cp in self.patterns), default=0)
        self._last_alert = {k: v for k, v in self._last_alert.items() if ordinal - v < longest}
        self._sweep_at = self.lines_seen + max(1 << 16, 2 * len(self._last_alert))

    @staticmethod
    def _alert(
        p: Pattern, line: Line, group: dict[str, object], window: Window, members: list[Entry]
    ) -> Alert:
        start = dt.date.fromordinal(line.ordinal - p.window_days + 1).isoformat()
        total = window.cents / 100
        distinct = window.distinct if p.distinct_by else None
        counted = f"{window.lines} selected lines worth USD {total:,.2f}"
        if distinct is not None:
            counted += f" through {distinct} distinct {p.distinct_by}"
        return Alert(
            pattern_id=p.id,
            title=p.title,
            citation=p.citation,
            confidence=f"{p.confidence.level}: {p.confidence.source}",
            date=line.date,
            transaction_id=line.transaction_id,
            item_index=line.item_index,
            group=group,
            window_days=p.window_days,
            window_start=start,
            lines=window.lines,
            total_value_usd=total,
            distinct=distinct,
            transaction_ids=[m.transaction_id for m in members],
            reason=f"{p.rationale.strip()} Seen: {counted} between {start} and {line.date} "
            f"(window {p.window_days} days). Thresholds are screening policy: {p.basis.strip()}",
        )


def make_backend(name: PatternBackendName) -> WindowBackend:
    """The window backend `name`; the durable one is imported only when asked for, since
    durable-rules is an optional extra that fails on import when absent."""
    if name == "indexed":
        return IndexedWindows()
    from screener.patterns.durable import DurableWindows

    return DurableWindows()


class PatternMonitor:
    """Incremental form of `scan` for a caller that receives transactions one at a time (the
    service): `observe(tx)` returns the alerts that transaction completes. Call `close()`
    (or use it as a context manager) to release the durable backend's facts and sessions."""

    def __init__(
        self, patterns: list[Pattern] | None = None, backend: PatternBackendName = "indexed"
    ) -> None:
        if patterns is None:
            from screener.patterns.loader import load_patterns

            patterns = load_patterns()
        self.windows = make_backend(backend)
        self.engine = PatternEngine(patterns, self.windows)
        self.builder = LineBuilder()

    def observe(self, tx: Transaction) -> list[Alert]:
        return [alert for line in self.builder.lines(tx) for alert in self.engine.feed(line)]

    def close(self) -> None:
        self.windows.close()

    def __enter__(self) -> PatternMonitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scan(
    transactions: Iterable[Transaction],
    patterns: list[Pattern] | None = None,
    backend: PatternBackendName = "indexed",
) -> Iterator[Alert]:
    """The streaming API: transactions in date order in, alerts out as soon as they hold.

    Holds only the windows' lines (and the first-seen date of each consignee), so a stream
    of any length runs in bounded memory. Raises StreamOrderError on a transaction dated
    before its predecessor.
    """
    with PatternMonitor(patterns, backend) as monitor:
        for tx in transactions:
            yield from monitor.observe(tx)
