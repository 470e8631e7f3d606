"""Read restricted-party lists into `ListEntry` rows.

One entry point, `read_list(path, fmt, **opts) -> (entries, published)`, for five formats:

- `csl-json`: trade.gov's Consolidated Screening List as JSON, in either layout, told apart
  by its top level (`csl_json_layout`): the bulk `consolidated.json` / search API answer (an
  object whose `results` is a list of parties; a bare list is accepted too), or the compact
  snapshot (`fieldKey`, `tables`, `entries`, `sourceGeneratedAt`), read through its own
  `fieldKey` so renamed short keys still work.
- `csl-compact`: the compact snapshot only (kept for scripts that name it).
- `csl-csv`: trade.gov's `consolidated.csv` (header row; multi-valued cells `; `-separated).
- `ofac-sdn`: a folder holding OFAC's legacy `sdn.csv` (required), `add.csv` and `alt.csv`.
- `csv`: any CSV, given a column mapping (see `read_csv_mapped`).

`load_list` returns the same plus an `ImportReport` (rows read, entries, every skipped row
with its reason, unmapped country names, notes) and the sha256 of the bytes read: nothing is
dropped silently. Structural damage (unparseable JSON, a CSV row with the wrong number of
fields, a missing required column) raises `ListFormatError`, which names the file and row.

Choices that matter downstream:

- Names stay as published ("LAST, First" included): the matcher decides how to reorder.
- `entry_id` is `<publisher code>:<entity number>` (e.g. `SDN:306`, `SSI:17013`), because
  OFAC numbers repeat across the CSL's Treasury lists. BIS and State lists carry no number,
  so their id is derived from the list code and the folded name (plus countries and
  Federal Register notice only where the name alone repeats), which survives the usual
  list amendments (new addresses, FR citations) without breaking adjudications.
- Entity List footnote designations are parsed from the licence requirement text, where
  the CSL prints them as bare trailing digits (`...744.11 of the EAR)5`); see `footnotes_in`.
- OFAC "weak a.k.a.s" sit in the remarks of the legacy files (`a.k.a. 'BNC'.`) and become
  `AliasType.weak`; the CSL merges them into `alt_names` without marking, so there they are
  ordinary akas.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("csl-json", "csl-csv", "csl-compact", "ofac-sdn", "csv", "mofcom-yaml")
OFAC_FILES: tuple[str, ...] = ("sdn.csv", "add.csv", "alt.csv")  # hashed in this order


class ListFormatError(ValueError):
    """The file cannot be read as the format asked. The message names the file and row."""

    def __init__(self, path: Path | str, message: str, row: int | str | None = None) -> None:
        where = f"{path}" if row is None else f"{path}, {row}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.row = row


@dataclass
class Skipped:
    row: str
    reason: str


@dataclass
class ImportReport:
    """What an import did with every row, so that nothing disappears without a trace."""

    path: str
    fmt: str
    rows_read: int = 0
    entries: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    unmapped_countries: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)

    def skip(self, row: int | str, reason: str) -> None:
        self.skipped.append(Skipped(str(row), reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.fmt,
            "rows_read": self.rows_read,
            "entries": self.entries,
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
            "unmapped_countries": dict(self.unmapped_countries.most_common()),
            "notes": dict(self.notes.most_common()),
            "by_source": dict(self.by_source.most_common()),
        }

    def summary(self) -> str:
        lines = [
            f"{self.path} ({self.fmt}): {self.rows_read} rows read, {self.entries} entries, "
            f"{len(self.skipped)} skipped"
        ]
        lines += [f"  {source}: {n}" for source, n in self.by_source.most_common()]
        lines += [f"  skipped {s.row}: {s.reason}" for s in self.skipped[:20]]
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more skipped rows")
        if self.unmapped_countries:
            names = ", ".join(f"{k!r} x{n}" for k, n in self.unmapped_countries.most_common())
            lines.append(f"  country names with no ISO code (kept out of countries): {names}")
        lines += [f"  note: {note} x{n}" for note, n in self.notes.most_common()]
        return "\n".join(lines)


@dataclass
class ImportResult:
    entries: list[ListEntry]
    published: dt.date | None
    report: ImportReport
    content_hash: str


# --------------------------------------------------------------------------- entry points


def read_list(path: Path | str, fmt: str, **opts: Any) -> tuple[list[ListEntry], dt.date | None]:
    """Entries and the publication date the file states (None if it states none).

    The import report is logged (warning level when rows were skipped); use `load_list`
    to get it as a value.
    """
    result = load_list(path, fmt, **opts)
    level = logging.WARNING if result.report.skipped else logging.INFO
    log.log(level, "%s", result.report.summary())
    return result.entries, result.published


def load_list(path: Path | str, fmt: str, **opts: Any) -> ImportResult:
    """`read_list` plus the `ImportReport` and the sha256 of the bytes read."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown list format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "ofac-sdn":
        blobs = _ofac_blobs(path)
        data = b"".join(b for _, b in blobs)
    else:
        if not path.is_file():
            raise ListFormatError(path, "no such file")
        data = path.read_bytes()
        blobs = [(path, data)]
    allowed = {"csv": _CSV_OPTS}.get(fmt, set())
    unknown = set(opts) - allowed
    if unknown:
        raise ValueError(f"format {fmt!r} takes no option(s) {', '.join(sorted(unknown))}")
    report = ImportReport(path=str(path), fmt=fmt)
    if fmt in ("csl-json", "csl-compact"):
        doc = _json(path, data)
        if fmt == "csl-compact" or csl_json_layout(doc) == "compact":
            if fmt == "csl-json":
                report.notes["layout: compact snapshot (fieldKey, tables, entries)"] += 1
            entries, published = _read_csl_compact(path, doc, report)
        else:
            entries, published = _read_csl_json(path, doc, report)
    elif fmt == "csl-csv":
        entries, published = _read_csl_csv(path, data, report), None
    elif fmt == "ofac-sdn":
        entries, published = _read_ofac(blobs, report), None
    elif fmt == "mofcom-yaml":
        from screener.parties.mofcom import read_mofcom_yaml  # it imports this module

        entries, published = read_mofcom_yaml(path, data, report)
    else:
        entries, published = read_csv_mapped(path, data, report, **opts), None
    _unique_ids(entries, report)
    report.entries = len(entries)
    report.by_source.update(e.source for e in entries)
    return ImportResult(entries, published, report, hashlib.sha256(data).hexdigest())


def content_hash(path: Path | str, fmt: str) -> str:
    """sha256 of the bytes `load_list` would read (the OFAC trio concatenated in order)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown list format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(path)
    if fmt == "ofac-sdn":
        digest = hashlib.sha256()
        for _, blob in _ofac_blobs(path):
            digest.update(blob)
        return digest.hexdigest()
    if not path.is_file():
        raise ListFormatError(path, "no such file")
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- text helpers


def fold(text: str) -> str:
    """Casefolded, accents and punctuation removed, whitespace collapsed: for ids and keys."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", stripped.casefold()).split())


def _clean(value: Any) -> str | None:
    """Trimmed text, None for empty/absent (and for OFAC's `-0-` null marker)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text in ("", "-0-") else text


def _split(value: Any, sep: str = ";") -> list[str]:
    """A multi-valued cell or JSON value as a list of trimmed, non-empty strings.

    Items of a JSON list are split on `sep` too: the CSL has alt names such as
    `CETC 24;Sichuan Solid Circuit Research Institute;CETC 44` and `HPSTAR;`, lists
    joined by mistake, which the CSV export splits anyway; both formats must agree.
    """
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [
        t
        for item in items
        if item is not None
        for t in (_clean(v) for v in str(item).split(sep))
        if t
    ]


def _date(value: Any, report: ImportReport, what: str) -> dt.date | None:
    text = _clean(value)
    if text is None:
        return None
    for parse in (
        lambda s: dt.date.fromisoformat(s[:10]),
        lambda s: dt.datetime.strptime(s, "%m/%d/%Y").date(),
        lambda s: dt.datetime.strptime(s, "%d %b %Y").date(),
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    report.notes[f"{what} not a date, left empty: {text!r}"] += 1
    return None


# --------------------------------------------------------------------------- countries

# Names the lists use that pycountry does not know, folded (see `fold`). A value of None
# means "known, deliberately not a country": counted as unmapped, never guessed.
_COUNTRY_OVERRIDES: dict[str, str | None] = {
    "russia": "RU",
    "korea north": "KP",
    "north korea": "KP",
    "korea south": "KR",
    "south korea": "KR",
    "burma": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo republic of the": "CG",
    "republic of the congo": "CG",
    "cote d ivoire": "CI",
    "ivory coast": "CI",
    "palestinian": "PS",
    "palestine": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "north gaza": "PS",
    "northern gaza": "PS",
    "kosovo": "XK",  # user-assigned code, used by the EU and trade.gov for Kosovo
    "gambia the": "GM",
    "the gambia": "GM",
    "bahamas the": "BS",
    "macau": "MO",
    "brunei": "BN",
    "prc": "CN",
    "man isle of": "IM",
    "crimea": "UA",
    "crimea occupied": "UA",
    "northern mali": "ML",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "holy see": "VA",
    "vatican": "VA",
    "micronesia": "FM",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "east timor": "TL",
    "undetermined": None,
    "kafia kingi": None,  # disputed between Sudan and South Sudan
    "kashmir": None,
    "jammu and kashmir": None,
    "commonwealth of independent states": None,
    "netherlands antilles": None,  # dissolved 2010 into CW, SX, BQ
}
_EXTRA_CODES = {"XK"}
_CODE_ALIASES = {"UK": "GB"}  # the DPL writes the United Kingdom as UK


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for country in pycountry.countries:
        code = country.alpha_2
        index[fold(country.alpha_3)] = code
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name:
                continue
            index[fold(name)] = code
            # "Palestine, State of" / "Holy See (Vatican City State)": the head alone too,
            # unless two countries share it ("Korea, ...").
            head = fold(re.split(r"[,(]", name)[0])
            if head in index and index[head] != code:
                ambiguous.add(head)
            index.setdefault(head, code)
    for head in ambiguous:
        index.pop(head, None)
    return index


def resolve_country(token: str) -> tuple[str | None, bool]:
    """(ISO-2 code or None, whether the token is a region worth keeping as address text).

    Accepts ISO-2/ISO-3 codes, English names (pycountry), the spellings OFAC and the CSL
    use ("Korea, North", "Burma", "PRC", "TURKIYE") and `Region: X` tokens.
    """
    text = token.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        code = _CODE_ALIASES.get(text.upper(), text.upper())
        if code in _EXTRA_CODES or pycountry.countries.get(alpha_2=code) is not None:
            return code, False
        return None, False
    key = fold(text)
    region = False
    if key.startswith("region "):
        key, region = key.removeprefix("region "), True
    if "crimea" in key:
        region = True
    if key in _COUNTRY_OVERRIDES:
        return _COUNTRY_OVERRIDES[key], region or _COUNTRY_OVERRIDES[key] is None
    code = _country_index().get(key) or _country_index().get(key.removeprefix("the "))
    return code, region or code is None


def _countries(
    tokens: Iterable[str], report: ImportReport, countries: list[str], addresses: list[str]
) -> None:
    """Resolve country tokens into `countries`; regions and unknowns keep their text."""
    for token in tokens:
        code, keep_text = resolve_country(token)
        if code is None:
            report.unmapped_countries[token] += 1
        elif code not in countries:
            countries.append(code)
        if keep_text and token not in addresses:
            addresses.append(token)


# --------------------------------------------------------------------------- list codes

_CODE_TO_LIST: dict[str, ListCode] = {
    "EL": ListCode.entity_list,
    "DPL": ListCode.denied_persons,
    "UVL": ListCode.unverified,
    "MEU": ListCode.military_end_user,
    "SDN": ListCode.sdn,
    "ISN": ListCode.nonproliferation,
    "DTC": ListCode.itar_debarred,
    "SSI": ListCode.ssi,
    "CMIC": ListCode.cmic,
    "FSE": ListCode.other_ofac,
    "CAP": ListCode.other_ofac,
    "NS-MBS": ListCode.other_ofac,
    "MBS": ListCode.other_ofac,
    "PLC": ListCode.other_ofac,
    "561": ListCode.other_ofac,
    "NS-ISA": ListCode.other_ofac,
}
_KEYWORDS: tuple[tuple[str, ListCode], ...] = (
    ("chinese military-industrial", ListCode.cmic),
    ("menu-based", ListCode.other_ofac),
    ("entity list", ListCode.entity_list),
    ("denied persons", ListCode.denied_persons),
    ("unverified", ListCode.unverified),
    ("military end user", ListCode.military_end_user),
    ("specially designated nationals", ListCode.sdn),
    ("nonproliferation", ListCode.nonproliferation),
    ("debarred", ListCode.itar_debarred),
    ("sectoral sanctions", ListCode.ssi),
)


def source_code(source: str) -> str | None:
    """The publisher's short code in a CSL source name: `Entity List (EL) - BIS` -> `EL`."""
    match = re.search(r"\(([A-Z0-9][A-Z0-9-]*)(?: List)?\)", source)
    return match.group(1) if match else None


def list_code_for(source: str, code: str | None = None) -> ListCode:
    """Map a CSL source name (or its short code) to a `ListCode`; unknowns -> other(_ofac)."""
    code = code or source_code(source)
    if code and code.upper() in _CODE_TO_LIST:
        return _CODE_TO_LIST[code.upper()]
    lowered = source.casefold()
    for keyword, list_code in _KEYWORDS:
        if keyword in lowered:
            return list_code
    return ListCode.other_ofac if "treasury" in lowered else ListCode.other


# --------------------------------------------------------------------------- footnotes

_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
# The digit must not run on into a number or a paragraph: "734.9(e)(2)" is a paragraph,
# "734.9(e)1" a footnote marker.
_FN_MARKERS = (
    re.compile(r"734\.9\s*\(e\)\s*,?\s*([1-5])(?![\d(])"),  # "734.9(e)1", "734.9(e) 1"
    re.compile(r"734\.9\s*\(g\)\s*,?\s*([1-5])(?![\d(])"),  # "734.9(g),3", "734.9(g), 3"
    re.compile(r"\bEAR\s*\.?\s*\)?\s*\.?\s*([1-5])(?![\d(])"),  # "EAR)5", "EAR 2", "EAR) 4"
    re.compile(r"\bFN\s?([1-5])\b", re.I),  # "FN5"
    re.compile(r"\bfootnote\s+(?:no\.\s*)?([1-5])\b", re.I),  # "Footnote 4"
)
# The foreign-direct-product paragraph each footnote triggers: cited without its marker,
# the designation is still meant (the marker digit is what CSL exports tend to lose).
_FN_PARAGRAPHS = (
    (re.compile(r"734\.9\s*\(e\)\s*\(1\)"), "FN1"),
    (re.compile(r"734\.9\s*\(g\)"), "FN3"),
    (re.compile(r"734\.9\s*\(e\)\s*\(2\)"), "FN4"),
    (re.compile(r"734\.9\s*\(e\)\s*\(3\)"), "FN5"),
)


def footnotes_in(text: str | None) -> tuple[list[str], bool]:
    """Entity List footnote designations in a licence requirement, and whether any of them
    was inferred from the cited FDP paragraph alone (no marker printed).

    Forms seen in the CSL: `...744.11 of the EAR)5`, `...EAR) 4`, `734.9(e)1 and 744.11 of
    the EAR2`, `734.9(g),3 746.8(a)(3)`, `734.9(g), 3`, `734.9(g)3,`; superscript digits
    and `FN5`/`Footnote 5` are accepted too. FN2 (on the Huawei entries) is reported as
    printed even though no rule in chokepoint keys on it.
    """
    if not text:
        return [], False
    text = text.translate(_SUPERSCRIPTS)
    found = {f"FN{m.group(1)}" for pattern in _FN_MARKERS for m in pattern.finditer(text)}
    inferred = {fn for pattern, fn in _FN_PARAGRAPHS if pattern.search(text)} - found
    return sorted(found | inferred), bool(inferred)


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


# --------------------------------------------------------------------------- entry ids


def _derived_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]
    return f"{prefix}:{digest}"


def _assign_derived_ids(pending: list[tuple[ListEntry, str]]) -> None:
    """Ids for entries without a list number: from the folded name; where a name repeats
    within a list, from name + countries + FR notice; still equal -> ordinal suffix."""
    groups: dict[tuple[str, str], list[ListEntry]] = {}
    for entry, prefix in pending:
        groups.setdefault((prefix, fold(entry.name)), []).append(entry)
    for (prefix, key), members in groups.items():
        if len(members) == 1:
            members[0].entry_id = _derived_id(prefix, key)
            continue
        for entry in members:
            entry.entry_id = _derived_id(
                prefix,
                key,
                ",".join(sorted(entry.countries)),
                fold(entry.federal_register_notice or ""),
            )


def _unique_ids(entries: list[ListEntry], report: ImportReport) -> None:
    """An id must name one entry: repeats get `~2`, `~3` in file order (and a note)."""
    seen: Counter[str] = Counter()
    for entry in entries:
        seen[entry.entry_id] += 1
        if seen[entry.entry_id] > 1:
            report.notes["entry id repeated in the file; suffixed ~N in file order"] += 1
            entry.entry_id = f"{entry.entry_id}~{seen[entry.entry_id]}"


# --------------------------------------------------------------------------- CSL common

_CSL_TYPES = {
    "individual": EntityType.person,
    "entity": EntityType.organization,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}


@dataclass
class _CslRow:
    """One CSL party with its values already split into lists."""

    source: str
    name: str
    entity_number: str | None = None
    type: str | None = None
    programs: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    country_tokens: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    license_requirement: str | None = None
    license_policy: str | None = None
    federal_register_notice: str | None = None
    start_date: Any = None
    end_date: Any = None
    remarks: str | None = None
    code: str | None = None  # publisher short code, when the file states it separately


def _csl_entries(
    rows: Iterable[tuple[str, _CslRow | None]], report: ImportReport
) -> list[ListEntry]:
    entries: list[ListEntry] = []
    pending: list[tuple[ListEntry, str]] = []
    for where, row in rows:
        report.rows_read += 1
        if row is None:
            continue
        if not row.name:
            report.skip(where, "no name")
            continue
        list_code = list_code_for(row.source, row.code)
        if list_code in (ListCode.other, ListCode.other_ofac):
            report.notes[f"source mapped to {list_code.value}: {row.source}"] += 1
        countries: list[str] = []
        addresses = list(row.addresses)
        _countries(row.country_tokens, report, countries, addresses)
        footnotes: list[str] = []
        if list_code == ListCode.entity_list:
            footnotes, inferred = footnotes_in(row.license_requirement)
            if inferred:
                report.notes["footnote inferred from the cited FDP paragraph (no marker)"] += 1
        kind = _CSL_TYPES.get((row.type or "").casefold(), EntityType.unknown)
        if row.type and kind is EntityType.unknown:
            report.notes[f"unknown type {row.type!r}"] += 1
        ofac = list_code in (ListCode.sdn, ListCode.ssi, ListCode.cmic, ListCode.other_ofac)
        entry = ListEntry(
            list_code=list_code,
            source=row.source,
            entry_id="",
            name=row.name,
            aliases=_build_aliases(row.name, row.alt_names, weak_akas(row.remarks) if ofac else ()),
            entity_type=kind,
            countries=countries,
            addresses=addresses,
            programs=row.programs,
            license_requirement=row.license_requirement,
            license_policy=row.license_policy,
            footnotes=footnotes,
            federal_register_notice=row.federal_register_notice,
            start_date=_date(row.start_date, report, "start_date"),
            end_date=_date(row.end_date, report, "end_date"),
        )
        # the code printed in the source name first, so every CSL format agrees
        prefix = source_code(row.source) or row.code or list_code.value.upper()
        if row.entity_number:
            entry.entry_id = f"{prefix}:{row.entity_number}"
        else:
            pending.append((entry, prefix))
        entries.append(entry)
    _assign_derived_ids(pending)
    return entries


def _address_text(parts: Iterable[Any]) -> str | None:
    text = ", ".join(p for p in (_clean(x) for x in parts) if p)
    return text or None


# --------------------------------------------------------------------------- csl-json


def _json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ListFormatError(path, f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ListFormatError(
            path, f"not valid JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}"
        ) from exc


def _csl_json_row(raw: Any, path: Path, index: int) -> _CslRow:
    where = f"results[{index}]"
    if not isinstance(raw, dict):
        raise ListFormatError(path, f"expected an object, got {type(raw).__name__}", where)
    source = _clean(raw.get("source"))
    if source is None:
        raise ListFormatError(path, "no source", where)
    tokens: list[str] = []
    addresses: list[str] = []
    for address in raw.get("addresses") or []:
        if isinstance(address, dict):
            country = _clean(address.get("country"))
            line = _address_text(
                address.get(k)
                for k in (
                    "address",
                    "city",
                    "state",
                    "state_or_province",
                    "postal_code",
                    "postalCode",
                )
            )
        else:  # a plain string (older exports): its last comma part is the country
            line, _, country = str(address).rpartition(",")
            line, country = _clean(line), _clean(country)
        if line:
            addresses.append(f"{line}, {country}" if country else line)
        if country:
            tokens.append(country)
    for key in ("country", "nationalities", "citizenships"):  # ISN rows carry `country`
        tokens += _split(raw.get(key))
    return _csl_row(raw, source, tokens, addresses)


def _csl_row(raw: dict[str, Any], source: str, tokens: list[str], addresses: list[str]) -> _CslRow:
    """The fields trade.gov's JSON and CSV layouts share (same names in both); the country
    tokens and address lines are read by each layout's own rules."""
    return _CslRow(
        source=source,
        name=_clean(raw.get("name")) or "",
        entity_number=_clean(raw.get("entity_number")),
        type=_clean(raw.get("type")),
        programs=_split(raw.get("programs")),
        alt_names=_split(raw.get("alt_names")),
        country_tokens=tokens,
        addresses=addresses,
        license_requirement=_clean(raw.get("license_requirement")),
        license_policy=_clean(raw.get("license_policy")),
        federal_register_notice=_clean(raw.get("federal_register_notice")),
        start_date=raw.get("start_date"),
        end_date=raw.get("end_date"),
        remarks=_clean(raw.get("remarks")),
    )


def csl_json_layout(doc: Any) -> str:
    """`compact` for the compact snapshot (an object with `entries` and `fieldKey`), else
    `results` (trade.gov's `consolidated.json`: `results`, or a bare list of parties)."""
    if isinstance(doc, dict) and "entries" in doc and "fieldKey" in doc and "results" not in doc:
        return "compact"
    return "results"


def _read_csl_json(
    path: Path, doc: Any, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    published = None
    if isinstance(doc, dict):
        results = doc.get("results")
        if not isinstance(results, list):
            raise ListFormatError(
                path,
                "no `results` list at the top level (nor the compact layout's `fieldKey` "
                "and `entries`)",
            )
        published = _published(doc)
    elif isinstance(doc, list):
        results = doc
    else:
        raise ListFormatError(path, "expected an object with `results` or a list")
    rows = ((f"results[{i}]", _csl_json_row(raw, path, i)) for i, raw in enumerate(results))
    return _csl_entries(rows, report), published


def _published(doc: Mapping[str, Any]) -> dt.date | None:
    """The file's own date: when it was generated, else the newest source update."""
    for key in ("sourceGeneratedAt", "search_performed_at", "generated_at", "last_updated"):
        stamp = _timestamp(doc.get(key))
        if stamp:
            return stamp
    sources = doc.get("sources_used")
    if isinstance(sources, list):
        stamps = [_timestamp(s.get("source_last_updated")) for s in sources if isinstance(s, dict)]
        return max((s for s in stamps if s), default=None)
    return None


def _timestamp(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


# --------------------------------------------------------------------------- csl-csv


def _decode(path: Path, data: bytes, encodings: Sequence[str]) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListFormatError(path, f"cannot decode as {' or '.join(encodings)}")


def _csv_records(
    path: Path, text: str, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs; a row with a different field count raises."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ListFormatError(path, "empty file") from None
    except csv.Error as exc:
        raise ListFormatError(path, f"bad CSV: {exc}", "line 1") from exc

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ListFormatError(path, f"bad CSV: {exc}", f"line {reader.line_num}") from exc
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ListFormatError(
                    path,
                    f"{len(values)} fields where the header has {len(header)}",
                    f"line {reader.line_num}",
                )
            yield reader.line_num, dict(zip(header, values, strict=True))

    return header, rows()


def _csv_address_cell(cell: str) -> tuple[list[str], list[str]]:
    """(country tokens, address lines) from a CSL CSV `addresses` cell: `; `-separated
    addresses whose last comma part is the country, or bare country codes/names."""
    tokens: list[str] = []
    lines: list[str] = []
    for part in _split(cell):
        code, _ = resolve_country(part)
        if code is not None or "," not in part:  # "CN", "MAN, ISLE OF", "REGION: KASHMIR"
            tokens.append(part)
            continue
        country = part.rpartition(",")[2]
        tokens.append(country.strip())
        lines.append(part)
    return tokens, lines


def _read_csl_csv(path: Path, data: bytes, report: ImportReport) -> list[ListEntry]:
    text = _decode(path, data, ("utf-8-sig", "cp1252"))
    header, records = _csv_records(path, text)
    missing = {"source", "name"} - set(header)
    if missing:
        raise ListFormatError(
            path, f"not a CSL CSV: no column(s) {', '.join(sorted(missing))}", "line 1"
        )

    def rows() -> Iterator[tuple[str, _CslRow]]:
        for line, row in records:
            source = _clean(row.get("source"))
            if source is None:
                raise ListFormatError(path, "no source", f"line {line}")
            tokens, addresses = _csv_address_cell(row.get("addresses") or "")
            for key in ("nationalities", "citizenships"):
                tokens += _split(row.get(key))
            yield f"line {line}", _csl_row(row, source, tokens, addresses)

    return _csl_entries(rows(), report)


# --------------------------------------------------------------------------- csl-compact

# fieldKey descriptions start with the CSL field they abbreviate
_COMPACT_FIELDS = {
    "name": "name",
    "alt_names": "alt_names",
    "source": "source",
    "type": "type",
    "address countries": "countries",
    "countries": "countries",
    "entity_number": "entity_number",
    "license_requirement": "license_requirement",
    "license_policy": "license_policy",
    "programs": "programs",
    "federal_register_notice": "federal_register_notice",
    "source_list_url": "source_list_url",
    "start_date": "start_date",
    "end_date": "end_date",
}


def _read_csl_compact(
    path: Path, doc: Any, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise ListFormatError(path, "not a compact CSL snapshot: no `entries` list")
    field_key = doc.get("fieldKey")
    tables = doc.get("tables") or {}
    if not isinstance(field_key, dict) or not isinstance(tables, dict):
        raise ListFormatError(path, "not a compact CSL snapshot: no `fieldKey`/`tables`")
    keys: dict[str, tuple[str, str | None]] = {}  # our field -> (short key, table or None)
    for short, description in field_key.items():
        label = re.split(r"\s*\(", str(description), maxsplit=1)[0].strip().casefold()
        ours = _COMPACT_FIELDS.get(label)
        if ours is None:
            report.notes[f"fieldKey {short!r} ({description}) not used"] += 1
            continue
        table = re.search(r"index into tables\.(\w+)", str(description))
        if table and not isinstance(tables.get(table.group(1)), list):
            raise ListFormatError(path, f"fieldKey {short!r} points at missing table")
        keys[ours] = (short, table.group(1) if table else None)
    for needed in ("name", "source"):
        if needed not in keys:
            raise ListFormatError(path, f"fieldKey has no {needed!r} field")
    authority = doc.get("listAuthority") if isinstance(doc.get("listAuthority"), dict) else {}

    def value(raw: dict[str, Any], ours: str, where: str) -> Any:
        if ours not in keys:
            return None
        short, table = keys[ours]
        item = raw.get(short)
        if table is None or item is None:
            return item
        try:
            return tables[table][item]
        except (IndexError, TypeError):
            raise ListFormatError(
                path, f"{short}={item!r} is not an index into {table}", where
            ) from None

    def rows() -> Iterator[tuple[str, _CslRow]]:
        for i, raw in enumerate(doc["entries"]):
            where = f"entries[{i}]"
            if not isinstance(raw, dict):
                raise ListFormatError(path, "expected an object", where)
            source = _clean(value(raw, "source", where))
            if source is None:
                raise ListFormatError(path, "no source", where)
            meta = authority.get(source) if isinstance(authority.get(source), dict) else {}
            yield (
                where,
                _CslRow(
                    source=source,
                    code=_clean(meta.get("code")),
                    name=_clean(value(raw, "name", where)) or "",
                    entity_number=_clean(value(raw, "entity_number", where)),
                    type=_clean(value(raw, "type", where)),
                    programs=_split(value(raw, "programs", where)),
                    alt_names=_split(value(raw, "alt_names", where)),
                    country_tokens=_split(value(raw, "countries", where)),
                    license_requirement=_clean(value(raw, "license_requirement", where)),
                    license_policy=_clean(value(raw, "license_policy", where)),
                    federal_register_notice=_clean(value(raw, "federal_register_notice", where)),
                    start_date=value(raw, "start_date", where),
                    end_date=value(raw, "end_date", where),
                ),
            )

    entries = _csl_entries(rows(), report)
    stated = doc.get("entryCount")
    if isinstance(stated, int) and stated != report.rows_read:
        report.notes[f"entryCount says {stated}, file has {report.rows_read}"] += 1
    counts = doc.get("countsBySource")
    if isinstance(counts, dict):
        actual = Counter(e.source for e in entries)
        for source, n in counts.items():
            got = actual.get(source, 0)
            if got != n:
                report.notes[f"countsBySource says {source}: {n}, read {got}"] += 1
    return entries, _published(doc)


# --------------------------------------------------------------------------- ofac-sdn

_SDN_TYPES = {
    "individual": EntityType.person,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}
_OFAC_WIDTH = {"sdn.csv": 12, "add.csv": 6, "alt.csv": 5}
_OFAC_SOURCE = "Specially Designated Nationals (SDN) - Treasury Department"


def _ofac_blobs(path: Path) -> list[tuple[Path, bytes]]:
    """The trio's bytes in the fixed order sdn, add, alt (absent optional files left out).
    `path` is the folder, or its sdn.csv."""
    folder = path.parent if path.is_file() else path
    if not (folder / "sdn.csv").is_file():
        raise ListFormatError(path, "no sdn.csv here (ofac-sdn wants the folder holding it)")
    return [(folder / n, (folder / n).read_bytes()) for n in OFAC_FILES if (folder / n).is_file()]


def _ofac_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of a legacy OFAC CSV: no header, cp1252 (Latin-1 for the bytes cp1252
    leaves undefined), CRLF or LF, `-0-` nulls, a Ctrl-Z end-of-file line."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = re.sub(r"\x1a[\r\n\s]*\Z", "", text)
    width = _OFAC_WIDTH[path.name]
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListFormatError(path, f"bad CSV: {exc}", f"line {reader.line_num}") from exc
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise ListFormatError(
                path, f"{len(fields)} fields, expected {width}", f"line {reader.line_num}"
            )
        if not fields[0].strip().isdigit():
            raise ListFormatError(
                path, f"ent_num {fields[0]!r} is not a number", f"line {reader.line_num}"
            )
        yield reader.line_num, fields


def _read_ofac(blobs: list[tuple[Path, bytes]], report: ImportReport) -> list[ListEntry]:
    files = {p.name: (p, b) for p, b in blobs}
    sdn_path, sdn_bytes = files["sdn.csv"]
    base: dict[str, dict[str, Any]] = {}  # ent_num -> the row add.csv/alt.csv join to
    rows: list[tuple[str, dict[str, Any]]] = []
    for line, f in _ofac_rows(sdn_path, sdn_bytes):
        report.rows_read += 1
        ent, name = f[0].strip(), _clean(f[1])
        if name is None:
            report.skip(f"sdn.csv line {line}", "no name")
            continue
        sdn_type = (_clean(f[2]) or "").casefold()
        kind = _SDN_TYPES.get(sdn_type, EntityType.organization)
        if sdn_type and sdn_type not in _SDN_TYPES:
            report.notes[f"unknown SDN_Type {sdn_type!r}"] += 1
            kind = EntityType.unknown
        record: dict[str, Any] = {
            "name": name,
            "type": kind,
            "programs": [
                p for p in (_clean(x.strip("[] ")) for x in (_clean(f[3]) or "").split("] [")) if p
            ],
            "remarks": _clean(f[11]),
            "alts": [],
            "countries": [],
            "addresses": [],
        }
        if ent in base:
            # kept (dropping a listed party is worse), as SDN:<n>~2; add/alt rows cannot
            # tell the two apart and join the first
            report.notes[f"ent_num {ent} repeated in sdn.csv (line {line}); both kept"] += 1
        else:
            base[ent] = record
        rows.append((ent, record))
    if "add.csv" in files:
        path, blob = files["add.csv"]
        for line, f in _ofac_rows(path, blob):
            report.rows_read += 1
            target = base.get(f[0].strip())
            if target is None:
                report.skip(f"add.csv line {line}", f"ent_num {f[0].strip()} not in sdn.csv")
                continue
            country = _clean(f[4])
            text = _address_text((f[2], f[3], country))
            if country:
                code, _ = resolve_country(country)
                if code is None:
                    report.unmapped_countries[country] += 1
                elif code not in target["countries"]:
                    target["countries"].append(code)
            if text and text not in target["addresses"]:
                target["addresses"].append(text)
    if "alt.csv" in files:
        path, blob = files["alt.csv"]
        for line, f in _ofac_rows(path, blob):
            report.rows_read += 1
            target = base.get(f[0].strip())
            alt_name = _clean(f[3])
            if target is None:
                report.skip(f"alt.csv line {line}", f"ent_num {f[0].strip()} not in sdn.csv")
                continue
            if alt_name is None:
                report.skip(f"alt.csv line {line}", "no alt_name")
                continue
            alt_type = (_clean(f[2]) or "aka").casefold()
            remarks = (_clean(f[4]) or "").casefold()
            if "weak" in alt_type or "weak" in remarks:
                kind = AliasType.weak
            elif alt_type.startswith("f"):
                kind = AliasType.fka
            else:  # aka, nka ("now known as": a current name), anything else
                kind = AliasType.aka
                if alt_type not in ("aka", "nka", "a.k.a."):
                    report.notes[f"unknown alt_type {alt_type!r} read as aka"] += 1
            target["alts"].append(Alias(name=alt_name, type=kind))
    entries = []
    for ent, b in rows:
        # aliases written into the name, alt.csv's (strong first: a weak spelling that is
        # also a strong alias stays strong), then the weak a.k.a.s of the remarks
        strong = [a for a in b["alts"] if a.type != AliasType.weak]
        weak = [a for a in b["alts"] if a.type == AliasType.weak]
        weak += [Alias(name=w, type=AliasType.weak) for w in weak_akas(b["remarks"])]
        aliases = [*_build_aliases(b["name"], []), *strong, *weak]
        entries.append(
            ListEntry(
                list_code=ListCode.sdn,
                source=_OFAC_SOURCE,
                entry_id=f"SDN:{ent}",
                name=b["name"],
                aliases=_dedupe(b["name"], aliases),
                entity_type=b["type"],
                countries=b["countries"],
                addresses=b["addresses"],
                programs=b["programs"],
            )
        )
    return entries


def _dedupe(name: str, aliases: list[Alias]) -> list[Alias]:
    seen = {fold(name)}
    out = []
    for alias in aliases:
        key = fold(alias.name)
        if key and key not in seen:
            seen.add(key)
            out.append(alias)
    return out


# --------------------------------------------------------------------------- generic csv

MAPPABLE: tuple[str, ...] = (
    "name",
    "aliases",
    "country",
    "address",
    "entry_id",
    "list_code",
    "source",
    "programs",
)
_MULTI = {"aliases", "country", "address", "programs"}
_CSV_OPTS = {"mapping", "sep", "field_seps", "list_code", "source", "delimiter", "encoding"}


def read_csv_mapped(
    path: Path,
    data: bytes,
    report: ImportReport,
    *,
    mapping: Mapping[str, str | Sequence[str]] | None = None,
    sep: str = ";",
    field_seps: Mapping[str, str] | None = None,
    list_code: ListCode | str = ListCode.other,
    source: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> list[ListEntry]:
    """A list in any CSV layout, read through a column mapping.

    `mapping` maps our fields to the file's column names (matched exactly, then ignoring
    case and surrounding spaces):

    - `name` (required): the listed party's name, kept as written;
    - `aliases`: other names; a column name or a list of them (e.g. English aliases and a
      native-script name); each cell may hold several, split on the separator;
    - `country`: ISO-2/ISO-3 codes or English country names (several per cell allowed);
      names with no ISO code are counted in the report and kept as address text;
    - `address`: address text (several per cell allowed);
    - `entry_id`: the list's own id; without it the id is derived from the list code and
      the name (see the module doc), so it survives re-exports in another row order;
    - `list_code`: a `ListCode` value per row (e.g. `entity_list`); otherwise the
      `list_code` option applies to every row (default `other`);
    - `source`: the publishing list's name per row; otherwise the `source` option
      (default: the file name);
    - `programs`: programmes or reasons for listing (several per cell allowed).

    Options: `sep` (default `;`) splits multi-valued cells, `field_seps` overrides it per
    field (e.g. `{"programs": ","}`); `delimiter` is sniffed from the header (`,` `;` tab
    `|`) unless given; `encoding` defaults to UTF-8 (with or without BOM), falling back to
    cp1252 for files saved by older Excel versions.
    """
    if not mapping or "name" not in mapping:
        raise ValueError("csv format needs mapping={'name': <column>, ...}")
    unknown = set(mapping) - set(MAPPABLE)
    if unknown:
        raise ValueError(
            f"cannot map {', '.join(sorted(unknown))}; mappable fields: {', '.join(MAPPABLE)}"
        )
    try:
        default_code = ListCode(list_code)
    except ValueError:
        raise ValueError(
            f"list_code {list_code!r} is not one of {', '.join(c.value for c in ListCode)}"
        ) from None
    text = _decode(path, data, (encoding,) if encoding else ("utf-8-sig", "cp1252"))
    if delimiter is None:
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = max((",", ";", "\t", "|"), key=first.count) if first else ","
    header, records = _csv_records(path, text.lstrip("\ufeff"), delimiter)

    def column(name: str) -> str:
        if name in header:
            return name
        for h in header:
            if h.strip().casefold() == name.strip().casefold():
                return h
        raise ListFormatError(
            path,
            f"mapped column {name!r} not in the header ({', '.join(header)})",
            "line 1",
        )

    columns: dict[str, list[str]] = {
        ours: [column(c) for c in ([cols] if isinstance(cols, str) else list(cols))]
        for ours, cols in mapping.items()
    }
    seps = {f: (field_seps or {}).get(f, sep) for f in _MULTI}
    default_source = source or path.name

    def cell(row: dict[str, str], ours: str) -> list[str]:
        out: list[str] = []
        for col in columns.get(ours, []):
            if ours in _MULTI:
                out += _split(row.get(col), seps[ours])
            elif (value := _clean(row.get(col))) is not None:
                out.append(value)
        return out

    entries: list[ListEntry] = []
    pending: list[tuple[ListEntry, str]] = []
    for line, row in records:
        report.rows_read += 1
        names = cell(row, "name")
        if not names:
            report.skip(f"line {line}", "no name")
            continue
        code = default_code
        if "list_code" in columns and cell(row, "list_code"):
            raw_code = cell(row, "list_code")[0]
            try:
                code = ListCode(raw_code.strip().lower())
            except ValueError:
                report.notes[f"list_code {raw_code!r} unknown, read as other"] += 1
                code = ListCode.other
        countries: list[str] = []
        addresses = cell(row, "address")
        _countries(cell(row, "country"), report, countries, addresses)
        entry = ListEntry(
            list_code=code,
            source=(cell(row, "source") or [default_source])[0],
            entry_id="",
            name=names[0],
            aliases=_build_aliases(names[0], cell(row, "aliases")),
            countries=countries,
            addresses=addresses,
            programs=cell(row, "programs"),
        )
        ids = cell(row, "entry_id")
        if ids:
            entry.entry_id = ids[0]
        else:
            pending.append((entry, code.value.upper()))
        entries.append(entry)
    _assign_derived_ids(pending)
    return entries
