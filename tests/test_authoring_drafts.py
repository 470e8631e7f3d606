"""Draft packs: overlay (replace, add, retire), complete packs, the registry, and failures
reported with the draft's file and line."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest

from schemas.rules import Leaf
from screener.authoring.drafts import DraftRegistry, draft_screener, load_draft
from screener.engine import Screener
from screener.packs.loader import Pack, PackError, load_packs

REPO = Path(__file__).resolve().parent.parent
DRAFTS = REPO / "tests" / "fixtures" / "drafts"
NARROW = DRAFTS / "narrow-sme-cleaning"
VN = DRAFTS / "vn-deposition"


@pytest.fixture(scope="module")
def live() -> list[Pack]:
    """The US pack first: the tests read it as live[0]."""
    return sorted(load_packs(), key=lambda p: p.jurisdiction != "US")


def _eccns(pack: Pack, clause_id: str) -> list[str]:
    clause = next(lc.clause for lc in pack.clauses if lc.clause.id == clause_id)
    leaf = clause.when.all[0]  # type: ignore[union-attr]
    assert isinstance(leaf, Leaf)
    return list(leaf.value)


def test_overlay_with_live_ids_replaces_and_leaves_the_live_pack_alone(live: list[Pack]) -> None:
    draft = load_draft(NARROW, live)
    assert draft.kind == "overlay"
    assert draft.replaced == ["us.ccl.3B001.sme_set.ns.d5", "us.ccl.3B001.sme_set.rs.d5"]
    assert draft.added == [] and draft.retired == []
    merged = draft.packs[0]
    assert len(merged.clauses) == len(live[0].clauses)
    assert "3B001.p.2" not in _eccns(merged, "us.ccl.3B001.sme_set.ns.d5")
    assert "3B001.p.2" in _eccns(live[0], "us.ccl.3B001.sme_set.ns.d5")
    assert merged.version.startswith(live[0].version + "+draft.")
    assert merged.tables is live[0].tables  # shared, not reloaded


def test_overlay_with_a_new_id_adds(live: list[Pack]) -> None:
    draft = load_draft(VN, live)
    assert draft.added == ["us.draft.3B001.d.vn"] and draft.replaced == []
    assert [lc.clause.id for lc in draft.packs[0].clauses][-1] == "us.draft.3B001.d.vn"


def test_single_clause_file_is_a_draft(live: list[Pack]) -> None:
    draft = load_draft(VN / "vn_deposition.yaml", live)
    assert draft.added == ["us.draft.3B001.d.vn"]


def test_retire_removes_a_live_clause(live: list[Pack], tmp_path: Path) -> None:
    shutil.copy(VN / "vn_deposition.yaml", tmp_path)
    (tmp_path / "draft.yaml").write_text("retire: [us.ccl.3B001.sme_set.ns.macau]\n")
    draft = load_draft(tmp_path, live)
    ids = {lc.clause.id for lc in draft.packs[0].clauses}
    assert draft.retired == ["us.ccl.3B001.sme_set.ns.macau"]
    assert "us.ccl.3B001.sme_set.ns.macau" not in ids
    assert len(ids) == len(live[0].clauses)  # one retired, one added


def test_retire_unknown_id_is_refused(live: list[Pack], tmp_path: Path) -> None:
    shutil.copy(VN / "vn_deposition.yaml", tmp_path)
    (tmp_path / "draft.yaml").write_text("retire: [us.ccl.nope]\n")
    with pytest.raises(PackError) as err:
        load_draft(tmp_path, live)
    assert err.value.problems == [
        f"{tmp_path / 'draft.yaml'}:1: retire 'us.ccl.nope': no such live clause"
    ]


def test_retiring_what_an_exception_overcomes_breaks_the_merged_pack(
    live: list[Pack], tmp_path: Path
) -> None:
    """GBS for the SME set overcomes us.ccl.3B001.sme_set.*: retire them all and the
    exception dangles; the merged pack is checked like a live one."""
    shutil.copy(VN / "vn_deposition.yaml", tmp_path)
    sme_set = [
        lc.clause.id for lc in live[0].clauses if lc.clause.id.startswith("us.ccl.3B001.sme_set.")
    ]
    (tmp_path / "draft.yaml").write_text(f"retire: [{', '.join(sme_set)}]\n")
    with pytest.raises(PackError) as err:
        load_draft(tmp_path, live)
    assert any(
        "clause us.exc.gbs.3b001.sme_set: overcomes 'us.ccl.3B001.sme_set.*' matches no clause" in p
        for p in err.value.problems
    )


def test_bad_draft_clause_names_the_draft_file_and_line(live: list[Pack], tmp_path: Path) -> None:
    text = (
        (VN / "vn_deposition.yaml")
        .read_text()
        .replace(
            "{fact: destination.country, op: equals, value: VN}",
            "{fact: destination.countree, op: equals, value: VN}",
        )
    )
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(PackError) as err:
        load_draft(tmp_path, live)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "- id: " in t)
    assert err.value.problems == [
        f"{tmp_path / 'bad.yaml'}:{line}: clause us.draft.3B001.d.vn: unknown fact path "
        "'destination.countree' (declared facts: schemas/facts.py)"
    ]


def test_complete_pack_replaces_the_live_pack(live: list[Pack], tmp_path: Path) -> None:
    shutil.copy(REPO / "rules" / "us" / "pack.yaml", tmp_path)
    shutil.copy(REPO / "rules" / "us" / "parties.yaml", tmp_path)
    draft = load_draft(tmp_path, live)
    assert draft.kind == "complete"
    (us,) = [p for p in draft.packs if p.meta.id == "us-ear"]
    assert len(draft.packs) == len(live) and us.tables is live[0].tables
    assert len(draft.replaced) == 10 and draft.added == []
    assert len(draft.retired) == len(live[0].clauses) - 10


def test_draft_screener_decides_with_the_draft(live: list[Pack]) -> None:
    tx = {
        "exporter": {"name": "A", "country": "US"},
        "destination_country": "CN",
        "date": "2026-08-01",
        "items": [{"eccn": "3B001.p.2", "origin_country": "US"}],
    }
    live_ids = {f.rule_id for f in Screener(packs=live).screen(tx).findings}
    draft_ids = {f.rule_id for f in draft_screener(load_draft(NARROW, live)).screen(tx).findings}
    assert live_ids - draft_ids == {"us.ccl.3B001.sme_set.ns.d5", "us.ccl.3B001.sme_set.rs.d5"}


def test_registry_loads_reuses_and_unloads_without_keeping_the_draft(
    unscreened: Screener,
) -> None:
    registry = DraftRegistry(unscreened)
    draft, screener = registry.load("narrow", NARROW)
    assert registry.names() == ["narrow"]
    again = registry.load("narrow", NARROW)  # same content: reused, not compiled again
    assert again[1] is screener
    ref = weakref.ref(screener)
    registry.unload("narrow")
    del draft, screener, again
    gc.collect()
    assert ref() is None, "an unloaded draft's Screener is still referenced"
    assert registry.names() == []
    with pytest.raises(KeyError):
        registry.get("narrow")


def test_draft_cycles_leave_no_leaves_behind_in_the_trace_cache(unscreened: Screener) -> None:
    """A firing draft clause is traced (its leaves enter conditions._LEAF_CACHE); once the
    draft is unloaded those entries must go, or 1,000 draft loads would pile up."""
    from screener import conditions

    registry = DraftRegistry(unscreened)
    tx = {
        "exporter": {"name": "A", "country": "US"},
        "destination_country": "VN",
        "date": "2026-08-01",
        "items": [{"eccn": "3B001.d.13", "origin_country": "US"}],
    }
    sizes = []
    for _ in range(3):
        _, screener = registry.load("vn", VN)
        assert "us.draft.3B001.d.vn" in {f.rule_id for f in screener.screen(tx).findings}
        registry.unload("vn")
        del screener
        gc.collect()
        sizes.append(len(conditions._LEAF_CACHE))
    assert sizes[0] == sizes[1] == sizes[2]


def test_copied_clauses_load_back_identical(live: list[Pack], tmp_path: Path) -> None:
    """`rules copy` cuts the clause out verbatim (comments kept), or, when its text uses YAML
    aliases defined elsewhere in its file, writes it from the parsed data; either way the
    draft replaces the live clause with an identical one."""
    from screener.authoring.scaffold import _ALIAS, clause_text, copy_clause, find_clause

    with_alias = next(lc for lc in live[0].clauses if _ALIAS.search(clause_text(lc)))
    ids = ["us.ccl.3B001.sme_set.ns.d5", "us.exc.gbs.3b001.sme_set", with_alias.clause.id]
    for clause_id in ids:
        lc = find_clause(live, clause_id)
        assert lc is not None
        folder = tmp_path / clause_id
        written = copy_clause(lc, folder, REPO / "schemas/jsonschema/clause-file.schema.json")
        assert written.read_text().startswith("# yaml-language-server: $schema=")
        draft = load_draft(folder, live)
        assert draft.replaced == [clause_id] and draft.added == []
        copied = next(x.clause for x in draft.packs[0].clauses if x.clause.id == clause_id)
        assert copied == lc.clause
    text = (tmp_path / ids[0] / f"{ids[0]}.yaml").read_text()
    assert '    rationale: >-\n      The "SME set" of ECCN 3B001' in text  # verbatim


NL_PACK = """id: nl-test
jurisdiction: NL
title: A two-clause NL pack (test fixture)
example_defaults:
  date: "2026-08-01"
  exporter: {name: Example B.V., country: NL}
  destination_country: DE
  items: [{eccn: EAR99, origin_country: NL}]
"""
NL_CLAUSE = """clauses:
  - id: nl.test.{name}
    jurisdiction: NL
    title: "Test: deposition tools to {dest}"
    citation: "Test fixture"
    effective_from: 2024-01-01
    confidence: {{level: low, source: test}}
    outcome: license_required
    when:
      all:
        - {{fact: item.eccn, op: eccn_in, value: [3B001.d]}}
        - {{fact: destination.country, op: equals, value: {dest}}}
    examples:
      - name: to {dest}
        transaction:
          {{destination_country: {dest}, items: [{{eccn: 3B001.d.1, origin_country: NL}}]}}
        expect: fires
"""


NL_NEXUS = """clauses:
  - id: nl.test.nexus
    jurisdiction: NL
    kind: nexus
    title: "Test: exported from the Netherlands"
    citation: "Test fixture"
    effective_from: 2024-01-01
    confidence: {level: low, source: test}
    when: {fact: exporter.country, op: equals, value: NL}
    examples:
      - {name: from NL, transaction: {}, expect: fires}
"""


def test_overlay_picks_the_pack_of_its_jurisdiction(tmp_path: Path) -> None:
    """With several live packs, a draft without draft.yaml overlays the one whose
    jurisdiction its clauses name; the other packs are passed through untouched."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules" / "us", rules / "us")
    (rules / "nl").mkdir()
    (rules / "nl" / "pack.yaml").write_text(NL_PACK)
    (rules / "nl" / "clauses.yaml").write_text(NL_CLAUSE.format(name="cn", dest="CN"))
    (rules / "nl" / "nexus.yaml").write_text(NL_NEXUS)
    live = load_packs(rules)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "c.yaml").write_text(NL_CLAUSE.format(name="ru", dest="RU"))
    draft = load_draft(tmp_path / "d", live)
    assert draft.added == ["nl.test.ru"]
    nl = next(p for p in draft.packs if p.jurisdiction == "NL")
    us = next(p for p in draft.packs if p.jurisdiction == "US")
    assert [lc.clause.id for lc in nl.clauses] == ["nl.test.cn", "nl.test.nexus", "nl.test.ru"]
    assert us is next(p for p in live if p.jurisdiction == "US")
    tx = {
        "exporter": {"name": "Example B.V.", "country": "NL"},
        "destination_country": "RU",
        "date": "2026-08-01",
        "items": [{"eccn": "3B001.d.1", "origin_country": "NL"}],
    }
    result = draft_screener(draft).screen(tx)
    assert result.jurisdictions["NL"].decision.value == "license_required"
    assert "nl.test.ru" in {f.rule_id for f in result.findings}
