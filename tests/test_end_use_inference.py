"""End-use categories inferred from free text: shown, negation-aware, never replacing declared."""

from __future__ import annotations

from screener.engine import Screener


def facts(screener: Screener, description: str, categories: list[str] | None = None) -> dict:
    return screener.screen(
        {
            "exporter": {"name": "E", "country": "US"},
            "destination_country": "CN",
            "items": [{"eccn": "EAR99", "origin_country": "US"}],
            "end_use": {"description": description, "categories": categories or []},
        }
    ).derived_facts[0]


def test_categories_named_in_the_description_are_inferred_and_shown(screener: Screener) -> None:
    got = facts(screener, "Volume production of 7 nm FinFET logic for a data-centre cluster")
    assert got["end_use.inferred"] == ["advanced_node_ic_production", "data_center"]
    assert set(got["end_use.categories"]) == {"advanced_node_ic_production", "data_center"}
    assert got["end_use.inferred_from"] == [
        "advanced_node_ic_production: 'finfet'",
        "data_center: 'data centre'",
    ]


def test_negated_mentions_are_not_inferred(screener: Screener) -> None:
    got = facts(screener, "Consumer routers, not for military use; no data center")
    assert got["end_use.inferred"] == []


def test_declared_categories_are_not_reported_as_inferred(screener: Screener) -> None:
    got = facts(screener, "supercomputer upgrade", ["supercomputer"])
    assert got["end_use.categories"] == ["supercomputer"]
    assert got["end_use.inferred"] == []


def test_mature_node_is_not_advanced(screener: Screener) -> None:
    assert facts(screener, "28 nm display drivers")["end_use.inferred"] == []
