"""Name normalisation shared by the list side and the query side of party matching.

Both sides must go through exactly the same pipeline, otherwise an exact match stops being
exact. The pipeline (the one the strongest screeners share; README, "Restricted-party
screening"):

1. Unicode NFKC and casefold, so full-width forms, ligatures and case never matter.
2. Traditional Han is converted to simplified (OpenCC t2s); Chinese legal forms and common
   company words written in characters (有限公司, 集团,
   科技, 电子, 进出口 ...) are replaced by their English equivalents *before*
   transliteration, because after it they would be syllables indistinguishable from the
   name; this is also what lets "华为技术有限公司" meet "Huawei Technologies Co., Ltd.".
3. Transliteration to ASCII with anyascii. Han characters become one pinyin syllable each,
   separated by spaces ("华为" -> "hua wei"), because Chinese has no word boundaries and
   Latin-script spellings split the syllables in any way ("Huawei", "Hua Wei"); the matcher
   joins adjacent syllables, and `spacefree` gives a form where spacing cannot differ.
4. "&" -> "and"; dotted initialisms are joined ("S.A." -> "sa"); every other punctuation
   mark, hyphen and apostrophe separates or joins tokens; digits are kept, because numbers
   distinguish entities ("Research Institute 201" vs "... 203", watchman #483).
5. A token one edit away from a legal-form or generic word (two edits from 11 letters) is
   taken as a typo of it ("Compayn", "Ogrannichennoi", "Tecnology"); abbreviations are
   expanded (COMP, GRP, SRVCES, TECH, INTL, IMP & EXP ...; nomenklatura #245/#274), plurals
   of generic words folded ("Technologies" equals "Tech"), common pinyin company words
   translated ("Keji", "Jituan", "Youxian Gongsi"), and -off/-eff surname endings read as
   -ov/-ev.
6. Legal forms are canonicalised to one token per form: our own table for the English and
   Chinese/pinyin forms, then rigour's org-type table (434 types incl. Russian, Turkish,
   Latin American, transliterated forms) in its *generic* mode, so "Co., Ltd.", "Company
   Limited", "LTD", "GmbH" and "OOO" all become `llc`; "Joint Stock Company", "AO", "PAO"
   become `jsc`. Legal forms differ between spellings of the same company far more often
   than they distinguish two companies, and they keep a (low) weight in the matcher.
   rigour 2.6 runs its table in Rust at about 0.5 us per name; it also flags short words
   such as "in", "yu", "ii" as legal forms, so single-token hits of 1-2 letters are only
   accepted from an allow-list, some of them only at the start or end of the name.
7. "LAST, First" becomes "First LAST" when the name has exactly one comma, no legal form
   and short parts on both sides (or the caller says it is a person).
8. Each token gets a class: legal form, number, stop word, location, generic word or
   distinctive. The matcher weights by class (and by IDF over the list).

`fold()` is a much cheaper and deliberately minimal key for exact lookups (adjudications):
it must stay stable across releases, so it does not depend on any of the tables above.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import extract_org_types

from screener.parties.name_tables import (
    ABBREVIATIONS,
    CJK_FORMS,
    GENERIC_WORDS,
    HAN_CHARS,
    HAN_WORDS,
    LEGAL_CODES,
    LEGAL_WORDS,
    LOCATION_WORDS,
    OWN_LEGAL,
    PHRASES,
    RIGOUR_EDGE_ONLY,
    RIGOUR_SINGLE_OK,
    STOP_WORDS,
    wordset,
)

__all__ = [
    "GENERIC_WORDS",
    "LEGAL_CODES",
    "LOCATION_WORDS",
    "STOP_WORDS",
    "NormalizedName",
    "TokenClass",
    "classify_token",
    "fold",
    "normalize_name",
]


class TokenClass(StrEnum):
    """What a token says about identity; the matcher weights tokens by class."""

    distinctive = "distinctive"  # carries identity: "huawei", "sberbank", "zhang"
    generic = "generic"  # industry and organisation words: "technology", "trading"
    location = "location"  # places and nationalities: "shenzhen", "russian"
    legal = "legal"  # legal forms, canonicalised: "llc", "jsc", "co", "corp"
    number = "number"  # any token with a digit: must agree exactly
    stop = "stop"  # particles and titles: "of", "the", "al", "bin", "mr"


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name in comparable form.

    `tokens` are the comparable tokens; `classes` their classes; `surfaces` the folded text
    each token came from (what a reviewer reads in an explanation: "co ltd" for `llc`).
    `comparable` joins the tokens with spaces (order kept, "First LAST" for persons);
    `spacefree` joins them without spaces, so "Hong Kong"/"Hongkong" and "Da Hua"/"Dahua"
    give the same key. `han` says Han characters were transliterated (syllable tokens).
    `family_from` is the index where the family name starts when a "LAST, First" name was
    reordered (the matcher weighs a missing family name more than a missing given name).
    """

    original: str
    tokens: tuple[str, ...]
    classes: tuple[TokenClass, ...]
    surfaces: tuple[str, ...]
    comparable: str
    spacefree: str
    flipped: bool = False
    han: bool = False
    family_from: int | None = None


# ---------------------------------------------------------------------------------------
# fold: the stable exact key

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Cheap, stable exact-match key: NFKC, casefold, ASCII, '&' -> 'and', punctuation out.

    Used as the key under which reviewers' adjudications are stored, so two spellings that
    differ only in case, accents, script-level compatibility forms, punctuation or spacing
    share one decision. Keep this function free of tables (legal forms, abbreviations):
    changing it would orphan the decisions already recorded.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = anyascii(text).casefold()
    text = text.replace("&", " and ")
    return " ".join(_NON_ALNUM.split(text)).strip()


_LEGAL_TARGETS = LEGAL_CODES
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_TOKEN_RE = re.compile(r"[0-9a-z]+|,")
_INITIALISM_RE = re.compile(r"\b(?:[a-z]\.){2,}(?=\s|$|[^a-z0-9])|\b(?:[a-z]\.)+[a-z]\b")
_DIGIT_RE = re.compile(r"\d")


_FIX_TARGETS: tuple[str, ...] = tuple(
    sorted(
        w
        for w in LEGAL_WORDS | GENERIC_WORDS | set(ABBREVIATIONS.values()) | set(ABBREVIATIONS)
        if len(w) >= 6 and w.isalpha()
    )
)
_KNOWN: frozenset[str] = frozenset(_FIX_TARGETS) | LOCATION_WORDS | frozenset(ABBREVIATIONS)


@lru_cache(maxsize=131072)
def _fix_typo(token: str) -> str:
    """The legal/generic word `token` is a one-edit typo of, or `token` itself."""
    n = len(token)
    if n < 7 or token in _KNOWN or not token.isalpha():
        return token
    budget = 2 if n >= 11 else 1
    best = process.extractOne(token, _FIX_TARGETS, scorer=OSA.distance, score_cutoff=budget)
    return best[0] if best is not None else token


def _transliteration_endings(token: str) -> str:
    """Russian surname endings written the German/French way: -off/-eff -> -ov/-ev."""
    if len(token) >= 6 and token.endswith(("off", "eff")):
        return token[:-2] + "v"
    return token


def classify_token(token: str) -> TokenClass:
    """The class of one comparable token (legal forms are classed when they are made)."""
    if token in _LEGAL_TARGETS:
        return TokenClass.legal
    if _DIGIT_RE.search(token):
        return TokenClass.number
    if token in STOP_WORDS:
        return TokenClass.stop
    if token in LOCATION_WORDS:
        return TokenClass.location
    if token in GENERIC_WORDS:
        return TokenClass.generic
    return TokenClass.distinctive


@lru_cache(maxsize=65536)
def _translit_char(ch: str) -> str:
    return anyascii(ch).casefold()


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # opencc-python-reimplemented: loaded only when a name has Han characters

    return opencc.OpenCC("t2s")


def translate_cjk_forms(text: str) -> str:
    """Traditional Han -> simplified (OpenCC t2s), then the organisation vocabulary and
    legal forms (CJK_FORMS) -> English words, before any transliteration (step 2)."""
    text = _t2s().convert(text)
    for native, latin in CJK_FORMS:
        if native in text:
            text = text.replace(native, latin)
    return text


def _to_ascii(text: str) -> tuple[str, bool]:
    """Transliterate; Han characters become space-separated syllables (step 3)."""
    han = bool(_CJK_RE.search(text))
    if han:
        text = translate_cjk_forms(text)
        for native, latin in HAN_WORDS:
            if native in text:
                text = text.replace(native, latin)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif han and _CJK_RE.match(ch):
            out.append(" " + (HAN_CHARS.get(ch) or _translit_char(ch)) + " ")
        else:
            out.append(_translit_char(ch))
    return "".join(out), han


_COMMA_LEGALISH: frozenset[str] = wordset(
    """co ltd limited inc incorporated llc corp corporation company sa ag gmbh plc jsc ooo ao
    oao zao pao cv srl spa bv nv pte pvt bhd fze llp lp ltda sarl"""
)


def _apply_phrases(tokens: list[str], surfaces: list[str]) -> tuple[list[str], list[str]]:
    """Rewrite the multi-token spellings of `PHRASES` (longest first).

    The comma marker never matches a phrase key, so a phrase cannot straddle it.
    """
    out: list[str] = []
    out_s: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for size in (6, 4, 3, 2):
            if i + size <= n:
                repl = PHRASES.get(tuple(tokens[i : i + size]))
                if repl is not None:
                    span = " ".join(surfaces[i : i + size])
                    out.extend(repl)
                    out_s.extend([span] + [""] * (len(repl) - 1))
                    i += size
                    break
        else:
            out.append(tokens[i])
            out_s.append(surfaces[i])
            i += 1
    return out, out_s


def _legal_spans(tokens: list[str]) -> dict[int, tuple[int, str]]:
    """Legal-form spans found by rigour: start index -> (end index, generic code).

    Indices refer to `tokens`, which may hold one "," marker; rigour sees the name without
    it, and a span's end is found by walking that many real tokens.
    """
    real = [t for t in tokens if t != ","]
    if not real:
        return {}
    joined = " ".join(real)
    found = extract_org_types(joined, generic=True)
    if not found:
        return {}
    starts: dict[int, int] = {}
    pos = 0
    for i, tok in enumerate(tokens):
        if tok == ",":
            continue
        starts[pos] = i
        pos += len(tok) + 1
    first = next(i for i, t in enumerate(tokens) if t != ",")
    last = max(i for i, t in enumerate(tokens) if t != ",")
    spans: dict[int, tuple[int, str]] = {}
    edge_only: list[tuple[int, str]] = []
    cursor = 0
    for matched, code in found:
        at = joined.find(matched, cursor)
        while at >= 0 and at not in starts:
            at = joined.find(matched, at + 1)
        if at < 0:
            continue
        cursor = at + len(matched)
        start = starts[at]
        size = matched.count(" ") + 1
        if size == 1:
            if matched in RIGOUR_EDGE_ONLY:
                if start not in (first, last):
                    edge_only.append((start, code))
                    continue
            elif matched not in RIGOUR_SINGLE_OK:
                continue
        end = start
        walked = 0
        while walked < size and end < len(tokens):
            if tokens[end] != ",":
                walked += 1
            end += 1
        spans[start] = (end, code)
    # "GmbH & Co. KG", "X Co. AG Holding": an ambiguous short form next to another legal form
    if edge_only:
        legal_at = {i for start, (end, _) in spans.items() for i in range(start, end)}
        legal_at.update(i for i, t in enumerate(tokens) if t in OWN_LEGAL)
        for start, code in edge_only:
            before = start - 2 if start >= 1 and tokens[start - 1] == "and" else start - 1
            if before in legal_at or start + 1 in legal_at:
                spans[start] = (start + 1, code)
    return spans


def _person_flip(tokens: list[str], comma: int | None, person: bool | None) -> bool:
    if comma is None or person is False:
        return False
    before, after = comma, len(tokens) - comma
    if before == 0 or after == 0:
        return False
    return bool(person) or (before <= 3 and after <= 3)


@lru_cache(maxsize=262144)
def normalize_name(text: str, entity_type: str | None = None) -> NormalizedName:
    """Normalise a list alias or a query name (the same way on both sides).

    `entity_type` is the list entry's type when known ("person", "organization", "vessel",
    ...): a person's "LAST, First" is always reordered; organisations, vessels and aircraft
    never are; unknown names are reordered only when both parts are short (at most three
    tokens each) and the name has no legal form, which is how "GAO, Qi" differs from
    "JOMADI LOGISTICS, S.A. DE C.V.". Cached: list and query names repeat, and the result
    is immutable.
    """
    s = unicodedata.normalize("NFKC", text).casefold()
    han = False
    if not s.isascii():
        s, han = _to_ascii(s)
        s = s.casefold()
    s = s.replace("&", " and ").replace("'", "").replace("`", "")
    if "." in s:
        s = _INITIALISM_RE.sub(lambda m: m.group(0).replace(".", ""), s)

    tokens = _TOKEN_RE.findall(s)
    if "," in tokens:
        # a comma next to a legal-form word ("Co., Ltd.", "X, Inc.") separates nothing
        kept: list[str] = []
        for i, tok in enumerate(tokens):
            if tok == ",":
                prev = tokens[i - 1] if i > 0 else ","
                nxt = tokens[i + 1] if i + 1 < len(tokens) else ","
                if prev == "," or nxt == "," or prev in _COMMA_LEGALISH or nxt in _COMMA_LEGALISH:
                    continue
            kept.append(tok)
        tokens = kept if kept.count(",") == 1 else [t for t in kept if t != ","]

    surfaces: list[str] = []
    expanded: list[str] = []
    for tok in tokens:
        if tok == ",":
            expanded.append(tok)
            surfaces.append(tok)
            continue
        fixed = _transliteration_endings(_fix_typo(tok))
        full = ABBREVIATIONS.get(fixed, fixed)
        if " " in full:
            parts = full.split()
            expanded.extend(parts)
            surfaces.extend([tok] + [""] * (len(parts) - 1))
        else:
            expanded.append(full)
            surfaces.append(tok)
    tokens = expanded
    if len(tokens) >= 2:
        tokens, surfaces = _apply_phrases(tokens, surfaces)

    spans = _legal_spans(tokens)
    out_tokens: list[str] = []
    out_surfaces: list[str] = []
    out_classes: list[TokenClass] = []
    comma_at: int | None = None
    has_legal = False
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok == ",":
            comma_at = len(out_tokens)
            i += 1
            continue
        span = spans.get(i)
        if span is not None:
            end, code = span
            out_tokens.append(code)
            out_surfaces.append(" ".join(x for x in surfaces[i:end] if x and x != ","))
            out_classes.append(TokenClass.legal)
            has_legal = True
            i = end
            continue
        own = OWN_LEGAL.get(tok)
        if own is not None and n > 1:
            out_tokens.append(own)
            out_classes.append(TokenClass.legal)
            has_legal = True
        elif tok in LEGAL_WORDS and n > 1:
            # a legal-form word outside a recognised legal form ("Obshchestvo S
            # Otvetstvennostyu X" with a word dropped): still no part of the name
            out_tokens.append(tok)
            out_classes.append(TokenClass.legal)
            has_legal = True
        else:
            out_tokens.append(tok)
            out_classes.append(classify_token(tok))
        out_surfaces.append(surfaces[i] or tok)
        i += 1

    person: bool | None = None
    if entity_type in ("person", "individual"):
        person = True
    elif entity_type in ("organization", "vessel", "aircraft") or has_legal:
        person = False
    flipped = _person_flip(out_tokens, comma_at, person)
    family_from: int | None = None
    if flipped and comma_at is not None:
        k = comma_at
        family_from = len(out_tokens) - k
        out_tokens = out_tokens[k:] + out_tokens[:k]
        out_surfaces = out_surfaces[k:] + out_surfaces[:k]
        out_classes = out_classes[k:] + out_classes[:k]

    toks = tuple(out_tokens)
    return NormalizedName(
        original=text,
        tokens=toks,
        classes=tuple(out_classes),
        surfaces=tuple(out_surfaces),
        comparable=" ".join(toks),
        spacefree="".join(toks),
        flipped=flipped,
        han=han,
        family_from=family_from,
    )
