"""What a pattern window backend stores and answers, shared by the engine and every backend.

The engine (screener/patterns/engine.py) owns thresholds, suppression and alerts; a backend
(indexed.py, durable.py) only keeps each group's window. Both sides speak these types, so they
live here, below both, and neither imports the other's module for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

PatternBackendName = Literal["indexed", "durable"]


@dataclass(frozen=True)
class Entry:
    """What a backend stores for one selected line."""

    seq: int
    ordinal: int
    cents: int  # integer cents: running sums never drift
    distinct: str | None
    transaction_id: str | None


@dataclass
class Window:
    """A group's window after a line was added."""

    lines: int
    cents: int
    distinct: int


class WindowBackend(Protocol):
    name: str

    def add(self, pattern: int, group: str, entry: Entry, window_days: int) -> Window:
        """Add `entry` to `group` of pattern number `pattern`; return the window it closes."""
        ...

    def members(self, pattern: int, group: str, entry: Entry, window_days: int) -> list[Entry]:
        """The window's entries (oldest first), for the alert of the line just added."""
        ...

    def close(self) -> None:
        """Release what the backend holds (facts in the engine)."""
        ...
