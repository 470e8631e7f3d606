#!/usr/bin/env python3
"""Generate the 15 CFR 738.4 licence determination for the CCL entries no hand-written pack
encodes: `rules/us/ccl_generated.yaml`, one clause per License Requirements row.

Why generated: the CCL has some 1,300 License Requirements rows and most say only "<reason>
applies to <paragraphs>: <reason> Column <n>". Writing those by hand would be hundreds of
near-identical clauses; a rule author instead reads the generated file (every clause carries
the row text it was read from) and changes this generator, never the file.

Input (already in the project, themselves generated from the eCFR of 2026-07-23 by
tools/build_us_tables.py): rules/us/tables/ccl.yaml and rules/us/tables/country_chart.yaml.
Entries encoded by hand (rules/us/ccl_sme.yaml, rules/us/ccl_computing.yaml, or named in
pack.yaml `covers_eccns`) are left out; an entry only some of whose paragraphs are encoded by
hand (4A003.z) is generated for its other paragraphs.

Rows are classified by `tools/ccl_rows.py`: read and decided (licence required where the
destination's Country Chart row has an X in the column), read but turning on a fact the ECCN
does not give (a `review` naming it), AT Column rows (no clause: no Country Chart row has an
AT mark; the embargoed destinations are the Part 746 clauses), and rows the generator cannot
read (a `review` quoting the row). The run prints the counts.

Usage::

    .venv/bin/python tools/build_ccl_pack.py [--check]

`--check` exits 1 when the committed file differs from what the generator writes
(tests/test_ccl_generated.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tools.ccl_rows import Entry, Row, read_row  # noqa: E402

US = REPO_ROOT / "rules" / "us"
OUT = US / "ccl_generated.yaml"
HAND_FILES = ("ccl_sme.yaml", "ccl_computing.yaml")
FLOOR = "1996-03-25"  # EAR restructuring (61 FR 12714): the floor ccl_sme.yaml uses

# Part 742 section of each reason for control (15 CFR 742.2 to 742.19).
SECTION = {
    "CB": "15 CFR 742.2",
    "NP": "15 CFR 742.3",
    "NS": "15 CFR 742.4",
    "MT": "15 CFR 742.5",
    "RS": "15 CFR 742.6",
    "CC": "15 CFR 742.7",
    "SL": "15 CFR 742.13",
    "SI": "15 CFR 742.14",
    "EI": "15 CFR 742.15",
    "FC": "15 CFR 742.17",
    "CW": "15 CFR 742.18",
    "AT": "15 CFR 742.19 / Part 746",
    "UN": "15 CFR 746.1(b)",
}
# Destinations tried, in order, for an example that fires / stays silent (none embargoed).
PREFERRED = ["CN", "IN", "AE", "DE", "JP", "BR", "CA", "GB", "AU", "MX", "SG", "IL"]
CONFIDENCE = (
    "Row: CCL, eCFR 2026-07-23 (tables/ccl.yaml), read by tools/build_ccl_pack.py (high); "
    "Country Chart: Supp. No. 1 to Part 738, eCFR 2026-07-23 (high); effective date NOT "
    "verified: 1996-03-25 (EAR restructuring, 61 FR 12714) is a floor, as in ccl_sme.yaml"
)


WORLDWIDE_SOURCE = (
    "Row: CCL, eCFR 2026-07-23 (tables/ccl.yaml), read by tools/build_ccl_pack.py (high); "
    "effective date: 89 FR 72926 (effective 2024-09-06, ccl_sme.yaml header) added the "
    "worldwide rows of 742.4(a)(5) and 742.6(a)(10); that this entry's row dates from it is "
    "NOT verified"
)


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def hand_coverage() -> tuple[set[str], dict[str, set[str]]]:
    """(entries encoded by hand in full, entry -> paragraphs encoded by hand).

    An entry is encoded in full when pack.yaml covers it without a paragraph, or when a hand
    clause names it or a paragraph of it that no paragraph coverage accounts for."""
    covers = [str(c["eccn"]) for c in _load(US / "pack.yaml").get("covers_eccns", [])]
    whole = {c for c in covers if "." not in c}
    partial: dict[str, set[str]] = {}
    for c in covers:
        if "." in c:
            partial.setdefault(c.split(".")[0], set()).add(c)
    for name in HAND_FILES:
        for clause in _load(US / name)["clauses"]:
            for eccn in _eccns(clause["when"]):
                entry = eccn.split(".")[0]
                if not any(eccn == p or eccn.startswith(p + ".") for p in partial.get(entry, ())):
                    whole.add(entry)
    return whole, {e: ps for e, ps in partial.items() if e not in whole}


def _eccns(cond: Any) -> list[str]:
    if isinstance(cond, dict):
        if cond.get("op") == "eccn_in":
            return [str(v) for v in cond["value"]]
        return [e for v in cond.values() for e in _eccns(v)]
    if isinstance(cond, list):
        return [e for v in cond for e in _eccns(v)]
    return []


class Chart:
    """Country Chart marks and footnotes, for examples and footnote clauses."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.x = {str(k): set(v.get("x", [])) for k, v in data["rows"].items()}
        self.footnotes = {int(k): str(v) for k, v in data.get("footnotes", {}).items()}
        self.rows_with: dict[int, list[str]] = {}
        for code, row in data["rows"].items():
            for n in row.get("footnotes", []):
                self.rows_with.setdefault(int(n), []).append(str(code))

    def pick(self, column: str, marked: bool) -> str | None:
        for code in PREFERRED + sorted(self.x):
            if code in self.x and (column in self.x[code]) == marked and code != "US":
                return code
        return None


def _tx(eccn: str, dest: str) -> dict[str, Any]:
    return {"destination_country": dest, "items": [{"eccn": eccn, "origin_country": "US"}]}


def _citation(entry: str, row: Row) -> str:
    where = (
        f"Supp. No. 1 to Part 774, ECCN {entry}, License Requirements ({row.control}: {row.scope})"
    )
    parts = [SECTION.get(row.reason, "15 CFR Part 742"), "15 CFR 738.4(a)(2)", where]
    if row.column:
        parts.append(f"Supp. No. 1 to Part 738 (Commerce Country Chart), {row.column_name}")
    return "; ".join(parts) + "; eCFR 2026-07-23"


def _when(row: Row, exclude_hand: list[str], dest: list[dict[str, Any]]) -> dict[str, Any]:
    leaves: list[dict[str, Any]] = [{"fact": "item.eccn", "op": "eccn_in", "value": row.include}]
    excluded = sorted(set(row.exclude) | set(exclude_hand))
    if excluded:
        leaves.append({"not": {"fact": "item.eccn", "op": "eccn_in", "value": excluded}})
    return {"all": leaves + dest}


def _kept(entry: Entry, include: list[str], excluded: list[str]) -> str | None:
    """An item the row keeps whole: an included code (or a paragraph under one) neither
    excluded, nor under nor above an excluded one."""
    below = [f"{entry.eccn}.{p}" for p in entry.top_paragraphs + entry.paragraphs]
    if not entry.paragraphs:
        below = [f"{entry.eccn}.{p}" for p in ("a", "b", "c")]
    for code in include + below:
        inside = any(code == i or code.startswith(i + ".") for i in include)
        clash = any(
            x == code or x.startswith(code + ".") or code.startswith(x + ".") for x in excluded
        )
        if inside and not clash:
            return code
    return None


def _examples(
    row: Row, entry: Entry, dest: tuple[str | None, str | None], excluded: list[str]
) -> list[dict[str, Any]]:
    fires, silent = dest
    target = row.include[0]
    if excluded:  # an item the row keeps whole
        target = _kept(entry, row.include, excluded) or target
    out: list[dict[str, Any]] = []
    if fires:
        out.append(
            {"name": f"{target} to {fires}", "transaction": _tx(target, fires), "expect": "fires"}
        )
    if silent:
        out.append(
            {
                "name": f"{target} to {silent} (outside the row's destinations)",
                "transaction": _tx(target, silent),
                "expect": "silent",
            }
        )
    if fires and excluded:
        out.append(
            {
                "name": f"{excluded[0]} (excluded from the row) to {fires}",
                "transaction": _tx(excluded[0], fires),
                "expect": "silent",
            }
        )
    if fires and (target != entry.eccn or excluded):
        out.append(
            {
                "name": f"item classified only as {entry.eccn}, to {fires}",
                "transaction": _tx(entry.eccn, fires),
                "expect": "undecided",
            }
        )
    return out


def clauses_for(entry: Entry, chart: Chart, exclude_hand: list[str], counts: Counter) -> list[dict]:
    out = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(entry.rows, 1):
        key = (str(raw.get("control", "")).strip(), str(raw.get("scope", "")).strip())
        if key in seen:  # the extraction repeats some rows (8C609): one clause per row text
            counts["duplicate"] += 1
            continue
        seen.add(key)
        parts = read_row(entry, raw)
        statuses = {r.status for r in parts}
        counts["rows"] += 1
        counts["mixed" if len(statuses) > 1 else parts[0].status] += 1
        for k, row in enumerate(parts):
            if row.status in ("at", "part746"):
                continue
            if row.status == "un":
                row.where = sorted(chart.rows_with.get(1, []))
            out.append(_clause(entry, n, k, row, chart, exclude_hand))
    return out


def _title(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + " ..."


def _clause(entry: Entry, n: int, k: int, row: Row, chart: Chart, hand: list[str]) -> dict:
    suffix = f"{row.reason.lower()}{row.column[-1:]}.r{n}" + (f".{k}" if k else "")
    dest, picks = row.destination(chart)
    excluded = sorted(set(row.exclude) | set(hand))
    decided = row.status == "decided"
    rationale = [row.explain(entry.eccn)]
    if hand:
        rationale.append(f"Paragraphs {', '.join(hand)} are encoded by hand (ccl_computing.yaml).")
    if row.needs:
        rationale.append(f"Fact needed: {row.needs}.")
    rationale.append(
        "Row and Country Chart read from the eCFR of 2026-07-23; the date the row took effect "
        + (
            "was not verified (1996-03-25 is a floor)."
            if not row.since
            else f"is taken as {row.since}, when 89 FR 72926 added the worldwide NS/RS rows "
            "(§§ 742.4(a)(5), 742.6(a)(10)); that this entry's row dates from it is not verified."
        )
    )
    return {
        "id": f"us.ccl.{entry.eccn}.{suffix}",
        "jurisdiction": "US",
        "title": _title(f"{entry.eccn} row {n} ({row.scope_short}): {row.control}"),
        "citation": _citation(entry.eccn, row),
        "effective_from": row.since or FLOOR,
        "confidence": {"level": "low", "source": CONFIDENCE if not row.since else WORLDWIDE_SOURCE},
        "outcome": "license_required" if decided else "review",
        "rationale": " ".join(rationale),
        "when": _when(row, hand, dest),
        "examples": _examples(row, entry, picks, excluded),
    }


# Country Chart footnotes with no clause here: 1 (UN, the UN rows), 5 (Liechtenstein reads as
# Switzerland, tables/country_chart.yaml `inherit`), 6, 8, 9 (Part 746: embargoes.yaml).
FOOTNOTES_ELSEWHERE = {1, 5, 6, 8, 9}
_FOOTNOTE_REF = re.compile(
    r"\b(\d[A-E]\d{3})((?:\.[a-z0-9]+)*)((?:,?\s*(?:and|or)?\s*\.[a-z][a-z0-9.]*)*)"
)
_STILL_REQUIRED = re.compile(
    r"a license is still required for items controlled under ECCNs .+ for (?P<r>[A-Z]{2}) "
    r"column (?P<n>[123]) reasons when destined to"
)


def footnote_clauses(generated: set[str], chart: Chart) -> list[dict[str, Any]]:
    """Clauses for the Country Chart footnotes that name CCL items (15 CFR 738.3(d)): the
    footnote "requires a licence where the grid is empty". Decided where the footnote says
    plainly that a licence is still required (footnote 7); otherwise a review quoting it."""
    out = []
    for n, text in sorted(chart.footnotes.items()):
        rows = sorted(chart.rows_with.get(n, []))
        if n in FOOTNOTES_ELSEWHERE or not rows:
            continue
        plain = re.sub(r"\s*\([^()]*\)", "", text)  # '(except for 0A501.y)' names no scope
        scope: dict[str, list[str]] = {}
        for m in _FOOTNOTE_REF.finditer(plain):
            entry, first, more = m.group(1), m.group(2), m.group(3)
            paragraphs = [entry + first] + [
                entry + r for r in re.findall(r"\.[a-z][a-z0-9.]*", more)
            ]
            scope.setdefault(entry, [])
            scope[entry] += [p.rstrip(".") for p in paragraphs]
        decided = _STILL_REQUIRED.search(text)
        for entry in sorted(e for e in scope if e in generated):
            values = sorted(set(scope[entry]))
            values = [entry] if entry in values else values
            column = f"{decided.group('r')} Column {decided.group('n')}" if decided else ""
            other = "CA" if "CA" not in rows else "MX"
            out.append(
                {
                    "id": f"us.ccl.{entry}.footnote{n}",
                    "jurisdiction": "US",
                    "title": _title(f"{entry}: Country Chart footnote {n} ({', '.join(rows)})"),
                    "citation": (
                        f"15 CFR 738.3(d); Supp. No. 1 to Part 738 (Commerce Country Chart), "
                        f"footnote {n} ({text[:200]}); Supp. No. 1 to Part 774, ECCN {entry}"
                        + (f"; {SECTION.get(decided.group('r'), '')}, {column}" if decided else "")
                        + "; eCFR 2026-07-23"
                    ),
                    "effective_from": FLOOR,
                    "confidence": {"level": "low", "source": CONFIDENCE},
                    "outcome": "license_required" if decided else "review",
                    "rationale": (
                        f"The Country Chart row of {', '.join(rows)} carries footnote {n}: "
                        f"'{text}'. "
                        + (
                            f"A licence is required for {', '.join(values)} to these destinations "
                            f"under {column} although their row has no X in it."
                            if decided
                            else "Fact needed: whether the footnote's requirement reaches the item "
                            "(it names the items with conditions the ECCN does not give)."
                        )
                        + " The date the footnote took effect was not verified (1996-03-25 "
                        "is a floor)."
                    ),
                    "when": {
                        "all": [
                            {"fact": "item.eccn", "op": "eccn_in", "value": values},
                            {"fact": "destination.ear_row", "op": "in", "value": list(rows)},
                        ]
                    },
                    "examples": [
                        {
                            "name": f"{values[0]} to {rows[0]}",
                            "transaction": _tx(values[0], rows[0]),
                            "expect": "fires",
                        },
                        {
                            "name": f"{values[0]} to {other} (no footnote {n})",
                            "transaction": _tx(values[0], other),
                            "expect": "silent",
                        },
                    ],
                }
            )
    return out


def build() -> tuple[dict[str, Any], Counter]:
    ccl = _load(US / "tables" / "ccl.yaml")["entries"]
    chart = Chart(_load(US / "tables" / "country_chart.yaml"))
    whole, partial = hand_coverage()
    counts: Counter = Counter()
    clauses: list[dict[str, Any]] = []
    covers: list[dict[str, Any]] = []
    for eccn, data in ccl.items():
        entry = Entry.of(str(eccn), data)
        if entry.eccn in whole or not entry.rows:
            counts["entries_skipped"] += 1
            continue
        hand = sorted(partial.get(entry.eccn, ()))
        made = clauses_for(entry, chart, hand, counts)
        clauses += made
        counts["entries"] += 1
        since = max([FLOOR] + [str(c["effective_from"]) for c in made])
        if hand:
            covers += [
                {"eccn": f"{entry.eccn}.{p}", "since": since}
                for p in entry.top_paragraphs
                if f"{entry.eccn}.{p}" not in hand
            ]
        else:
            covers.append({"eccn": entry.eccn, "since": since})
    generated = {str(e) for e in ccl if str(e) not in whole and ccl[e].get("license_requirements")}
    notes = footnote_clauses(generated, chart)
    counts["footnote_clauses"] = len(notes)
    clauses += notes
    counts["clauses"] = len(clauses)
    doc = {"covers_eccns": covers, "clauses": clauses}
    return doc, counts


HEADER = """\
# GENERATED by tools/build_ccl_pack.py from rules/us/tables/ccl.yaml and country_chart.yaml
# (CCL and Commerce Country Chart of the eCFR of 2026-07-23). Do not edit by hand: change the
# generator (tools/build_ccl_pack.py, tools/ccl_rows.py) and re-run it.
#
# 15 CFR 738.4 licence determination for every CCL entry that rules/us/ccl_sme.yaml and
# ccl_computing.yaml do not encode: one clause per License Requirements row, id
# us.ccl.<ECCN>.<reason><column>.r<row number>. A row "<reason> applies to <paragraphs>:
# <reason> Column <n>" requires a licence where the destination's Country Chart row has an X in
# that column. A row that turns on a fact the ECCN does not give (what software or technology
# is for, a technical parameter, an end use), or that the generator cannot read, is a `review`
# quoting the row. AT Column rows get no clause (no Country Chart row has an AT mark; the
# embargoed destinations are the Part 746 clauses in embargoes.yaml). UN rows (15 CFR
# 746.1(b)) are reviews for the destinations whose Country Chart row carries footnote 1.
# Effective dates were not verified row by row: every clause uses the 1996-03-25 floor of
# ccl_sme.yaml and is marked low. `covers_eccns` (merged into pack.yaml's by the loader) lists
# the entries this file encodes, so they no longer get us.classification.not_covered.
#
"""


def render(doc: dict[str, Any], counts: Counter) -> str:
    c = counts
    summary = (
        f"Counts: {c['entries']} entries, {c['clauses']} clauses, from {c['rows']} rows: "
        f"{c['decided']} read and decided, {c['mixed']} read and decided but for a conditional "
        f"exception (a review for it), {c['fact']} read as a review (a fact the ECCN does not "
        f"give), {c['un']} UN (review), {c['at']} AT Column and {c['part746']} § 746.8 (no "
        f"clause: Part 746 clauses), {c['unread']} not read (review quoting the row); plus "
        f"{c['footnote_clauses']} clauses for the Country Chart footnotes that name CCL items "
        f"({c['duplicate']} repeated rows skipped)."
    )
    summary = "".join(f"# {line}\n" for line in textwrap.wrap(summary, 94))
    body = yaml.dump(
        doc,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=None,  # leaves and examples inline, as the hand-written packs
        Dumper=yaml.CSafeDumper,
    )
    return HEADER + summary + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    doc, counts = build()
    text = render(doc, counts)
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(
            "up to date" if same else f"{OUT} differs from the generator's output", file=sys.stderr
        )
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
