"""Dated country sets of the allies' packs (EU27, EU001 destinations...), read from data.

The US pack carries the EAR's Country Groups in its own tables; the allies name their
destinations through sets such as the EU member states or the destinations of Union general
export authorisation EU001. Each set lives in `rules/<pack>/tables/country_sets.yaml` with
its citation and, per member, the dates of membership, so that a transaction dated before a
country joined (or after it left) is screened with the membership of its own date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from schemas.vocabulary import COUNTRY_CODES

FILE = "country_sets.yaml"


@dataclass(frozen=True)
class Membership:
    country: str
    start: dt.date | None  # None: from before anything the packs encode
    end: dt.date | None  # last day of membership (inclusive); None while a member

    def on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class CountrySet:
    name: str
    title: str
    citation: str
    confidence: str
    members: tuple[Membership, ...]


@dataclass
class CountrySets:
    """Every pack's country sets, by name (names are unique across packs)."""

    sets: dict[str, CountrySet] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._of = lru_cache(maxsize=4096)(self._sets_of)

    @classmethod
    def load(cls, rules_dir: Path) -> CountrySets:
        """Read every `*/tables/country_sets.yaml`; raise ValueError naming file and problem."""
        found: dict[str, CountrySet] = {}
        for path in sorted(rules_dir.glob(f"*/tables/{FILE}")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for name, raw in (data.get("sets") or {}).items():
                if name in found:
                    raise ValueError(f"{path}: country set {name} is defined twice")
                found[str(name)] = _parse(path, str(name), raw)
        return cls(found)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.sets)

    def of(self, country: str, day: dt.date) -> list[str]:
        """Names of the sets `country` belongs to on `day`, sorted."""
        return list(self._of(country, day))

    def _sets_of(self, country: str, day: dt.date) -> tuple[str, ...]:
        return tuple(
            sorted(
                name
                for name, s in self.sets.items()
                if any(m.country == country and m.on(day) for m in s.members)
            )
        )


def _date(path: Path, value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    raise ValueError(f"{path}: {value!r} is not a date (YYYY-MM-DD)")


def _parse(path: Path, name: str, raw: dict[str, Any]) -> CountrySet:
    for key in ("title", "citation", "confidence", "members"):
        if key not in raw:
            raise ValueError(f"{path}: country set {name} has no {key}")
    members = []
    for m in raw["members"]:
        code = str(m["country"])
        if code not in COUNTRY_CODES:
            raise ValueError(f"{path}: country set {name}: {code!r} is not an ISO-2 code")
        members.append(Membership(code, _date(path, m.get("from")), _date(path, m.get("to"))))
    conf = raw["confidence"]
    return CountrySet(
        name=name,
        title=str(raw["title"]),
        citation=str(raw["citation"]),
        confidence=f"{conf['level']}: {conf['source']}",
        members=tuple(members),
    )
