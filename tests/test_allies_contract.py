"""The allies' contract: control-code values, country-set lint, profiles, and the `gaps` and
`profiles` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app
from schemas.result import Decision
from schemas.rules import Leaf
from schemas.transaction import Item, Transaction
from screener.errors import InputError, parse_model
from screener.packs.loader import DEFAULT_RULES_DIR, PackError, _check_leaf, load_packs
from screener.packs.profiles import load_profiles


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("3B001.f.1.a", "3B001.f.1.a"), ("Not_Listed", "not_listed"), (" listed ", "listed")],
)
def test_control_code_values(raw: str, stored: str) -> None:
    assert Item(control_codes={"EU": raw}).control_codes == {"EU": stored}


@pytest.mark.parametrize("raw", ["", "3B001 f 1", "see annex"])
def test_free_text_control_code_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="control code"):
        Item(control_codes={"EU": raw})


@pytest.mark.parametrize(
    ("jurisdiction", "raw", "stored"),
    [
        ("JP", "3b001.F.1", "3B001.f.1"),
        ("NL", "3B1001.l", "3B1001.l"),  # EU-style national number (C/2023/441)
        ("UK", "pl9013", "PL9013"),
        ("US", "ear99", "EAR99"),
    ],
)
def test_control_codes_follow_each_list_numbering(jurisdiction: str, raw: str, stored: str):
    assert Item(control_codes={jurisdiction: raw}).control_codes == {jurisdiction: stored}


@pytest.mark.parametrize(
    ("jurisdiction", "raw"), [("JP", "unknown"), ("KR", "yes"), ("EU", "PL9013"), ("TW", "3Z001")]
)
def test_a_word_is_not_a_control_code(jurisdiction: str, raw: str) -> None:
    """Issue 20: control_codes.JP = "unknown" read as listed and gave a licence requirement."""
    with pytest.raises(InputError) as exc:
        parse_model(Item, {"control_codes": {jurisdiction: raw}})
    (problem,) = exc.value.problems
    assert problem.startswith(f"control_codes: {jurisdiction}: {raw!r} is not a control code")


def test_unknown_jurisdiction_in_control_codes_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a jurisdiction"):
        Item(control_codes={"XX": "3B001.a.1"})


def test_unknown_country_set_is_a_lint_error() -> None:
    leaf = Leaf(fact="destination.country_sets", op="contains", value="EU28")
    (problem,) = _check_leaf(leaf, None, frozenset({"EU27", "EU001"}))
    assert "'EU28' is not a country set" in problem


def test_pack_with_unknown_set_fails_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    path = rules / "eu" / "dual_use.yaml"
    path.write_text(path.read_text().replace("value: [EU27, EU001]", "value: [EU27, EU01]"))
    with pytest.raises(PackError) as exc:
        load_packs(rules)
    assert any(
        "dual_use.yaml:" in p and "'EU01' is not a country set" in p for p in exc.value.problems
    )


def test_every_pack_has_a_profile_and_thin_ones_say_so() -> None:
    profiles = load_profiles()
    assert set(profiles) == {p.jurisdiction for p in load_packs()}
    assert {j for j, p in profiles.items() if p.coverage == "thin"} == {"KR", "TW"}


def test_gaps_command_json_and_html() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["gaps", "--as-of", "2024-10-01", "--format", "json"])
    assert out.exit_code == 0, out.output
    matrix = json.loads(out.output)
    cell = next(
        c
        for c in matrix["cells"]
        if (c["item_class"], c["destination"], c["jurisdiction"])
        == ("duv_immersion_nxt1980i", "CN", "NL")
    )
    assert cell["decision"] == "license_required"
    assert cell["rule_ids"] == ["nl.regeling_2024.art2"]
    page = runner.invoke(app, ["gaps", "--as-of", "2024-10-01", "--format", "html"])
    assert page.exit_code == 0
    assert page.output.startswith("<!doctype html>") and "<table>" in page.output
    assert "http" not in page.output and "<script" not in page.output  # self-contained


def test_gaps_command_refuses_a_bad_date() -> None:
    out = CliRunner().invoke(app, ["gaps", "--as-of", "2024-13-01"])
    assert out.exit_code == 2


def test_profiles_command() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["profiles", "nl"])
    assert out.exit_code == 0
    assert "Regeling" in out.output and "2024-09-07" in out.output
    assert runner.invoke(app, ["profiles", "FR"]).exit_code == 2


@pytest.mark.parametrize("exporter", ["US", "SG", "DE", "NL", "JP", "KR", "TW", "GB"])
def test_nexus_gate_skips_only_packs_that_reach_nothing(unscreened, exporter: str) -> None:
    """A pack skipped by its gate, evaluated in full, fires no nexus clause, and the verdict
    built without evaluating it equals the one built from its full results."""
    tx = Transaction.model_validate(
        {
            "date": "2025-06-01",
            "exporter": {"name": "x", "country": exporter},
            "destination_country": "CN",
            "transit_countries": ["SG"],
            "items": [
                {"eccn": "3B001.f.1.a", "control_codes": {"NL": "listed", "JP": "listed"}},
                {"eccn": "EAR99"},
                {"eccn": None, "control_codes": {"UK": "PL9013"}},
            ],
        }
    )
    facts = unscreened.item_facts(tx)
    skipped = [c for c in unscreened.compiled if not c.reaches(facts[0])]
    assert skipped  # at most three of the eight packs reach an export from one country
    for c in skipped:
        full = [c.backend.evaluate(f, tx.date.toordinal(), f.get("item.eccn_entry")) for f in facts]
        nexus_ids = {cid for r in full for cid in r if c.by_id[cid].kind.value == "nexus"}
        assert nexus_ids == set()
        slow = unscreened.verdicts.verdict(c, tx, facts, full)
        assert slow.model_dump() == unscreened.verdicts.unreached(c, tx).model_dump()


def test_bundled_allies_example(unscreened) -> None:
    path = Path(__file__).resolve().parent.parent / "examples" / "duv-scanner-from-nl-to-china.json"
    tx = Transaction.model_validate_json(path.read_text())
    result = unscreened.screen(tx)
    assert result.jurisdictions["NL"].decision == Decision.license_required
    assert result.jurisdictions["EU"].decision == Decision.license_required  # the EUV line
    by_item = {f.item_index: f.rule_id for f in result.jurisdictions["EU"].findings}
    assert by_item == {1: "eu.art3.annex_i"}
