"""The indexed window backend: the oracle and the default.

Per (pattern, group): a deque of the window's entries plus running counters (lines, cents,
a count per distinct value). Adding a line evicts the entries that fell out of the window
and updates the counters, so each line costs O(1) amortised whatever the window holds.
Groups nobody shipped to for a whole window are dropped by a periodic sweep, so memory is
bounded by the lines inside the windows, not by the stream's length.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from screener.patterns.windows import Entry, Window


@dataclass
class _Group:
    entries: deque[Entry] = field(default_factory=deque)
    cents: int = 0
    distinct: dict[str, int] = field(default_factory=dict)


class IndexedWindows:
    name = "indexed"

    def __init__(self) -> None:
        self._groups: dict[tuple[int, str], _Group] = {}
        self._windows: dict[int, int] = {}  # pattern -> window_days
        self._adds = 0
        self._sweep_at = 1 << 16

    def add(self, pattern: int, group: str, entry: Entry, window_days: int) -> Window:
        self._windows[pattern] = window_days
        self._adds += 1
        if self._adds >= self._sweep_at:
            self._sweep(entry.ordinal)
        key = (pattern, group)
        g = self._groups.get(key)
        if g is None:
            g = self._groups[key] = _Group()
        self._evict(g, entry.ordinal - window_days)
        g.entries.append(entry)
        g.cents += entry.cents
        if entry.distinct is not None:
            g.distinct[entry.distinct] = g.distinct.get(entry.distinct, 0) + 1
        return Window(len(g.entries), g.cents, len(g.distinct))

    @staticmethod
    def _evict(g: _Group, oldest_out: int) -> None:
        """Drop entries dated on or before `oldest_out` (t - window_days)."""
        entries = g.entries
        while entries and entries[0].ordinal <= oldest_out:
            old = entries.popleft()
            g.cents -= old.cents
            if old.distinct is not None:
                left = g.distinct[old.distinct] - 1
                if left:
                    g.distinct[old.distinct] = left
                else:
                    del g.distinct[old.distinct]

    def members(self, pattern: int, group: str, entry: Entry, window_days: int) -> list[Entry]:
        return list(self._groups[(pattern, group)].entries)

    def _sweep(self, ordinal: int) -> None:
        self._groups = {
            k: g
            for k, g in self._groups.items()
            if g.entries and ordinal - g.entries[-1].ordinal < self._windows[k[0]]
        }
        self._sweep_at = self._adds + max(1 << 16, 2 * len(self._groups))

    @property
    def live_entries(self) -> int:
        return sum(len(g.entries) for g in self._groups.values())

    def close(self) -> None:
        self._groups.clear()
