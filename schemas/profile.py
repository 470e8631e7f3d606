"""Jurisdiction profiles: what each regime's instruments can reach, who enforces them, and
the dates of its semiconductor measures, as data (`rules/profiles/*.yaml`).

A profile also says how much of the regime chokepoint encodes (`coverage`), so that a
jurisdiction with thin verified content says so instead of pretending to coverage; gap
reports quote it next to each jurisdiction's answer.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.rules import Confidence
from schemas.transaction import CountryCode, JurisdictionCode


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reach(StrEnum):
    """What an instrument can reach."""

    list_control = "list_control"  # listed items, by destination
    catch_all = "catch_all"  # non-listed items, by end use or end user
    entity_list = "entity_list"  # named foreign parties
    extraterritorial_direct_product = "extraterritorial_direct_product"  # foreign-made items
    de_minimis = "de_minimis"  # foreign-made items with the regime's content
    persons = "persons"  # the regime's persons wherever they act
    services = "services"  # technical assistance, servicing, brokering
    sanctions = "sanctions"  # country-wide prohibitions


class Instrument(_Strict):
    name: str
    citation: str
    reach: list[Reach] = Field(min_length=1)
    encoded: bool = Field(description="chokepoint's pack encodes it (in part at least)")
    note: str = ""
    confidence: Confidence


class Measure(_Strict):
    date: dt.date
    title: str
    citation: str
    encoded: bool
    confidence: Confidence


class Profile(_Strict):
    jurisdiction: JurisdictionCode
    name: str
    as_of: dt.date = Field(description="date the profile was last checked against its sources")
    baseline_exporter_country: CountryCode = Field(
        description="ship-from country used when a gap report asks 'as if exported from here'"
    )
    alternate_exporter_country: CountryCode | None = Field(
        default=None,
        description="ship-from country when the destination is the baseline one (e.g. an "
        "intra-EU shipment to Germany asked of the EU from France)",
    )
    exported_from_set: str | None = Field(
        default=None,
        description="a country set (rules/*/tables/country_sets.yaml) from every member of "
        "which the jurisdiction reaches an export, so a gap report keeps the transaction's "
        "own exporter country when it is one (EU27 for the Union); without it only the "
        "baseline country is kept",
    )
    enforcing_agency: str
    coverage: Literal["encoded", "partial", "thin"]
    coverage_note: str
    instruments: list[Instrument] = Field(min_length=1)
    semiconductor_measures: list[Measure] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for gap explanations."""
        reach = sorted({r.value for i in self.instruments for r in i.reach})
        return (
            f"{self.name}; enforced by {self.enforcing_agency}; reaches: {', '.join(reach)}; "
            f"chokepoint coverage: {self.coverage} ({self.coverage_note}); profile as of "
            f"{self.as_of}"
        )
