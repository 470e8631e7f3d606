"""China's pack against hand-worked outcomes: gallium to a US buyer before and during the
suspension of Announcement No. 46 para. 2, Chinese-origin items re-exported to the US, Hong
Kong as a separate customs territory, and the MOFCOM lists (Unreliable Entity List, export
control control list) imported from the shipped data file and screened like the CSL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from schemas.lists import ListCode
from schemas.result import Decision
from schemas.transaction import Transaction
from screener.engine import Screener
from screener.gaps.analysis import GapAnalyzer, MatrixBuilder, load_baseline
from screener.packs.profiles import load_profiles
from screener.parties.importers import ListFormatError, load_list
from screener.parties.screening import load_party_screening
from screener.parties.store import ListStore

REPO = Path(__file__).resolve().parent.parent
MOFCOM = REPO / "data" / "lists" / "cn" / "mofcom_lists.yaml"


def gallium(day: str, exporter: str = "CN", **extra: object) -> Transaction:
    return Transaction.model_validate(
        {
            "date": day,
            "exporter": {"name": "Example exporter", "country": exporter},
            "destination_country": "US",
            "items": [
                {
                    "description": "Gallium metal",
                    "eccn": "EAR99",
                    "origin_country": "CN",
                    "control_codes": {"CN": "gallium"},
                }
            ],
            **extra,
        }
    )


def deciding(screener: Screener, tx: Transaction) -> tuple[Decision, set[str]]:
    verdict = screener.screen(tx).jurisdictions["CN"]
    rules = {
        f.rule_id
        for f in verdict.findings
        if f.decisive and f.outcome.value == verdict.decision.value
    }
    return verdict.decision, rules


@pytest.mark.parametrize(
    ("day", "decision", "rule"),
    [
        ("2023-07-31", Decision.clear, None),
        ("2024-06-01", Decision.license_required, "cn.ann23_2023.gallium_germanium"),
        ("2025-01-15", Decision.prohibited, "cn.ann46_2024.para2.us_ban"),
        ("2025-11-08", Decision.prohibited, "cn.ann46_2024.para2.us_ban"),
        ("2025-11-09", Decision.license_required, "cn.dual_use_list.items_of_2023_2024"),
        ("2026-01-15", Decision.license_required, "cn.dual_use_list.items_of_2023_2024"),
    ],
)
def test_gallium_from_china_to_a_us_buyer(
    unscreened: Screener, day: str, decision: Decision, rule: str | None
) -> None:
    got, rules = deciding(unscreened, gallium(day, parties=[]))
    # no list screened: the party clauses ask for screening (review), never more than that
    if decision == Decision.clear:
        assert got == Decision.review and rules <= {
            "cn.uel.listed_party",
            "cn.control_list.listed_party",
        }
    else:
        assert got == decision and rule in rules


def test_chinese_gallium_reexported_from_germany(unscreened: Screener) -> None:
    verdict = unscreened.screen(gallium("2025-01-15", exporter="DE")).jurisdictions["CN"]
    assert verdict.applies and verdict.decision == Decision.prohibited
    (nexus,) = verdict.nexus
    assert nexus.applies and nexus.citations == [
        "MOFCOM Announcement No. 46 of 2024 (2024-12-03), final paragraph"
    ]
    # during the suspension a third-country transfer needs nothing from China
    assert (
        unscreened.screen(gallium("2026-01-15", exporter="DE")).jurisdictions["CN"].decision
        == Decision.clear
    )


def test_hong_kong_exporter_is_not_reached(unscreened: Screener) -> None:
    tx = gallium("2025-01-15", exporter="HK").model_copy(update={"destination_country": "JP"})
    assert unscreened.screen(tx).jurisdictions["CN"].decision == Decision.not_applicable


def test_entry_number_to_the_us_under_para2_is_a_review(unscreened: Screener) -> None:
    tx = gallium("2025-01-15")
    tx.items[0].control_codes["CN"] = "1C902.a"
    verdict = unscreened.screen(tx).jurisdictions["CN"]
    rules = {f.rule_id: f.outcome.value for f in verdict.findings}
    assert rules["cn.dual_use_list.entry"] == "license_required"
    assert rules["cn.ann46_2024.para2.entry_to_us"] == "review"


# --- MOFCOM lists ----------------------------------------------------------------------


def test_shipped_mofcom_file_imports_with_dates() -> None:
    result = load_list(MOFCOM, "mofcom-yaml")
    assert str(result.published) == "2026-02-24"
    assert len(result.entries) == 18 and not result.report.skipped
    lockheed = next(e for e in result.entries if e.name == "Lockheed Martin Corporation")
    assert lockheed.list_code == ListCode.cn_unreliable_entity
    assert str(lockheed.start_date) == "2023-02-16"
    assert lockheed.countries == ["US"]
    assert "China-related import and export" in (lockheed.license_requirement or "")
    assert {a.name for a in lockheed.aliases} == {"洛克希德·马丁公司"}
    assert sum(e.list_code == ListCode.cn_export_control_list for e in result.entries) == 16


def test_a_newer_file_of_the_format_imports(tmp_path: Path) -> None:
    newer = tmp_path / "mofcom.yaml"
    newer.write_text(
        MOFCOM.read_text(encoding="utf-8").replace("published: 2026-02-24", "published: 2026-03-01")
        + "      - id: TEST-1\n"
        "        title: hypothetical later announcement (test only)\n"
        "        date: 2026-03-01\n"
        "        measures: dual-use items prohibited\n"
        "        entries:\n"
        "          - {name: Example Listed Co., country: JP}\n"
        "          - {country: JP}\n",
        encoding="utf-8",
    )
    result = load_list(newer, "mofcom-yaml")
    assert str(result.published) == "2026-03-01" and len(result.entries) == 19
    assert [s.reason for s in result.report.skipped] == ["no name"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: csl\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="mofcom-yaml/1"):
        load_list(bad, "mofcom-yaml")


@pytest.fixture(scope="module")
def mofcom_screener(tmp_path_factory: pytest.TempPathFactory) -> Screener:
    folder = tmp_path_factory.mktemp("mofcom")
    store = ListStore(f"sqlite:///{folder / 'lists.db'}")
    store.import_list(REPO / "tests" / "fixtures" / "lists" / "consolidated.csv", "csl-csv", "csl")
    store.import_list(MOFCOM, "mofcom-yaml", "mofcom")
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "cache"))
    screening = load_party_screening(store)
    mp.undo()
    assert screening is not None
    return Screener(backend="python", parties=screening)


def office_chairs(day: str, buyer: str) -> Transaction:
    return Transaction.model_validate(
        {
            "date": day,
            "exporter": {"name": "Example Furniture Co., Ltd.", "country": "CN"},
            "destination_country": "US",
            "parties": [{"role": "end_user", "name": buyer, "country": "US"}],
            "items": [
                {
                    "description": "Office chairs",
                    "eccn": "EAR99",
                    "origin_country": "CN",
                    "control_codes": {"CN": "not_listed"},
                }
            ],
        }
    )


def test_any_item_to_lockheed_martin_is_refused(mofcom_screener: Screener) -> None:
    verdict = mofcom_screener.screen(
        office_chairs("2025-06-01", "Lockheed Martin Corporation")
    ).jurisdictions["CN"]
    assert verdict.decision == Decision.prohibited
    (finding,) = [f for f in verdict.findings if f.rule_id == "cn.uel.listed_party"]
    assert "Lockheed Martin Corporation" in finding.explanation


def test_uel_listing_counts_only_from_its_date(mofcom_screener: Screener) -> None:
    before = mofcom_screener.screen(office_chairs("2023-02-15", "Lockheed Martin Corporation"))
    assert before.jurisdictions["CN"].decision == Decision.clear
    unlisted = mofcom_screener.screen(office_chairs("2025-06-01", "Example Furniture Buyer Inc."))
    assert unlisted.jurisdictions["CN"].decision == Decision.clear


def test_control_list_party_gets_no_dual_use_item(mofcom_screener: Screener) -> None:
    tx = gallium(
        "2026-03-01",
        parties=[{"role": "end_user", "name": "IHI Aerospace Co., Ltd.", "country": "JP"}],
    ).model_copy(update={"destination_country": "JP"})
    verdict = mofcom_screener.screen(tx).jurisdictions["CN"]
    assert verdict.decision == Decision.prohibited
    assert "cn.control_list.listed_party" in {f.rule_id for f in verdict.findings}
    chairs = office_chairs("2026-03-01", "IHI Aerospace Co., Ltd.")
    assert mofcom_screener.screen(chairs).jurisdictions["CN"].decision == Decision.clear


def test_profiles_cn_names_mofcom_and_dates() -> None:
    out = CliRunner().invoke(app, ["profiles", "CN"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    for text in (
        "MOFCOM",
        "2023-08-01",
        "2024-12-03",
        "2025-11-09",
        "No. 46 of 2024",
        "Unreliable Entity List",
    ):
        assert text in out.output


@pytest.mark.parametrize(
    ("day", "cn"),
    [("2023-06-01", "clear"), ("2025-01-15", "prohibited"), ("2026-01-15", "license_required")],
)
def test_gap_matrix_has_the_cn_column(unscreened: Screener, day: str, cn: str) -> None:
    """Gallium metal (EAR99, on no ally's list) to the US: only China controls it."""
    analyzer = GapAnalyzer(unscreened, load_profiles())
    matrix = MatrixBuilder(analyzer, load_baseline()).build(dt.date.fromisoformat(day))
    assert "CN" in matrix.jurisdictions
    assert matrix.cell("gallium_metal", "US", "CN").decision.value == cn
    assert matrix.cell("gallium_metal", "US", "JP").decision.value == "clear"
    assert matrix.cell("euv_scanner", "CN", "CN").decision.value == "not_applicable"


def test_cli_imports_the_mofcom_file(tmp_path: Path) -> None:
    from cli.lists import lists_app

    db = f"sqlite:///{tmp_path / 'l.db'}"
    out = CliRunner().invoke(
        lists_app, ["import", str(MOFCOM), "--format", "mofcom-yaml", "--db", db]
    )
    assert out.exit_code == 0, out.output
    assert '"name":"mofcom"' in out.stdout and '"published":"2026-02-24"' in out.stdout


def test_taiwan_entity_list_decides_an_ai_chip_to_smic(tmp_path: Path) -> None:
    """TW: an SHTC AI accelerator for a party on the SHTC Entity List needs a permit from
    2025-06-10 (the list imported through the CSV importer; one test row, not shipped data)."""
    rows = tmp_path / "tw.csv"
    rows.write_text(
        "name,country\nSemiconductor Manufacturing International Corporation,CN\n", encoding="utf-8"
    )
    store = ListStore(f"sqlite:///{tmp_path / 'tw.db'}")
    store.import_list(
        rows,
        "csv",
        "tw",
        mapping={"name": "name", "country": "country"},
        list_code="tw_shtc_entity",
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "cache"))
    screening = load_party_screening(store)
    mp.undo()
    screener = Screener(backend="python", parties=screening)
    tx = Transaction.model_validate(
        {
            "date": "2025-07-01",
            "exporter": {"name": "Example Chip Corp.", "country": "TW"},
            "destination_country": "CN",
            "parties": [
                {
                    "role": "end_user",
                    "name": "Semiconductor Manufacturing International Corporation",
                    "country": "CN",
                }
            ],
            "items": [
                {"eccn": "3A090.a", "origin_country": "TW", "control_codes": {"TW": "listed"}}
            ],
        }
    )
    verdict = screener.screen(tx).jurisdictions["TW"]
    assert verdict.decision == Decision.license_required
    assert "tw.fta.art13.entity_list" in {f.rule_id for f in verdict.findings}
    earlier = tx.model_copy(update={"date": dt.date(2025, 6, 1)})
    assert screener.screen(earlier).jurisdictions["TW"].decision == Decision.review
