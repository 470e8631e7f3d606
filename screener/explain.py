"""Turn a clause's evaluation into words a compliance officer can paste into an audit file."""

from __future__ import annotations

from typing import Any

from schemas.result import ConditionTrace
from schemas.rules import Clause

_OPS = {
    "equals": "equals",
    "not_equals": "differs from",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "contains_any": "contains one of",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "eccn_in": "is classified under",
    "regex": "matches",
    "exists": "is given:",
}
_MARK = {True: "yes", False: "no", None: "unknown"}


def _value(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)


def describe(trace: ConditionTrace) -> str:
    """`destination.chart_x = [NS1, NS2] contains NS2: yes`."""
    negated = trace.op.startswith("not ")
    op = trace.op.removeprefix("not ")
    test = f"{'NOT ' if negated else ''}{_OPS.get(op, op)} {_value(trace.expected)}"
    actual = "(not given)" if trace.actual is None else _value(trace.actual)
    return f"{trace.fact} = {actual} {test}: {_MARK[trace.result]}"


def finding_explanation(
    clause: Clause, result: bool | None, traces: list[ConditionTrace], missing: list[str]
) -> str:
    lead = clause.rationale.strip() if clause.rationale else clause.title
    facts = "; ".join(describe(t) for t in traces)
    if result is None:
        return (
            f"{lead} Cannot be decided from the facts given: missing {', '.join(missing)}. "
            f"Until they are supplied this is a review item under {clause.citation}. "
            f"Tested: {facts}."
        )
    return f"{lead} Facts tested: {facts}."
