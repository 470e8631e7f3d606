"""The rule format: what a clause in `rules/` may say.

A clause is data. Its `when` is a condition tree over named facts (see `schemas.facts`), and
it carries its legal citation, dates of effect, status and the confidence with which it was
verified. Evaluation is three-valued: a condition on a fact the transaction does not give is
*undecided*, and an undecided clause becomes a `review` finding naming the missing fact,
never a silent clear.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from schemas.result import Outcome
from schemas.vocabulary import AUTHORISATION_SYMBOLS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Op(StrEnum):
    equals = "equals"
    not_equals = "not_equals"
    in_ = "in"
    not_in = "not_in"
    contains = "contains"  # list fact contains the value
    contains_any = "contains_any"  # list fact shares at least one element with the values
    gt = "gt"
    gte = "gte"
    lt = "lt"
    lte = "lte"
    eccn_in = "eccn_in"  # the item's ECCN is one of the values or below one of them
    regex = "regex"  # Python `re.search` on a string fact
    exists = "exists"  # value true: the fact is given; false: it is missing


SCALAR_OPS = {Op.equals, Op.not_equals}
LIST_VALUE_OPS = {Op.in_, Op.not_in, Op.contains_any, Op.eccn_in}
NUMERIC_OPS = {Op.gt, Op.gte, Op.lt, Op.lte}


class Leaf(_Strict):
    """One test of one fact: `{fact: item.eccn, op: eccn_in, value: [3B001.c]}`."""

    fact: str
    op: Op
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Leaf:
        v = self.value
        if self.op in LIST_VALUE_OPS:
            if not isinstance(v, list) or not v:
                raise ValueError(f"op {self.op.value} needs a non-empty list as value")
        elif self.op in NUMERIC_OPS:
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ValueError(f"op {self.op.value} needs a number as value, got {v!r}")
        elif self.op == Op.exists:
            if not isinstance(v, bool):
                raise ValueError("op exists needs value true or false")
        elif self.op == Op.regex:
            if not isinstance(v, str):
                raise ValueError("op regex needs a string pattern")
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"invalid regex {v!r}: {exc}") from exc
        elif v is None or isinstance(v, list | dict):
            raise ValueError(f"op {self.op.value} needs a single value, got {v!r}")
        return self


class All(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    for kind, cls in (("all", All), ("any", AnyOf), ("not", Not)):
        if isinstance(value, cls):
            return kind
    return "leaf"


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(_condition_kind),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class ClauseStatus(StrEnum):
    in_force = "in_force"
    non_enforced = (
        "non_enforced"  # on the books, announced as not enforced: reported, never decisive
    )
    superseded = "superseded"


class ClauseKind(StrEnum):
    nexus = "nexus"  # establishes that the jurisdiction reaches the item (e.g. US-origin)
    control = "control"  # a licence requirement, prohibition or review trigger
    exception = "exception"  # a licence exception: when it is available for a requirement
    # a red flag (guidance, not a licence requirement): when it holds, the jurisdiction's
    # decision is at least `review` and the result lists it under `triggers` with its reason
    trigger = "trigger"


class Confidence(_Strict):
    level: Literal["high", "medium", "low"]
    source: str = Field(min_length=1, description="What the clause was verified against.")


class Example(_Strict):
    """A clause's own test: a transaction (merged over the pack's example defaults)."""

    name: str = Field(min_length=1)
    transaction: dict[str, Any]
    facts: dict[str, Any] = Field(
        default_factory=dict,
        description="Facts set on the first item as another stage would supply them "
        "(e.g. parties.entity_list_footnotes from party screening).",
    )
    expect: Literal["fires", "silent", "undecided"]


ClauseId = Annotated[str, Field(pattern=r"^[a-z]{2}\.[A-Za-z0-9_.:-]+$")]


class Clause(_Strict):
    id: ClauseId
    jurisdiction: str
    kind: ClauseKind = ClauseKind.control
    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    effective_from: dt.date
    effective_to: dt.date | None = Field(
        default=None, description="Last day the clause applies (inclusive); null while in force."
    )
    status: ClauseStatus = ClauseStatus.in_force
    confidence: Confidence
    when: Condition
    outcome: Outcome | None = None
    license_review_policy: str | None = None
    own_nexus: bool = Field(
        default=False,
        description="control clauses: the condition is itself the jurisdiction's reach (15 "
        "CFR 744.6: a US person's activity, whatever the item), so the clause applies to a "
        "line the pack's nexus clauses do not reach, and when it holds the jurisdiction "
        "applies through it",
    )
    license_exception: str | None = Field(
        default=None,
        description="exception clauses: the Part 740 symbol (LVS) or the general "
        "authorisation (EU001)",
    )
    overcomes: list[str] = Field(
        default_factory=list,
        description="exception clauses: ids (or fnmatch patterns such as us.ccl.3B001.*) of "
        "the licence requirements this exception can overcome",
    )
    rationale: str | None = Field(
        default=None, description="Plain-language reason, pasted into every finding."
    )
    instrument: str | None = Field(
        default=None,
        description="The legal instrument the clause applies, as the finding names it "
        "(default: the pack's `instrument`); for a member state's copy of the EU pack, e.g. "
        "'Regulation (EU) 2021/821 as applied by the Netherlands'",
    )
    examples: list[Example] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Clause:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
            )
        if self.kind == ClauseKind.control and self.outcome is None:
            raise ValueError("a control clause needs an outcome")
        if self.kind != ClauseKind.control and self.outcome is not None:
            raise ValueError(f"a {self.kind.value} clause has no outcome")
        if self.own_nexus and self.kind != ClauseKind.control:
            raise ValueError("own_nexus belongs to control clauses")
        if self.kind == ClauseKind.exception:
            if self.license_exception not in AUTHORISATION_SYMBOLS or not self.overcomes:
                raise ValueError(
                    "an exception clause needs license_exception (a Part 740 symbol or a "
                    "general authorisation such as EU001) and "
                    "overcomes (the requirements it can overcome)"
                )
        elif self.license_exception or self.overcomes:
            raise ValueError("license_exception and overcomes belong to exception clauses")
        if self.kind == ClauseKind.trigger and not self.rationale:
            raise ValueError("a trigger clause needs a rationale: the reason a reviewer reads")
        return self

    def in_effect(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class Coverage(_Strict):
    """A CCL entry (or paragraph) whose licence requirements the pack encodes in full, from
    `since`: earlier forms of its rows are not encoded, so earlier dates get a review."""

    eccn: str
    since: dt.date | None = None


class AppliedPack(_Strict):
    """A pack whose clauses a member state applies as its own (`applies:` in pack.yaml)."""

    pack: str = Field(description="id of the applied pack, e.g. eu-dual-use")
    by: str = Field(
        min_length=1,
        description="who applies it, as findings name it: 'the Netherlands' gives "
        "'Regulation (EU) 2021/821 as applied by the Netherlands'",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="ids (fnmatch patterns) of the applied pack's clauses not applied here",
    )


class PackMeta(_Strict):
    """`pack.yaml`: one jurisdiction's pack."""

    id: str
    jurisdiction: str
    title: str
    description: str = ""
    instrument: str | None = Field(
        default=None,
        description="the instrument the pack's clauses apply unless a clause names its own",
    )
    applies: list[AppliedPack] = Field(
        default_factory=list,
        description="packs applied in this jurisdiction as well (a member state applies the "
        "EU pack): their control, exception and trigger clauses join this pack, re-tagged with "
        "its jurisdiction and the instrument 'as applied by ...'; its own nexus clauses decide "
        "whether it reaches the item",
    )
    covers_eccns: list[Coverage] = Field(
        default_factory=list,
        description="CCL entries whose licence requirements this pack encodes in full.",
    )
    example_defaults: dict[str, Any] = Field(default_factory=dict)


class ClauseFile(_Strict):
    """A clause file as the packs hold it: a mapping with one `clauses:` list.

    Its JSON Schema (schemas/jsonschema/clause-file.schema.json) is what editors validate
    and autocomplete against, through a first line
    `# yaml-language-server: $schema=<relative path>/schemas/jsonschema/clause-file.schema.json`.
    Other top-level keys are allowed and ignored by the loader: they hold YAML anchors shared
    by several clauses (e.g. `lists:` in foreign_direct_product.yaml).
    """

    model_config = ConfigDict(extra="allow")

    clauses: list[Clause] = Field(min_length=1)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The pydantic schema, with every declared fact path offered for `fact` (with its
        type and meaning), so an editor completes fact paths and flags a misspelt one."""
        from schemas.facts import FACTS

        schema = super().model_json_schema(*args, **kwargs)
        schema["$defs"]["Leaf"]["properties"]["fact"] = {
            "title": "Fact",
            "description": "A declared fact path (schemas/facts.py).",
            "anyOf": [
                {"const": spec.path, "description": f"{spec.type}: {spec.description}"}
                for spec in sorted(FACTS.values(), key=lambda f: f.path)
            ],
        }
        return schema


class DraftMeta(_Strict):
    """`draft.yaml`, optional in a draft folder: which live pack the draft overlays and which
    of its clauses it retires. A draft clause with a live clause's id replaces it; a new id
    adds a clause."""

    pack: str | None = Field(
        default=None,
        description="id of the live pack the draft overlays (default: the pack of the draft "
        "clauses' jurisdiction)",
    )
    title: str = ""
    description: str = ""
    retire: list[str] = Field(
        default_factory=list, description="ids of live clauses the draft removes"
    )
