"""Reference tables of the US pack (Country Chart, Country Groups, CCL) as typed lookups.

The tables are regulation text turned into data (`rules/us/tables/*.yaml`, generated from the
eCFR by `tools/build_us_tables.py`); this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


@dataclass(frozen=True)
class CclEntry:
    eccn: str
    heading: str
    reasons: tuple[str, ...]
    top_paragraphs: frozenset[str] | None  # None: the extraction has no paragraph detail


@dataclass
class UsTables:
    """Country Chart, Country Groups and CCL index, keyed by ISO-2 code and ECCN."""

    chart_x: dict[str, tuple[str, ...]]
    chart_names: dict[str, str]
    embargoed: dict[str, tuple[str, ...]]  # ISO-2 -> sections the row points to
    inherit: dict[str, str]  # territory ISO-2 -> ISO-2 of the governing row
    groups: dict[str, frozenset[str]]  # group -> members
    ccl: dict[str, CclEntry]
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> UsTables:
        chart = _read(folder / "country_chart.yaml")
        groups = _read(folder / "country_groups.yaml")
        ccl = _read(folder / "ccl.yaml")
        entries: dict[str, CclEntry] = {}
        for eccn, entry in ccl["entries"].items():
            paragraphs = entry.get("paragraphs")
            top = (
                frozenset(str(p).split(".")[0] for p in paragraphs if p) | {"z"}
                if paragraphs
                else None
            )
            entries[str(eccn)] = CclEntry(
                eccn=str(eccn),
                heading=entry.get("heading", ""),
                reasons=tuple(entry.get("reasons", [])),
                top_paragraphs=top,
            )
        return cls(
            chart_x={str(k): tuple(v.get("x", [])) for k, v in chart["rows"].items()},
            chart_names={str(k): v["name"] for k, v in chart["rows"].items()}
            | {str(k): v["name"] for k, v in chart["embargoed"].items()},
            embargoed={str(k): tuple(v.get("sections", [])) for k, v in chart["embargoed"].items()},
            inherit={str(k): str(v["row"]) for k, v in chart.get("inherit", {}).items()},
            groups={str(g): frozenset(map(str, v["members"])) for g, v in groups["groups"].items()},
            ccl=entries,
            sources={
                "country_chart": f"{chart['citation']}, eCFR {chart['source']['ecfr_issue_date']}",
                "country_groups": (
                    f"{groups['citation']}, eCFR {groups['source']['ecfr_issue_date']}"
                ),
                "ccl": f"{ccl['citation']}, eCFR {ccl['source']['ecfr_issue_date']}",
            },
        )

    @cached_property
    def groups_by_country(self) -> dict[str, tuple[str, ...]]:
        by_country: dict[str, list[str]] = {}
        for group, members in sorted(self.groups.items()):
            for code in members:
                by_country.setdefault(code, []).append(group)
        return {code: tuple(gs) for code, gs in by_country.items()}

    def ear_row(self, country: str) -> str:
        """The row that governs a destination: Hong Kong is read as China (85 FR 83788)."""
        return self.inherit.get(country, country)

    def country_groups(self, country: str) -> tuple[str, ...]:
        return self.groups_by_country.get(self.ear_row(country), ())

    def eccn_known(self, eccn: str) -> bool:
        if eccn == "EAR99":
            return True
        head, _, rest = eccn.partition(".")
        entry = self.ccl.get(head)
        if entry is None:
            return False
        if not rest or entry.top_paragraphs is None:
            return True
        return rest.split(".")[0] in entry.top_paragraphs
