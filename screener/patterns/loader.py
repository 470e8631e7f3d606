"""Load `rules/patterns/*.yaml`, validate them, and fail with file, line and reason.

Beyond the pydantic model: every fact a selector tests must be a line fact, the operator
must suit its type, ECCNs must be written as the CCL writes them, country codes must exist,
ids must be unique, and every example transaction must be a valid transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.facts import LINE_FACTS
from schemas.patterns import Pattern, PatternFile
from schemas.rules import Leaf, Op
from schemas.transaction import Transaction
from schemas.vocabulary import COUNTRY_CODES, normalize_eccn
from screener.conditions import leaves
from screener.packs.loader import DEFAULT_RULES_DIR, YamlDoc, _pydantic_problems
from screener.packs.pack import PackError, deep_merge

DEFAULT_PATTERNS_DIR = DEFAULT_RULES_DIR / "patterns"
_NUMERIC = {Op.gt, Op.gte, Op.lt, Op.lte}


def _check_leaf(leaf: Leaf) -> list[str]:
    spec = LINE_FACTS.get(leaf.fact)
    if spec is None:
        return [f"unknown line fact {leaf.fact!r} (schemas/facts.py LINE_FACTS)"]
    if leaf.op == Op.exists:
        return []
    if leaf.op == Op.eccn_in:
        if leaf.fact != "item.eccn":
            return ["op eccn_in applies only to item.eccn"]
        out = []
        for raw in leaf.value:
            try:
                if normalize_eccn(str(raw)) != raw:
                    out.append(f"write ECCN {raw!r} as {normalize_eccn(str(raw))!r}")
            except ValueError as exc:
                out.append(str(exc))
        return out
    if leaf.op in _NUMERIC and spec.type != "number":
        return [f"op {leaf.op.value} needs a number fact; {leaf.fact} is {spec.type}"]
    if leaf.op in {Op.contains, Op.contains_any}:
        return [f"{leaf.fact} is not a list: use equals or in"]
    if leaf.fact.endswith(".country"):
        values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
        return [f"{v!r} is not an ISO-2 country code" for v in values if v not in COUNTRY_CODES]
    return []


def load_pattern_file(path: Path) -> list[Pattern]:
    doc = YamlDoc.read(path)
    try:
        parsed = PatternFile.model_validate(doc.data)
    except ValidationError as exc:
        raise PackError(_pydantic_problems(doc, exc)) from exc
    problems: list[str] = []
    for i, pattern in enumerate(parsed.patterns):
        where = f"{path}:{doc.line('patterns', i)}: pattern {pattern.id}"
        for leaf in leaves(pattern.select):
            problems += [f"{where}: {p}" for p in _check_leaf(leaf)]
        for j, example in enumerate(pattern.examples):
            for k, tx in enumerate(example.stream):
                try:
                    Transaction.model_validate(deep_merge(parsed.defaults, tx))
                except ValidationError as exc:
                    problems += _pydantic_problems(
                        doc, exc, "patterns", i, "examples", j, "stream", k
                    )
    if problems:
        raise PackError(problems)
    return parsed.patterns


def load_patterns(folder: Path = DEFAULT_PATTERNS_DIR) -> list[Pattern]:
    """Every pattern under `folder`, in file order; ids must be unique across files."""
    patterns: list[Pattern] = []
    seen: dict[str, Path] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            loaded = load_pattern_file(path)
        except PackError as exc:  # every file's problems, not the first bad file's
            problems += exc.problems
            continue
        for pattern in loaded:
            if pattern.id in seen:
                problems.append(
                    f"{path}: duplicate pattern id {pattern.id} (also {seen[pattern.id]})"
                )
            seen[pattern.id] = path
            patterns.append(pattern)
    if problems:
        raise PackError(problems)
    if not patterns:
        raise PackError([f"{folder}: no patterns found"])
    return patterns


def pattern_defaults(folder: Path = DEFAULT_PATTERNS_DIR) -> dict[Path, dict[str, Any]]:
    """Each file's example defaults (for the example runner)."""
    return {
        path: PatternFile.model_validate(YamlDoc.read(path).data).defaults
        for path in sorted(folder.glob("*.yaml"))
    }
