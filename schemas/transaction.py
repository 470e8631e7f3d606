"""The proposed transaction: what an exporter asks chokepoint to screen.

Classification is the exporter's input (ECCN, per-jurisdiction control codes); chokepoint
derives everything else (country groups, chart columns, ECCN hierarchy) and shows it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from schemas.vocabulary import (
    BOOLEAN_PARAMETERS,
    COUNTRY_CODES,
    ECCN_MAX_LENGTH,
    ECCN_SCHEMA_PATTERN,
    JURISDICTIONS,
    LICENSE_EXCEPTIONS,
    PARAMETERS,
    EndUseCategory,
    PartyRole,
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
JurisdictionCode = Annotated[
    str,
    AfterValidator(_jurisdiction),
    WithJsonSchema({"type": "string", "enum": sorted(JURISDICTIONS)}),
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

NOT_LISTED = "not_listed"
LISTED = "listed"  # on the list, entry not stated (e.g. a national annex whose numbering is unread)
_CONTROL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.()/-]{0,39}$")
ControlCodeText = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": r"^\s*[0-9A-Za-z][0-9A-Za-z.()/-]{0,39}\s*$"})
]


def _control_codes(codes: dict[str, str]) -> dict[str, str]:
    """A control code is one list entry as its list writes it (`3B001.f.1.a`, `3B1001.l`), or
    the explicit `listed` (entry not stated) or `not_listed`: an empty or free-text value would
    silently match nothing."""
    out: dict[str, str] = {}
    for jurisdiction, raw in codes.items():
        code = raw.strip()
        if code.lower() in (NOT_LISTED, LISTED):
            out[jurisdiction] = code.lower()
            continue
        if not _CONTROL_CODE.match(code):
            raise ValueError(
                f"control code {raw!r} for {jurisdiction}: expected a list entry such as "
                f"3B001.f.1.a (letters, digits, '.', '(', ')', '/', '-'; no spaces), "
                f"{LISTED!r} or {NOT_LISTED!r}"
            )
        out[jurisdiction] = code
    return out


ControlCodes = Annotated[dict[JurisdictionCode, ControlCodeText], AfterValidator(_control_codes)]


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
    contains_us_origin_ic: StrictBool = Field(
        default=False,
        description="The item contains a US-origin integrated circuit specified in CCL "
        "Category 3, 4 or 5 (15 CFR 734.4(a)(8)-(9)).",
    )


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


_PARAMETER_SCHEMAS = {name: _parameter_schema(name) for name in sorted(PARAMETERS)}


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
    str, WithJsonSchema({"type": "string", "enum": sorted(LICENSE_EXCEPTIONS)})
]


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
    items: list[Item] = Field(min_length=1)
    end_use: EndUse = Field(default_factory=EndUse)
    us_persons_involved: StrictBool | None = None
    license_exceptions: list[LicenceException] = Field(
        default_factory=list,
        description="Licence exceptions (Part 740 symbols, e.g. LVS, GOV) the exporter intends "
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

    @field_validator("license_exceptions", "license_exceptions_confirmed")
    @classmethod
    def _exceptions(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        symbols = [v.strip().upper() for v in value]
        unknown = sorted(set(symbols) - LICENSE_EXCEPTIONS)
        if unknown:
            raise ValueError(
                f"unknown licence exception {', '.join(unknown)}; Part 740 symbols: "
                f"{', '.join(sorted(LICENSE_EXCEPTIONS))}"
            )
        return symbols
