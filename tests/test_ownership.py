"""Ownership by listed parties (BIS affiliates rule, OFAC 50 % rule) from imported links.

Acceptance (issue #17): a party 60 % owned through two companies by an Entity List party gets
the affiliates-rule finding, with the chain shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from schemas.result import Outcome
from screener.parties.ownership import (
    Link,
    OwnershipFormatError,
    OwnershipGraph,
    read_ownership_csv,
)
from screener.parties.ownership_store import OwnershipStore
from screener.parties.store import ListStore
from screener.wiring import build_screener

FIX = Path(__file__).parent / "fixtures"
NUDT = "National University of Defense Technology (NUDT)"


@pytest.fixture(autouse=True)
def _cache(index_cache: None) -> None:
    """Match indexes in the session's temporary folder."""


def _graph(*links: tuple[str, str, float]) -> OwnershipGraph:
    return OwnershipGraph([Link(owner=o, owned=d, share=s, source="test") for o, d, s in links])


LISTED = {"L": ["entity_list"], "L2": ["military_end_user"], "S": ["sdn"], "J": ["japan_end_user"]}


def _listed(name: str) -> list[str]:
    return LISTED.get(name, [])


def test_sixty_percent_through_two_companies() -> None:
    graph = _graph(("L", "A", 0.8), ("A", "B", 0.75), ("F", "B", 0.25))
    finding = graph.finding("B", _listed)
    assert finding is not None and finding.owned_by_listed is True
    assert finding.restricted_share == pytest.approx(0.75)  # A is caught (80 %), so all of it
    assert finding.look_through == pytest.approx(0.6)
    assert finding.restricted_owners == ["A"]
    [chain] = finding.chains
    assert [(lk.owner, lk.owned, lk.share) for lk in chain.links] == [
        ("L", "A", 0.8),
        ("A", "B", 0.75),
    ]
    assert chain.describe().startswith("'L' (Entity List) -80%-> 'A' -75%-> 'B' = 60.0%")


def test_cascade_counts_a_caught_owner_in_full() -> None:
    # look-through 49 %, but A is 70 % owned by a listed party and so restricted itself
    finding = _graph(("L", "A", 0.7), ("A", "B", 0.7), ("F", "B", 0.3)).finding("B", _listed)
    assert finding is not None
    assert finding.look_through == pytest.approx(0.49)
    assert finding.owned_by_listed is True


def test_aggregates_across_owners_and_lists() -> None:
    graph = _graph(("L", "P", 0.3), ("L2", "A", 1.0), ("A", "P", 0.25), ("F", "P", 0.45))
    finding = graph.finding("P", _listed)
    assert finding is not None and finding.owned_by_listed is True
    assert finding.restricted_share == pytest.approx(0.55)
    assert {c.owner for c in finding.chains} == {"L", "L2"}


def test_below_threshold_unknown_and_other_lists() -> None:
    settled = _graph(("L", "P", 0.4), ("F", "P", 0.6)).finding("P", _listed)
    assert settled is not None and settled.owned_by_listed is False
    # 60 % nobody accounts for: could be a listed owner's
    open_ = _graph(("L", "P", 0.4)).finding("P", _listed)
    assert open_ is not None and open_.owned_by_listed is None
    assert open_.unknown_share == pytest.approx(0.6)
    # an intermediate with unrecorded owners could be caught too: 30 % recorded, L 30 %
    deep = _graph(("L", "A", 0.3), ("A", "P", 0.6), ("F", "P", 0.4)).finding("P", _listed)
    assert deep is not None and deep.owned_by_listed is None
    # METI's End User List is not a list the affiliates rule names
    other = _graph(("J", "P", 1.0)).finding("P", _listed)
    assert other is not None and other.owned_by_listed is False
    assert _graph(("L", "P", 1.0)).finding("nobody", _listed) is None


def test_cross_holdings_terminate() -> None:
    graph = _graph(("A", "B", 0.5), ("B", "A", 0.5), ("L", "A", 0.5), ("F", "B", 0.5))
    finding = graph.finding("B", _listed)
    assert finding is not None and finding.owned_by_listed is True  # A is caught by L's 50 %


def test_csv_errors_name_the_line(tmp_path: Path) -> None:
    links = read_ownership_csv(
        FIX / "ownership/links.csv", (FIX / "ownership/links.csv").read_bytes()
    )
    assert [(lk.owned, lk.share) for lk in links[:2]] == [
        ("Example Holding Co. Ltd.", 0.8),
        ("Example Trading Ltd", 0.75),
    ]
    bad = b"owner,owned,share,source,date\nA,B,sixty,x,\n"
    with pytest.raises(OwnershipFormatError, match="line 2: share 'sixty'"):
        read_ownership_csv(tmp_path / "o.csv", bad)
    over = b"owner,owned,share,source,date\nA,B,60,x,\nC,B,50,x,\n"
    with pytest.raises(OwnershipFormatError, match="over 100 %"):
        read_ownership_csv(tmp_path / "o.csv", over)
    with pytest.raises(OwnershipFormatError, match="no column"):
        read_ownership_csv(tmp_path / "o.csv", b"owner,share\nA,1\n")


TX = {
    "id": "PO-50",
    "date": "2025-10-15",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "SG",
    "parties": [{"role": "end_user", "name": "Example Trading Ltd", "country": "SG"}],
    "items": [{"description": "Cleanroom gloves", "eccn": "EAR99", "origin_country": "US"}],
}


def _affiliates(result):  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule_id == "us.744_affiliates.2025"]


def test_affiliates_rule_finding_from_ownership_data(db_url: str) -> None:
    store = ListStore(db_url)
    store.import_list(FIX / "lists/consolidated.csv", "csl-csv", "csl")
    # without ownership data: not known, so the clause asks (undecided, a review)
    [before] = _affiliates(build_screener(db_url=db_url, gaps=False).screen(TX))
    assert "parties.owned_by_listed" in before.missing_facts

    version, stored = OwnershipStore(store.engine).import_csv(FIX / "ownership/links.csv")
    assert stored and version.links == 4
    assert OwnershipStore(store.engine).import_csv(FIX / "ownership/links.csv")[1] is False

    result = build_screener(db_url=db_url, gaps=False).screen(TX)
    assert result.versions["ownership:ownership"] == version.content_hash  # cited in the trail
    [finding] = _affiliates(result)
    assert finding.outcome is Outcome.review and finding.decisive
    assert not finding.missing_facts
    assert (
        f"{NUDT!r} (Entity List) -80%-> 'Example Holding Co. Ltd.' -75%-> 'Example Trading Ltd'"
        " = 60.0%" in finding.explanation
    )
    assert "owned 50 % or more by listed parties" in finding.explanation
    assert result.decision.value == "review"
    # an exporter's "no" does not outweigh the data
    stated = {**TX, "parties": [{**TX["parties"][0], "owned_by_listed_parties": False}]}
    [again] = _affiliates(build_screener(db_url=db_url, gaps=False).screen(stated))
    assert again.outcome is Outcome.review and again.decisive
    store.dispose()


def test_cli_ownership(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    ListStore(url).import_list(FIX / "lists/consolidated.csv", "csl-csv", "csl")
    runner = CliRunner()
    out = runner.invoke(
        app, ["parties", "import-ownership", str(FIX / "ownership/links.csv"), "--db", url]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["links"] == 4
    shown = runner.invoke(app, ["parties", "ownership", "Example Trading Ltd", "--db", url])
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["owned_by_listed"] is True and doc["look_through"] == pytest.approx(0.6)
    assert doc["chains"][0]["owner"] == NUDT
    free = runner.invoke(app, ["parties", "ownership", "Example Logistics Pte. Ltd.", "--db", url])
    assert json.loads(free.stdout)["owned_by_listed"] is False
    missing = runner.invoke(app, ["parties", "ownership", "Nobody Ltd", "--db", url])
    assert missing.exit_code == 2 and "records no owner" in missing.output


def test_cluster_bundle_carries_the_ownership_links(tmp_path: Path) -> None:
    """A Dask worker screens against the bundle's snapshot: without the links there, a
    cluster batch would decide the affiliates case differently from a local one."""
    from screener.batch.bundle import snapshot_lists

    url = f"sqlite:///{tmp_path / 'src.db'}"
    store = ListStore(url)
    store.import_list(FIX / "lists/consolidated.csv", "csl-csv", "csl")
    OwnershipStore(store.engine).import_csv(FIX / "ownership/links.csv")
    snapshot_lists(url, tmp_path / "copy.db")
    copy = ListStore(f"sqlite:///{tmp_path / 'copy.db'}")
    graph = OwnershipStore(copy.engine).graph()
    assert graph is not None and len(graph.links) == 4
    assert [i.name for i in OwnershipStore(copy.engine).imports()] == ["ownership"]
    store.dispose()
    copy.dispose()
