"""Rule authoring over the HTTP service (issue #7): `POST /v1/rules/test|lint|replay`, drafts
loaded and unloaded in the running service, shadow mode on `POST /v1/screen`; and the audit
trail as replay history (SQLite and PostgreSQL). Real clauses: the fixture drafts of
tests/fixtures/drafts replayed over the transactions of tests/fixtures/history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from test_api import FIXTURE_CSL, Service

from api.app import create_app
from schemas.result import Decision
from schemas.transaction import Transaction
from screener.audit.models import ScreeningRow
from screener.audit.store import AuditStore
from screener.authoring.drafts import draft_screener, load_draft
from screener.authoring.history import audit_history
from screener.authoring.replay import replay
from screener.engine import Screener
from screener.parties.store import ListStore

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DRAFTS = FIXTURES / "drafts"
HISTORY = [json.loads(line) for line in (FIXTURES / "history" / "screenings.jsonl").open()]
NS_D5, RS_D5 = "us.ccl.3B001.sme_set.ns.d5", "us.ccl.3B001.sme_set.rs.d5"
VN_CLAUSE = "us.draft.3B001.d.vn"
LVS_TO_MALAYSIA = {
    "date": "2026-08-01",
    "exporter": {"name": "Exporter Inc.", "country": "US"},
    "destination_country": "MY",
    "license_exceptions": ["LVS"],
    "parties": [{"role": "end_user", "name": "Example Wafer Fab", "country": "MY"}],
    "items": [{"eccn": "3B001.a.3", "origin_country": "US", "value_usd": 400}],
}


def files(name: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((DRAFTS / name).iterdir())}


NARROW, VN = files("narrow-sme-cleaning"), files("vn-deposition")
BAD_VN = {"vn.yaml": VN["vn_deposition.yaml"].replace("outcome: license_required", "outcome: x")}


class Authoring(Service):
    def put(self, path: str, key: str, **kw: object) -> httpx.Response:
        return self.client.put(path, headers={"X-API-Key": key}, **kw)  # type: ignore[arg-type]

    def delete(self, path: str, key: str) -> httpx.Response:
        return self.client.delete(path, headers={"X-API-Key": key})

    def screen_history(self) -> dict[str, str]:
        """Screen every fixture transaction over the API: {fixture id: audit id}."""
        ids = {}
        for line in HISTORY:
            r = self.post("/v1/screen", self.screen_key, json=line["transaction"])
            assert r.status_code == 200, r.text
            assert r.json()["decision"] == line["result"]["decision"], line["id"]
            ids[line["id"]] = r.headers["X-Screening-Id"]
        return ids


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Authoring]:
    """A fresh service per test: replay and shadow counts are exact over its own screenings."""
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "idx"))
    monkeypatch.delenv("CHOKEPOINT_SHADOW_LOG", raising=False)
    url = f"sqlite:///{tmp_path / 'service.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    app = create_app(database_url=url, jobs_dir=tmp_path / "jobs", max_body=100_000)
    with TestClient(app) as client:
        yield Authoring(client, url, tmp_path / "jobs")


ENDPOINTS = [
    ("POST", "/v1/rules/test", {"files": VN}),
    ("POST", "/v1/rules/lint", {"files": VN}),
    ("POST", "/v1/rules/replay", {"files": VN}),
    ("GET", "/v1/rules/drafts", None),
    ("PUT", "/v1/rules/drafts/vn", {"files": VN}),
    ("GET", "/v1/rules/drafts/vn", None),
    ("GET", "/v1/rules/drafts/vn/shadow-report", None),
    ("DELETE", "/v1/rules/drafts/vn", None),
]


def test_authoring_needs_an_author_or_admin_key(svc: Authoring) -> None:
    for method, path, body in ENDPOINTS:
        r = svc.client.request(method, path, json=body, headers={"X-API-Key": svc.screen_key})
        assert r.status_code == 403, (method, path, r.text)
        assert "needs admin or author" in r.json()["error"]
        assert svc.client.request(method, path, json=body).status_code == 401
    for key in (svc.author_key, svc.admin_key):  # in order: the PUT makes GET/DELETE succeed
        for method, path, body in ENDPOINTS:
            r = svc.client.request(method, path, json=body, headers={"X-API-Key": key})
            assert r.status_code in (200, 204), (method, path, r.text)


def test_rules_test_and_lint_take_the_draft_as_text(svc: Authoring) -> None:
    r = svc.post("/v1/rules/test", svc.author_key, json={"files": NARROW, "name": "narrow"})
    assert r.status_code == 200, r.text
    # 8 examples in the NS clause, 7 in the RS clause, all passing
    assert r.json() == {
        "draft": "narrow",
        "examples": 15,
        "failed": [],
        "branch_coverage": 100.0,
        "gaps": {},
    }
    r = svc.post("/v1/rules/test", svc.author_key, json={"files": BAD_VN})
    assert r.status_code == 422
    body = r.json()
    assert body["problems"] == [
        "vn.yaml:16: clauses.0.outcome: Input should be 'prohibited', 'license_required' or "
        "'review'"
    ]
    assert body["error"].startswith("draft 'draft' does not load: vn.yaml:16:")
    assert "chokepoint-draft-" not in r.text and "/tmp" not in r.text

    assert svc.post("/v1/rules/lint", svc.author_key, json={"files": VN}).json() == {
        "draft": "draft",
        "findings": [],
    }
    findings = svc.post("/v1/rules/lint", svc.author_key, json={"files": BAD_VN}).json()
    assert [(f["code"], f["where"]) for f in findings["findings"]] == [("schema", "vn.yaml:16")]
    r = svc.post("/v1/rules/lint", svc.author_key, json={"files": {"notes.txt": "x"}})
    assert r.status_code == 422 and "named like clauses.yaml" in r.json()["error"]
    r = svc.post("/v1/rules/test", svc.author_key, json={"files": {}})
    assert r.status_code == 422 and "at least one clause file" in r.json()["error"]


def test_replay_over_screenings_stored_by_the_service(svc: Authoring) -> None:
    ids = svc.screen_history()
    r = svc.post("/v1/rules/replay", svc.author_key, json={"files": NARROW, "name": "narrow"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["screened"], report["newly_cleared"], report["newly_flagged"]) == (8, 3, 0)
    assert (report["unchanged"], report["drift"], report["errors"]) == (5, 0, [])
    changes = {c["screening_id"]: c for c in report["changes"]}
    assert set(changes) == {ids["S-001"], ids["S-002"], ids["S-007"]}
    first = changes[ids["S-001"]]  # 3B001.p.2 to China: no longer in the D:5 set
    assert (first["live_decision"], first["draft_decision"]) == ("license_required", "clear")
    assert first["no_longer_firing"] == {NS_D5: "license_required", RS_D5: "license_required"}
    assert first["stored_decision"] == "license_required"
    assert changes[ids["S-007"]]["draft_decision"] == "review"  # the 2025 affiliates rule

    vn = svc.post("/v1/rules/replay", svc.author_key, json={"files": VN}).json()
    assert (vn["newly_flagged"], vn["unchanged"]) == (1, 7)
    assert vn["changes"][0]["screening_id"] == ids["S-005"]
    assert vn["changes"][0]["newly_firing"] == {VN_CLAUSE: "license_required"}

    today = dt.datetime.now(dt.UTC).date()
    window = {"files": NARROW, "since": str(today + dt.timedelta(days=1))}
    assert svc.post("/v1/rules/replay", svc.author_key, json=window).json()["screened"] == 0
    window = {"files": NARROW, "since": str(today), "until": str(today)}
    assert svc.post("/v1/rules/replay", svc.author_key, json=window).json()["screened"] == 8
    r = svc.post("/v1/rules/replay", svc.author_key, json={"files": BAD_VN})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("vn.yaml:16:")


def test_drafts_load_replace_and_unload_in_the_running_service(svc: Authoring) -> None:
    r = svc.put("/v1/rules/drafts/narrow", svc.author_key, json={"files": NARROW})
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["replaced"] == [NS_D5, RS_D5] and info["added"] == []
    assert info["files"] == ["ccl_sme.yaml"] and info["shadow"] is False
    assert svc.put("/v1/rules/drafts/vn", svc.author_key, json={"files": VN}).json()["added"] == [
        VN_CLAUSE
    ]
    listed = svc.get("/v1/rules/drafts", svc.author_key).json()
    assert [d["name"] for d in listed] == ["narrow", "vn"]
    folder = svc.jobs_dir / "drafts" / "narrow"
    (version,) = folder.iterdir()
    assert sorted(p.name for p in version.iterdir()) == ["ccl_sme.yaml", "draft.yaml"]

    # a draft that does not load is refused and the loaded version stays
    r = svc.put("/v1/rules/drafts/narrow", svc.author_key, json={"files": BAD_VN})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("vn.yaml:16:")
    assert str(svc.jobs_dir) not in r.text
    assert svc.get("/v1/rules/drafts/narrow", svc.author_key).json()["version"] == info["version"]
    assert list(folder.iterdir()) == [version]

    # replacing it keeps one folder: the new version's
    changed = {**NARROW, "ccl_sme.yaml": NARROW["ccl_sme.yaml"].replace("2023-11-17", "2023-11-18")}
    new = svc.put("/v1/rules/drafts/narrow", svc.author_key, json={"files": changed}).json()
    assert new["version"] != info["version"]
    assert len(list(folder.iterdir())) == 1 and list(folder.iterdir()) != [version]

    assert svc.delete("/v1/rules/drafts/narrow", svc.author_key).status_code == 204
    assert not folder.exists()
    r = svc.get("/v1/rules/drafts/narrow", svc.author_key)
    assert r.status_code == 404 and r.json()["error"] == "no draft named 'narrow' is loaded"
    assert svc.delete("/v1/rules/drafts/narrow", svc.author_key).status_code == 404
    assert [d["name"] for d in svc.get("/v1/rules/drafts", svc.author_key).json()] == ["vn"]

    # a file name never chooses where on the server it lands: only its last part is kept
    sneaky = {"../../outside/vn.yaml": VN["vn_deposition.yaml"]}
    r = svc.put("/v1/rules/drafts/sneaky", svc.author_key, json={"files": sneaky})
    assert r.status_code == 200 and r.json()["files"] == ["vn.yaml"]
    assert (
        not (svc.jobs_dir / "outside").exists() and not (svc.jobs_dir.parent / "outside").exists()
    )
    (written,) = (svc.jobs_dir / "drafts" / "sneaky").glob("*/vn.yaml")
    assert written.read_text() == VN["vn_deposition.yaml"]

    r = svc.put("/v1/rules/drafts/..hidden", svc.author_key, json={"files": VN})
    assert r.status_code == 422 and "a draft name is letters" in r.json()["error"]
    r = svc.put("/v1/rules/drafts/x", svc.author_key, json={"files": VN, "shadow": True})
    assert r.status_code == 422 and "shadow: unknown field" in r.json()["problems"][0]


def test_draft_bodies_respect_the_body_limit(svc: Authoring) -> None:
    huge = {"vn.yaml": VN["vn_deposition.yaml"] + "#" * 120_000}
    r = svc.put("/v1/rules/drafts/vn", svc.author_key, json={"files": huge})
    assert r.status_code == 413 and "100,000 bytes" in r.json()["error"]
    assert svc.get("/v1/rules/drafts", svc.author_key).json() == []


def test_shadow_records_the_disagreement_and_leaves_the_live_decision(svc: Authoring) -> None:
    r = svc.put("/v1/rules/drafts/vn?shadow=true", svc.author_key, json={"files": VN})
    assert r.status_code == 200 and r.json()["shadow"] is True
    version = r.json()["version"]
    vn_tool, de_tool = HISTORY[4]["transaction"], HISTORY[5]["transaction"]  # S-005, S-006
    r = svc.post("/v1/screen", svc.screen_key, json=vn_tool)
    assert r.status_code == 200 and r.json()["decision"] == "clear"  # live, not the draft
    assert not any(f["rule_id"] == VN_CLAUSE for f in r.json()["findings"])
    vn_id = r.headers["X-Screening-Id"]
    stored = svc.get(f"/v1/screenings/{vn_id}", svc.author_key).json()
    assert stored["decision"] == "clear" and stored["result"] == r.json()
    assert svc.post("/v1/screen", svc.screen_key, json=de_tool).json()["decision"] == "clear"

    report = svc.get("/v1/rules/drafts/vn/shadow-report", svc.author_key).json()
    assert (report["screened"], report["newly_flagged"], report["unchanged"]) == (2, 1, 1)
    (change,) = report["changes"]
    assert change["screening_id"] == vn_id and change["live_decision"] == "clear"
    assert change["draft_decision"] == "license_required"
    assert change["newly_firing"] == {VN_CLAUSE: "license_required"}
    assert (report["draft"], report["draft_version"]) == ("vn", version)
    log = svc.jobs_dir / "shadow" / "shadow.jsonl"
    assert len(log.read_text().splitlines()) == 2

    # shadow off: screenings are no longer shadowed, the report keeps what was recorded
    assert (
        svc.put("/v1/rules/drafts/vn", svc.author_key, json={"files": VN}).json()["shadow"] is False
    )
    svc.post("/v1/screen", svc.screen_key, json=vn_tool)
    assert svc.get("/v1/rules/drafts/vn/shadow-report", svc.author_key).json()["screened"] == 2
    assert svc.get("/v1/rules/drafts/nope/shadow-report", svc.author_key).status_code == 404

    # a new version in shadow reports on its own screenings only; once unloaded, on all
    later = {"vn_deposition.yaml": VN["vn_deposition.yaml"].replace("2026-01-01", "2026-01-02")}
    r = svc.put("/v1/rules/drafts/vn?shadow=1", svc.author_key, json={"files": later})
    assert r.json()["version"] != version
    assert svc.get("/v1/rules/drafts/vn/shadow-report", svc.author_key).json()["screened"] == 0
    svc.post("/v1/screen", svc.screen_key, json=vn_tool)
    after = svc.get("/v1/rules/drafts/vn/shadow-report", svc.author_key).json()
    assert (after["screened"], after["newly_flagged"]) == (1, 1)
    assert after["draft_version"] == r.json()["version"]
    assert svc.delete("/v1/rules/drafts/vn", svc.author_key).status_code == 204
    gone = svc.get("/v1/rules/drafts/vn/shadow-report", svc.author_key).json()
    assert (gone["screened"], gone["newly_flagged"]) == (3, 2)


def test_audit_trail_as_replay_history(
    db_url: str,
    screener: Screener,
) -> None:
    """The adapter on SQLite and PostgreSQL: decisive ids from the summary, the window in
    whole days, and rows stored before the summary kept them give no drift."""
    store = AuditStore(db_url)
    ids = {}
    for line in HISTORY:
        tx = Transaction.model_validate(line["transaction"])
        at = dt.datetime.fromisoformat(line["screened_at"]).replace(hour=23, tzinfo=dt.UTC)
        ids[line["id"]] = store.record(tx, screener.screen(tx), requested_by="t", at=at)
    stored = {s.id: s for s in audit_history(store)}
    first = stored[str(ids["S-001"])]
    assert first.rule_ids == (NS_D5, RS_D5) and first.decision == Decision.license_required
    assert (
        first.screened_at == dt.date(2026, 3, 2) and first.transaction.items[0].eccn == "3B001.p.2"
    )
    assert stored[str(ids["S-005"])].rule_ids == ()
    # LVS overcomes 3B001.a.3's NS2 requirement: the clause fired but decided nothing
    lvs = Transaction.model_validate(LVS_TO_MALAYSIA)
    lvs_id = store.record(lvs, screener.screen(lvs), requested_by="t")
    (lvs_row,) = (s for s in store.iter_screenings() if s.id == lvs_id)
    assert "us.ccl.3B001.ns2" in lvs_row.summary.rules and lvs_row.summary.decisive == []
    (lvs_stored,) = (s for s in audit_history(store) if s.id == str(lvs_id))
    assert lvs_stored.rule_ids == () and lvs_stored.decision == Decision.clear
    assert replay([lvs_stored], screener, screener).drift == 0
    window = audit_history(store, dt.date(2026, 3, 2), dt.date(2026, 4, 15))  # both days whole
    assert [s.id for s in window] == [str(ids["S-001"]), str(ids["S-002"])]

    # an old row (no `decisive` in its summary): no rule ids, hence no drift claimed
    with Session(store.engine) as session:
        row = session.exec(select(ScreeningRow).where(col(ScreeningRow.id) == ids["S-003"])).one()
        summary = json.loads(row.summary)
        del summary["decisive"]
        row.summary = json.dumps(summary)
        session.add(row)
        session.commit()
    old = next(s for s in audit_history(store) if s.id == str(ids["S-003"]))
    assert old.rule_ids is None and old.decision == Decision.license_required

    narrow = draft_screener(
        load_draft(DRAFTS / "narrow-sme-cleaning", [c.pack for c in screener.compiled]),
        screener.parties,
    )
    report = replay(audit_history(store, since=dt.date(2026, 1, 1)), screener, narrow)
    # six fixture screenings made in 2026 and the LVS one made today
    assert (report.screened, report.newly_cleared, report.drift) == (7, 2, 0)
    assert {d.screening_id for d in report.changes} == {str(ids["S-001"]), str(ids["S-002"])}


def test_drafts_and_their_shadowing_survive_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service restarted on the same jobs folder holds the same drafts, shadowing as
    before; a draft that no longer loads is skipped with its files kept."""
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "idx"))
    monkeypatch.delenv("CHOKEPOINT_SHADOW_LOG", raising=False)
    url = f"sqlite:///{tmp_path / 'service.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    jobs = tmp_path / "jobs"
    with TestClient(create_app(database_url=url, jobs_dir=jobs)) as client:
        svc = Authoring(client, url, jobs)
        put = svc.put("/v1/rules/drafts/narrow?shadow=true", svc.author_key, json={"files": NARROW})
        assert put.status_code == 200 and put.json()["shadow"] is True
        assert svc.put("/v1/rules/drafts/vn", svc.author_key, json={"files": VN}).status_code == 200
        before = {d["name"]: d for d in svc.get("/v1/rules/drafts", svc.author_key).json()}
    (version,) = (p for p in (jobs / "drafts" / "vn").iterdir() if p.is_dir())
    (version / "broken.yaml").write_text("clauses: 3\n", encoding="utf-8")
    with TestClient(create_app(database_url=url, jobs_dir=jobs)) as client:
        svc = Authoring(client, url, jobs)
        after = {d["name"]: d for d in svc.get("/v1/rules/drafts", svc.author_key).json()}
        assert list(after) == ["narrow"]  # vn no longer loads: skipped
        assert after["narrow"]["shadow"] is True
        assert after["narrow"]["version"] == before["narrow"]["version"]
        assert (version / "broken.yaml").exists()
        ids = svc.screen_history()
        report = svc.get("/v1/rules/drafts/narrow/shadow-report", svc.author_key).json()
        # the narrowing draft clears the same three the replay test finds (S-001, S-002, S-007)
        assert (report["screened"], report["newly_cleared"]) == (len(ids), 3)
