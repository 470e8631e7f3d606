"""A member state is the EU regime as its authority applies it, plus its national measures;
and the Union general export authorisation EU001 overcomes the Art. 3 requirement.

The acceptance cases of the issue, against the real packs: an EUV scanner (EU 3B001.f.1.a,
derived from ECCN 3B001.f.1.a) from the Netherlands to a Chinese foundry and to Japan, and to
Russia; a member state (France) added from data files alone.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from schemas.result import Decision
from screener.engine import Screener
from screener.gaps.analysis import GapAnalyzer, MatrixBuilder, load_baseline
from screener.packs.loader import DEFAULT_RULES_DIR, PackError, load_packs
from screener.packs.profiles import load_profiles

EU_AS_NL = "Regulation (EU) 2021/821 as applied by the Netherlands"


def euv(destination: str, day: str, **extra: object) -> dict[str, object]:
    return {
        "date": day,
        "exporter": {"name": "Example Lithography B.V.", "country": "NL"},
        "destination_country": destination,
        "parties": [
            {"role": "end_user", "name": "Example Foundry Co., Ltd.", "country": destination}
        ],
        "items": [{"description": "EUV scanner", "eccn": "3B001.f.1.a", "origin_country": "NL"}],
        **extra,
    }


def test_euv_to_a_chinese_foundry_needs_the_eu_licence_in_nl(unscreened: Screener) -> None:
    result = unscreened.screen(euv("CN", "2024-06-01"))
    nl, eu = result.jurisdictions["NL"], result.jurisdictions["EU"]
    assert nl.decision == eu.decision == Decision.license_required
    (finding,) = [f for f in nl.findings if f.rule_id == "nl.eu.art3.annex_i"]
    assert finding.jurisdiction == "NL" and finding.instrument == EU_AS_NL
    assert finding.citation == "Regulation (EU) 2021/821, Art. 3(1) and Annex I"
    assert finding.decisive and finding.outcome.value == "license_required"
    (own,) = [f for f in eu.findings if f.rule_id == "eu.art3.annex_i"]
    assert own.instrument == "Regulation (EU) 2021/821"  # the EU verdict is kept


def test_national_findings_name_the_dutch_regulation(unscreened: Screener) -> None:
    tx = euv("CN", "2025-06-01")
    codes = {"EU": "not_listed", "NL": "listed"}
    tx["items"] = [{"eccn": "3B001.f.1.b.2", "origin_country": "NL", "control_codes": codes}]
    nl = unscreened.screen(tx).jurisdictions["NL"]
    (finding,) = [f for f in nl.findings if f.rule_id == "nl.regeling_2024.art2"]
    assert (finding.instrument or "").startswith("Regeling geavanceerde productieapparatuur")
    assert not any(f.rule_id.startswith("nl.eu.") for f in nl.findings if f.decisive)


def test_russia_prohibition_shows_in_nl(unscreened: Screener) -> None:
    nl = unscreened.screen(euv("RU", "2025-06-01")).jurisdictions["NL"]
    assert nl.decision == Decision.prohibited
    (finding,) = [f for f in nl.findings if f.rule_id == "nl.eu.russia.dual_use"]
    assert finding.instrument == "Council Regulation (EU) No 833/2014 as applied by the Netherlands"


def test_euv_to_japan_is_clear_under_eu001_in_eu_and_nl(unscreened: Screener) -> None:
    claimed = {"license_exceptions": ["EU001"], "license_exceptions_confirmed": ["EU001"]}
    result = unscreened.screen(euv("JP", "2025-03-01", **claimed))
    for j, rule in (("EU", "eu.art3.annex_i_eu001"), ("NL", "nl.eu.art3.annex_i_eu001")):
        verdict = result.jurisdictions[j]
        assert verdict.decision == Decision.clear, j
        (finding,) = [f for f in verdict.findings if f.rule_id == rule]
        assert finding.overcome_by == "EU001" and not finding.decisive
        (advice,) = finding.license_exceptions
        assert advice.status == "available" and "Annex II Section A" in advice.citation
        assert "general authorisation EU001" in finding.explanation


def test_eu001_unconfirmed_or_excluded_leaves_the_licence(unscreened: Screener) -> None:
    unconfirmed = unscreened.screen(euv("JP", "2025-03-01", license_exceptions=["EU001"]))
    nl = unconfirmed.jurisdictions["NL"]
    assert nl.decision == Decision.license_required
    (finding,) = [f for f in nl.findings if f.rule_id == "nl.eu.art3.annex_i_eu001"]
    (advice,) = finding.license_exceptions
    assert advice.status == "undecided"
    assert advice.missing_facts == ["license_exceptions.confirmed"]
    wmd = euv(
        "JP",
        "2025-03-01",
        license_exceptions=["EU001"],
        license_exceptions_confirmed=["EU001"],
        end_use={"categories": ["nuclear"]},
    )
    assert unscreened.screen(wmd).jurisdictions["EU"].decision == Decision.license_required
    korea = euv(
        "KR", "2025-03-01", license_exceptions=["EU001"], license_exceptions_confirmed=["EU001"]
    )
    assert unscreened.screen(korea).jurisdictions["NL"].decision == Decision.license_required


def test_germany_applies_art10_to_the_dutch_list(unscreened: Screener) -> None:
    tx = euv("CN", "2025-06-01")
    tx["exporter"] = {"name": "Example GmbH", "country": "DE"}
    tx["items"] = [{"eccn": "3B001.f.1.b", "control_codes": {"EU": "not_listed", "NL": "listed"}}]
    result = unscreened.screen(tx)
    assert result.jurisdictions["NL"].decision == Decision.not_applicable
    de = result.jurisdictions["DE"]
    assert de.decision == Decision.review
    assert [f.rule_id for f in de.findings if f.item_index == 0 and f.decisive][-1] == (
        "de.eu.art10.dutch_national_list"
    )


def test_a_member_state_follows_from_data_alone(tmp_path: Path) -> None:
    """France added with a pack.yaml, a nexus clause and a profile: no Python."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    fr = rules / "fr"
    fr.mkdir()
    de = (DEFAULT_RULES_DIR / "de" / "pack.yaml").read_text()
    (fr / "pack.yaml").write_text(
        de.replace("de-dual-use", "fr-dual-use")
        .replace("jurisdiction: DE", "jurisdiction: FR")
        .replace("by: Germany", "by: France")
        .replace("country: DE", "country: FR")
    )
    nexus = (DEFAULT_RULES_DIR / "de" / "jurisdiction.yaml").read_text()
    (fr / "jurisdiction.yaml").write_text(
        nexus.replace("de.nexus.export_from_germany", "fr.nexus.export_from_france")
        .replace("jurisdiction: DE", "jurisdiction: FR")
        .replace("value: DE", "value: FR")
        .replace("country: NL", "country: DE")
    )
    screener = Screener(rules_dir=rules)
    tx = euv("CN", "2025-06-01")
    tx["exporter"] = {"name": "Exemple SAS", "country": "FR"}
    fr_verdict = screener.screen(tx).jurisdictions["FR"]
    assert fr_verdict.decision == Decision.license_required
    (finding,) = [f for f in fr_verdict.findings if f.rule_id == "fr.eu.art3.annex_i"]
    assert finding.instrument == "Regulation (EU) 2021/821 as applied by France"


def test_applying_an_unknown_pack_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    path = rules / "de" / "pack.yaml"
    path.write_text(path.read_text().replace("pack: eu-dual-use", "pack: eu-dual-us"))
    with pytest.raises(PackError, match="applies pack 'eu-dual-us': no such pack"):
        load_packs(rules)


def test_gaps_matrix_shows_the_member_state_view(unscreened: Screener) -> None:
    analyzer = GapAnalyzer(unscreened, load_profiles())
    matrix = MatrixBuilder(analyzer, load_baseline()).build(dt.date(2025, 6, 1))
    assert "DE" in matrix.jurisdictions and "NL" in matrix.jurisdictions
    nl = matrix.cell("euv_scanner", "CN", "NL")
    assert nl.decision == Decision.license_required and nl.rule_ids == ["nl.eu.art3.annex_i"]
    de = matrix.cell("euv_scanner", "CN", "DE")
    assert de.decision == Decision.license_required and de.exporter_country == "DE"
