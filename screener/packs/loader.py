"""Load rule packs from `rules/`, validate them, and fail loudly with file, line and reason.

A pack is a folder holding `pack.yaml` (its metadata), clause files (`*.yaml` with a top-level
`clauses:` list) and optionally `tables/` (reference data, read by `screener.packs.tables`).
Validation goes beyond the pydantic schema: every fact path must be declared, every operator
must suit its fact's type, every ECCN, country code, Country Group and chart column named in
a condition must exist, and every example must be a valid transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from schemas.facts import FACTS
from schemas.lists import ListCode
from schemas.rules import Clause, Coverage, Leaf, Op, PackMeta
from schemas.transaction import Transaction
from schemas.vocabulary import COUNTRY_CODES, JURISDICTIONS, normalize_eccn
from screener.bundled import RULES_DIR
from screener.conditions import leaves
from screener.packs.country_sets import CountrySets
from screener.packs.jurisdictions import register as register_jurisdictions
from screener.packs.member_states import compose
from screener.packs.pack import LoadedClause, Pack, PackError, deep_merge
from screener.packs.tables import UsTables

DEFAULT_RULES_DIR = RULES_DIR  # ./rules in a checkout, the bundled copy in a wheel

_COUNTRY_FACTS = {
    "exporter.country",
    "destination.country",
    "destination.ear_row",
    "item.origin_country",
    "end_user.country",
    "parties.countries",
    "parties.headquarters_countries",
    "freight_forwarder.countries",
    "transit.countries",
}
_GROUP_FACTS = {
    "exporter.country_groups",
    "destination.country_groups",
    "parties.headquarters_country_groups",
}
_SET_FACTS = {"exporter.country_sets", "destination.country_sets", "transit.country_sets"}
_LIST_CODE_FACTS = {"parties.lists", "parties.review_lists", "end_user.lists"}
_NUMERIC_OPS = {Op.gt, Op.gte, Op.lt, Op.lte}
_LIST_OPS = {Op.contains, Op.contains_any}


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key, for error messages."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.key_lines: dict[int, dict[Any, int]] = {}
        self.seq_lines: dict[int, list[int]] = {}


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    loader.key_lines[id(mapping)] = {
        loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value
    }
    return mapping


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    seq = loader.construct_sequence(node, deep=True)
    loader.seq_lines[id(seq)] = [n.start_mark.line + 1 for n in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CLAUSE_ID = re.compile(r"^[ \t]*(?:- )?id:[ \t]*['\"]?([^'\"\s#]+)", re.M)


@dataclass
class YamlDoc:
    """A YAML file's data, with the line of any node on demand.

    The data come from libyaml (fast: the generated CCL pack has some 35,000 lines); the
    line-tracking pure-Python parse runs only when a line is asked for (an error message, or
    an authoring tool), and clause lines come from a scan of the `id:` keys."""

    path: Path
    data: Any
    text: str
    _lines: tuple[Any, _LineLoader] | None = None
    _ids: dict[str, int] | None = None

    @classmethod
    def read(cls, path: Path) -> YamlDoc:
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.load(text, Loader=_FAST)
        except yaml.YAMLError:
            data = None  # re-parsed below for PyYAML's message, which quotes the line
        if data is not None or not text.strip():
            return cls(path, data, text)
        try:
            data = yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise PackError([f"{path}:{line}: YAML syntax error: {exc}"]) from exc
        return cls(path, data, text)

    @property
    def loader(self) -> _LineLoader:
        return self._tracked()[1]

    def _tracked(self) -> tuple[Any, _LineLoader]:
        if self._lines is None:
            loader = _LineLoader(self.text)
            try:
                self._lines = (loader.get_single_data(), loader)
            finally:
                loader.dispose()
        return self._lines

    def clause_line(self, i: int, clause_id: str) -> int:
        """The line of clause `i` (id `clause_id`): its `id:` key, else the tracked parse."""
        if self._ids is None:
            self._ids, line, pos = {}, 1, 0
            for m in _CLAUSE_ID.finditer(self.text):
                line += self.text.count("\n", pos, m.start())
                pos = m.start()
                self._ids.setdefault(m.group(1), line)
        return self._ids.get(clause_id) or self.line("clauses", i)

    def line(self, *loc: Any) -> int:
        """The line of the deepest node along `loc` (keys and list indexes)."""
        node, loader = self._tracked()
        line = 1
        for key in loc:
            if isinstance(node, dict) and key in node:
                line = loader.key_lines.get(id(node), {}).get(key, line)
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                lines = loader.seq_lines.get(id(node), [])
                line = lines[key] if key < len(lines) else line
                node = node[key]
            else:
                break
        return line


_TAGS = {"all", "any", "not", "leaf"}


def _without_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic inserts after each condition field."""
    out: list[Any] = []
    slot = False  # the previous part holds a condition, so a tag may follow
    for part in loc:
        if slot and part in _TAGS:
            slot = False
            continue
        out.append(part)
        slot = part in ("when", "not", "select") or isinstance(part, int)
    return tuple(out)


def _pydantic_problems(doc: YamlDoc, exc: ValidationError, *prefix: Any) -> list[str]:
    out = []
    for err in exc.errors():
        loc = tuple(prefix) + _without_tags(tuple(err["loc"]))
        where = ".".join(str(p) for p in loc)
        out.append(f"{doc.path}:{doc.line(*loc)}: {where}: {err['msg']}")
    return out


def _pack_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _check_leaf(
    leaf: Leaf, tables: UsTables | None, country_sets: frozenset[str] | None = None
) -> list[str]:
    """Problems with one leaf: unknown fact, operator unfit for the fact, unknown values."""
    spec = FACTS.get(leaf.fact)
    if spec is None:
        return [f"unknown fact path {leaf.fact!r} (declared facts: schemas/facts.py)"]
    op, value = leaf.op, leaf.value
    if op == Op.exists:
        return []
    if op == Op.eccn_in:
        if leaf.fact != "item.eccn":
            return ["op eccn_in applies only to item.eccn"]
        problems = []
        for raw in value:
            try:
                eccn = normalize_eccn(str(raw))
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if eccn != raw:
                problems.append(f"write ECCN {raw!r} as {eccn!r}")
            elif tables is not None and not tables.eccn_known(eccn):
                problems.append(f"ECCN {eccn} is not on the Commerce Control List")
        return problems
    if op in _NUMERIC_OPS and spec.type != "number":
        return [f"op {op.value} needs a number fact; {leaf.fact} is {spec.type}"]
    if op in _LIST_OPS and spec.type != "list":
        return [f"op {op.value} needs a list fact; {leaf.fact} is {spec.type}"]
    if op in {Op.equals, Op.not_equals, Op.in_, Op.not_in} and spec.type == "list":
        return [f"{leaf.fact} is a list: use contains or contains_any, not {op.value}"]
    if op == Op.regex and spec.type != "string":
        return [f"op regex needs a string fact; {leaf.fact} is {spec.type}"]
    values = value if isinstance(value, list) else [value]
    if leaf.fact in _COUNTRY_FACTS:
        return [f"{v!r} is not an ISO-2 country code" for v in values if v not in COUNTRY_CODES]
    if leaf.fact in _SET_FACTS and country_sets is not None:
        return [
            f"{v!r} is not a country set (rules/*/tables/country_sets.yaml: "
            f"{', '.join(sorted(country_sets))})"
            for v in values
            if v not in country_sets
        ]
    if tables is not None and leaf.fact in _GROUP_FACTS:
        return [f"{v!r} is not an EAR Country Group" for v in values if v not in tables.groups]
    if leaf.fact in _LIST_CODE_FACTS:
        known_lists = {c.value for c in ListCode}
        return [
            f"{v!r} is not a list code ({', '.join(sorted(known_lists))})"
            for v in values
            if v not in known_lists
        ]
    if leaf.fact == "destination.chart_x" and tables is not None:
        known = {c for row in tables.chart_x.values() for c in row} | {"AT1", "AT2", "FC1"}
        return [f"{v!r} is not a Country Chart column" for v in values if v not in known]
    return []


def load_clause_file(
    path: Path,
    meta: PackMeta,
    tables: UsTables | None,
    seen: dict[str, str],
    country_sets: frozenset[str] | None = None,
    coverage: list[Coverage] | None = None,
) -> tuple[list[LoadedClause], list[str]]:
    """Validate one clause file against a pack's metadata and tables.

    Shared by `load_pack` and by draft packs (`screener.authoring.drafts`), so a draft clause
    meets exactly the checks a live clause does. `seen` maps clause ids to `file:line` and is
    updated, so duplicates across files are reported. `country_sets`: the set names a clause may
    test (every pack's, see `load_pack`). `coverage`: when given, the file's own `covers_eccns`
    (a generated pack's, e.g. rules/us/ccl_generated.yaml) are appended to it.
    """
    problems: list[str] = []
    loaded: list[LoadedClause] = []
    doc = YamlDoc.read(path)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("clauses"), list):
        return [], [f"{path}:1: a clause file needs a top-level 'clauses:' list"]
    if coverage is not None:
        for i, raw in enumerate(doc.data.get("covers_eccns") or []):
            try:
                coverage.append(Coverage.model_validate(raw))
            except ValidationError as exc:
                problems += _pydantic_problems(doc, exc, "covers_eccns", i)
    for i, raw in enumerate(doc.data["clauses"]):
        try:
            clause = Clause.model_validate(raw)
        except ValidationError as exc:
            problems += _pydantic_problems(doc, exc, "clauses", i)
            continue
        line = doc.clause_line(i, clause.id)
        where = f"{path}:{line}: clause {clause.id}"
        if clause.id in seen:
            problems.append(f"{where}: duplicate id (first at {seen[clause.id]})")
        seen[clause.id] = f"{path}:{line}"
        if clause.jurisdiction != meta.jurisdiction:
            problems.append(
                f"{where}: jurisdiction {clause.jurisdiction} in a {meta.jurisdiction} pack"
            )
        for leaf in leaves(clause.when):
            problems += [f"{where}: {p}" for p in _check_leaf(leaf, tables, country_sets)]
        for j, example in enumerate(clause.examples):
            problems += [
                f"{path}:{doc.line('clauses', i, 'examples', j)}: clause {clause.id}: "
                f"example sets unknown fact {name!r}"
                for name in example.facts
                if name not in FACTS
            ]
            try:
                Transaction.model_validate(deep_merge(meta.example_defaults, example.transaction))
            except ValidationError as exc:
                problems += _pydantic_problems(doc, exc, "clauses", i, "examples", j, "transaction")
        loaded.append(LoadedClause(clause, path, line))
    return loaded, problems


def check_overcomes(clauses: list[LoadedClause]) -> list[str]:
    """Every `overcomes` pattern of an exception clause must name a clause of the pack."""
    ids = [lc.clause.id for lc in clauses]
    return [
        f"{lc.file}:{lc.line}: clause {lc.clause.id}: overcomes {pattern!r} "
        "matches no clause of the pack"
        for lc in clauses
        for pattern in lc.clause.overcomes
        if not any(fnmatchcase(i, pattern) for i in ids)
    ]


def clause_files(root: Path) -> list[Path]:
    """The clause files of a pack folder: every `*.yaml` but pack.yaml and tables/."""
    return [
        path
        for path in sorted(root.rglob("*.yaml"))
        if path.name != "pack.yaml" and "tables" not in path.relative_to(root).parts
    ]


def load_pack(root: Path, country_sets: frozenset[str] | None = None) -> Pack:
    """Load and validate one pack folder; raise PackError listing every problem found.

    `country_sets`: the set names every pack defines (a clause may test another pack's set);
    by default the sets found beside this pack's folder."""
    if country_sets is None:
        country_sets = set_names(root.parent)
    problems: list[str] = []
    meta_doc = YamlDoc.read(root / "pack.yaml")
    try:
        meta = PackMeta.model_validate(meta_doc.data)
    except ValidationError as exc:
        raise PackError(_pydantic_problems(meta_doc, exc)) from exc
    JURISDICTIONS.add(meta.jurisdiction)  # the pack is what makes a jurisdiction known
    tables = UsTables.load(root / "tables") if (root / "tables" / "ccl.yaml").exists() else None
    pack = Pack(meta=meta, root=root, version=_pack_hash(root), tables=tables)
    seen: dict[str, str] = {}
    coverage: list[Coverage] = []
    for path in clause_files(root):
        try:  # a file that is not YAML costs that file, not the report on the others
            loaded, found = load_clause_file(path, meta, tables, seen, country_sets, coverage)
        except PackError as exc:
            problems += exc.problems
            continue
        pack.clauses += loaded
        problems += found
    declared = {c.eccn for c in meta.covers_eccns}
    problems += [
        f"{root}: covers_eccns: {c.eccn} is declared twice (pack.yaml and a clause file)"
        for c in coverage
        if c.eccn in declared
    ]
    meta.covers_eccns += coverage
    problems += check_overcomes(pack.clauses)
    if problems:
        raise PackError(problems)
    return pack


def load_packs(rules_dir: Path = DEFAULT_RULES_DIR) -> list[Pack]:
    """Every pack under `rules_dir` (each subfolder with a pack.yaml), sorted by folder."""
    roots = sorted(p.parent for p in rules_dir.glob("*/pack.yaml"))
    if not roots:
        raise PackError([f"{rules_dir}: no rule packs (folders with pack.yaml) found"])
    names = set_names(rules_dir)
    register_jurisdictions(rules_dir)  # examples may name any pack's jurisdiction
    packs, problems = [], []
    for root in roots:  # every pack's problems, not the first pack's only
        try:
            packs.append(load_pack(root, names))
        except PackError as exc:
            problems += exc.problems
    if problems:
        raise PackError(problems)
    return compose(packs)


def set_names(rules_dir: Path) -> frozenset[str]:
    """The names of the country sets the packs under `rules_dir` define (their tables)."""
    try:
        return CountrySets.load(rules_dir).names
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError([f"{rules_dir}/*/tables/country_sets.yaml: {exc}"]) from exc
