"""Tools named by model (`items[].model`, rules/catalog/models.yaml): the catalog fills the
classification the exporter left out, for the transaction's date, and shows its source."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.result import Decision
from schemas.transaction import Item
from screener.catalog import Catalog
from screener.engine import Screener
from screener.packs.loader import DEFAULT_RULES_DIR

CATALOG = Catalog.load(DEFAULT_RULES_DIR)


def nl_tx(model: str, day: str, destination: str = "CN", **item: object) -> dict[str, object]:
    return {
        "date": day,
        "exporter": {"name": "Example Lithography B.V.", "country": "NL"},
        "destination_country": destination,
        "items": [{"model": model, "origin_country": "NL", **item}],
    }


def test_nxt1980di_to_china_after_the_september_2024_measure(unscreened: Screener) -> None:
    result = unscreened.screen(nl_tx("ASML TWINSCAN NXT:1980Di", "2025-01-20"))
    nl = result.jurisdictions["NL"]
    assert nl.decision == Decision.license_required
    assert [f.rule_id for f in nl.findings if f.decisive] == ["nl.regeling_2024.art2"]
    shown = result.derived_facts[0]["item.model_catalog"]
    assert shown[0].startswith("model 'ASML TWINSCAN NXT:1980Di': catalog entry asml.nxt1980di")
    (nl_line,) = [line for line in shown if line.startswith("NL: listed")]
    assert "from 2024-09-07" in nl_line and "BZ2404162" in nl_line
    assert result.derived_facts[0]["item.parameters.immersion"] is True
    assert result.jurisdictions["EU"].decision == Decision.clear  # not an Annex I item


def test_before_the_measure_the_law_of_that_date(unscreened: Screener) -> None:
    before = unscreened.screen(nl_tx("NXT:1980Di", "2024-06-01"))
    nl = before.jurisdictions["NL"]
    assert "nl.regeling_2024.art2" not in [f.rule_id for f in nl.findings]
    assert before.derived_facts[0]["item.control_codes.NL"] == "not_listed"
    # the 2023 annex reached overlay <= 1.5 nm: the catalog gives no overlay, so it is asked
    assert nl.decision == Decision.review
    assert {m for f in nl.findings for m in f.missing_facts} == {"item.parameters.overlay_nm"}
    stated = unscreened.screen(nl_tx("NXT:1980Di", "2024-06-01", parameters={"overlay_nm": 2.0}))
    assert stated.jurisdictions["NL"].decision == Decision.clear


def test_the_exporters_classification_wins(unscreened: Screener) -> None:
    tx = nl_tx("NXT:1980Di", "2025-01-20", control_codes={"NL": "not_listed"})
    result = unscreened.screen(tx)
    assert result.derived_facts[0]["item.control_codes.NL"] == "not_listed"
    assert not any(line.startswith("NL:") for line in result.derived_facts[0]["item.model_catalog"])


def test_euv_model_needs_the_eu_licence_in_nl(unscreened: Screener) -> None:
    result = unscreened.screen(nl_tx("NXE:3600D", "2024-06-01"))
    assert result.derived_facts[0]["item.eccn"] == "3B001.f.1.a"
    assert result.jurisdictions["NL"].decision == Decision.license_required
    assert "nl.eu.art3.annex_i" in [f.rule_id for f in result.jurisdictions["NL"].findings]


def test_unknown_model_asks_for_the_classification(unscreened: Screener) -> None:
    result = unscreened.screen(nl_tx("Example Litho X-1", "2025-01-20"))
    (note,) = result.derived_facts[0]["item.model_catalog"]
    assert "not in the catalog" in note
    nl = result.jurisdictions["NL"]
    assert nl.decision == Decision.review
    assert "item.control_codes.NL" in {m for f in nl.findings for m in f.missing_facts}


@pytest.mark.parametrize(
    ("written", "entry"),
    [
        ("ASML TWINSCAN NXT:1980Di", "asml.nxt1980di"),
        ("nxt 1980di", "asml.nxt1980di"),
        ("TWINSCAN NXT:2000i", "asml.nxt2000i"),
        ("ASML EXE:5000", "asml.exe"),
        ("NXT:1980i", "asml.nxt1980i"),
    ],
)
def test_model_names_match_however_written(written: str, entry: str) -> None:
    found = CATALOG.lookup(written)
    assert found is not None and found.id == entry


def test_every_catalog_span_is_cited_and_dated_sensibly() -> None:
    for entry in CATALOG.entries:
        spans = entry.eccn + [s for v in entry.control_codes.values() for s in v]
        assert spans and entry.parameters_source is not None, entry.id
        for span in spans:
            assert span.confidence.source.strip(), entry.id
            assert span.start is None or span.end is None or span.start <= span.end
        Item(parameters=entry.parameters)  # declared parameters, physical bounds
    nl = CATALOG.lookup("NXT:2000i")
    assert nl is not None
    assert CATALOG.fill(Item(model="NXT:2000i"), dt.date(2023, 8, 31)).codes["NL"] == "not_listed"
    assert CATALOG.fill(Item(model="NXT:2000i"), dt.date(2023, 9, 1)).codes["NL"] == "listed"


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("immersion", True, True),
        ("multi_beam", False, True),
        ("euv_resist_processing", True, True),
        ("die_area_mm2", 814.0, True),
        ("die_area_mm2", 0, False),
        ("immersion", 1.0, False),
    ],
)
def test_declared_parameters(name: str, value: object, ok: bool) -> None:
    if ok:
        assert Item(parameters={name: value}).parameters[name] == value
    else:
        with pytest.raises(ValueError, match=name):
            Item(parameters={name: value})
