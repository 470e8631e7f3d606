"""The restricted-party match index: every alias of every entry, normalised and indexed for
retrieval (exact keys, token postings, 3-grams of the vocabulary, joined runs, the space-free
scan order), with each token's class and weight.

The scorer is described in screener.parties.matcher; this module builds and persists the
index (`save`/`load` pickle it, keyed by INDEX_FORMAT), and nothing here scores a name.

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
"""

from __future__ import annotations

import math
import pickle
import re
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Self

from schemas.lists import AliasType, ListEntry
from screener.parties.match_params import IDF_PRIOR
from screener.parties.normalize import (
    NormalizedName,
    TokenClass,
    classify_token,
    fold,
    normalize_name,
)

INDEX_FORMAT = 4  # bump whenever the index layout or the normalisation changes

# token class codes (ints: compared in the inner loop)
DIST, GEN, LOC, LEGAL, NUM, STOP = range(6)
CLASS_CODE = {
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
FLAT_WEIGHTS = {LOC: 1.2, GEN: 1.0, LEGAL: 0.3, STOP: 0.2}
_ALIAS_CODE = {AliasType.primary: 0, AliasType.aka: 1, AliasType.fka: 2, AliasType.weak: 3}
ALIAS_TYPES = (AliasType.primary, AliasType.aka, AliasType.fka, AliasType.weak)
WEAK = 3
_MAX_MERGE_LEN = 5  # adjacent Latin tokens this short are also indexed joined


class IndexedEntry(NamedTuple):
    """One list entry as the index keeps it (countries upper-cased, addresses folded)."""

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


class MatchIndex:
    """The blocking index over every alias of a list's entries (see screener.parties.matcher
    for the method): built once per list version, saved and loaded as a pickle. Holds data
    only; retrieval (screener.parties.retrieval) and scoring (screener.parties.matcher)
    build on it."""

    _TRANSIENT: tuple[str, ...] = ()  # per-process caches of a subclass: never saved

    def __init__(
        self,
        entries: Iterable[ListEntry],
        version: str | Mapping[str, str],
        *,
        rare_share: float = 0.01,
    ) -> None:
        started = time.perf_counter()
        self._entries: list[IndexedEntry] = []
        self._build(list(entries), version, rare_share)
        self._reset()
        self.build_seconds = time.perf_counter() - started

    def _reset(self) -> None:
        """Start the per-process caches empty (after building or loading)."""

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
                IndexedEntry(
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
            names: list[tuple[str, AliasType, str | None]]
            names = [(a.name, a.type, None) for a in entry.all_names()]
            names += [
                (part, a.type, a.name) for a in entry.all_names() for part in derived_names(a.name)
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
                        code < a_type[prior] or (a_type[prior] == WEAK and code != WEAK)
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
                    token_id(t, CLASS_CODE[c]) for t, c in zip(nn.tokens, nn.classes, strict=True)
                )
                a_tokens.append(toks)
                a_family.append(
                    0
                    if nn.family_from is None
                    else ((1 << len(toks)) - 1) ^ ((1 << nn.family_from) - 1)
                )
                a_spacefree.append(nn.spacefree)
                a_core_sf.append(core_spacefree(nn))
                exact[nn.comparable].append(a)
                if nn.spacefree != nn.comparable:
                    exact[nn.spacefree].append(a)
                if code == WEAK:
                    continue  # weak aliases: exact keys only
                vids_here.update(toks)
                merges = []
                for i, j in _merge_spans(nn):
                    joined = "".join(nn.tokens[i:j])
                    mv = token_id(joined, CLASS_CODE[_joined_class(joined)])
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
            max(1.0, x) if c in (DIST, NUM) else FLAT_WEIGHTS[c]
            for x, c in zip(idf, vclass, strict=True)
        ]

        # postings (aliases per token, base tokens and joined units), flat + offsets
        post_lists: list[list[int]] = [[] for _ in vocab]
        for a, toks in enumerate(a_tokens):
            if a_type[a] == WEAK:
                continue
            for v in set(toks):
                post_lists[v].append(a)
        for a, units in a_merges.items():
            for v in {m[0] for m in units}:
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
            if not has_dist and core and a_type[a] != WEAK:
                rarest = min((toks[j] for j in core), key=lambda v: df[v])
                nodist[rarest].append(a)

        # 3-gram index of the vocabulary, partitioned by token length
        grams: dict[str, list[int]] = defaultdict(list)
        for v, tok in enumerate(vocab):
            if len(tok) < 4 or vclass[v] in (LEGAL, NUM, STOP):
                continue
            suffix = chr(48 + min(len(tok), 70))
            for g in trigrams(tok):
                grams[g + suffix].append(v)

        # fallback scan: aliases sorted by the length of their space-free core form
        order = sorted(
            (a for a in range(len(a_tokens)) if a_type[a] != WEAK and a_core_sf[a]),
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
        state = {k: v for k, v in self.__dict__.items() if k not in self._TRANSIENT}
        state["format"] = INDEX_FORMAT
        with open(path, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read an index written by `save` (only load files you wrote: it is a pickle)."""
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        if state.pop("format", None) != INDEX_FORMAT:
            raise ValueError(f"{path}: not a PartyMatcher index of format {INDEX_FORMAT}")
        self = cls.__new__(cls)
        self.__dict__.update(state)
        self._reset()
        return self

    def index_stats(self) -> dict[str, Any]:
        """Sizes of the index, for benchmarks and the README."""
        weak = sum(1 for t in self._a_type if t == WEAK)
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


TRAILING_PAREN = re.compile(r"(.+?)\s*\(([^()]+)\)\s*\.?\s*")
_AFFILIATE = re.compile(r"affiliated entity:\s*(.+)$", re.IGNORECASE)


def derived_names(name: str) -> list[str]:
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
        m = TRAILING_PAREN.fullmatch(name)
        if m:
            base, inner = m.group(1).strip(" ,."), m.group(2).strip()
            inner = re.sub(r"^(?:a\.?k\.?a\.?|f\.?k\.?a\.?)\s*:?\s*", "", inner, flags=re.I)
            out.append(base)
            classes = normalize_name(inner).classes
            if any(c in (TokenClass.distinctive, TokenClass.number) for c in classes):
                out.append(inner)
    return [x for x in out if x and x != name]


def trigrams(tok: str) -> set[str]:
    padded = f"#{tok}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def core_spacefree(nn: NormalizedName) -> str:
    pairs = zip(nn.tokens, nn.classes, strict=True)
    return "".join(t for t, c in pairs if c is not TokenClass.legal)


def _joined_class(joined: str) -> TokenClass:
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
