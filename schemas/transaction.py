"""The proposed transaction: what an exporter asks chokepoint to screen.

Classification is the exporter's input (ECCN, per-jurisdiction control codes); chokepoint
derives everything else (country groups, chart columns, ECCN hierarchy) and shows it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from schemas.control_codes import LISTED as LISTED  # re-exported: where they used to be
from schemas.control_codes import NOT_LISTED as NOT_LISTED
from schemas.control_codes import control_code
from schemas.control_codes import json_schema as control_code_schema
from schemas.vocabulary import (
    AUTHORISATION_SYMBOLS,
    BOOLEAN_PARAMETERS,
    COUNTRY_CODES,
    ECCN_MAX_LENGTH,
    ECCN_SCHEMA_PATTERN,
    JURISDICTIONS,
    PARAMETERS,
    EndUseCategory,
    PartyRole,
    ServiceActivity,
    normalize_eccn,
)


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. CN, DE, US)")
    return code


def _jurisdiction(value: str) -> str:
    code = value.strip().upper()
    if code not in JURISDICTIONS:
        raise ValueError(
            f"{value!r} is not a jurisdiction chokepoint knows: {', '.join(JURISDICTIONS)}"
        )
    return code


# The JSON Schema says what is accepted (a generator of schema-valid input gets no 422):
# the codes as enums, an ECCN by the CCL's grammar (schemas.vocabulary.normalize_eccn).
CountryCode = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "enum": sorted(COUNTRY_CODES)}),
]


@dataclass(frozen=True)
class _SchemaOfKnown:
    """A JSON Schema built when the document is generated, not when the model is defined:
    the jurisdictions are those the packs loaded so far registered (schemas.vocabulary)."""

    build: Callable[[], dict[str, Any]]

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.build()


JurisdictionCode = Annotated[
    str,
    AfterValidator(_jurisdiction),
    _SchemaOfKnown(lambda: {"type": "string", "enum": list(JURISDICTIONS)}),
]
NonEmptyText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"}),
]
EccnText = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "pattern": ECCN_SCHEMA_PATTERN, "maxLength": ECCN_MAX_LENGTH}
    ),
]
# JSON numbers as numbers: no NaN/Infinity (JSON has neither; they would be stored as null),
# no true/"1" read as 1. Code building a Transaction from text (the batch) converts first.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_text(value: object) -> object:
    """A date is YYYY-MM-DD (or a date): 0 is not 1970-01-01."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}"[:120])


IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]


def _whole(value: object) -> object:
    """A count: 2 (or 2.0, an integer to JSON Schema), never true or 1.5 or "2"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}"[:80])
    return value


Count = Annotated[int, BeforeValidator(_whole)]


def _control_codes(codes: object) -> object:
    """Each jurisdiction's code checked against that list's numbering (schemas.control_codes)
    as sent, before the model strips whitespace (the length bound is the raw text's, as in the
    document); anything not a text is left to the type check."""
    if not isinstance(codes, dict):
        return codes
    return {j: control_code(j, raw) if isinstance(raw, str) else raw for j, raw in codes.items()}


# One property per jurisdiction with its list's pattern (schemas.control_codes.FORMS), so
# the document says exactly what is accepted: a member state's code is EU Annex I-numbered.
ControlCodes = Annotated[
    dict[JurisdictionCode, str],
    BeforeValidator(_control_codes),
    _SchemaOfKnown(
        lambda: {
            "type": "object",
            "properties": {j: control_code_schema(j) for j in JURISDICTIONS},
            "additionalProperties": False,
        }
    ),
]


class _Strict(BaseModel):
    """Unknown fields are errors: a misspelt field must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Exporter(_Strict):
    name: NonEmptyText
    country: CountryCode
    headquarters_country: CountryCode | None = Field(
        default=None,
        description="Where the exporter, or its ultimate parent, is headquartered "
        "(15 CFR 744.11(a)(2)(v), 740.25).",
    )


def _eccn_list(values: list[str]) -> list[str]:
    return [normalize_eccn(v) for v in values]


EccnList = Annotated[list[EccnText], AfterValidator(_eccn_list)]


class Production(_Strict):
    """What the exporter knows of how a foreign-made item was produced (15 CFR 734.9).

    Leave the whole block out when it is not known: foreign direct product rules that need it
    are then undecided (review), never assumed not to apply.
    """

    direct_product_of: EccnList = Field(
        default_factory=list,
        description="ECCNs of US-origin (or EAR-subject) technology or software of which the "
        "item is a direct product, e.g. 3E001, 3D992; empty when none.",
    )
    plant_direct_product_of: EccnList = Field(
        default_factory=list,
        description="ECCNs of US-origin technology or software of which the producing plant, "
        "or a major component of it, is a direct product; empty when none.",
    )
    made_with_us_technology: bool | None = Field(
        default=None,
        description="What an exporter often knows without the ECCNs: the item was made with "
        "US-origin technology or software (true) or with none (false). True with "
        "direct_product_of left empty means the ECCNs are not known: the foreign direct "
        "product rules that turn on them are decided where they cannot apply and asked "
        "where they can; false settles direct_product_of as empty.",
    )
    contains_us_origin_ic: StrictBool = Field(
        default=False,
        description="The item contains a US-origin integrated circuit specified in CCL "
        "Category 3, 4 or 5 (15 CFR 734.4(a)(8)-(9)).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Production:
        if self.made_with_us_technology is False and self.direct_product_of:
            raise ValueError(
                "made_with_us_technology is false but direct_product_of names US technology"
            )
        return self


class Party(_Strict):
    role: PartyRole
    name: NonEmptyText
    country: CountryCode | None = None
    address: str | None = None
    headquarters_country: CountryCode | None = Field(
        default=None,
        description="Where the party, or its ultimate parent, is headquartered (the EAR's "
        "'headquartered in, or whose ultimate parent is headquartered in' tests).",
    )
    owned_by_listed_parties: StrictBool | None = Field(
        default=None,
        description="Listed parties (Entity List, MEU List, SDN) own 50 % or more of this "
        "party, directly or indirectly, alone or in aggregate (the 2025 affiliates rule); "
        "null when not checked.",
    )


def _parameter_schema(name: str) -> dict[str, object]:
    if name in BOOLEAN_PARAMETERS:
        return {"type": "boolean"}
    spec = PARAMETERS[name]
    out: dict[str, object] = {"type": "number", "description": f"{spec.description} ({spec.unit})"}
    out["exclusiveMinimum" if spec.exclusive_minimum else "minimum"] = spec.minimum
    if spec.maximum is not None:
        out["maximum"] = spec.maximum
    return out


_PARAMETER_SCHEMAS: dict[str, Any] = {name: _parameter_schema(name) for name in sorted(PARAMETERS)}


class Item(_Strict):
    description: str = ""
    eccn: EccnText | None = Field(
        default=None,
        description="US classification (e.g. 3B001.f.1 or EAR99); null when unknown.",
        examples=["3B001.c.1.a", "EAR99"],
    )
    control_codes: ControlCodes = Field(
        default_factory=dict,
        description="Per-jurisdiction control list entry as of the transaction date (EU Annex I "
        'entry, Dutch national entry, Japanese list item...), "listed" (on the list, entry not '
        'stated) or "not_listed". Left out, '
        "chokepoint derives what the law allows (shown in derived_facts) or asks (review).",
        examples=[{"EU": "3B001.c.1.a", "JP": "not_listed"}],
    )
    model: str | None = Field(
        default=None,
        max_length=120,
        description="Maker and model as the exporter or its customer names the tool (e.g. "
        "'ASML TWINSCAN NXT:1980Di'). A model in rules/catalog/models.yaml fills the ECCN, "
        "control codes and parameters left out, for the transaction's date; another model "
        "fills nothing (the classification is asked for).",
        examples=["ASML TWINSCAN NXT:1980Di"],
    )
    origin_country: CountryCode | None = None
    us_content_percent: Number | None = Field(
        default=None,
        ge=0,
        le=100,
        description="US-origin controlled content as a share of the item's value, in percent.",
    )
    quantity: Count = Field(default=1, gt=0, le=10**12, description="units")
    value_usd: Number | None = Field(default=None, ge=0)
    parameters: dict[str, float | bool] = Field(
        default_factory=dict,
        json_schema_extra={"properties": _PARAMETER_SCHEMAS, "additionalProperties": False},
    )
    production: Production | None = Field(
        default=None, description="How a foreign-made item was produced; null when unknown."
    )

    @field_validator("eccn")
    @classmethod
    def _eccn(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("empty: give the ECCN (e.g. 3B001.c.1.a, EAR99) or null if unknown")
        return None if value is None else normalize_eccn(value)

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameter_types(cls, value: object) -> object:
        """One message per bad value (not one per member of `float | bool`)."""
        for name, number in value.items() if isinstance(value, dict) else ():
            finite = isinstance(number, int | float) and math.isfinite(number)
            if not (isinstance(number, bool) or finite):
                raise ValueError(
                    f"parameter {name!r} must be a finite number or true/false, got {number!r}"
                )
        return value

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: dict[str, float | bool]) -> dict[str, float | bool]:
        for name, number in value.items():
            spec = PARAMETERS.get(name)
            if spec is None:
                raise ValueError(
                    f"unknown parameter {name!r}; known parameters: {', '.join(sorted(PARAMETERS))}"
                )
            if name in BOOLEAN_PARAMETERS:
                if not isinstance(number, bool):
                    raise ValueError(f"parameter {name!r} must be true or false")
                continue
            if isinstance(number, bool):
                raise ValueError(f"parameter {name!r} must be a number ({spec.unit})")
            too_low = number <= spec.minimum if spec.exclusive_minimum else number < spec.minimum
            if too_low or (spec.maximum is not None and number > spec.maximum):
                bound = f"> {spec.minimum:g}" if spec.exclusive_minimum else f">= {spec.minimum:g}"
                upper = f" and <= {spec.maximum:g}" if spec.maximum is not None else ""
                raise ValueError(
                    f"parameter {name!r} = {number:g} {spec.unit} is impossible: "
                    f"must be {bound}{upper}"
                )
        return value


LicenceException = Annotated[
    str, WithJsonSchema({"type": "string", "enum": sorted(AUTHORISATION_SYMBOLS)})
]


class Service(_Strict):
    """An activity in which no item is exported by the exporter: a US person's shipping,
    facilitating or servicing of an item (typically one not subject to the EAR), or any other
    contract, service or employment (15 CFR 744.6). It is screened as a line of its own, after
    the items; only clauses written for services (a `line.kind` test) apply to it."""

    activity: ServiceActivity
    description: str = ""
    item: Item | None = Field(
        default=None,
        description="The item the service concerns (the tool serviced, the part whose delivery "
        "is arranged), described and classified as an item is; null for support that concerns "
        "no item. Its classification and origin are facts the service clauses test.",
    )


class Line(NamedTuple):
    """One line of a transaction as the screener evaluates it."""

    kind: str  # "goods" or "service" (the fact `line.kind`)
    item: Item
    activity: ServiceActivity | None = None  # a service's activity (`service.activity`)


class EndUse(_Strict):
    description: str = ""
    categories: list[EndUseCategory] = Field(default_factory=list)


class Transaction(_Strict):
    """One proposed export, reexport or transfer, screened as of `date`."""

    id: str | None = None
    date: IsoDate = Field(default_factory=dt.date.today)
    exporter: Exporter
    destination_country: CountryCode
    transit_countries: list[CountryCode] = Field(
        default_factory=list,
        description="Countries the items pass through between export and destination "
        "(transit or transhipment), in route order; empty for a direct shipment. Transit "
        "through the Union reaches EU Art. 7 (Regulation (EU) 2021/821).",
        examples=[["NL"]],
    )
    parties: list[Party] = Field(default_factory=list)
    items: list[Item] = Field(
        default_factory=list,
        description="The goods exported; at least one item or one service. Findings number "
        "the lines: the items first (item_index 0..n-1), then the services (n, n+1...).",
    )
    services: list[Service] = Field(
        default_factory=list,
        description="Services (US-person support, 15 CFR 744.6): screened after the items, "
        "each as one line.",
    )
    end_use: EndUse = Field(default_factory=EndUse)
    us_persons_involved: StrictBool | None = None
    license_exceptions: list[LicenceException] = Field(
        default_factory=list,
        description="Licence exceptions (Part 740 symbols, e.g. LVS, GOV) or general "
        "authorisations (EU001...) the exporter intends "
        "to use. One turns a licence requirement into clear only if its conditions are met.",
        examples=[["LVS"]],
    )

    license_exceptions_confirmed: list[LicenceException] | None = Field(
        default=None,
        description="Licence exceptions whose conditions chokepoint cannot check (consignee "
        "statements for STA, a written assurance for TSR, BIS notification for NAC, a US "
        "government end user for GOV...) the exporter confirms are met. Left out: those "
        "conditions are undecided; an empty list: confirmed for none.",
    )
    strict_assumptions: bool = Field(
        default=False,
        description="Apply no default: a party's headquarters is not taken to be its stated "
        "country, so a decision that would rest on such an assumption asks (review) instead. "
        "Left false, every default applied is listed on the verdicts it affects.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["items"], "properties": {"items": {"minItems": 1}}},
                {"required": ["services"], "properties": {"services": {"minItems": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _something_to_screen(self) -> Transaction:
        if not self.items and not self.services:
            raise ValueError("items: give at least one item (or one service in services)")
        return self

    def lines(self) -> list[Line]:
        """What is screened line by line: each item as a `goods` line, then each service as
        a `service` line carrying the item it concerns (an empty item when none)."""
        return [Line("goods", item) for item in self.items] + [
            Line("service", service.item or Item(), service.activity) for service in self.services
        ]

    @field_validator("license_exceptions", "license_exceptions_confirmed")
    @classmethod
    def _exceptions(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        symbols = [v.strip().upper() for v in value]
        unknown = sorted(set(symbols) - AUTHORISATION_SYMBOLS)
        if unknown:
            raise ValueError(
                f"unknown licence exception {', '.join(unknown)}; Part 740 symbols and "
                f"general authorisations: {', '.join(sorted(AUTHORISATION_SYMBOLS))}"
            )
        return symbols
