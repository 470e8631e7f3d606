"""Lists a user manages: `csl-json` reads both layouts trade.gov's JSON comes in (the real
compact snapshot among them), and `lists delete` removes a list, its versions and entries
and its cached match index, leaving the other lists and the adjudications alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from screener.parties.importers import csl_json_layout, load_list
from screener.parties.screening import load_party_screening
from screener.parties.store import ListStore

FIX = Path(__file__).parent / "fixtures" / "lists"
SHARED_CSL = Path(__file__).resolve().parents[2] / "shared/data/lists/csl-2026-07-31"


def test_csl_json_reads_the_compact_layout_as_csl_compact_does() -> None:
    compact = load_list(FIX / "screening-list.json", "csl-compact")
    detected = load_list(FIX / "screening-list.json", "csl-json")
    assert len(detected.entries) == 32 and detected.entries == compact.entries
    assert detected.published == compact.published and str(detected.published) == "2026-07-31"
    assert detected.report.notes["layout: compact snapshot (fieldKey, tables, entries)"] == 1
    doc = json.loads((FIX / "screening-list.json").read_text(encoding="utf-8"))
    assert csl_json_layout(doc) == "compact"
    assert csl_json_layout({"results": []}) == "results" and csl_json_layout([]) == "results"


def test_csl_json_still_reads_the_results_layout(tmp_path: Path) -> None:
    source = tmp_path / "consolidated.json"
    source.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "source": "Entity List (EL) - Bureau of Industry and Security",
                        "name": "Example Listed Co.",
                        "addresses": [{"address": "1 Road", "city": "Wuhan", "country": "CN"}],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    result = load_list(source, "csl-json")
    assert [e.name for e in result.entries] == ["Example Listed Co."]
    assert result.entries[0].countries == ["CN"] and not result.report.notes


def test_csl_json_names_both_layouts_when_neither_is_there(tmp_path: Path) -> None:
    source = tmp_path / "other.json"
    source.write_text('{"data": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="nor the compact layout's `fieldKey` and `entries`"):
        load_list(source, "csl-json")


@pytest.mark.skipif(not SHARED_CSL.is_dir(), reason="shared CSL copy absent")
def test_cli_imports_the_real_trade_gov_json_as_csl_json(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'lists.db'}"
    result = CliRunner().invoke(
        app,
        ["lists", "import", str(SHARED_CSL / "screening-list.json"), "-f", "csl-json", "--db", db],
    )
    assert result.exit_code == 0, result.output
    version = json.loads(result.stdout.strip().splitlines()[-1])
    assert version["entries"] == 25921 and version["published"] == "2026-07-31"


def test_lists_delete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(cache))
    db = f"sqlite:///{tmp_path / 'lists.db'}"
    store = ListStore(db)
    store.import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    store.import_list(FIX / "screening-list.json", "csl-json", "csl")  # a second version
    store.import_list(FIX / "consolidated.csv", "csl-csv", "csl-copy")
    entry = store.entries_by_list(["csl"])["csl"][0]
    store.record_adjudication(entry.name, "csl", entry.entry_id, "true_match", "rev", "checked")
    assert load_party_screening(store) is not None  # builds and caches both indexes
    cached = sorted(p.name for p in cache.iterdir())
    assert len(cached) == 4  # index + listing dates, per list

    runner = CliRunner()
    refused = runner.invoke(app, ["lists", "delete", "csl", "--db", db])
    assert refused.exit_code == 2 and "add --yes to confirm" in refused.output
    assert [v.name for v in store.versions()] == ["csl", "csl-copy"]
    missing = runner.invoke(app, ["lists", "delete", "cls", "--yes", "--db", db])
    assert missing.exit_code == 2 and "no list imported under 'cls'" in missing.output

    done = runner.invoke(app, ["lists", "delete", "csl", "--yes", "--db", db])
    assert done.exit_code == 0, done.output
    assert "deleted 'csl': 2 version(s), 64 entries, 2 cached index file(s)" in done.output
    assert [v.name for v in store.versions()] == ["csl-copy"] and store.history("csl") == []
    with pytest.raises(KeyError):
        store.entries_by_list(["csl"])
    left = sorted(p.name for p in cache.iterdir())
    assert len(left) == 2 and all(n.startswith("csl-copy-") for n in left)
    screening = load_party_screening(store)
    assert screening is not None and screening.list_versions.keys() == {"csl-copy"}
    # the reviewer's decision stays on record
    assert len(store.adjudications_for(entry.name, "csl", entry.entry_id)) == 1
    assert store.delete_list("csl") == (0, 0)
