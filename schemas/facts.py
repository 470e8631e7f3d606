"""The fact paths a clause may test, with their types.

Clauses name facts by dotted path (`destination.country_groups`). Every path a clause uses
must be declared here, so that a typo in a rule pack fails when the pack loads instead of
matching nothing forever. The screener derives these facts once per transaction and item
(`screener.facts`) and shows them in the result.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from schemas.vocabulary import BOOLEAN_PARAMETERS, JURISDICTIONS, PARAMETERS

FactType = Literal["string", "number", "bool", "list"]


@dataclass(frozen=True)
class FactSpec:
    path: str
    type: FactType
    description: str
    always: bool = False  # derived for every transaction (from required fields): never missing


_DECLARED: list[FactSpec] = [
    FactSpec("exporter.country", "string", "ISO-2 country the item is exported from", always=True),
    FactSpec(
        "exporter.country_groups",
        "list",
        "EAR Country Groups of the exporter's country",
        always=True,
    ),
    FactSpec(
        "exporter.country_sets",
        "list",
        "allies' country sets (rules/*/tables/country_sets.yaml: EU27, EU001...) the exporter's "
        "country belongs to as of the date",
        always=True,
    ),
    FactSpec("destination.country", "string", "ISO-2 destination as entered", always=True),
    FactSpec(
        "destination.country_sets",
        "list",
        "allies' country sets the destination belongs to as of the date",
        always=True,
    ),
    FactSpec(
        "destination.ear_row",
        "string",
        "Country Chart row that governs the destination (Hong Kong -> CN, 15 CFR 738.3)",
        always=True,
    ),
    FactSpec(
        "destination.country_groups",
        "list",
        "EAR Country Groups of the destination (Supp. No. 1 to Part 740), as of the date",
        always=True,
    ),
    FactSpec(
        "destination.chart_x",
        "list",
        "Country Chart columns with an X for the destination row (e.g. NS2, RS1)",
        always=True,
    ),
    FactSpec(
        "destination.embargoed",
        "bool",
        "destination row points to Part 746 instead of chart marks (Cuba, Iran, NK, Syria)",
        always=True,
    ),
    FactSpec("transit.countries", "list", "countries of transit, as entered", always=True),
    FactSpec(
        "transit.country_sets",
        "list",
        "allies' country sets any transit country belongs to as of the date (EU27: transit "
        "through the Union)",
        always=True,
    ),
    FactSpec("item.eccn", "string", "the item's ECCN as classified by the exporter"),
    FactSpec("item.eccn_entry", "string", "the five-character CCL entry (3B001), or EAR99"),
    FactSpec("item.eccn_known", "bool", "the ECCN (with its paragraphs) is on the CCL"),
    FactSpec(
        "item.eccn_covered",
        "bool",
        "the pack encodes the licence requirements of the item's CCL entry as of the date",
    ),
    FactSpec(
        "line.kind",
        "string",
        "what the line is: goods (an item exported) or service (an activity, 15 CFR 744.6); "
        "a clause meets service lines only if it tests this fact at its top level",
        always=True,
    ),
    FactSpec(
        "service.activity",
        "string",
        "a service line's activity: shipping, facilitation, servicing or support",
    ),
    FactSpec("item.origin_country", "string", "ISO-2 country of origin"),
    FactSpec("item.us_content_percent", "number", "US-origin controlled content, % of value"),
    FactSpec("item.value_usd", "number", "line value in USD"),
    FactSpec("item.quantity", "number", "quantity", always=True),
    FactSpec(
        "end_use.categories", "list", "declared (and inferred) end-use categories", always=True
    ),
    FactSpec("parties.roles", "list", "roles present among the parties", always=True),
    FactSpec(
        "freight_forwarder.countries",
        "list",
        "countries of the freight forwarder parties (empty when none is named)",
        always=True,
    ),
    FactSpec(
        "purchaser.outside_destination",
        "bool",
        "a purchaser party is located in a country other than the destination (false when no "
        "purchaser with a country is named)",
        always=True,
    ),
    FactSpec("parties.countries", "list", "countries of all parties", always=True),
    FactSpec("end_user.country", "string", "country of the end user party"),
    FactSpec(
        "parties.headquarters_countries",
        "list",
        "headquarters (or ultimate parent's) countries of the parties; absent unless every "
        "party states one, since one unknown parent could be in Macau or D:5",
    ),
    FactSpec(
        "parties.headquarters_country_groups",
        "list",
        "EAR Country Groups of those headquarters countries (Hong Kong read as China)",
    ),
    FactSpec("us_persons_involved", "bool", "US persons take part (15 CFR 744.6)"),
    FactSpec("exporter.headquarters_country", "string", "exporter's (or parent's) HQ country"),
    FactSpec("exporter.headquarters_country_groups", "list", "EAR Country Groups of that HQ"),
    FactSpec(
        "item.production.direct_product_of",
        "list",
        "CCL entries (3E001, 3D992...) of US technology/software the item is a direct product "
        "of; absent when production is unknown",
    ),
    FactSpec(
        "item.production.plant_direct_product_of",
        "list",
        "CCL entries of US-origin technology/software the producing plant is a direct product of",
    ),
    FactSpec(
        "item.production.contains_us_origin_ic",
        "bool",
        "contains a US-origin IC specified in CCL Category 3, 4 or 5",
    ),
    FactSpec(
        "license_exceptions.claimed",
        "list",
        "licence exceptions the exporter intends to use",
        always=True,
    ),
    FactSpec(
        "license_exceptions.confirmed",
        "list",
        "licence exceptions whose conditions outside chokepoint's facts the exporter confirms; "
        "absent when the transaction does not say",
    ),
    FactSpec(
        "end_use.inferred",
        "list",
        "end-use categories inferred from the free-text description "
        "(rules/vocabulary/end_use.yaml)",
        always=True,
    ),
    FactSpec(
        "parties.lists",
        "list",
        "restricted-party lists with a strong (or reviewer-confirmed) hit on a party: "
        "entity_list, denied_persons, unverified, military_end_user, sdn, ... Absent when no "
        "list was screened",
    ),
    FactSpec(
        "parties.review_lists",
        "list",
        "lists with a review-band hit on a party that no reviewer has adjudicated",
    ),
    FactSpec(
        "parties.unreadable_scripts",
        "list",
        "scripts (Han, Cyrillic, Katakana, ...) of party names the lists do not carry that no "
        "reading matched with confidence: the screening could not tell whether they are listed",
    ),
    FactSpec("end_user.lists", "list", "lists with a strong hit on the end user"),
    FactSpec(
        "parties.owned_by_listed",
        "bool",
        "some party is 50 %+ owned by listed parties; absent unless every party says",
    ),
    FactSpec(
        "parties.entity_list_footnotes",
        "list",
        "Entity List footnotes (FN1, FN3, FN4, FN5) of listed parties to the transaction. Filled "
        "by restricted-party screening; absent until it runs, so clauses that need it are "
        "undecided (review), never silently clear",
    ),
]
_DECLARED += [
    FactSpec(
        f"item.parameters.{name}",
        "bool" if name in BOOLEAN_PARAMETERS else "number",
        f"{spec.description} [{spec.unit}]",
    )
    for name, spec in PARAMETERS.items()
]
_HEAD = len(_DECLARED)  # the control codes, one per jurisdiction, are listed here
_DECLARED.append(
    FactSpec(
        "item.model_catalog",
        "list",
        "the catalog entry an item's model matched (rules/catalog/models.yaml) and what it "
        "filled, each with its dates and source, or that the model is not in the catalog; "
        "shown, not tested",
    )
)
_DECLARED.append(
    FactSpec(
        "item.control_codes_read",
        "list",
        "how a control code in a jurisdiction's native numbering was read (Japanese Appended "
        "Table 1 / Goods Ordinance entries, rules/jp/tables/numbering.yaml); shown, not tested",
    )
)
_DECLARED.append(
    FactSpec(
        "item.control_codes_derived",
        "list",
        "control codes chokepoint derived because the transaction left them out, each with the "
        "rule of law that allows it (rules/*/tables/control_codes.yaml); shown, not tested",
    )
)

CONTROL_CODE = "item.control_codes."


@cache
def _control_code_fact(jurisdiction: str) -> FactSpec:
    return FactSpec(
        f"{CONTROL_CODE}{jurisdiction}",
        "string",
        f"{jurisdiction} control list entry, or not_listed",
    )


class FactCatalogue(Mapping[str, FactSpec]):
    """Every declared fact path: the fixed ones above and `item.control_codes.<J>` for every
    jurisdiction known (schemas.vocabulary.JURISDICTIONS, which the packs register), so a new
    jurisdiction's pack may test its own control code without a Python edit."""

    def __init__(self, declared: list[FactSpec], head: int) -> None:
        self._fixed = {spec.path: spec for spec in declared}
        self._head = [spec.path for spec in declared[:head]]
        self._tail = [spec.path for spec in declared[head:]]

    def get(self, path: str, default: FactSpec | None = None) -> FactSpec | None:  # type: ignore[override]
        spec = self._fixed.get(path)
        if spec is not None:
            return spec
        if path.startswith(CONTROL_CODE) and path[len(CONTROL_CODE) :] in JURISDICTIONS:
            return _control_code_fact(path[len(CONTROL_CODE) :])
        return default

    def __getitem__(self, path: str) -> FactSpec:
        spec = self.get(path)
        if spec is None:
            raise KeyError(path)
        return spec

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self._head
        yield from (f"{CONTROL_CODE}{j}" for j in JURISDICTIONS)
        yield from self._tail

    def __len__(self) -> int:
        return len(self._fixed) + len(JURISDICTIONS)


FACTS = FactCatalogue(_DECLARED, _HEAD)


#: What a line of a shipment stream carries beyond the transaction's own facts: who the
#: consignee and end user are across shipments and how long the consignee has been known
#: (derived per line by screener.patterns.stream.LineBuilder). Patterns only: no clause
#: screens one transaction on them.
STREAM_FACTS: list[FactSpec] = [
    FactSpec(
        "consignee.key",
        "string",
        "the ultimate consignee (else the end user): normalised name | country",
    ),
    FactSpec("consignee.country", "string", "country of that consignee"),
    FactSpec(
        "consignee.days_known",
        "number",
        "days since the consignee's first shipment in the stream (0 on its first)",
    ),
    FactSpec("end_user.key", "string", "the end user: normalised name | country"),
    FactSpec(
        "consignee.is_end_user",
        "bool",
        "the consignee is the end user; absent when no end user is named",
    ),
]

#: The facts a pattern (schemas/patterns.py) may select, group or count on: six of the
#: transaction's facts, the same specs as a clause reads, and the stream facts. Missing
#: facts are absent (a selector that needs one is undecided, and an undecided line is not
#: selected: a pattern alerts on what it knows).
LINE_FACTS: dict[str, FactSpec] = {
    path: FACTS[path]
    for path in (
        "item.eccn",
        "item.eccn_entry",
        "item.value_usd",
        "destination.country",
        "exporter.country",
        "end_user.country",
    )
} | {spec.path: spec for spec in STREAM_FACTS}
