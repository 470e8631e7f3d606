"""One bounded memo for the screener's templates (findings, nexuses, advice, red flags,
verdicts of unreached packs, gap positions, batch lines).

Each of these is a pure function of a small key (a clause and the values of the facts it
reads), so a service or a batch that sees many similar transactions builds each once. A
long-running process must not grow without bound, and the keys have no useful recency, so
the cache simply empties itself when full: cheaper than an LRU's bookkeeping on every hit,
and a full rebuild costs one pass of ordinary screening.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

LIMIT = 65536


class BoundedCache(Generic[V]):
    """A dict from hashable keys to built values, emptied when it reaches `limit` entries."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._values: dict[Hashable, V] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable) -> V | None:
        return self._values.get(key)

    def put(self, key: Hashable, value: V) -> V:
        """Store `value` (emptying the cache first when it is full) and return it."""
        if len(self._values) >= self.limit:
            self._values.clear()
        self._values[key] = value
        return value

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value for `key`, built by `build()` and stored on a miss."""
        found = self._values.get(key)
        return self.put(key, build()) if found is None else found

    def clear(self) -> None:
        self._values.clear()
