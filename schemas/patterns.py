"""Cross-shipment patterns: what a clause in `rules/patterns/` may say.

A pattern watches a stream of shipments (one *line* per transaction item) for a shape that
no single transaction shows: several small shipments of one item class to one consignee,
several intermediaries feeding one end user, a new consignee in a transshipment hub suddenly
receiving controlled items. A pattern selects lines (`select`, a condition over the line
facts below), groups them (`group_by`), and raises an alert when, within `window_days`, a
group's lines meet every threshold.

The window and thresholds are screening-policy settings, not regulatory numbers: no
regulation says "three shipments in thirty days". Every pattern therefore says in `basis`
which guidance names the behaviour and that its numbers are configurable.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.facts import LINE_FACTS
from schemas.rules import Condition, Confidence

# The facts a pattern may select, group or count on: declared with every other fact in
# schemas/facts.py (LINE_FACTS), the one catalogue.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thresholds(_Strict):
    """All must hold over a group's selected lines inside the window (the new line included)."""

    min_lines: int = Field(ge=1, description="at least this many selected lines")
    min_total_value_usd: float | None = Field(
        default=None, ge=0, description="their values add up to at least this (USD)"
    )
    min_distinct: int | None = Field(
        default=None, ge=2, description="at least this many distinct values of `distinct_by`"
    )


class PatternExample(_Strict):
    """A stream (transactions merged over the file's defaults, in date order) and whether the
    pattern must alert on it."""

    name: str = Field(min_length=1)
    stream: list[dict[str, Any]] = Field(min_length=1)
    expect: Literal["fires", "silent"]


PatternId = str


class Pattern(_Strict):
    id: PatternId = Field(pattern=r"^pattern\.[a-z0-9_.]+$")
    title: str = Field(min_length=1)
    citation: str = Field(
        min_length=1, description="the guidance that names the behaviour (not a rule)"
    )
    basis: str = Field(
        min_length=1,
        description="why this is screened and where the numbers come from (policy settings)",
    )
    confidence: Confidence
    rationale: str = Field(min_length=1, description="what the reviewer reads in the alert")
    window_days: int = Field(ge=1, le=3650)
    select: Condition
    group_by: list[str] = Field(min_length=1)
    distinct_by: str | None = None
    thresholds: Thresholds
    examples: list[PatternExample] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Pattern:
        for path in [*self.group_by, *([self.distinct_by] if self.distinct_by else [])]:
            if path not in LINE_FACTS:
                raise ValueError(f"unknown line fact {path!r} (schemas/facts.py LINE_FACTS)")
        if (self.distinct_by is None) != (self.thresholds.min_distinct is None):
            raise ValueError("distinct_by and thresholds.min_distinct go together")
        if not any(e.expect == "fires" for e in self.examples):
            raise ValueError("a pattern needs an example that fires")
        return self


class PatternFile(_Strict):
    """One `rules/patterns/*.yaml` file."""

    defaults: dict[str, Any] = Field(
        default_factory=dict, description="merged under every example transaction"
    )
    patterns: list[Pattern] = Field(min_length=1)


class Alert(BaseModel):
    """A pattern that held at one line of the stream."""

    pattern_id: str
    title: str
    citation: str
    confidence: str
    date: str = Field(description="date of the line that completed the pattern")
    transaction_id: str | None
    item_index: int
    group: dict[str, Any] = Field(description="the group_by facts of the group")
    window_days: int
    window_start: str = Field(description="first date inside the window")
    lines: int = Field(description="selected lines of the group inside the window")
    total_value_usd: float
    distinct: int | None = None
    transaction_ids: list[str | None] = Field(
        description="transactions of those lines, oldest first"
    )
    reason: str
