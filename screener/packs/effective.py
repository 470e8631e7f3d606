"""A clause's dates of effect as a result states them (`schemas.result.Effective`).

The instrument is the clause's own `instrument` field, else what its citation names after
"added by", "amended by" or "revised by" (e.g. "15 CFR 742.6(a)(6)(iii) as added by
87 FR 62186"): the clause says which rule brought it in, nothing is inferred beyond that.
A clause whose citation names no instrument has none.
"""

from __future__ import annotations

import re

from schemas.result import Effective
from schemas.rules import Clause

_BROUGHT_IN_BY = re.compile(r"\b(?:added|amended|revised) by ([^;]+)")


def instrument_of(clause: Clause) -> str | None:
    """The instrument that brought the clause into effect, where the clause names one."""
    if clause.instrument:
        return clause.instrument
    match = _BROUGHT_IN_BY.search(clause.citation)
    return match.group(1).strip() if match else None


def effective_of(clause: Clause) -> Effective:
    return Effective(
        since=clause.effective_from, until=clause.effective_to, instrument=instrument_of(clause)
    )
