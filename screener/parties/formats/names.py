"""Aliases written into names (`PEARL (A.K.A. NEI-CHIEN CHU) LI`, `-AKA-`, `f.k.a.`) and
OFAC's weak a.k.a.s in remarks (`a.k.a. 'BNC'.`): how every format turns one published name
field into a name and its aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from schemas.lists import Alias, AliasType
from screener.parties.formats.common import (
    fold,
)

# --------------------------------------------------------------------------- aliases

_DOTTED = r"[afn]\.\s?k\.\s?a\.?"
_KW = rf"(?:{_DOTTED}|[afn]ka\b)"
_EMBED_OPEN = re.compile(rf"\s*[\(\[]\s*(?P<kw>{_KW})[\s,:]*", re.IGNORECASE)
_CLOSE = {"(": ")", "[": "]"}
_EMBED_SPLIT = re.compile(
    rf"(?:\s*[;,]?\s+(?P<kw1>{_DOTTED})[\s,:]*"  # "; a.k.a. X", ", a.k.a., X", " a.k.a. X"
    rf"|\s*-\s*(?P<kw2>[afn]ka)\s*-\s*"  # "-AKA- X", "- AKA- X"
    rf"|\s*[;,]\s*(?P<kw3>[afn]ka)\b[\s:,]*)",  # "; aka X" (inside brackets)
    re.IGNORECASE,
)
# ISN's "...; and any successor, sub-unit, or subsidiary thereof": scope, not name
_SUCCESSORS = re.compile(r"[;,]?\s*and (?:any|its) (?:successors?|sub-units?)\b.*$", re.IGNORECASE)
_LEADING = re.compile(rf"^\s*(?P<kw>{_DOTTED})[\s,:]+", re.IGNORECASE)


def _kw_type(keyword: str) -> AliasType:
    return AliasType.fka if keyword.strip()[:1].casefold() == "f" else AliasType.aka


def _tidy(text: str) -> str:
    return re.sub(r"\s+([;,])", r"\1", " ".join(text.split())).strip(" ,;-")


def _bracket_clauses(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove `(a.k.a. ...)` / `[aka ...]` clauses, brackets nested inside them included
    (`(a.k.a., China Academy of Engineering Physics (CAEP)'s 902 Institute)`).
    Returns (the rest, [(keyword, clause body)])."""
    clauses: list[tuple[str, str]] = []
    out: list[str] = []
    pos = 0
    while (match := _EMBED_OPEN.search(text, pos)) is not None:
        opener = text[match.start() : match.end()].strip()[0]
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {opener: 1, _CLOSE[opener]: -1}.get(text[i], 0)
            i += 1
        if depth:  # unbalanced: leave the text alone from here on
            break
        out.append(text[pos : match.start()] + " ")
        clauses.append((match.group("kw"), text[match.end() : i - 1]))
        pos = i
    out.append(text[pos:])
    return "".join(out), clauses


def split_embedded(text: str) -> tuple[str, list[Alias]]:
    """Split aliases written into a name: `PEARL (A.K.A. NEI-CHIEN CHU) LI`,
    `KOW SENG LIM -AKA- ERIC LIM`, `Kreig; a.k.a. Cow Craig; a.k.a. ...`,
    `OAO X (f.k.a. Y)`, `Universal ... [aka A, aka B]`.

    Returns (the name with the alias clauses removed, the aliases). Without such clauses
    it returns (text, []). `AKA INTEGRAL SERVICES` (a company name) is left alone: an
    undotted "aka" only counts between delimiters.
    """
    extras: list[Alias] = []

    def pieces(body: str, kind: AliasType) -> Iterator[Alias]:
        parts = _EMBED_SPLIT.split(body)
        # re.split interleaves the three keyword groups after each separator
        yield Alias(name=_tidy(parts[0]), type=kind)
        for i in range(1, len(parts), 4):
            keyword = next((k for k in parts[i : i + 3] if k), "aka")
            yield Alias(name=_tidy(parts[i + 3]), type=_kw_type(keyword))

    base, clauses = _bracket_clauses(text)
    for keyword, body in clauses:
        extras.extend(pieces(body, _kw_type(keyword)))
    leading = _LEADING.match(base)
    if leading:
        kind = _kw_type(leading.group("kw"))
        extras[:0] = list(pieces(base[leading.end() :], kind))
        base = ""
    else:
        parts = list(pieces(base, AliasType.aka))
        base = parts[0].name
        extras.extend(parts[1:])
    extras = [a for a in extras if a.name]
    if not extras:
        return text, []
    return _tidy(_SUCCESSORS.sub("", base)), extras


def _build_aliases(name: str, alt_names: Iterable[str], weak: Iterable[str] = ()) -> list[Alias]:
    """Aliases from a name with embedded clauses, the alt names and weak akas; deduplicated
    (first occurrence wins, weak loses to a strong alias of the same spelling)."""
    out: list[Alias] = []
    base, extras = split_embedded(name)
    if extras:
        if base and base != name:
            out.append(Alias(name=base, type=AliasType.aka))
        out.extend(extras)
    for alt in alt_names:
        alt_base, alt_extras = split_embedded(alt)
        if not alt_extras:
            out.append(Alias(name=alt, type=AliasType.aka))
            continue
        if alt_base:
            out.append(Alias(name=alt_base, type=AliasType.aka))
        out.extend(alt_extras)
    out.extend(Alias(name=w, type=AliasType.weak) for w in weak)
    seen = {fold(name)}
    unique: list[Alias] = []
    for alias in out:
        key = fold(alias.name)
        if key and key not in seen:
            seen.add(key)
            unique.append(alias)
    return unique


_WEAK = re.compile(r"\b[afn]\.k\.a\.,?\s*'(.+?)'(?=\s*(?:;|\.?\s*$))", re.IGNORECASE)


def weak_akas(remarks: str | None) -> list[str]:
    """OFAC weak a.k.a.s from a legacy-file remarks field: `a.k.a. 'BNC'.`,
    `f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'.`, `a.k.a. 'ABU-'UMAR'`, `a.k.a. ''FOOPIE''`."""
    if not remarks:
        return []
    out = []
    for match in _WEAK.finditer(remarks):
        name = match.group(1).strip()
        if len(name) > 1 and name[0] == name[-1] == "'":
            name = name[1:-1]
        if name:
            out.append(name)
    return out
