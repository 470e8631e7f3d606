"""Screen many names on every core: distinct names only, workers forked from the index.

`chokepoint parties screen` hands its whole input here. Names are de-duplicated on (name,
country, address) first (a batch repeats its parties); when enough distinct names remain,
they are matched by worker processes forked from the process that holds the loaded index
(copy-on-write: nothing is pickled to the workers but the names; `gc.freeze()` before the
fork keeps the children's collector off the inherited index). Workers only match; the
parent attaches adjudications (one database, one connection) and writes results in input
order.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Iterator

from schemas.lists import PartyHit
from screener.parties.normalize import normalize_name
from screener.parties.screening import PartyScreening
from screener.parties.scripts import readings, scripts_in

Key = tuple[str, str | None, str | None]

#: Below this many distinct names forking costs more than it saves.
PARALLEL_MIN = 2_000
CHUNK = 256

_SCREENING: PartyScreening | None = None


def _work(keys: list[Key]) -> list[tuple[list[PartyHit], str | None]]:
    assert _SCREENING is not None
    out = []
    for name, country, address in keys:
        hits = _SCREENING.matcher.match(name, country, address)
        found = _SCREENING.matcher.unreadable(name, hits, country, address)  # type: ignore[attr-defined]
        out.append((hits, found.describe() if found else None))
    return out


def workers_default() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def screen_many(
    screening: PartyScreening, rows: list[Key], workers: int | None = None
) -> Iterator[tuple[Key, list[PartyHit], str | None]]:
    """(row, hits with adjudications, note or None) per input row, in input order."""
    global _SCREENING
    distinct = list(dict.fromkeys(rows))
    n = workers or workers_default()
    if n > 1 and len(distinct) >= PARALLEL_MIN and "fork" in mp.get_all_start_methods():
        if any(scripts_in(k[0]) for k in distinct):
            # load OpenCC, pypinyin and iuliia tables once, before the fork, not per worker
            readings("華為 Хуавэй")
            normalize_name("華為")
        _SCREENING = screening
        chunks = [distinct[i : i + CHUNK] for i in range(0, len(distinct), CHUNK)]
        gc.collect()
        gc.freeze()
        try:
            with mp.get_context("fork").Pool(n) as pool:
                results = [r for part in pool.imap(_work, chunks) for r in part]
        finally:
            gc.unfreeze()
            _SCREENING = None
    else:
        _SCREENING = screening
        try:
            results = _work(distinct)
        finally:
            _SCREENING = None
    found = dict(zip(distinct, results, strict=True))
    with screening.decided_snapshot():
        for row in rows:
            hits, note = found[row]
            yield row, [screening._adjudicate(h) for h in hits], note
