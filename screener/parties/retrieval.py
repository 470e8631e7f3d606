"""Candidate retrieval over the match index: a query's tokens, their neighbours in the
list's vocabulary (typos, joined and split tokens), and the aliases worth scoring.

Retrieved aliases are pre-ranked by an estimate from the rare tokens alone; those under
PRUNE are dropped and at most `max_candidates` are scored (screener.parties.matcher). The
recall this costs is measured by bench/eval_matching.py (index recall loss).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from screener.parties.match_index import (
    CLASS_CODE,
    DIST,
    FLAT_WEIGHTS,
    GEN,
    LEGAL,
    LOC,
    NUM,
    STOP,
    MatchIndex,
    core_spacefree,
    trigrams,
)
from screener.parties.match_params import (
    FLOOR,
    GUARD,
    LAMBDA_L,
    LAMBDA_Q,
    LAMBDA_Q_WEAK,
    PRUNE,
    SHORT,
    SHORT_MALUS,
    SPACEFREE_MIN,
)
from screener.parties.name_tables import ABBREVIATIONS
from screener.parties.normalize import NormalizedName

_LEGAL_PIECES = {
    "ooo": "llc",
    "tov": "llc",
    "llc": "llc",
    "ltd": "llc",
    "fze": "llc",
    "gmbh": "llc",
    "inc": "llc",
    "ao": "jsc",
    "oao": "jsc",
    "zao": "jsc",
    "pao": "jsc",
    "jsc": "jsc",
    "sa": "jsc",
    "ag": "jsc",
    "co": "co",
    "corp": "corp",
    "sro": "llc",
    "srl": "llc",
    "npo": "ngo",
    "npp": "npp",
    "ltda": "llc",
    "plc": "jsc",
    "pjsc": "jsc",
    "ojsc": "jsc",
}


@dataclass(slots=True)
class Query:
    """Per-query state shared by the scoring of all candidates."""

    nq: NormalizedName
    n: int
    weights: list[float]
    classes: list[int]
    unit_mask: list[int]
    by_vid: dict[int, list[tuple[int, float]]]
    numbers: frozenset[int] | None  # vids of number tokens (-1 for unknown numbers)
    dist_mask: int  # base positions holding distinctive tokens
    initials: int  # base positions holding single letters
    core_sf: str
    splits: list[tuple[int, int, int]]  # (query position, left vid, right vid)
    extra_factor: list[float]  # LAMBDA_Q or LAMBDA_Q_WEAK per query position
    legal: str  # the query's legal form(s), as written ("" when none)


class CandidateSearch(MatchIndex):
    """The index plus what a query needs before scoring: its tokens' neighbours and the
    candidate aliases. `max_candidates` caps how many are scored per query."""

    _TRANSIENT = ("_neighbour_cache",)
    max_candidates: int = 60

    def _reset(self) -> None:
        self._neighbour_cache: dict[tuple[str, int], tuple[tuple[int, float], ...]] = {}

    # ------------------------------------------------------------------ token neighbours

    def _neighbours(self, tok: str, cls: int, brute: bool = False) -> tuple[tuple[int, float], ...]:
        """Vocabulary tokens similar to `tok` (>= FLOOR), with their similarity. Cached.

        `brute` scans the whole vocabulary instead of the 3-gram index (evaluation only)."""
        key = (tok, cls)
        hit = None if brute else self._neighbour_cache.get(key)
        if hit is not None:
            return hit
        vid = self._vid.get(tok)
        out: dict[int, float] = {}
        if cls == LEGAL:
            for v in self._legal_vids:
                out[v] = 1.0 if v == vid else GUARD
        elif vid is not None:
            out[vid] = 1.0
        if cls not in (LEGAL, NUM, STOP) and len(tok) >= 4:
            fuzzy = (
                self._fuzzy_vocab(tok)
                if not brute
                else [
                    (v, sim)
                    for _, sim, v in process.extract(
                        tok,
                        self._vocab,
                        scorer=OSA.normalized_similarity,
                        score_cutoff=FLOOR,
                        limit=None,
                    )
                    if len(self._vocab[v]) >= 4 and self._vclass[v] not in (LEGAL, NUM, STOP)
                ]
            )
            if len(tok) <= SHORT:
                # a short token one edit away at its first letter is mostly another name
                # ("zhang"/"hang", "hong"/"chong"); typos rarely hit the first letter. Kept
                # as partial evidence, below GUARD
                vocab = self._vocab
                first = tok[0]
                fuzzy = [
                    (v, s - SHORT_MALUS)
                    if s < 1.0 and len(vocab[v]) <= SHORT and vocab[v][0] != first
                    else (v, s)
                    for v, s in fuzzy
                ]
                fuzzy = [(v, s) for v, s in fuzzy if s >= FLOOR - 1e-9]
            if cls in (GEN, LOC):
                # a known generic/location word is no typo of someone's name ("china" is
                # not "chima"); the list's own typos of such words are fixed by normalize
                vclass = self._vclass
                fuzzy = [(v, s) for v, s in fuzzy if vclass[v] in (GEN, LOC)]
            out.update(fuzzy)
            if vid is not None:
                out[vid] = 1.0
        result = tuple(out.items())
        if brute:
            return result
        if len(self._neighbour_cache) > 300_000:
            self._neighbour_cache.clear()
        self._neighbour_cache[key] = result
        return result

    def _splits(self, tok: str) -> tuple[tuple[int, int], ...]:
        """Ways to read an unknown token as two list tokens written together
        ("marioismael", "oooradio", "nyuztov"); legal-form pieces are canonicalised."""
        key = (tok, -1)
        hit = self._neighbour_cache.get(key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        found: list[tuple[int, int]] = []
        vid = self._vid
        for k in range(2, len(tok) - 1):
            left, right = tok[:k], tok[k:]
            left = ABBREVIATIONS.get(left, left)
            va = vid.get(_LEGAL_PIECES.get(left, left))
            if va is None:
                continue
            right = ABBREVIATIONS.get(right, right)
            vb = vid.get(_LEGAL_PIECES.get(right, right))
            if vb is not None and not (self._vclass[va] == LEGAL and self._vclass[vb] == LEGAL):
                found.append((va, vb))
        result = tuple(found[:4])
        self._neighbour_cache[key] = result
        return result

    def _fuzzy_vocab(self, tok: str) -> list[tuple[int, float]]:
        """3-gram count filter per candidate length, then OSA similarity in rapidfuzz.

        An OSA edit (a transposition included) touches at most 4 of a token's padded
        3-grams, so a list token within k edits shares at least max(len) - 4k grams with
        `tok`. From 8 letters on at least 2 shared grams are required even where that bound
        is lower; that only loses pairs with every 3-gram but one broken (two transpositions
        in 8 letters) and is part of the measured index recall loss.
        """
        n = len(tok)
        gs = trigrams(tok)
        grams = self._grams
        cand: set[int] = set()
        lo = max(4, math.ceil(n * FLOOR))
        hi = int(n / FLOOR)
        for length in range(lo, hi + 1):
            longest = n if n > length else length
            k = int((1.0 - FLOOR) * longest + 1e-9)
            if abs(length - n) > k:
                continue
            suffix = chr(48 + min(length, 70))
            lists = [p for g in gs if (p := grams.get(g + suffix))]
            if not lists:
                continue
            need = longest - 4 * k
            if longest >= 8 and need < 2:
                need = 2
            if need <= 1:
                cand.update(*lists)
            else:
                counts: Counter[int] = Counter()
                for p in lists:
                    counts.update(p)
                cand.update(v for v, c in counts.items() if c >= need)
        if not cand:
            return []
        ids = list(cand)
        vocab = self._vocab
        strings = [vocab[v] for v in ids]
        return [
            (ids[idx], sim)
            for _, sim, idx in process.extract(
                tok, strings, scorer=OSA.normalized_similarity, score_cutoff=FLOOR, limit=None
            )
        ]

    # ------------------------------------------------------------------ matching

    def _query(self, nq: NormalizedName, brute: bool = False) -> Query:
        n = len(nq.tokens)
        weights: list[float] = []
        classes: list[int] = []
        unit_mask: list[int] = []
        by_vid: dict[int, list[tuple[int, float]]] = {}
        numbers: set[int] = set()
        dist_mask = 0
        initials = 0
        splits: list[tuple[int, int, int]] = []
        for i, (tok, tcls) in enumerate(zip(nq.tokens, nq.classes, strict=True)):
            cls = CLASS_CODE[tcls]
            vid = self._vid.get(tok)
            if vid is not None:
                weights.append(self._vweight[vid])
            else:
                weights.append(self._idf_unseen if cls in (DIST, NUM) else FLAT_WEIGHTS[cls])
            classes.append(cls)
            unit_mask.append(1 << i)
            if cls == NUM:
                numbers.add(vid if vid is not None else -1 - i)
            if cls in (DIST, NUM):
                dist_mask |= 1 << i
                if len(tok) == 1 and cls == DIST:
                    initials |= 1 << i
            for v, s in self._neighbours(tok, cls, brute):
                lst = by_vid.get(v)
                if lst is None:
                    by_vid[v] = [(i, s)]
                else:
                    lst.append((i, s))
            if vid is None and cls == DIST and len(tok) >= 5:
                splits.extend((i, va, vb) for va, vb in self._splits(tok))
        # joined adjacent query tokens ("hua wei" -> "huawei"), when the list knows them
        for i in range(n - 1):
            if classes[i] in (LEGAL, NUM) or classes[i + 1] in (LEGAL, NUM):
                continue
            joined = self._vid.get(nq.tokens[i] + nq.tokens[i + 1])
            if joined is not None:
                u = len(unit_mask)
                unit_mask.append(3 << i)
                by_vid.setdefault(joined, []).append((u, 1.0))
        return Query(
            nq=nq,
            n=n,
            weights=weights,
            classes=classes,
            unit_mask=unit_mask,
            by_vid=by_vid,
            numbers=frozenset(numbers) or None,
            dist_mask=dist_mask,
            initials=initials,
            core_sf=core_spacefree(nq),
            splits=splits,
            extra_factor=[LAMBDA_Q if c in (DIST, NUM) else LAMBDA_Q_WEAK for c in classes],
            legal=", ".join(sf for sf, c in zip(nq.surfaces, classes, strict=True) if c == LEGAL),
        )

    def _postings(self, v: int) -> array[int]:
        return self._post_flat[self._post_off[v] : self._post_off[v + 1]]

    def _candidates(self, q: Query) -> tuple[list[int], dict[int, int]]:
        """Aliases worth scoring: exact keys, rare-token postings, fallbacks.

        Aliases reached through rare tokens are pre-ranked by an estimate of their score
        from those tokens alone (matched weight against the unmatched rare weight on both
        sides); those under PRUNE are dropped and at most `max_candidates` are kept.
        """
        nq = q.nq
        exact: dict[int, int] = {}  # alias -> 2 same tokens, 1 same space-free form
        qv: tuple[int, ...] | None = None
        for key in {nq.comparable, nq.spacefree}:
            for a in self._exact.get(key, ()):
                if self._a_spacefree[a] != nq.spacefree:
                    continue
                if qv is None:
                    qv = tuple(self._vid.get(t, -1) for t in nq.tokens)
                exact[a] = 2 if self._a_tokens[a] == qv else 1
        acc: dict[int, float] = {}
        vclass = self._vclass
        vweight = self._vweight
        vdf = self._vdf
        rare = self._rare_df
        rare_units = 0
        for v, lst in q.by_vid.items():
            best = 0.0
            for _u, s in lst:
                if s > best:
                    best = s
            if best < GUARD:
                continue
            w = vweight[v] * best
            nd = self._nodist.get(v)
            if nd:
                for a in nd:
                    acc[a] = acc.get(a, 0.0) + w
            if vdf[v] > rare or vclass[v] not in (DIST, NUM):
                continue
            for u, s in lst:
                if s >= GUARD:
                    rare_units |= q.unit_mask[u]
            for a in self._postings(v):
                acc[a] = acc.get(a, 0.0) + w
        for i, va, vb in q.splits:
            v = va if vdf[va] <= vdf[vb] else vb
            if vdf[v] <= rare:
                rare_units |= 1 << i
                w = vweight[va] + vweight[vb]
                for a in self._postings(v):
                    acc[a] = acc.get(a, 0.0) + w
        extra: list[int] = []
        if not rare_units:
            core = sum(1 for c in q.classes if c in (DIST, LOC, NUM))
            if core >= 2:
                # every distinctive token is common ("Mohammad Ali Hassan"): aliases
                # sharing at least two of them, most shared first
                counts: Counter[int] = Counter()
                budget = 60_000
                for v, lst in q.by_vid.items():
                    if vclass[v] not in (DIST, NUM, LOC) or max(s for _, s in lst) < GUARD:
                        continue
                    p = self._postings(v)
                    if len(p) > budget:
                        continue
                    budget -= len(p)
                    counts.update(p)
                extra = [a for a, c in counts.most_common(self.max_candidates) if c >= 2]
            if not acc and not exact and not extra and q.n <= 2 and len(q.core_sf) >= 4:
                extra = self._scan(q.core_sf)
        chosen: list[int] = []
        if acc:
            q_rare = sum(w for i, w in enumerate(q.weights) if (rare_units >> i) & 1)
            info = self._a_info
            scored = []
            for a, got in acc.items():
                wd = info[a][1]
                est = got / (
                    got
                    + LAMBDA_Q * (q_rare - got if q_rare > got else 0.0)
                    + LAMBDA_L * (wd - got if wd > got else 0.0)
                )
                if est >= PRUNE:
                    scored.append((est, -a))
            if len(scored) > self.max_candidates:
                scored = heapq.nlargest(self.max_candidates, scored)
            chosen = [-na for _, na in scored]
        seen = set(chosen)
        for a in (*extra, *sorted(exact)):
            if a not in seen:
                seen.add(a)
                chosen.append(a)
        return chosen, exact

    def _scan(self, core_sf: str) -> list[int]:
        """Fallback for 1-2 token queries: space-free forms of similar length."""
        n = len(core_sf)
        lo = bisect_left(self._scan_len, math.ceil(n * 0.8))
        hi = bisect_left(self._scan_len, int(n / 0.8) + 1)
        if hi <= lo:
            return []
        texts = self._scan_text[lo:hi]
        found = process.extract(
            core_sf, texts, scorer=fuzz.ratio, score_cutoff=SPACEFREE_MIN * 100, limit=20
        )
        return [self._scan_alias[lo + idx] for _, _, idx in found]


def bisect_left(values: array[int], x: int) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo
