"""The oracle rule: durable-rules and the plain Python evaluator fire exactly the same clauses.

Hypothesis generates thousands of transactions over the destinations, ECCNs, dates and
parameters the packs actually test (plus coarse, unknown and missing classifications), and
every clause result (true or undecided) must be identical for every item.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.rules import Leaf, Op
from schemas.transaction import Transaction
from schemas.vocabulary import PARAMETERS, EndUseCategory, ServiceActivity
from screener.conditions import leaves
from screener.engine import Screener
from screener.packs.loader import load_packs

COUNTRIES = [
    "CN",
    "HK",
    "MO",
    "RU",
    "BY",
    "CU",
    "IR",
    "KP",
    "SY",
    "DE",
    "NL",
    "JP",
    "KR",
    "TW",
    "SG",
    "MY",
    "VN",
    "AE",
    "IN",
    "US",
    "IL",
    "SA",
    "UA",
    "MX",
    "GB",
]


def _pack_eccns() -> list[str]:
    found: set[str] = {"EAR99", "3B999", "1C350", "3B001", "3A090"}
    for pack in load_packs():
        for lc in pack.clauses:
            for leaf in leaves(lc.clause.when):
                if isinstance(leaf, Leaf) and leaf.op == Op.eccn_in:
                    for value in leaf.value:
                        parts = value.split(".")
                        found |= {".".join(parts[: i + 1]) for i in range(len(parts))}
                        # a child the CCL's grammar allows: a number under a letter
                        found.add(value + (".1" if parts[-1].isalpha() else ".a"))
    return sorted(found)


ECCNS = _pack_eccns()
NUMERIC = [p for p, spec in PARAMETERS.items() if spec.unit != "bool"]

items = st.fixed_dictionaries(
    {
        "eccn": st.one_of(st.none(), st.sampled_from(ECCNS)),
        "origin_country": st.one_of(st.none(), st.sampled_from(COUNTRIES)),
        "us_content_percent": st.one_of(st.none(), st.sampled_from([0, 5, 10, 10.5, 25, 26, 60])),
        "value_usd": st.one_of(st.none(), st.sampled_from([100, 500, 501, 3000, 5000, 1e6])),
        "parameters": st.dictionaries(
            st.sampled_from(NUMERIC),
            st.sampled_from([1, 1.5, 2, 2.4, 193, 1600, 4800, 6]),
            max_size=3,
        ).map(lambda d: {k: v for k, v in d.items() if v <= (PARAMETERS[k].maximum or v)}),
        # the allies' classifications: given, "listed", "not_listed", or left out (derived
        # from the ECCN where the law allows, else undecided)
        # (PL9013 is a UK Schedule 3 entry and gallium a Chinese list name: refused for the
        # other lists)
        "control_codes": st.dictionaries(
            st.sampled_from(["EU", "NL", "JP", "KR", "TW", "UK", "CN"]),
            st.sampled_from(
                ["not_listed", "listed", "3B001.f.1.a", "3B001.f.4", "PL9013", "gallium"]
            ),
            max_size=3,
        ).map(
            lambda d: {
                j: c
                for j, c in d.items()
                if (j == "UK" or c != "PL9013") and (j == "CN" or c != "gallium")
            }
        ),
    }
)
PARTY_NAMES = [
    "Huawei Technologies Co., Ltd.",  # Entity List FN1 (fixture CSL)
    "KAL TEK LABS",  # Denied Persons List
    "Atlas Sanatgaran",  # Unverified List
    "Chinese Academy of Sciences Institute of Microelectronics",  # Entity List FN5
    "Academy of Aerospace Solid Propulsion Technology",  # MEU List
    "Siemens AG",  # not listed
]
parties = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(
                ["end_user", "ultimate_consignee", "purchaser", "freight_forwarder"]
            ),
            "name": st.sampled_from(PARTY_NAMES),
            "country": st.sampled_from(COUNTRIES),
            "headquarters_country": st.one_of(st.none(), st.sampled_from(COUNTRIES)),
        }
    ),
    max_size=2,
)
transactions = st.builds(
    dict,
    date=st.dates(dt.date(2019, 1, 1), dt.date(2027, 12, 31)).map(str),
    exporter=st.builds(dict, name=st.just("Exporter"), country=st.sampled_from(COUNTRIES)),
    destination_country=st.sampled_from(COUNTRIES),
    transit_countries=st.lists(st.sampled_from(COUNTRIES), max_size=2),
    items=st.lists(items, min_size=1, max_size=3),
    # US-person services (15 CFR 744.6): lines that only service clauses meet
    services=st.lists(
        st.fixed_dictionaries(
            {
                "activity": st.sampled_from([a.value for a in ServiceActivity]),
                "item": st.one_of(st.none(), items),
            }
        ),
        max_size=1,
    ),
    end_use=st.builds(
        dict,
        categories=st.lists(st.sampled_from([c.value for c in EndUseCategory]), max_size=2),
        description=st.sampled_from(["", "wafer fab", "data centre cluster"]),
    ),
    us_persons_involved=st.one_of(st.none(), st.booleans()),
    parties=parties,
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions)
def test_durable_and_python_fire_the_same_clauses(
    screener: Screener, durable_screener: Screener, data: dict
) -> None:
    tx = Transaction.model_validate(data)
    assert durable_screener.raw_results(tx) == screener.raw_results(tx)


def test_the_generator_reaches_findings(screener: Screener) -> None:
    """Guard against a vacuous oracle test: the same kind of input does fire clauses."""
    tx = Transaction.model_validate(
        {
            "exporter": {"name": "E", "country": "US"},
            "destination_country": "CN",
            "items": [{"eccn": None, "origin_country": "US"}],
        }
    )
    assert screener.raw_results(tx)["us-ear"][0] == {
        "us.nexus.in_united_states": True,
        "us.nexus.us_origin": True,
        "us.classification.eccn_missing": True,
    }
    allies = Transaction.model_validate(
        {
            "exporter": {"name": "E", "country": "NL"},
            "destination_country": "CN",
            "items": [{"eccn": "3B001.f.1.a", "control_codes": {"JP": "listed"}}],
        }
    )
    assert screener.raw_results(allies)["eu-dual-use"][0] == {
        "eu.nexus.export_from_union": True,
        "eu.art3.annex_i": True,
    }
