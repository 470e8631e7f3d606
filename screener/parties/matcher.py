"""Restricted-party name matcher: blocking index plus a token-aligned, weighted scorer.

Design (reference: /work/shared/reference/name-matching.md, sections 1 and 4).

**Aliases.** Every name of an entry is indexed, plus the names inside a listed name:
"X (ABBR)" also gives "X" and "ABBR", "Parent (P). Affiliated Entity: Y" gives "Y", and "A;B"
gives "A" and "B". A hit always reports the alias as listed. Queries are split the same way.

**Index** (built once per list version, ~3 s for the full CSL; `save`/`load` pickle it,
~0.2 s to load):

- exact keys: the comparable and the space-free form of every alias;
- vocabulary of alias tokens with a class (normalize.TokenClass), a document frequency
  counted per *entry* (an entity's many spellings must not make its own name look common)
  and a weight: IDF for distinctive tokens and numbers (about 5 to 11), flat for the rest
  (place 1.2, generic word 1.0, legal form 0.3, particle 0.2) because a generic word being
  rare in the list ("branch") does not make it identifying. IDF assumes IDF_PRIOR extra
  entries holding none of the tokens, so a company's own 20-entry list weighs names like
  the CSL does;
- inverted index token -> aliases; only tokens of at most 1 % of the entries are used for
  retrieval ("huawei" yes; "ltd", "technology", "mohammad" no);
- char 3-gram index over the vocabulary, partitioned by token length: the list tokens
  within the typo budget of a query token are found without scanning the vocabulary;
- adjacent short tokens are also indexed joined ("hong kong", "al qaida", and adjacent
  pinyin syllables from Han script), so spacing does not matter; unknown query tokens are
  tried as two list tokens written together ("OOOradio", "MARIOismael");
- aliases without a distinctive token ("Beijing Institute of Technology") are retrieved
  through their rarest token, since a query naming them must contain all of them;
- queries whose distinctive tokens are all common ("Mohammad Ali Hassan") fall back to
  aliases sharing two of them; 1-2 token queries the index gives nothing for fall back to a
  scan of the space-free forms of similar length ("HuaweiTechnologies").

Retrieved aliases are pre-ranked by an estimate from the rare tokens alone; those under
PRUNE are dropped and at most `max_candidates` (60) are scored. The recall this costs
against scoring every alias is measured by bench/eval_matching.py (index recall loss).

**Scorer** (token-aligned, asymmetric, weighted; rapidfuzz OSA for token similarity):

- each query token is paired with at most one list token or joined run, best similarity
  first (a pair covering more list tokens wins ties); similarity is OSA (Levenshtein with
  transpositions) over the longer token; under FLOOR (0.75) a token counts as unmatched;
  numbers, particles and tokens of 3 letters or fewer only match exactly; a known generic or
  place word only matches another one ("china" is not "chima"); short tokens differing at
  the first letter lose SHORT_MALUS ("zhang"/"hang"); legal forms match each other at 0.8;
  in person names a single letter matches a name starting with it (0.8, half weight);
- score = sum(w*s) / (sum(w) + unmatched query weight * 0.8 (0.5 for generic words, places,
  legal forms) + unmatched list weight * lambda), lambda = 0.25, or 0.5 for a missing family
  name and 0.35 for a missing given name of a "LAST, First" list name, 0.6 when the alias has
  a single distinctive token ("Solar Way Ltd": its other words are part of its identity), 0.8
  for a missing number. A token the list lacks is strong evidence against the match, a
  token the query left out ("Co., Ltd.", a middle name) weak evidence. Pairs out of order
  cost a factor 0.97: a reordered name is strong, not exact.
- guard rails: a distinctive token (or number) of the alias must be matched at >= GUARD
  (0.8), so "Shenzhen X Technology" never hits "Shenzhen Y Technology" on city and industry
  words; an alias with one core token needs it exact or near-exact (one edit from 7 letters)
  and the query must bring no other distinctive token ("EMMA LLC" vs "Emma Daniels",
  watchman #338/#483); an alias without distinctive tokens needs every core token matched
  and nothing distinctive extra; when both sides carry numbers they must share one; weak
  aliases only count on exact keys.
- qualifiers, only when the caller gives them (a missing country or address never lowers a
  score): country in the entry's countries +0.05; not among them -0.05 but never below the
  review threshold (a front company elsewhere must still be reviewed); the country is also
  read from the end of an address; address similar to an entry address +0.05; a query with
  a legal form against a listed *person* -0.10.

Every hit explains itself: `alignment` lists each query token with its list partner,
similarity and weight, unmatched tokens with None on the other side and their penalty
weight; `adjustments` lists the qualifiers applied.

**Bands**: exact = same tokens or same space-free form; strong >= STRONG (0.90); review >=
REVIEW (0.80). Both were chosen on bench/eval_matching.py's dev split (rules in its
RULES) and are reported on its test split.

**Versions**: `version` is one "<name>@<hash>" string for all entries, or a mapping whose
keys are an entry's `source` or its `list_code` value (source is tried first); every entry
must resolve to a version, else ValueError.
"""

from __future__ import annotations

import heapq
import math
import pickle
import re
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pycountry
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from schemas.lists import AliasType, Band, ListCode, ListEntry, PartyHit, TokenMatch
from screener.parties.normalize import (
    ABBREVIATIONS,
    NormalizedName,
    TokenClass,
    fold,
    normalize_name,
)

__all__ = ["INDEX_FORMAT", "REVIEW", "STRONG", "PartyMatcher"]

#: Band thresholds on the 0..1 score (calibrated in bench/eval_matching.py).
STRONG = 0.90
REVIEW = 0.80

#: Scorer constants (see module docstring).
FLOOR = 0.75  # token pairs below this similarity count as unmatched
GUARD = 0.80  # a distinctive token must be matched at least this well
NEAR_EXACT = 0.85  # single-core-token aliases: exact, or one edit from 7 letters
SHORT = 5  # tokens up to this length ...
SHORT_MALUS = 0.05  # ... lose this much similarity when their first letters differ
LAMBDA_Q = 0.8  # weight of an unmatched query token
LAMBDA_Q_WEAK = 0.5  # ... when it is a generic word, place, legal form or particle
LAMBDA_L = 0.25  # weight of an unmatched list token
LAMBDA_FAMILY = 0.5  # ... when it is the family name of a "LAST, First" list name
LAMBDA_GIVEN = 0.35  # ... when it is a given name or patronymic of such a name
LAMBDA_THIN = 0.6  # ... when the alias has a single distinctive token ("Solar Way Ltd")
ORDER_FACTOR = 0.97
PRUNE = 0.45  # candidates whose rare-token estimate is below this are not scored
IDF_PRIOR = 10_000
PART_MAX = 0.95  # cap for hits found through a part of the query ("(SMIC)")
TYPE_MALUS = 0.10  # a query with a legal form ("... Co., Ltd.") against a listed person
SPACEFREE_MIN = 0.90  # joined/split whole-name comparison, when one side is one token
COUNTRY_BONUS = 0.05
COUNTRY_MALUS = 0.05
ADDRESS_BONUS = 0.05
INDEX_FORMAT = 3  # bump whenever the index layout or the normalisation changes

# token class codes (ints: compared in the inner loop)
DIST, GEN, LOC, LEGAL, NUM, STOP = range(6)
_CODE = {
    TokenClass.distinctive: DIST,
    TokenClass.generic: GEN,
    TokenClass.location: LOC,
    TokenClass.legal: LEGAL,
    TokenClass.number: NUM,
    TokenClass.stop: STOP,
}
#: Weights of the classes that carry no identity are flat: a generic word being rare in
#: the list ("branch", "head office") does not make it identifying. Distinctive tokens and
#: numbers weigh their IDF over the list's entries (about 5 to 11).
_FLAT = {LOC: 1.2, GEN: 1.0, LEGAL: 0.3, STOP: 0.2}
_ALIAS_CODE = {AliasType.primary: 0, AliasType.aka: 1, AliasType.fka: 2, AliasType.weak: 3}
_ALIAS_TYPES = (AliasType.primary, AliasType.aka, AliasType.fka, AliasType.weak)
_WEAK = 3
_MAX_MERGE_LEN = 5  # adjacent Latin tokens this short are also indexed joined


class _Entry(NamedTuple):
    list_code: str
    source: str
    entry_id: str
    name: str
    entity_type: str
    countries: tuple[str, ...]
    addresses: tuple[str, ...]
    footnotes: tuple[str, ...]
    license_requirement: str | None
    license_policy: str | None
    version: str


@dataclass(slots=True)
class _Query:
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


@dataclass(slots=True)
class _Scored:
    alias: int
    score: float
    exact: bool
    pairs: list[tuple[float, int, int, int, int, float]]  # s, unit, j0, j1, vid, weight
    used_q: int
    used_l: int
    whole: bool = False  # scored on the space-free form


class PartyMatcher:
    """Screens names against list entries. See the module docstring for the method."""

    def __init__(
        self,
        entries: Iterable[ListEntry],
        version: str | Mapping[str, str],
        *,
        rare_share: float = 0.01,
        max_candidates: int = 60,
        review: float = REVIEW,
        strong: float = STRONG,
    ) -> None:
        """`review`/`strong` override the band thresholds (evaluation sweeps use a low
        `review` to see scores under the production threshold); `max_candidates` caps how
        many retrieved aliases are scored per query (see index recall loss in the bench)."""
        started = time.perf_counter()
        self.max_candidates = max_candidates
        self.review = review
        self.strong = strong
        self._entries: list[_Entry] = []
        self._build(list(entries), version, rare_share)
        self._neighbour_cache: dict[tuple[str, int], tuple[tuple[int, float], ...]] = {}
        self.build_seconds = time.perf_counter() - started

    # ------------------------------------------------------------------ build

    def _build(
        self, entries: list[ListEntry], version: str | Mapping[str, str], rare_share: float
    ) -> None:
        vid: dict[str, int] = {}
        vocab: list[str] = []
        vclass: list[int] = []

        def token_id(tok: str, cls: int) -> int:
            v = vid.get(tok)
            if v is None:
                v = vid[tok] = len(vocab)
                vocab.append(tok)
                vclass.append(cls)
            return v

        a_entry: list[int] = []
        a_text: list[str] = []
        a_listed: dict[int, str] = {}  # derived alias -> the listed alias it comes from
        a_source: dict[int, str] = {}  # alias -> its source, when the list does not carry it
        a_type = bytearray()
        a_tokens: list[tuple[int, ...]] = []
        a_merges: dict[int, tuple[tuple[int, int, int], ...]] = {}
        a_spacefree: list[str] = []
        a_family: list[int] = []
        a_core_sf: list[str] = []
        exact: dict[str, list[int]] = defaultdict(list)
        entry_vids: list[set[int]] = []

        for e_index, entry in enumerate(entries):
            ver = self._version_for(entry, version)
            etype = entry.entity_type.value
            self._entries.append(
                _Entry(
                    list_code=entry.list_code.value,
                    source=entry.source,
                    entry_id=entry.entry_id,
                    name=entry.name,
                    entity_type=etype,
                    countries=tuple(sorted({c.upper() for c in entry.countries})),
                    addresses=tuple(fold(a) for a in entry.addresses if a.strip()),
                    footnotes=tuple(entry.footnotes),
                    license_requirement=entry.license_requirement,
                    license_policy=entry.license_policy,
                    version=ver,
                )
            )
            seen: dict[str, int] = {}
            vids_here: set[int] = set()
            first_alias = len(a_entry)
            names = [(a.name, a.type, None) for a in entry.all_names()]
            names += [
                (part, a.type, a.name) for a in entry.all_names() for part in _derived(a.name)
            ]
            for text, alias_type, derived_from in names:
                nn = normalize_name(text, etype)
                if not nn.tokens:
                    continue
                code = _ALIAS_CODE[alias_type]
                prior = seen.get(nn.comparable)
                if prior is not None:
                    # same comparable form twice in one entry: keep the stronger alias type
                    if derived_from is None and (
                        code < a_type[prior] or (a_type[prior] == _WEAK and code != _WEAK)
                    ):
                        a_type[prior] = code
                        a_text[prior] = text
                        a_listed.pop(prior, None)
                    continue
                a = len(a_entry)
                seen[nn.comparable] = a
                a_entry.append(e_index)
                a_text.append(text)
                if derived_from is not None:
                    a_listed[a] = derived_from
                a_type.append(code)
                toks = tuple(
                    token_id(t, _CODE[c]) for t, c in zip(nn.tokens, nn.classes, strict=True)
                )
                a_tokens.append(toks)
                a_family.append(
                    0
                    if nn.family_from is None
                    else ((1 << len(toks)) - 1) ^ ((1 << nn.family_from) - 1)
                )
                a_spacefree.append(nn.spacefree)
                a_core_sf.append(_core_spacefree(nn))
                exact[nn.comparable].append(a)
                if nn.spacefree != nn.comparable:
                    exact[nn.spacefree].append(a)
                if code == _WEAK:
                    continue  # weak aliases: exact keys only
                vids_here.update(toks)
                merges = []
                for i, j in _merge_spans(nn):
                    joined = "".join(nn.tokens[i:j])
                    mv = token_id(joined, _CODE[_joined_class(joined)])
                    merges.append((mv, i, j))
                    vids_here.add(mv)
                if merges:
                    a_merges[a] = tuple(merges)
            sources = {al.name: al.source for al in entry.aliases if al.source}
            if sources:
                for a in range(first_alias, len(a_entry)):
                    src = sources.get(a_listed.get(a, a_text[a]))
                    if src:
                        a_source[a] = src
            entry_vids.append(vids_here)

        n_entries = max(1, len(entries))
        df = [0] * len(vocab)
        for vids_here in entry_vids:
            for v in vids_here:
                df[v] += 1
        # IDF with IDF_PRIOR virtual entries that hold none of the tokens: in a company's
        # own 20-entry list a name token must still outweigh "technology" (flat 1.0), as
        # it would in the CSL; at CSL size the prior barely moves the values
        corpus = n_entries + IDF_PRIOR
        idf_max = math.log(corpus)
        idf = [math.log(corpus / (d + 1)) + 1.0 if d else idf_max + 1.0 for d in df]
        weight = [
            max(1.0, x) if c in (DIST, NUM) else _FLAT[c] for x, c in zip(idf, vclass, strict=True)
        ]

        # postings (aliases per token, base tokens and joined units), flat + offsets
        post_lists: list[list[int]] = [[] for _ in vocab]
        for a, toks in enumerate(a_tokens):
            if a_type[a] == _WEAK:
                continue
            for v in set(toks):
                post_lists[v].append(a)
        for a, merges in a_merges.items():
            for v in {m[0] for m in merges}:
                post_lists[v].append(a)
        offsets = array("l", [0])
        flat = array("l")
        for lst in post_lists:
            lst.sort()
            flat.extend(lst)
            offsets.append(len(flat))

        # aliases without distinctive tokens: retrieved through their rarest core token
        nodist: dict[int, list[int]] = defaultdict(list)
        a_info: list[tuple[int, float, int, int, frozenset[int] | None, int]] = []
        for a, toks in enumerate(a_tokens):
            classes = [vclass[v] for v in toks]
            core = [j for j, c in enumerate(classes) if c not in (LEGAL, STOP)]
            core_mask = sum(1 << j for j in core)
            has_dist = any(c in (DIST, NUM) for c in classes) or (
                a in a_merges and any(vclass[m[0]] == DIST for m in a_merges[a])
            )
            wd = sum(weight[v] for v in toks if vclass[v] in (DIST, NUM))
            nums = frozenset(v for v in toks if vclass[v] == NUM) or None
            n_dist = sum(1 for c in classes if c in (DIST, NUM))
            flags = (1 if has_dist else 0) | (2 if len(core) == 1 else 0)
            flags |= 8 if n_dist == 1 and len(core) > 1 else 0
            flags |= 4 if any(len(vocab[v]) == 1 and vocab[v].isalpha() for v in toks) else 0
            a_info.append((flags, wd, core_mask, len(core), nums, a_family[a]))
            if not has_dist and core and a_type[a] != _WEAK:
                rarest = min((toks[j] for j in core), key=lambda v: df[v])
                nodist[rarest].append(a)

        # 3-gram index of the vocabulary, partitioned by token length
        grams: dict[str, list[int]] = defaultdict(list)
        for v, tok in enumerate(vocab):
            if len(tok) < 4 or vclass[v] in (LEGAL, NUM, STOP):
                continue
            suffix = chr(48 + min(len(tok), 70))
            for g in _grams(tok):
                grams[g + suffix].append(v)

        # fallback scan: aliases sorted by the length of their space-free core form
        order = sorted(
            (a for a in range(len(a_tokens)) if a_type[a] != _WEAK and a_core_sf[a]),
            key=lambda a: (len(a_core_sf[a]), a),
        )
        scan_len = array("l", [len(a_core_sf[a]) for a in order])

        self._vocab = vocab
        self._vid = vid
        self._vclass = vclass
        self._vdf = df
        self._vweight = weight
        self._idf_unseen = idf_max + 1.0
        self._post_flat = flat
        self._post_off = offsets
        self._rare_df = max(5, int(rare_share * n_entries))
        self._grams = {k: tuple(v) for k, v in grams.items()}
        self._nodist = {k: tuple(v) for k, v in nodist.items()}
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._a_entry = a_entry
        self._a_text = a_text
        self._a_listed = a_listed
        self._a_source = a_source
        self._a_type = bytes(a_type)
        self._a_tokens = a_tokens
        self._a_merges = a_merges
        self._a_spacefree = a_spacefree
        self._a_core_sf = a_core_sf
        self._a_info = a_info
        self._scan_alias = array("l", order)
        self._scan_len = scan_len
        self._scan_text = [a_core_sf[a] for a in order]
        self._legal_vids = tuple(v for v, c in enumerate(vclass) if c == LEGAL)

    @staticmethod
    def _version_for(entry: ListEntry, version: str | Mapping[str, str]) -> str:
        if isinstance(version, str):
            return version
        for key in (entry.source, entry.list_code.value):
            if key in version:
                return version[key]
        raise ValueError(
            f"no list version for entry {entry.entry_id} (source {entry.source!r}, list "
            f"{entry.list_code.value!r}); give one per source or list code"
        )

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the prepared index (pickle): workers and CLI runs load it instead of
        re-normalising ~57k aliases."""
        state = {k: v for k, v in self.__dict__.items() if k != "_neighbour_cache"}
        state["format"] = INDEX_FORMAT
        with open(path, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> PartyMatcher:
        """Read an index written by `save` (only load files you wrote: it is a pickle)."""
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        if state.pop("format", None) != INDEX_FORMAT:
            raise ValueError(f"{path}: not a PartyMatcher index of format {INDEX_FORMAT}")
        self = cls.__new__(cls)
        self.__dict__.update(state)
        self._neighbour_cache = {}
        return self

    def index_stats(self) -> dict[str, Any]:
        """Sizes of the index, for benchmarks and the README."""
        weak = sum(1 for t in self._a_type if t == _WEAK)
        return {
            "entries": len(self._entries),
            "aliases": len(self._a_entry),
            "weak_aliases": weak,
            "vocabulary": len(self._vocab),
            "joined_units": sum(len(m) for m in self._a_merges.values()),
            "postings": len(self._post_flat),
            "rare_token_max_df": self._rare_df,
            "rare_tokens": sum(1 for d in self._vdf if 0 < d <= self._rare_df),
            "gram_keys": len(self._grams),
            "exact_keys": len(self._exact),
            "aliases_without_distinctive_token": sum(len(v) for v in self._nodist.values()),
            "build_seconds": round(getattr(self, "build_seconds", 0.0), 3),
        }

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
        self._neighbour_cache[key] = result  # type: ignore[assignment]
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
        gs = _grams(tok)
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

    def _query(self, nq: NormalizedName, brute: bool = False) -> _Query:
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
            cls = _CODE[tcls]
            vid = self._vid.get(tok)
            if vid is not None:
                weights.append(self._vweight[vid])
            else:
                weights.append(self._idf_unseen if cls in (DIST, NUM) else _FLAT[cls])
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
            v = self._vid.get(nq.tokens[i] + nq.tokens[i + 1])
            if v is not None:
                u = len(unit_mask)
                unit_mask.append(3 << i)
                by_vid.setdefault(v, []).append((u, 1.0))
        return _Query(
            nq=nq,
            n=n,
            weights=weights,
            classes=classes,
            unit_mask=unit_mask,
            by_vid=by_vid,
            numbers=frozenset(numbers) or None,
            dist_mask=dist_mask,
            initials=initials,
            core_sf=_core_spacefree(nq),
            splits=splits,
            extra_factor=[LAMBDA_Q if c in (DIST, NUM) else LAMBDA_Q_WEAK for c in classes],
            legal=", ".join(sf for sf, c in zip(nq.surfaces, classes, strict=True) if c == LEGAL),
        )

    def _postings(self, v: int) -> array:
        return self._post_flat[self._post_off[v] : self._post_off[v + 1]]

    def _candidates(self, q: _Query) -> tuple[list[int], dict[int, int]]:
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
        lo = _bisect(self._scan_len, math.ceil(n * 0.8))
        hi = _bisect(self._scan_len, int(n / 0.8) + 1)
        if hi <= lo:
            return []
        texts = self._scan_text[lo:hi]
        found = process.extract(
            core_sf, texts, scorer=fuzz.ratio, score_cutoff=SPACEFREE_MIN * 100, limit=20
        )
        return [self._scan_alias[lo + idx] for _, _, idx in found]

    def _score(self, a: int, q: _Query, is_exact: bool) -> _Scored | None:
        """Token-aligned asymmetric weighted score of one alias, or None (guard rails)."""
        a_type = self._a_type[a]
        if a_type == _WEAK and not is_exact:
            return None
        toks = self._a_tokens[a]
        by_vid = q.by_vid
        vweight = self._vweight
        vclass = self._vclass
        # (similarity, list span, -query unit, j0, j1, vid, weight): best similarity first,
        # then the pair covering more list tokens (a joined unit beats its halves)
        pairs: list[tuple[float, int, int, int, int, int, float]] = []
        for j, v in enumerate(toks):
            lst = by_vid.get(v)
            if lst:
                w = vweight[v]
                for u, s in lst:
                    pairs.append((s, 1, -u, j, j + 1, v, w))
        merges = self._a_merges.get(a)
        if merges:
            for v, j0, j1 in merges:
                lst = by_vid.get(v)
                if lst:
                    w = vweight[v]
                    for u, s in lst:
                        if u < q.n:
                            pairs.append((s, j1 - j0, -u, j0, j1, v, w))
        if q.splits:
            for i, va, vb in q.splits:
                la, lb = vclass[va] == LEGAL, vclass[vb] == LEGAL
                for j in range(len(toks) - 1):
                    ta, tb = toks[j], toks[j + 1]
                    if (ta == va or (la and vclass[ta] == LEGAL)) and (
                        tb == vb or (lb and vclass[tb] == LEGAL)
                    ):
                        v = va if vclass[va] == DIST else vb
                        pairs.append((1.0, 2, -i, j, j + 2, v, vweight[va] + vweight[vb]))
        flags, _wd, core_mask, n_core, a_nums, family = self._a_info[a]
        unit_mask = q.unit_mask
        chosen: list[tuple[float, int, int, int, int, float]] = []
        used_q = used_l = 0
        if pairs:
            pairs.sort(reverse=True)
            for s, _span, nu, j0, j1, v, w in pairs:
                qm = unit_mask[-nu]
                if used_q & qm:
                    continue
                lm = (1 << j1) - (1 << j0)
                if used_l & lm:
                    continue
                used_q |= qm
                used_l |= lm
                chosen.append((s, -nu, j0, j1, v, w))
        m = len(toks)
        # initials: a single letter against a name starting with it, half weight
        if family and (q.initials or flags & 4) and len(chosen) < min(q.n, m):
            for i in range(q.n):
                if used_q >> i & 1:
                    continue
                qt = q.nq.tokens[i]
                for j in range(m):
                    if used_l >> j & 1 or vclass[toks[j]] != DIST:
                        continue
                    lt = self._vocab[toks[j]]
                    if (len(qt) == 1 and len(lt) > 1 and lt[0] == qt) or (
                        len(lt) == 1 and len(qt) > 1 and qt[0] == lt
                    ):
                        used_q |= 1 << i
                        used_l |= 1 << j
                        w = 0.5 * min(vweight[toks[j]], q.weights[i])
                        chosen.append((GUARD, i, j, j + 1, -1, w))
                        break

        # guard rails
        best_dist = 0.0
        core_ok = True
        num = den = 0.0
        for s, _u, j0, _j1, v, w in chosen:
            num += w * s
            den += w
            if v >= 0 and vclass[v] in (DIST, NUM) and s > best_dist:
                best_dist = s
            if s < GUARD and (core_mask >> j0) & 1:
                core_ok = False
        has_dist = flags & 1
        single_core = flags & 2
        q_unmatched_dist = q.dist_mask & ~used_q
        whole = False
        if is_exact:
            score = 1.0
        else:
            rejected = (
                not chosen
                # a distinctive token (or number) of the alias must be matched well
                or (has_dist and best_dist < GUARD)
                # no distinctive token: every core token matched, nothing extra in the query
                or (
                    not has_dist
                    and (not core_ok or (used_l & core_mask) != core_mask or q_unmatched_dist)
                )
                # a one-word alias: near-exact, and the query brings no other name
                or (
                    single_core
                    and ((best_dist < NEAR_EXACT if has_dist else not core_ok) or q_unmatched_dist)
                )
                # numbers on both sides must share one
                or bool(a_nums and q.numbers and not (a_nums & q.numbers))
            )
            if rejected:
                score = 0.0
            else:
                un_q = 0.0
                for i in range(q.n):
                    if not (used_q >> i) & 1:
                        un_q += q.weights[i] * q.extra_factor[i]
                un_l = un_ln = un_lf = un_lg = un_lt = 0.0
                for j in range(m):
                    if not (used_l >> j) & 1:
                        if vclass[toks[j]] == NUM:
                            un_ln += vweight[toks[j]]  # a number the query lacks: strong
                        elif (family >> j) & 1:
                            un_lf += vweight[toks[j]]
                        elif family:
                            un_lg += vweight[toks[j]]
                        elif flags & 8 and vclass[toks[j]] != LEGAL:
                            un_lt += vweight[toks[j]]
                        else:
                            un_l += vweight[toks[j]]
                score = num / (
                    den
                    + un_q
                    + LAMBDA_Q * un_ln
                    + LAMBDA_L * un_l
                    + LAMBDA_FAMILY * un_lf
                    + LAMBDA_GIVEN * un_lg
                    + LAMBDA_THIN * un_lt
                )
                if len(chosen) > 1:
                    ordered = sorted(chosen, key=lambda p: unit_mask[p[1]])
                    last = -1
                    for p in ordered:
                        if p[2] < last:
                            score *= ORDER_FACTOR
                            break
                        last = p[2]
            # joined or split whole name ("HuaweiTechnologies"): one side is a single token
            if (q.n == 1) != (n_core == 1) or (q.n == 1 and m > 1):
                a_sf = self._a_core_sf[a]
                if a_sf and q.core_sf and a_sf != q.core_sf:
                    sf = Indel.normalized_similarity(q.core_sf, a_sf, score_cutoff=SPACEFREE_MIN)
                    if sf > score:
                        score, whole = sf, True
                elif a_sf and a_sf == q.core_sf and score < 0.99:
                    score, whole = 0.99, True
        if score <= 0.0:
            return None
        return _Scored(a, score, is_exact, chosen, used_q, used_l, whole)

    def match(
        self,
        name: str,
        country: str | None = None,
        address: str | None = None,
        limit: int = 10,
        review: float | None = None,
    ) -> list[PartyHit]:
        """Hits at review band or above, best first, one per entry (its best alias).

        `review` lowers the threshold for one call (the cross-script path asks for the best
        candidates under the band, to show them; they are never reported as hits).

        `country` (ISO-2 or a country name) and `address` only adjust scores when given.
        A query written "Name (ABBR)", "A; B" or "Parent. Affiliated Entity: Name" is also
        screened as its parts; a hit found only through a part that is not the name itself
        is at most strong and says so in its adjustments.
        """
        country_code, country_note = _country_code(country, address)
        addr = fold(address) if address else ""
        review = self.review if review is None else review
        floor = review - (COUNTRY_BONUS if country_code else 0.0) - (ADDRESS_BONUS if addr else 0.0)
        variants = [(name, False)] + [(part, True) for part in _derived(name)]
        if len(variants) > 1:
            # the base before a trailing parenthesis is the name itself, not a part
            base = _TRAILING_PAREN.fullmatch(name)
            if base:
                stem = base.group(1).strip(" ,.")
                variants = [(t, part and t != stem) for t, part in variants]
        best: dict[int, tuple[tuple[float, int, int, int, int], _Query, _Scored, list[str]]] = {}
        for text, part in variants:
            nq = normalize_name(text)
            if not nq.tokens:
                continue
            q = self._query(nq)
            candidates, exact = self._candidates(q)
            for a in candidates:
                level = exact.get(a, 0)
                scored = self._score(a, q, level > 0)
                if scored is None or scored.score < floor:
                    continue
                e = self._a_entry[a]
                entry = self._entries[e]
                final, notes = _qualify(
                    scored.score, entry, country_code, country_note, addr, review
                )
                if q.legal and entry.entity_type == "person":
                    final -= TYPE_MALUS
                    notes = [
                        *notes,
                        f"query has a legal form ({q.legal}), entry is a person -{TYPE_MALUS:.2f}",
                    ]
                if part:
                    if final > PART_MAX:
                        final = PART_MAX
                    scored.exact = False
                    notes = [f"matched on {text!r}, a part of the query name", *notes]
                    level = 0
                if final < review:
                    continue
                # best alias of the entry: score, then exactness, then a listed (not
                # derived) alias, then the stronger alias type
                key = (final, level, a not in self._a_listed, -self._a_type[a], -a)
                prev = best.get(e)
                if prev is None or key > prev[0]:
                    best[e] = (key, q, scored, notes)
        ordered = sorted(best.items(), key=lambda kv: (-kv[1][0][0], -kv[1][0][1], kv[0]))
        return [
            self._hit(name, q, e, key[0], scored, notes)
            for e, (key, q, scored, notes) in ordered[:limit]
        ]

    def _hit(
        self, name: str, q: _Query, e: int, final: float, scored: _Scored, notes: list[str]
    ) -> PartyHit:
        entry = self._entries[e]
        a = scored.alias
        if scored.exact:
            band = Band.exact
        elif final >= self.strong:
            band = Band.strong
        else:
            band = Band.review
        return PartyHit(
            query=name,
            list_code=ListCode(entry.list_code),
            source=entry.source,
            entry_id=entry.entry_id,
            entry_name=entry.name,
            matched_alias=self._a_listed.get(a, self._a_text[a]),
            alias_type=_ALIAS_TYPES[self._a_type[a]],
            alias_source=self._a_source.get(a),
            score=round(final, 4),
            band=band,
            alignment=self._explain(q, scored, entry.entity_type),
            adjustments=notes,
            footnotes=list(entry.footnotes),
            license_requirement=entry.license_requirement,
            license_policy=entry.license_policy,
            list_version=entry.version,
        )

    def _explain(self, q: _Query, scored: _Scored, entity_type: str) -> list[TokenMatch]:
        """Token alignment in query order, then the list tokens the query left out."""
        a = scored.alias
        ln = normalize_name(self._a_text[a], entity_type)
        l_surf = ln.surfaces
        q_surf = q.nq.surfaces
        if scored.whole:
            return [
                TokenMatch(
                    query=" ".join(q_surf),
                    listed=" ".join(l_surf),
                    similarity=round(scored.score, 4),
                    weight=1.0,
                )
            ]
        out: list[TokenMatch] = []
        by_q: dict[int, tuple[float, int, int, int, int, float]] = {}
        for p in scored.pairs:
            u = p[1]
            first = u if u < q.n else (q.unit_mask[u].bit_length() - 2)
            by_q[first] = p
        covered = 0
        for i in range(q.n):
            if (covered >> i) & 1:
                continue
            p = by_q.get(i)
            if p is not None:
                s, u, j0, j1, _v, w = p
                mask = q.unit_mask[u] if u < len(q.unit_mask) else 1 << u
                covered |= mask
                qs = " ".join(q_surf[k] for k in range(q.n) if (mask >> k) & 1)
                out.append(
                    TokenMatch(
                        query=qs,
                        listed=" ".join(l_surf[j0:j1]),
                        similarity=round(s, 4),
                        weight=round(w, 4),
                    )
                )
            elif not (scored.used_q >> i) & 1:
                out.append(
                    TokenMatch(
                        query=q_surf[i],
                        listed=None,
                        similarity=0.0,
                        weight=round(q.extra_factor[i] * q.weights[i], 4),
                    )
                )
        toks = self._a_tokens[a]
        for j in range(len(toks)):
            if not (scored.used_l >> j) & 1:
                lam = LAMBDA_Q if self._vclass[toks[j]] == NUM else LAMBDA_L
                info = self._a_info[a]
                if lam == LAMBDA_L and (info[5] >> j) & 1:
                    lam = LAMBDA_FAMILY
                elif lam == LAMBDA_L and info[5]:
                    lam = LAMBDA_GIVEN
                elif lam == LAMBDA_L and info[0] & 8 and self._vclass[toks[j]] != LEGAL:
                    lam = LAMBDA_THIN
                out.append(
                    TokenMatch(
                        query=None,
                        listed=l_surf[j] if j < len(l_surf) else self._vocab[toks[j]],
                        similarity=0.0,
                        weight=round(lam * self._vweight[toks[j]], 4),
                    )
                )
        return out

    # ------------------------------------------------------------------ evaluation hooks

    def score_all(self, name: str) -> dict[int, float]:
        """Brute force: score every alias with the same scorer (no index) -> entry: score.

        Token similarities are computed against the whole vocabulary too, so the result is
        what the scorer gives without any blocking; used to measure the index's recall loss.
        """
        nq = normalize_name(name)
        if not nq.tokens:
            return {}
        q = self._query(nq, brute=True)
        exact: set[int] = set()
        for key in (nq.comparable, nq.spacefree):
            exact.update(
                a for a in self._exact.get(key, ()) if self._a_spacefree[a] == nq.spacefree
            )
        out: dict[int, float] = {}
        for a in range(len(self._a_entry)):
            scored = self._score(a, q, a in exact)
            if scored is not None:
                e = self._a_entry[a]
                if scored.score > out.get(e, 0.0):
                    out[e] = scored.score
        return out

    def entry_key(self, e: int) -> tuple[str, str]:
        """(list code, entry id) of an internal entry index."""
        return self._entries[e].list_code, self._entries[e].entry_id

    def entry_index(self) -> dict[tuple[str, str], int]:
        return {(x.list_code, x.entry_id): i for i, x in enumerate(self._entries)}


# ---------------------------------------------------------------------- helpers


#: legal forms as they appear glued to a name ("OOOradio", "N'YUZtov")
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


_TRAILING_PAREN = re.compile(r"(.+?)\s*\(([^()]+)\)\s*\.?\s*")
_AFFILIATE = re.compile(r"affiliated entity:\s*(.+)$", re.IGNORECASE)


def _derived(name: str) -> list[str]:
    """Names inside a listed alias, indexed as extra aliases of the same entry:
    "X (ABBR)" gives "X" and "ABBR" (also "(AKA: Y)"), "Parent (P). Affiliated Entity: Y"
    gives "Y", and "A;B" gives "A" and "B". A parenthesis inside a name ("China Unicom
    (Hong Kong) Limited") or one that only holds a place or legal form is left alone."""
    out: list[str] = []
    if ";" in name:
        parts = [p.strip() for p in name.split(";") if p.strip()]
        if len(parts) > 1:
            out.extend(parts)
    aff = _AFFILIATE.search(name)
    if aff:
        out.append(aff.group(1).strip())
    else:
        m = _TRAILING_PAREN.fullmatch(name)
        if m:
            base, inner = m.group(1).strip(" ,."), m.group(2).strip()
            inner = re.sub(r"^(?:a\.?k\.?a\.?|f\.?k\.?a\.?)\s*:?\s*", "", inner, flags=re.I)
            out.append(base)
            classes = normalize_name(inner).classes
            if any(c in (TokenClass.distinctive, TokenClass.number) for c in classes):
                out.append(inner)
    return [x for x in out if x and x != name]


def _grams(tok: str) -> set[str]:
    padded = f"#{tok}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _bisect(values: array, x: int) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _core_spacefree(nn: NormalizedName) -> str:
    pairs = zip(nn.tokens, nn.classes, strict=True)
    return "".join(t for t, c in pairs if c is not TokenClass.legal)


def _joined_class(joined: str) -> TokenClass:
    from screener.parties.normalize import classify_token

    cls = classify_token(joined)
    return TokenClass.distinctive if cls is TokenClass.stop else cls


def _merge_spans(nn: NormalizedName) -> list[tuple[int, int]]:
    """Adjacent token runs also indexed joined: Han syllables (pairs and triples) and pairs
    of short Latin tokens ("hong kong", "al qaida")."""
    toks, classes = nn.tokens, nn.classes
    bad = (TokenClass.legal, TokenClass.number)
    spans: list[tuple[int, int]] = []
    n = len(toks)
    for i in range(n - 1):
        if classes[i] in bad or classes[i + 1] in bad:
            continue
        if nn.han or (len(toks[i]) <= _MAX_MERGE_LEN and len(toks[i + 1]) <= _MAX_MERGE_LEN):
            spans.append((i, i + 2))
        if nn.han and i + 2 < n and classes[i + 2] not in bad:
            spans.append((i, i + 3))
    return spans


_COUNTRY_NAMES: dict[str, str] | None = None


def _country_names() -> dict[str, str]:
    """Folded country names, official names and alpha-3 codes -> alpha-2 (built once)."""
    global _COUNTRY_NAMES
    if _COUNTRY_NAMES is None:
        names: dict[str, str] = {}
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    names[fold(value)] = c.alpha_2
            names[c.alpha_3.lower()] = c.alpha_2
        names.update(
            {
                "russia": "RU",
                "iran": "IR",
                "syria": "SY",
                "north korea": "KP",
                "south korea": "KR",
                "korea": "KR",
                "uae": "AE",
                "turkey": "TR",
                "vietnam": "VN",
                "taiwan": "TW",
                "hong kong": "HK",
                "macau": "MO",
                "prc": "CN",
                "usa": "US",
                "uk": "GB",
            }
        )
        _COUNTRY_NAMES = names
    return _COUNTRY_NAMES


def _country_code(country: str | None, address: str | None) -> tuple[str | None, str]:
    """ISO-2 code from the given country, or from the address's last part naming one."""
    if country and country.strip():
        c = country.strip()
        if len(c) == 2 and c.isalpha():
            return c.upper(), ""
        code = _country_names().get(fold(c))
        return (code, "") if code else (None, f"country {c!r} not recognised; ignored")
    if address:
        parts = [fold(p) for p in address.replace(";", ",").split(",")]
        names = _country_names()
        for part in reversed(parts):
            if part in names:
                return names[part], " (from address)"
    return None, ""


def _qualify(
    score: float, entry: _Entry, country: str | None, note: str, addr: str, review: float
) -> tuple[float, list[str]]:
    """Country/address qualifiers; only ever applied when the caller gave the field."""
    notes: list[str] = []
    if note and country is None:
        notes.append(note)
    final = score
    if country and entry.countries:
        if country in entry.countries:
            final += COUNTRY_BONUS
            notes.append(f"country {country}{note} matches entry +{COUNTRY_BONUS:.2f}")
        else:
            lowered = score - COUNTRY_MALUS
            kept = score >= review > lowered
            if kept:
                lowered = review
            listed = ", ".join(entry.countries)
            notes.append(
                f"country {country}{note} not among entry countries ({listed}) "
                f"{lowered - score:+.2f}"
                + (" (floored at review: a name hit stays reviewable)" if kept else "")
            )
            final = lowered
    if addr and entry.addresses:
        # similar, and sharing at least three words: a city or country alone is no match
        words = set(addr.split())
        best = max(
            (
                fuzz.token_set_ratio(addr, x) / 100.0
                for x in entry.addresses
                if len(words & set(x.split())) >= 3
            ),
            default=0.0,
        )
        if best >= 0.85:
            final += ADDRESS_BONUS
            notes.append(f"address similar to an entry address ({best:.2f}) +{ADDRESS_BONUS:.2f}")
    return min(1.0, final), notes
