"""The durable-rules window backend: the engine's Rete join decides what is in a window.

One ruleset per pattern (window rules are pattern-independent, so one ruleset serves all,
with the pattern number in the join key), holding one rule:

    w: a window fact          (t == "w")
    p: the probe of a new line (t == "p", p.g == w.g, p.lo < w.d)

For each selected line the backend asserts a probe carrying the group and the first date
outside the window (lo = t - window_days), collects every (w, p) match the engine fires,
retracts the probe, then asserts the line itself as a window fact. Window facts are
retracted as the window slides past them, so the engine only ever holds the live window.

Within the engine's limits as measured for this project (see screener/durable_backend.py):
- facts, never events; the C extension directly, never the Host; one lock per handle;
- a ruleset cannot be replaced or safely deleted: it is created once per process and reused;
  each stream borrows a block of session ids and gives it back empty (all facts retracted),
  so live sessions stay at blocks in use x SHARDS, far under the 1,024 limit;
- groups are spread over SHARDS sessions (a join only sees facts of one session, and a
  group always maps to the same one), keeping few facts per session;
- ids are hashed to 32 bits: an "already observed" answer is retried under a new id;
- each (w, p) match comes back as its own action: the rule option `cap`, which would batch
  them, crashed the process (segfault) on this fact join when tried (2.0.28, measured).
"""

from __future__ import annotations

import itertools
import json
import threading
import zlib
from typing import Any

from screener.optional import durable_engine
from screener.patterns.windows import Entry, Window

dre = durable_engine()  # an optional extra: BackendUnavailable when not installed

SHARDS = 16
MAX_BLOCKS = 1024 // SHARDS
_RULES = {
    "window": {
        "all": [
            {"w": {"t": "w"}},
            {"p": {"$and": [{"t": "p"}, {"g": {"w": "g"}}, {"$lt": {"lo": {"w": "d"}}}]}},
        ]
    }
}
_NAME = "chokepoint-pattern-windows@1"


class _Ruleset:
    """The process-wide ruleset handle, its lock, an id counter and the free sid blocks."""

    _instance: _Ruleset | None = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        self.handle = dre.create_ruleset(_NAME, json.dumps(_RULES))
        self.lock = threading.Lock()
        self.ids = itertools.count()
        self.free = list(range(MAX_BLOCKS - 1, -1, -1))

    @classmethod
    def get(cls) -> _Ruleset:
        with cls._guard:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance


class DurableWindows:
    name = "durable"

    def __init__(self) -> None:
        self._rs = _Ruleset.get()
        with self._rs.lock:
            if not self._rs.free:
                raise RuntimeError(
                    f"more than {MAX_BLOCKS} durable pattern streams open at once "
                    "(durable-rules allows 1,024 live sessions per ruleset)"
                )
            self._block = self._rs.free.pop()
        self._live: dict[int, list[tuple[int, str]]] = {}  # pattern -> [(ordinal, fact json)]
        self._heads: dict[int, int] = {}
        self._matched: list[Entry] = []
        self.peak_live = 0
        self.id_retries = 0  # facts refused as "already observed" (32-bit id-hash collisions)
        self._count = 0
        self._closed = False

    def _sid(self, group: str) -> str:
        return f"{self._block}.{zlib.crc32(group.encode()) % SHARDS}"

    def _assert(self, fact: dict[str, Any]) -> tuple[int, int, str]:
        """Assert under a fresh id (retried on a 32-bit id-hash collision)."""
        for _attempt in range(8):
            fact["id"] = f"{fact['t']}{next(self._rs.ids)}"
            text = json.dumps(fact, separators=(",", ":"))
            code, state = dre.assert_fact(self._rs.handle, text)
            if code != 2:
                return code, state, text
            self.id_retries += 1
        raise RuntimeError("durable-rules refused a fact as already observed 8 times")

    def _drain(self, code: int, state: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if code == 0:
            result = dre.start_action_for_state(self._rs.handle, state)
            message = result[1] if result else None
            while message:
                out.append(json.loads(message))
                message = dre.complete_and_start_action(self._rs.handle, state)
        elif code not in (1, 3):
            raise RuntimeError(f"durable-rules assert_fact returned code {code}")
        return out

    def _slide(self, pattern: int, oldest_out: int) -> None:
        live = self._live.get(pattern)
        if not live:
            return
        head = self._heads.get(pattern, 0)
        while head < len(live) and live[head][0] <= oldest_out:
            dre.retract_fact(self._rs.handle, live[head][1])
            head += 1
        if head > 4096 and head * 2 > len(live):
            del live[:head]
            head = 0
        self._heads[pattern] = head

    def add(self, pattern: int, group: str, entry: Entry, window_days: int) -> Window:
        key = f"{pattern}:{group}"
        sid = self._sid(key)
        oldest_out = entry.ordinal - window_days
        with self._rs.lock:
            self._slide(pattern, oldest_out)
            code, state, probe = self._assert({"sid": sid, "t": "p", "g": key, "lo": oldest_out})
            try:
                matches = self._drain(code, state)
            finally:
                if code in (0, 3):
                    dre.retract_fact(self._rs.handle, probe)
            fact = {
                "sid": sid,
                "t": "w",
                "g": key,
                "d": entry.ordinal,
                "n": entry.seq,
                "v": entry.cents,
                "x": entry.distinct if entry.distinct is not None else "",
                "i": entry.transaction_id if entry.transaction_id is not None else "",
                "h": int(entry.transaction_id is not None),
            }
            code, state, text = self._assert(fact)
            if self._drain(code, state):  # pragma: no cover - a window fact has no probe
                raise RuntimeError("durable-rules joined a window fact with no live probe")
            self._live.setdefault(pattern, []).append((entry.ordinal, text))
            self._count += 1
        self.peak_live = max(self.peak_live, self.live_entries)
        members = [self._entry(m["window"]["w"]) for m in matches]
        members.sort(key=lambda e: e.seq)
        members.append(entry)
        self._matched = members
        distinct = {m.distinct for m in members if m.distinct is not None}
        return Window(len(members), sum(m.cents for m in members), len(distinct))

    @staticmethod
    def _entry(w: dict[str, Any]) -> Entry:
        return Entry(
            w["n"], w["d"], w["v"], w["x"] if w["x"] != "" else None, w["i"] if w["h"] else None
        )

    def members(self, pattern: int, group: str, entry: Entry, window_days: int) -> list[Entry]:
        return list(self._matched)

    @property
    def live_entries(self) -> int:
        return sum(len(v) - self._heads.get(p, 0) for p, v in self._live.items())

    def close(self) -> None:
        """Retract every fact this stream left in the engine and give the sid block back."""
        if self._closed:
            return
        self._closed = True
        with self._rs.lock:
            for pattern, live in self._live.items():
                for _ordinal, text in live[self._heads.get(pattern, 0) :]:
                    dre.retract_fact(self._rs.handle, text)
            self._live.clear()
            self._rs.free.append(self._block)
