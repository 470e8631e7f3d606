"""Restricted-party name matcher: blocking index plus a token-aligned, weighted scorer.

Design: the alias index and token-alignment scoring the README's party section describes.

**Aliases.** Every name of an entry is indexed, plus the names inside a listed name:
"X (ABBR)" also gives "X" and "ABBR", "Parent (P). Affiliated Entity: Y" gives "Y", and "A;B"
gives "A" and "B". A hit always reports the alias as listed. Queries are split the same way.

The index is built in screener.parties.match_index, candidates are retrieved in
screener.parties.retrieval, country and address qualifiers are screener.parties.qualifiers';
the scorer and the hits are here.

**Index** and **retrieval**: described in screener.parties.match_index and
screener.parties.retrieval (exact keys, token postings of the rare tokens, 3-grams of the
vocabulary, joined runs, fallbacks; at most `max_candidates` (60) aliases scored per query).

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from schemas.lists import Band, ListCode, ListEntry, PartyHit, TokenMatch
from screener.parties.match_index import (
    ALIAS_TYPES,
    DIST,
    INDEX_FORMAT,
    LEGAL,
    NUM,
    TRAILING_PAREN,
    WEAK,
    derived_names,
)
from screener.parties.match_params import (
    ADDRESS_BONUS,
    COUNTRY_BONUS,
    GUARD,
    LAMBDA_FAMILY,
    LAMBDA_GIVEN,
    LAMBDA_L,
    LAMBDA_Q,
    LAMBDA_THIN,
    NEAR_EXACT,
    ORDER_FACTOR,
    PART_MAX,
    REVIEW,
    SPACEFREE_MIN,
    STRONG,
    TYPE_MALUS,
)
from screener.parties.normalize import fold, normalize_name
from screener.parties.qualifiers import parse_country, qualify
from screener.parties.retrieval import CandidateSearch, Query

__all__ = ["INDEX_FORMAT", "REVIEW", "STRONG", "PartyMatcher"]


@dataclass(slots=True)
class _Scored:
    alias: int
    score: float
    exact: bool
    pairs: list[tuple[float, int, int, int, int, float]]  # s, unit, j0, j1, vid, weight
    used_q: int
    used_l: int
    whole: bool = False  # scored on the space-free form


class PartyMatcher(CandidateSearch):
    """Screens names against list entries: the index (screener.parties.match_index), its
    candidates (screener.parties.retrieval) and the scorer here. See the module docstring."""

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
        self.max_candidates = max_candidates
        self.review = review
        self.strong = strong
        super().__init__(entries, version, rare_share=rare_share)

    def _score(self, a: int, q: Query, is_exact: bool) -> _Scored | None:
        """Token-aligned asymmetric weighted score of one alias, or None (guard rails)."""
        a_type = self._a_type[a]
        if a_type == WEAK and not is_exact:
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
        country_code, country_note = parse_country(country, address)
        addr = fold(address) if address else ""
        review = self.review if review is None else review
        floor = review - (COUNTRY_BONUS if country_code else 0.0) - (ADDRESS_BONUS if addr else 0.0)
        variants = [(name, False)] + [(part, True) for part in derived_names(name)]
        if len(variants) > 1:
            # the base before a trailing parenthesis is the name itself, not a part
            base = TRAILING_PAREN.fullmatch(name)
            if base:
                stem = base.group(1).strip(" ,.")
                variants = [(t, part and t != stem) for t, part in variants]
        best: dict[int, tuple[tuple[float, int, int, int, int], Query, _Scored, list[str]]] = {}
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
                final, notes = qualify(
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
        self, name: str, q: Query, e: int, final: float, scored: _Scored, notes: list[str]
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
            alias_type=ALIAS_TYPES[self._a_type[a]],
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

    def _explain(self, q: Query, scored: _Scored, entity_type: str) -> list[TokenMatch]:
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
            pair = by_q.get(i)
            if pair is not None:
                s, u, j0, j1, _v, w = pair
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
