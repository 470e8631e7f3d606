"""Adjudications read once for a whole batch instead of one query per party hit.

A batch is screened as the reviewers' decisions stood when it started (the same way it is
screened against one version of each list); the per-hit database round trip otherwise costs
more than matching the name. Entry hashes (needed only when a release exists) are asked of
the store and remembered.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from screener.parties.store import ListStore


class AdjudicationSnapshot:
    """Implements the `Adjudications` protocol of `screener.parties.screening`."""

    def __init__(self, store: ListStore) -> None:
        self.store = store
        self._by_key: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
        self._hashes: dict[tuple[str, str], str | None] = {}
        for adjudication in _all(store):
            key = (adjudication.query_normalised, adjudication.list_name, adjudication.entry_id)
            self._by_key[key].append(adjudication)
        for decisions in self._by_key.values():
            decisions.sort(key=lambda a: (a.decided_at, a.id), reverse=True)

    def adjudications_for(self, query_name: str, list_name: str, entry_id: str) -> list[Any]:
        if not self._by_key:
            return []
        return list(self._by_key.get((self.store.normalise(query_name), list_name, entry_id), []))

    def current_entry_hash(self, list_name: str, entry_id: str) -> str | None:
        key = (list_name, entry_id)
        if key not in self._hashes:
            self._hashes[key] = self.store.current_entry_hash(list_name, entry_id)
        return self._hashes[key]


def _all(store: ListStore) -> list[Any]:
    """Every recorded adjudication, through the store's own row conversion."""
    from sqlmodel import select

    from screener.parties.store import AdjudicationRow, _adjudication

    with store._session() as session:
        return [_adjudication(row) for row in session.exec(select(AdjudicationRow))]
