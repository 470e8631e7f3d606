"""The charts of the review pages, drawn by the batch report's SVG functions
(`screener.batch.charts`: server-side, every label escaped, no script), so the service's
pages and the offline report look alike."""

from __future__ import annotations

from collections import Counter
from typing import Any

from screener.audit.store import DecisionStats
from screener.batch.charts import bar_chart, stacked_chart


def quarterly_chart(stats: DecisionStats) -> str:
    """Screenings per quarter (oldest first), each bar split by decision."""
    groups = {q: Counter(by) for q, by in sorted(stats.by_quarter.items())}
    return stacked_chart(
        groups, "screenings by quarter and decision", label_width=70, keep_order=True
    )


def decisions_chart(counts: dict[str, int], label: str) -> str:
    return bar_chart(counts, label)


def batch_chart(counts: dict[str, Any]) -> str:
    """A batch job's lines by decision (and in error), from its stored summary counts."""
    by = dict(counts.get("by_decision") or {})
    if counts.get("errors"):
        by["error"] = counts["errors"]
    return bar_chart(by, "lines by decision")
