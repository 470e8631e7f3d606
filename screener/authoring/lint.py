"""`rules lint`: the loader's checks as findings, plus checks across clauses.

The loader already refuses schema errors, unknown facts, ECCNs, country codes and groups,
operators unfit for their fact, bad examples and dangling `overcomes` (all with file:line);
lint reports those as findings instead of stopping at an exception, then looks at what only
a view over several clauses shows:

- `unsatisfiable`: a clause whose condition can never be true (e.g. two destinations at once);
- `overlap`: two clauses of one kind citing the same provision with the same condition and
  overlapping dates, so they always fire together (usually a copied clause that was meant to
  replace the original: a replacement reuses the id). Different provisions with the same
  condition are normal (the NS and RS rows of one ECCN) and are not reported;
- `contradictory`: the same provision, condition and dates with different outcomes;
- `exception-unreachable` (a note: it never fails lint): an exception clause none of whose
  `overcomes` targets it can ever meet (dates disjoint, or conditions that cannot hold
  together), so it only explains why it is foreclosed; the US pack keeps such clauses on
  purpose (GBS for the SME set), but in a draft it is usually a mistake;
- `same-provision` (a note): a clause a draft adds can fire together with a live clause
  citing the same provision; to amend that clause, reuse its id;
- `superseded-open`: a superseded clause with no `effective_to`, so it never stops deciding;
- `placeholder`: a citation or confidence source still saying TODO, TBD, FIXME or XXX (the
  schema requires both fields, but not that they say something).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from itertools import combinations
from typing import Any, Literal

from schemas.rules import All, Clause, ClauseKind, ClauseStatus, Condition, Leaf, Not, Op
from screener.authoring.sat import satisfiable
from screener.packs.pack import LoadedClause, Pack
from screener.packs.tables import UsTables

Severity = Literal["error", "warning", "note"]  # a note never fails lint
_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")
_WHERE = re.compile(r"^(?P<where>.+?:\d+): (?P<message>.*)$", re.S)
_CODES = [
    ("unknown fact path", "unknown-fact"),
    ("sets unknown fact", "unknown-fact"),
    ("Commerce Control List", "unknown-eccn"),
    ("is not an ECCN the CCL can have", "unknown-eccn"),
    ("write ECCN", "eccn-format"),
    ("ISO-2 country code", "unknown-country"),
    ("not an EAR Country Group", "unknown-group"),
    ("Country Chart column", "unknown-chart-column"),
    ("effective_to", "dates"),
    ("effective_from", "dates"),
    ("citation", "missing-citation"),
    ("confidence", "missing-confidence"),
    ("Field required", "missing-field"),
    ("duplicate id", "duplicate-id"),
    ("overcomes", "overcomes"),
    ("YAML syntax", "yaml"),
    ("examples", "example"),
]


@dataclass(frozen=True)
class LintFinding:
    severity: Severity
    code: str
    where: str  # file:line
    message: str
    clause_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_problem(problem: str) -> LintFinding:
    """A loader problem (`file:line: reason`) as a finding with a code an analyst can filter."""
    m = _WHERE.match(problem)
    where, message = (m["where"], m["message"]) if m else ("", problem)
    clause = re.search(r"clause (\S+?):", message)
    code = next((c for needle, c in _CODES if needle in message), "schema")
    return LintFinding("error", code, where, message, clause[1] if clause else None)


def canonical(cond: Condition) -> Any:
    """A form in which equivalent conditions compare equal: children and value lists sorted."""
    if isinstance(cond, Leaf):
        value = cond.value
        if isinstance(value, list) and cond.op != Op.regex:
            value = sorted(value, key=json.dumps)
        return ["leaf", cond.fact, cond.op.value, value]
    if isinstance(cond, Not):
        return ["not", canonical(cond.not_)]
    kids = [canonical(c) for c in (cond.all if isinstance(cond, All) else cond.any)]
    kids = sorted(kids, key=json.dumps)
    if len(kids) == 1:
        return kids[0]
    return ["all" if isinstance(cond, All) else "any", kids]


def _overlap_in_time(a: Clause, b: Clause) -> bool:
    a_end, b_end = a.effective_to, b.effective_to
    return (a_end is None or b.effective_from <= a_end) and (
        b_end is None or a.effective_from <= b_end
    )


def _at(lc: LoadedClause) -> str:
    return f"{lc.file}:{lc.line}"


def _pairs(
    clauses: list[LoadedClause], focus: set[str] | None
) -> Iterator[tuple[LoadedClause, LoadedClause]]:
    """Pairs of clauses to compare: all of them, or those involving a clause in `focus`."""
    for a, b in combinations(clauses, 2):
        if focus is None or a.clause.id in focus or b.clause.id in focus:
            yield a, b


def check_pack(
    pack: Pack, focus: set[str] | None = None, added: set[str] | None = None
) -> list[LintFinding]:
    """Cross-clause findings for one loaded pack (for a draft: `focus` = its clause ids, so
    only its own clauses and their relations to the live ones are reported; `added` = the
    ids it adds, checked against live clauses citing the same provision)."""
    tables: UsTables | None = pack.tables
    out: list[LintFinding] = []
    mine = [lc for lc in pack.clauses if focus is None or lc.clause.id in focus]
    for lc in mine:
        c = lc.clause
        if not satisfiable(c.when, tables=tables):
            out.append(
                LintFinding(
                    "error",
                    "unsatisfiable",
                    _at(lc),
                    f"clause {c.id}: its condition can never be true (its tests contradict "
                    "each other), so it never fires",
                    c.id,
                )
            )
        for name, text in (("citation", c.citation), ("confidence.source", c.confidence.source)):
            if _PLACEHOLDER.search(text):
                out.append(
                    LintFinding(
                        "error",
                        "placeholder",
                        _at(lc),
                        f"clause {c.id}: {name} is a placeholder ({text.strip()[:60]!r})",
                        c.id,
                    )
                )
        if c.status == ClauseStatus.superseded and c.effective_to is None:
            out.append(
                LintFinding(
                    "warning",
                    "superseded-open",
                    _at(lc),
                    f"clause {c.id}: status superseded but no effective_to: it keeps deciding "
                    "for every later date",
                    c.id,
                )
            )
    keyed: dict[str, list[LoadedClause]] = {}
    for lc in pack.clauses:
        keyed.setdefault(json.dumps(canonical(lc.clause.when)), []).append(lc)
    for group in keyed.values():
        for a, b in _pairs(group, focus):
            ca, cb = a.clause, b.clause
            if ca.kind != cb.kind or ca.citation != cb.citation or not _overlap_in_time(ca, cb):
                continue  # different provisions may well require the same (NS and RS rows)
            same = ca.outcome == cb.outcome
            out.append(
                LintFinding(
                    "error",
                    "overlap" if same else "contradictory",
                    _at(b),
                    f"clause {cb.id} has the same condition as {ca.id} ({_at(a)}) and their "
                    "dates of effect overlap: "
                    + (
                        "they always fire together (to replace a clause, reuse its id)"
                        if same
                        else f"one says {ca.outcome and ca.outcome.value}, the other "
                        f"{cb.outcome and cb.outcome.value}"
                    ),
                    cb.id,
                )
            )
    out += _exceptions(pack, focus)
    out += _same_provision(pack, added or set())
    return out


def _same_provision(pack: Pack, added: set[str]) -> list[LintFinding]:
    """A new draft clause that can fire together with a clause citing the same provision:
    often a copy that should have kept the original id. A note, since a provision may well
    need several clauses (the US pack has 17 such pairs, e.g. a row and its UAE variant)."""
    out: list[LintFinding] = []
    new = [lc for lc in pack.clauses if lc.clause.id in added]
    for lc in new:
        c = lc.clause
        for other in pack.clauses:
            o = other.clause
            if (
                o.id == c.id
                or o.id in added
                or o.citation != c.citation
                or o.kind != c.kind
                or not _overlap_in_time(c, o)
                or json.dumps(canonical(c.when)) == json.dumps(canonical(o.when))  # overlap
                or not satisfiable(c.when, o.when, tables=pack.tables)
            ):
                continue
            out.append(
                LintFinding(
                    "note",
                    "same-provision",
                    _at(lc),
                    f"new clause {c.id} cites the same provision as {o.id} ({_at(other)}) and "
                    "both can fire for one item: to amend that clause, reuse its id",
                    c.id,
                )
            )
    return out


def _exceptions(pack: Pack, focus: set[str] | None) -> list[LintFinding]:
    out: list[LintFinding] = []
    controls = [lc for lc in pack.clauses if lc.clause.kind == ClauseKind.control]
    for lc in pack.clauses:
        x = lc.clause
        if x.kind != ClauseKind.exception:
            continue
        for pattern in x.overcomes:
            targets = [t for t in controls if fnmatchcase(t.clause.id, pattern)]
            if (
                focus is not None
                and x.id not in focus
                and not any(t.clause.id in focus for t in targets)
            ):
                continue
            if not targets:
                continue  # the loader reports patterns that match nothing
            reachable = [
                t
                for t in targets
                if _overlap_in_time(x, t.clause)
                and satisfiable(x.when, t.clause.when, tables=pack.tables)
            ]
            if not reachable:
                out.append(
                    LintFinding(
                        "note",
                        "exception-unreachable",
                        _at(lc),
                        f"clause {x.id}: overcomes {pattern!r}, but none of the "
                        f"{len(targets)} clause(s) it names can hold on a date and for facts "
                        "where this exception holds: it can only ever explain why it is "
                        "foreclosed (intended, or a mistake in its conditions)",
                        x.id,
                    )
                )
    return out
