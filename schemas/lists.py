"""Restricted-party lists and hits: the contract between list import, matching and screening.

A list import yields `ListEntry` rows (one per listed party, every alias on it) and a
`ListVersion` (source, publication date, content hash). Matching yields `PartyHit`s that
explain themselves: which list and entry, which alias, the token alignment, the band.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class ListCode(StrEnum):
    """The lists chokepoint knows how to act on. `other` is any list imported by mapping."""

    entity_list = "entity_list"  # BIS Entity List, Supp. No. 4 to Part 744 (15 CFR 744.11)
    denied_persons = "denied_persons"  # BIS Denied Persons List (Part 764; GP4, 736.2(b)(4))
    unverified = "unverified"  # BIS Unverified List, Supp. No. 6 to Part 744 (744.15)
    military_end_user = "military_end_user"  # BIS MEU List, Supp. No. 7 to Part 744 (744.21)
    sdn = "sdn"  # OFAC Specially Designated Nationals (31 CFR Chapter V)
    nonproliferation = "nonproliferation"  # State ISN lists
    itar_debarred = "itar_debarred"  # State DDTC AECA debarred
    ssi = "ssi"  # OFAC Sectoral Sanctions Identifications
    cmic = "cmic"  # OFAC NS-CMIC
    other_ofac = "other_ofac"  # OFAC FSE, CAPTA, PLC, NS-MBS ...
    japan_end_user = "japan_end_user"  # METI End User List
    cn_unreliable_entity = "cn_unreliable_entity"  # MOFCOM Unreliable Entity List (UEL)
    cn_export_control_list = "cn_export_control_list"  # MOFCOM export control control list
    tw_shtc_entity = "tw_shtc_entity"  # Taiwan ITA Strategic High-Tech Commodities Entity List
    eu_sanctions = "eu_sanctions"  # EU consolidated financial sanctions list (FSD)
    uk_sanctions = "uk_sanctions"  # FCDO UK Sanctions List
    other = "other"  # a company's own or another authority's list (generic CSV)


class AliasType(StrEnum):
    primary = "primary"
    aka = "aka"
    fka = "fka"
    weak = "weak"  # OFAC "weak a.k.a.": only exact matches count


class Alias(BaseModel):
    name: str
    type: AliasType = AliasType.aka
    source: str | None = Field(
        default=None,
        description="where an alias the list itself does not carry comes from (a native-script "
        "name from public data: dataset, record, date); None for the list's own names",
    )


class EntityType(StrEnum):
    person = "person"
    organization = "organization"
    vessel = "vessel"
    aircraft = "aircraft"
    unknown = "unknown"


class ListEntry(BaseModel):
    list_code: ListCode
    source: str = Field(
        description="the list as its publisher names it, e.g. "
        "'Entity List (EL) - Bureau of Industry and Security'"
    )
    entry_id: str = Field(description="stable id within the list (entity number, row id)")
    name: str
    aliases: list[Alias] = Field(default_factory=list)
    entity_type: EntityType = EntityType.unknown
    countries: list[str] = Field(
        default_factory=list, description="ISO-2 codes of addresses/nationality"
    )
    addresses: list[str] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    license_requirement: str | None = None
    license_policy: str | None = None
    footnotes: list[str] = Field(
        default_factory=list, description="Entity List footnote designations: FN1, FN3, FN4, FN5"
    )
    federal_register_notice: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def all_names(self) -> list[Alias]:
        return [Alias(name=self.name, type=AliasType.primary), *self.aliases]


class ListVersion(BaseModel):
    name: str = Field(description="the name the list was imported under, e.g. 'csl'")
    format: str
    source: str = Field(description="file path or URL it was read from")
    published: dt.date | None = Field(description="publication date stated by the file, if any")
    content_hash: str = Field(description="sha256 of the imported bytes")
    imported_at: dt.datetime
    entries: int


class Band(StrEnum):
    exact = "exact"
    strong = "strong"
    review = "review"


class TokenMatch(BaseModel):
    """One aligned pair of the explanation: a query token, the list token, their similarity."""

    query: str | None
    listed: str | None
    similarity: float
    weight: float


class PartyHit(BaseModel):
    party_index: int | None = None
    role: str | None = None
    query: str
    list_code: ListCode
    source: str
    entry_id: str
    entry_name: str
    matched_alias: str
    alias_type: AliasType
    alias_source: str | None = Field(
        default=None, description="source of the matched alias when the list does not carry it"
    )
    transliteration: str | None = Field(
        default=None,
        description="for a name in another script: the reading that matched, e.g. "
        "'Palladius -> pinyin: hua wei'",
    )
    also_listed: list[str] = Field(
        default_factory=list,
        description="other imported lists carrying the same listed entity (list versions); "
        "one entity gives one hit",
    )
    score: float
    band: Band
    alignment: list[TokenMatch] = Field(default_factory=list)
    adjustments: list[str] = Field(
        default_factory=list, description="country/address qualifiers applied"
    )
    footnotes: list[str] = Field(default_factory=list)
    license_requirement: str | None = None
    license_policy: str | None = None
    list_version: str = Field(description="'<name>@<content hash>' of the list version used")
    adjudication: str | None = Field(
        default=None, description="a reviewer's recorded decision, if any"
    )
