"""Issue #17, the reviewer's daily loop: a list version arrives, `lists diff` names what it
adds, `rescreen` finds the stored screening it changes and the entry that caused it.

Against a real store (SQLite in tmp_path; PostgreSQL too when CHOKEPOINT_TEST_DATABASE_URL
is set, via the `db_url` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from schemas.transaction import Transaction
from screener.audit.store import AuditStore
from screener.parties.store import ListStore
from screener.rescreen import RescreenStats, rescreen
from screener.wiring import build_screener

FIX = Path(__file__).parent / "fixtures" / "lists"
# csl_next.csv = consolidated.csv plus one real Entity List row (CSL _id 3703) that the
# older version does not carry
NEW_PARTY = "New H3C Semiconductor Technologies Co., Ltd."

TX = {
    "id": "PO-4711",
    "date": "2026-11-20",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "parties": [
        {
            "role": "ultimate_consignee",
            "name": "New H3C Semiconductor Technologies",
            "country": "CN",
        },
        {"role": "freight_forwarder", "name": "Example Logistics Pte. Ltd.", "country": "SG"},
    ],
    "items": [{"description": "Cleanroom gloves", "eccn": "EAR99", "origin_country": "US"}],
}
OTHER = {**TX, "id": "PO-4712", "parties": [TX["parties"][1]]}


@pytest.fixture(autouse=True)
def _cache(index_cache: None) -> None:
    """Match indexes in the session's temporary folder."""


def _screen_and_store(url: str, tx: dict) -> int:
    screener = build_screener(db_url=url, gaps=False)
    transaction = Transaction.model_validate(tx)
    return AuditStore(url).record(
        transaction, screener.screen(transaction), requested_by="test", source="cli"
    )


def test_new_version_entry_shows_in_diff_and_rescreen(db_url: str) -> None:
    store = ListStore(db_url)
    a = store.import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    first = _screen_and_store(db_url, TX)
    untouched = _screen_and_store(db_url, OTHER)
    audit = AuditStore(db_url)
    assert audit.get(first).result["party_hits"] == []  # version A does not list it

    b = store.import_list(FIX / "csl_next.csv", "csl-csv", "csl")
    assert a.content_hash != b.content_hash

    diff = store.diff("csl")
    assert diff.old is not None and diff.old.content_hash == a.content_hash
    assert diff.new.content_hash == b.content_hash
    assert [c.name for c in diff.added] == [NEW_PARTY]
    assert diff.added[0].entry.footnotes == ["FN4"]
    assert diff.removed == [] and diff.changed == []

    stats = RescreenStats()
    changes = list(rescreen(audit, store, build_screener(db_url=db_url, gaps=False), stats=stats))
    assert [c.screening_id for c in changes] == [first]
    change = changes[0]
    assert change.old_decision != change.new_decision
    assert [(h.list, h.entry_name, h.role) for h in change.hits_added] == [
        ("csl", NEW_PARTY, "ultimate_consignee")
    ]
    assert [(c.kind, c.name, c.list) for c in change.caused_by] == [("added", NEW_PARTY, "csl")]
    assert change.caused_by[0].entry.entry_id == diff.added[0].entry_id
    assert change.versions == {"list:csl": b.content_hash}
    # the trail: the new result is stored, marked as the re-screening of the old one
    assert change.new_screening_id is not None
    stored = audit.get(change.new_screening_id)
    assert stored is not None and stored.source == f"rescreen:{first}"
    assert stored.decision == change.new_decision
    # the filter: the screening naming nobody the diff lists was not screened again
    assert (stats.stored, stats.probed, stats.rescreened, stats.changed) == (2, 2, 1, 1)
    assert untouched not in {c.screening_id for c in changes}

    # a second run: the replaced screening is skipped, the new one is up to date
    again = RescreenStats()
    assert (
        list(rescreen(audit, store, build_screener(db_url=db_url, gaps=False), stats=again)) == []
    )
    assert again.rescreened == 0
    store.dispose()


def test_changed_and_removed_entries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = ListStore(url)
    store.import_list(FIX / "csl_next.csv", "csl-csv", "csl")
    text = (FIX / "csl_next.csv").read_text(encoding="utf-8")
    # version C: the H3C row gets another FR notice and an alias; Kal Tek Labs is delisted
    lines = text.splitlines(keepends=True)
    lines = [line for line in lines if ",KAL TEK LABS," not in line]
    lines[-1] = lines[-1].replace("86 FR 67319; 87 FR 62202", "86 FR 67319; 87 FR 62202; 91 FR 100")
    lines[-1] = lines[-1].replace("supplement-4-744,,", "supplement-4-744,H3C Semi,")
    (tmp_path / "c.csv").write_text("".join(lines), encoding="utf-8")
    store.import_list(tmp_path / "c.csv", "csl-csv", "csl")
    diff = store.diff("csl", "1", "2")
    assert diff.added == []
    assert [c.name for c in diff.removed] == ["KAL TEK LABS"]
    [changed] = diff.changed
    assert changed.name == NEW_PARTY
    fields = {f.field: f for f in changed.fields}
    assert set(fields) == {"aliases", "federal_register_notice"}
    assert fields["aliases"].added == ["H3C Semi (aka)"]
    assert fields["federal_register_notice"].new.endswith("91 FR 100")
    # the same by hash prefix, and the reverse direction
    first, second = store.history("csl")[::-1]
    back = store.diff("csl", second.content_hash[:8], first.content_hash[:8])
    assert [c.name for c in back.added] == ["KAL TEK LABS"]
    with pytest.raises(LookupError):
        store.diff("csl", "9")
    store.dispose()


def test_cli_diff_and_rescreen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    ok = runner.invoke(
        app, ["lists", "import", str(FIX / "consolidated.csv"), "-f", "csl-csv", "--db", url]
    )
    assert ok.exit_code == 0, ok.output
    first = _screen_and_store(url, TX)
    ok = runner.invoke(
        app, ["lists", "import", str(FIX / "csl_next.csv"), "-f", "csl-csv", "--db", url]
    )
    assert ok.exit_code == 0, ok.output

    out = runner.invoke(app, ["lists", "diff", "csl", "--format", "json", "--db", url])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [c["name"] for c in doc["added"]] == [NEW_PARTY]
    table = runner.invoke(app, ["lists", "diff", "csl", "--format", "table", "--db", url])
    assert table.exit_code == 0 and "New H3C" in table.stdout and "1 added" in table.stdout
    bad = runner.invoke(app, ["lists", "diff", "csl", "--from", "7", "--db", url])
    assert bad.exit_code == 2 and "no version 7" in bad.output

    out = runner.invoke(app, ["rescreen", "--db", url, "--no-record"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert [line["screening_id"] for line in lines] == [first]
    assert lines[0]["new_screening_id"] is None
    assert lines[0]["caused_by"][0]["name"] == NEW_PARTY
    assert '"changed": 1' in out.stderr
    later = runner.invoke(app, ["rescreen", "--db", url, "--since", "2999-01-01"])
    assert later.exit_code == 0 and later.stdout.strip() == ""


def test_api_rescreen(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from screener.audit.keys import KeyStore

    url = f"sqlite:///{tmp_path / 'api.db'}"
    ListStore(url).import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    app = create_app(database_url=url, jobs_dir=tmp_path / "jobs")
    with TestClient(app) as client:
        key = KeyStore(url).create("screen", "reviewer")[0]
        author = KeyStore(url).create("author", "rules")[0]
        made = client.post("/v1/screen", json=TX, headers={"X-API-Key": key})
        assert made.status_code == 200
        first = int(made.headers["X-Screening-Id"])
        # a new version arrives while the service runs (its own screener predates it)
        ListStore(url).import_list(FIX / "csl_next.csv", "csl-csv", "csl")
        assert (
            client.post("/v1/rescreen", json={}, headers={"X-API-Key": author}).status_code == 403
        )
        out = client.post("/v1/rescreen", json={"record": True}, headers={"X-API-Key": key})
        assert out.status_code == 200, out.text
        body = out.json()
        assert [c["screening_id"] for c in body["changes"]] == [first]
        assert body["changes"][0]["caused_by"][0]["name"] == NEW_PARTY
        assert body["stats"]["changed"] == 1
        new_id = body["changes"][0]["new_screening_id"]
        stored = client.get(f"/v1/screenings/{new_id}", headers={"X-API-Key": key}).json()
        assert stored["source"] == f"rescreen:{first}"
        assert stored["requested_by"].endswith(":reviewer")


def test_the_service_screens_against_a_list_imported_while_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No restart: once the list versions are compared again (at most once a second; here at
    once), /v1/screen uses the new version and says so in `versions`."""
    from fastapi.testclient import TestClient

    import api.services
    from api.app import create_app
    from screener.audit.keys import KeyStore

    monkeypatch.setattr(api.services, "LIST_CHECK_SECONDS", 0.0)
    url = f"sqlite:///{tmp_path / 'api.db'}"
    ListStore(url).import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    with TestClient(create_app(database_url=url, jobs_dir=tmp_path / "jobs")) as client:
        key = {"X-API-Key": KeyStore(url).create("screen", "desk")[0]}
        before = client.post("/v1/screen", json=TX, headers=key).json()
        assert before["party_hits"] == [] and before["decision"] == "review"  # ownership asked
        imported = ListStore(url).import_list(FIX / "csl_next.csv", "csl-csv", "csl")
        after = client.post("/v1/screen", json=TX, headers=key).json()
        assert after["versions"]["list:csl"] == imported.content_hash
        assert after["decision"] == "license_required"
        assert [h["entry_name"] for h in after["party_hits"]] == [NEW_PARTY]


def test_a_long_lived_screener_knows_it_is_stale(tmp_path: Path) -> None:
    """The service's batch runner rebuilds its screener when a list was imported since,
    so queued batch lines are screened against the latest versions."""
    from screener.wiring import lists_current

    url = f"sqlite:///{tmp_path / 'stale.db'}"
    ListStore(url).import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    screener = build_screener(db_url=url, gaps=False)
    assert lists_current(screener, url)
    ListStore(url).import_list(FIX / "csl_next.csv", "csl-csv", "csl")
    assert not lists_current(screener, url)
    assert lists_current(build_screener(db_url=url, gaps=False), url)
