"""Read one License Requirements row of the CCL into a scope of item paragraphs and a scope of
destinations, for tools/build_ccl_pack.py.

A row is two texts: the control ("NP applies to 1C010.a, b and e.1 ...") and the Country Chart
scope ("NP Column 1", or prose such as "China, Russia, or Venezuela (see § 742.6(a)(7))").
The reading is deliberately strict: a paragraph list is accepted only when every token is a
paragraph of the entry on the CCL, and any words left over (a technical parameter, an end
use, what software or technology is "for") make the row a `review` that quotes them. A row
whose scope is neither a chart column nor one of the few prose forms below is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

COLUMN = re.compile(r"^(?P<r>[A-Z]{2}) Column (?P<n>[123])\.?$")
CONTROL = re.compile(r"^(?P<r>[A-Z]{2}) appl(?:y|ies)(?: to)?\s+(?P<rest>.+)$", re.S)
ENTIRE = re.compile(r"^(?:the )?entire entry$")
EXCEPT = re.compile(r"^(?:the )?entire entry,? except(?: for)?:?\s+(?P<list>.+)$", re.S)
PARA = r"[a-z](?:\.(?:\d+|[a-z]))*"
CLEAN_TAILS = {"", "of this entry", "controlled by this entry", "in this entry", "of this eccn"}
NAMED = {"iraq": "IQ", "pakistan": "PK", "north korea": "KP"}
CN_RU_VE = re.compile(r"^China, Russia,? or Venezuela \(see § 742\.6\(a\)\(7\)\)\.?$")
ALL_BUT_CANADA = re.compile(r"^A license is required for ALL destinations, except Canada")
WORLDWIDE = re.compile(r"^Worldwide control\. See § 742\.(?:4\(a\)\(5\)|6\(a\)\(10\))")
PLURILATERAL = "2024-09-06"  # 89 FR 72926 DATES (ccl_sme.yaml header): the worldwide rows
ALL_DEST = re.compile(r"^A license is required for all destinations, as specified in § 742\.13")
NAMED_DEST = re.compile(
    r"^A license is required for (?:export or reexport of these items|items controlled by "
    r"(?:this entry|paragraph \.[a-z] of this entry))(?: for export or reexport)? to "
    r"(?P<where>Iraq|Pakistan|North Korea)(?: (?:or|and) (?P<also>Iraq|Pakistan))?\b"
)


@dataclass(frozen=True)
class Entry:
    eccn: str
    rows: list[dict[str, str]]
    paragraphs: list[str]  # the paragraphs the extraction lists (empty: no detail)

    @classmethod
    def of(cls, eccn: str, data: dict[str, Any]) -> Entry:
        # `paragraphs_inferred` are not used: the loader accepts only `paragraphs`, so a row
        # naming an inferred paragraph (1B018.a) is not read rather than rejected.
        paragraphs = [str(p) for p in data.get("paragraphs") or []]
        return cls(eccn, list(data.get("license_requirements") or []), paragraphs)

    @property
    def top_paragraphs(self) -> list[str]:
        return sorted({p.split(".")[0] for p in self.paragraphs})

    def known(self, paragraph: str) -> bool:
        """On the CCL as the loader checks it: the top paragraph exists (or no detail)."""
        top = paragraph.split(".")[0]
        return not self.paragraphs or top in self.top_paragraphs or top == "z"


@dataclass
class Row:
    control: str
    scope: str
    status: str  # decided | fact | at | un | unread
    reason: str = ""
    column: str = ""  # NS1 ...
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    needs: str = ""
    where: list[str] = field(default_factory=list)  # ISO-2 rows for a prose scope
    where_op: str = ""  # in | not_in
    since: str = ""  # effective_from when the scope names its own rule (else the floor)

    @property
    def column_name(self) -> str:
        return f"{self.column[:2]} Column {self.column[2]}" if self.column else ""

    @property
    def scope_short(self) -> str:
        return self.column_name or self.scope.split(". ")[0][:80]

    def destination(self, chart: Any) -> tuple[list[dict[str, Any]], tuple[str | None, str | None]]:
        """Condition leaves on the destination, and a destination for which the row holds and
        one for which it does not (for the clause's examples)."""
        if self.column:
            return (
                [{"fact": "destination.chart_x", "op": "contains", "value": self.column}],
                (chart.pick(self.column, True), chart.pick(self.column, False)),
            )
        if self.where_op == "in":
            silent = "DE" if "DE" not in self.where else "CA"
            leaf = {"fact": "destination.ear_row", "op": "in", "value": self.where}
            return [leaf], (self.where[0], silent)
        if self.where_op == "not_in":
            leaf = {"fact": "destination.ear_row", "op": "not_in", "value": self.where}
            return [leaf], ("DE", self.where[-1])
        return [{"fact": "destination.ear_row", "op": "not_equals", "value": "US"}], ("DE", None)

    def explain(self, eccn: str) -> str:
        what = f"{self.reason} ({_REASON.get(self.reason, 'reason for control')})"
        if self.status == "decided" and self.column:
            return (
                f"ECCN {eccn}, License Requirements: '{self.control}' under {self.column_name}. "
                f"A licence is required where the destination's Country Chart row has an X in "
                f"{self.column_name} ({what} reasons, 15 CFR 738.4)."
            )
        if self.status == "decided":
            return (
                f"ECCN {eccn}, License Requirements: '{self.control}', scope '{self.scope}'. "
                f"A licence is required for the destinations that scope names ({what})."
            )
        if self.status == "un":
            return (
                f"ECCN {eccn}, License Requirements: '{self.control}' ('{self.scope}'). § 746.1(b) "
                "requires a licence for these items to the destinations under United Nations "
                "arms embargoes it names; this destination's Country Chart row carries footnote "
                "1 (§ 746.1(b)). The list in § 746.1(b) is not encoded."
            )
        if self.status == "unread":
            return (
                f"ECCN {eccn}, License Requirements row not read by the generator: "
                f"'{self.control}' / '{self.scope}'. Determine it from the row by hand."
            )
        dest = f"under {self.column_name}" if self.column else f"to '{self.scope}'"
        return (
            f"ECCN {eccn}, License Requirements: '{self.control}' {dest}. The row turns on a "
            f"fact the ECCN does not give."
        )


_REASON = {
    "CB": "chemical and biological weapons",
    "NP": "nuclear nonproliferation",
    "NS": "national security",
    "MT": "missile technology",
    "RS": "regional stability",
    "CC": "crime control",
    "FC": "firearms convention",
    "UN": "United Nations",
    "EI": "encryption items",
    "CW": "Chemical Weapons Convention",
    "SL": "surreptitious listening",
    "AT": "anti-terrorism",
}


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u201c", '"').replace("\u201d", '"')).strip()
    return text.rstrip(".").strip()


def _strip_parens(text: str) -> tuple[str, list[str]]:
    """Text without parentheticals, and the '(except ...)' lists found in them."""
    excepts = re.findall(r"\(except ([^()]*)\)", text)
    prev = None
    while prev != text:
        prev, text = text, re.sub(r"\s*\([^()]*\)", "", text)
    text = re.sub(r"\s*\([^(),]*(?=,)", "", text)  # an unclosed '(' up to the next comma
    return re.sub(r"\s+,", ",", text).strip(), excepts


def _ref(token: str, entry: Entry, first: bool) -> str | None:
    """One paragraph reference of `entry` (full, '.x' or, after the first, bare 'x')."""
    token = re.sub(r"^(?:paragraphs?|ECCN)\s+", "", token.strip())
    m = re.fullmatch(rf"{entry.eccn}\.({PARA})", token) or re.fullmatch(rf"\.({PARA})", token)
    if m is None and not first:
        m = re.fullmatch(rf"({PARA})", token)
    if m is None:
        return None
    paragraph = m.group(1).replace(" ", "")
    return f"{entry.eccn}.{paragraph}" if entry.known(paragraph) else None


def _range(token: str, entry: Entry, first: bool) -> list[str] | None:
    """'a.1 to a.3' -> the listed paragraphs between, from the entry's paragraph list."""
    lo, _, hi = token.partition(" to ")
    start, end = _ref(lo, entry, first), _ref(hi, entry, False)
    if start is None or end is None:
        return None
    a, b = start.split(".", 1)[1], end.split(".", 1)[1]
    depth = a.count(".")
    level = (
        [
            p
            for p in entry.paragraphs
            if p.count(".") == depth and p.rsplit(".", 1)[0] == a.rsplit(".", 1)[0]
        ]
        if depth
        else entry.top_paragraphs
    )
    if a not in level or b not in level or level.index(a) > level.index(b):
        return None
    return [f"{entry.eccn}.{p}" for p in level[level.index(a) : level.index(b) + 1]]


def parse_list(text: str, entry: Entry) -> tuple[list[str], str] | None:
    """Leading paragraph references of `text` and the words left after them, or None when the
    text does not start with a reference to the entry."""
    refs: list[str] = []
    rest = text.strip()
    pattern = re.compile(
        rf"^(?:(?:,|;)?\s*(?:and|or)?\s*)(?P<tok>(?:(?:paragraphs?|ECCN)\s+)?(?:{entry.eccn})?"
        rf"\.?{PARA}(?:\s+to\s+(?:{entry.eccn})?\.?{PARA})?)(?=$|[\s,;])"
    )
    while True:
        m = pattern.match(rest)
        if m is None:
            break
        token = m.group("tok")
        found = _range(token, entry, not refs) if " to " in token else None
        if found is None and " to " not in token:
            one = _ref(token, entry, not refs)
            found = [one] if one else None
        if found is None:
            break
        refs += found
        rest = rest[m.end() :]
    if not refs:
        return None
    return refs, rest.strip(" ,;")


def _exceptions(text: str, entry: Entry) -> tuple[list[str], list[tuple[list[str], str]]] | None:
    """'0A509.a for items for ECCN 0A502 or ECCN 0A508, and 0A509.d' -> plain exclusions and
    conditional ones (the paragraphs and the condition), or None when a segment names none."""
    plain: list[str] = []
    conditional: list[tuple[list[str], str]] = []
    for segment in re.split(
        r";\s*(?:and\s+)?|,\s*and\s+|,\s+(?=(?:and\s+)?\.?[a-z0-9]{1,5}\b)", text
    ):
        segment = segment.strip(" ,;")
        if not segment:
            continue
        parsed = parse_list(segment, entry)
        if parsed and parsed[1].lower() in CLEAN_TAILS:
            plain += parsed[0]
            continue
        refs = _all_refs(segment, entry)[:1]  # the paragraph the condition qualifies
        if not refs:
            return None
        conditional.append((refs, segment))
    return plain, conditional


def _all_refs(text: str, entry: Entry) -> list[str]:
    """Every full reference to a paragraph of `entry` in `text`, in order."""
    found = (_ref(t, entry, True) for t in re.findall(rf"{entry.eccn}\.{PARA}", text))
    return [r for r in found if r]


def _destinations(scope: str) -> tuple[str, str, list[str], str] | None:
    """(status, column, rows, op) of a row's Country Chart scope, or None when not read."""
    m = COLUMN.match(scope)
    if m:
        return "column", m.group("r") + m.group("n"), [], ""
    if CN_RU_VE.match(scope):
        return "prose", "", ["CN", "RU", "VE"], "in"
    if ALL_BUT_CANADA.match(scope):
        return "prose", "", ["US", "CA"], "not_in"
    if WORLDWIDE.match(scope):
        return "worldwide", "", ["US"], "not_in"
    if ALL_DEST.match(scope):
        return "prose", "", ["US"], "not_in"
    m = NAMED_DEST.match(scope)
    if m:
        names = [m.group("where")] + ([m.group("also")] if m.group("also") else [])
        return "prose", "", sorted(NAMED[n.lower()] for n in names), "in"
    return None


def read_row(entry: Entry, raw: dict[str, str]) -> list[Row]:
    """The clauses' worth of one row: usually one Row, two when an exception of the row is
    itself conditional (9A610.x 'if being exported ... for use in an aircraft in 9A610.b')."""
    control, scope = _clean(str(raw.get("control", ""))), _clean(str(raw.get("scope", "")))
    merged = re.match(r"^(.*\S) ([A-Z]{2} Column [123])$", control)
    if merged and scope == control:  # the extraction put the column inside the control text
        control, scope = merged.group(1), merged.group(2)
    m = CONTROL.match(control)
    reason = m.group("r") if m else control[:2]
    base = {"control": control, "scope": scope, "reason": reason}
    if "746.8" in scope and control.startswith("Russian industry sector sanction"):
        return [Row(**base, status="part746")]
    if m is None:
        return [Row(**base, status="unread", include=[entry.eccn])]
    if reason == "AT" and (COLUMN.match(scope) or scope == "Column 1"):
        return [Row(**base, status="at")]
    if reason == "UN" and re.search(r"§ 7(?:46|64)\.1\b", scope):  # 764.1: the eCFR's typo
        rows = _scoped(entry, m.group("rest"), base | {"where_op": "in"})
        for row in rows:
            row.status = "un"
        return rows
    dest = _destinations(scope)
    if dest is None or (dest[0] == "column" and dest[1][:2] != reason):
        return [Row(**base, status="unread", include=[entry.eccn])]
    kind, column, where, op = dest
    base |= {"column": column, "where": where, "where_op": op}
    base["since"] = PLURILATERAL if kind == "worldwide" else ""
    return _scoped(entry, m.group("rest"), base)


def _scoped(entry: Entry, text: str, base: dict[str, Any]) -> list[Row]:
    """The rows of one control text: its paragraphs, exclusions and conditions."""
    rest, excepts = _strip_parens(text)
    if ENTIRE.match(rest):
        return [Row(**base, status="decided", include=[entry.eccn])]
    ex = EXCEPT.match(rest)
    if ex:
        found = _exceptions(ex.group("list"), entry)
        if found is None:
            return [_fact(base, entry, [entry.eccn], rest)]
        plain, conditional = found
        cond_refs = [r for refs, _ in conditional for r in refs]
        rows = [Row(**base, status="decided", include=[entry.eccn], exclude=plain + cond_refs)]
        rows += [
            _fact(base, entry, refs, f"unless {text}", exclude=[]) for refs, text in conditional
        ]
        return rows
    parsed = parse_list(rest, entry)
    if parsed is None:
        return [_fact(base, entry, [entry.eccn], rest)]
    refs, tail = parsed
    exclude = [r for text in excepts for r in (parse_list(text, entry) or ([], ""))[0]]
    if tail.lower() in CLEAN_TAILS:
        return [Row(**base, status="decided", include=refs, exclude=exclude)]
    refs += [r for r in _all_refs(tail, entry) if r not in refs]  # '0A509.a for ..., and .d'
    return [_fact(base, entry, refs, tail, exclude=exclude)]


def _fact(
    base: dict[str, Any],
    entry: Entry,
    include: list[str],
    condition: str,
    exclude: list[str] | None = None,
) -> Row:
    software = re.match(r'^"?(software|technology)"?\b', condition)
    if software:
        needs = (
            f"the ECCN of the item the {software.group(1)} is for (the row applies to "
            f"{software.group(1)} '{condition[len(software.group(0)) :].strip()}')"
        )
    else:
        needs = f"whether the item is within the row's words '{condition}'"
    return Row(**base, status="fact", include=include, exclude=exclude or [], needs=needs)
