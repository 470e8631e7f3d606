"""The HTTP service through FastAPI's TestClient (and once over a real uvicorn on loopback):
keys and refusals, screening stored in the audit trail, batch jobs, rules, stats, limits."""

from __future__ import annotations

import csv
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from test_batch import write_malformed

from api.app import create_app
from screener.audit.db import open_engine
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore
from screener.batch.runner import run_batch
from screener.engine import Screener
from screener.parties.store import ListStore

FIXTURE_CSL = Path(__file__).parent / "fixtures" / "lists" / "consolidated.csv"
ETCH = {
    "id": "PO-1",
    "date": "2026-08-03",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "parties": [{"role": "end_user", "name": "Example Fab Co.", "country": "CN"}],
    "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
}


class Service:
    def __init__(self, client: TestClient, url: str, jobs_dir: Path) -> None:
        self.client = client
        self.url = url
        self.jobs_dir = jobs_dir
        keys = KeyStore(url)
        self.screen_key = keys.create("screen", "alice")[0]
        self.other_key = keys.create("screen", "bob")[0]
        self.author_key = keys.create("author", "rules team")[0]
        self.admin_key = keys.create("admin", "ops")[0]

    def get(self, path: str, key: str | None = None, **kw: object) -> httpx.Response:
        return self.client.get(path, headers={"X-API-Key": key} if key else {}, **kw)  # type: ignore[arg-type]

    def post(self, path: str, key: str | None = None, **kw: object) -> httpx.Response:
        return self.client.post(path, headers={"X-API-Key": key} if key else {}, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("service")
    url = f"sqlite:///{folder / 'service.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "idx"))
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    app = create_app(database_url=url, jobs_dir=folder / "jobs", max_upload=300_000)
    with TestClient(app) as client:
        yield Service(client, url, folder / "jobs")
    mp.undo()


def _wait(svc: Service, job_id: str, key: str) -> dict[str, object]:
    for _ in range(300):
        status = svc.get(f"/v1/batches/{job_id}", key).json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {status}")


def test_health_needs_no_key(svc: Service) -> None:
    body = svc.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert "us-ear" in body["versions"] and "list:csl" in body["versions"]


def test_every_v1_endpoint_refuses_a_request_without_a_valid_key(svc: Service) -> None:
    paths = [p for p in svc.get("/openapi.json").json()["paths"] if p.startswith("/v1")]
    assert {"/v1/screen", "/v1/batches", "/v1/stats", "/v1/rules"} <= set(paths)
    spec = svc.get("/openapi.json").json()["paths"]
    for path in paths:
        for method in spec[path]:
            url = (
                path.replace("{screening_id}", "1")
                .replace("{job_id}", "x")
                .replace("{clause_id}", "x")
            )
            for key in (None, "cp_00000000_not-a-key"):
                r = svc.client.request(
                    method.upper(), url, headers={"X-API-Key": key} if key else {}
                )
                assert r.status_code == 401, (method, url, r.text)
                error = r.json()["error"]
                assert (
                    ("X-API-Key" in error)
                    if key is None
                    else error == ("unknown or revoked API key")
                )


def test_roles_and_revocation(svc: Service) -> None:
    r = svc.post("/v1/screen", svc.author_key, json=ETCH)
    assert r.status_code == 403 and "'author' may not" in r.json()["error"]
    r = svc.get("/v1/stats", svc.screen_key)
    assert r.status_code == 403 and "needs admin or author" in r.json()["error"]
    assert svc.get("/v1/stats", svc.admin_key).status_code == 200
    keys = KeyStore(svc.url)
    key, record = keys.create("screen", "leaver")
    assert svc.post("/v1/screen", key, json=ETCH).status_code == 200
    keys.revoke(record.prefix)
    assert svc.post("/v1/screen", key, json=ETCH).status_code == 401


def test_screen_is_stored_in_the_audit_trail(svc: Service) -> None:
    r = svc.post("/v1/screen", svc.screen_key, json=ETCH)
    assert r.status_code == 200
    result = r.json()
    assert result["decision"] == "license_required"
    assert any("742.4" in f["citation"] for f in result["findings"])
    screening_id = r.headers["X-Screening-Id"]
    assert r.headers["Location"] == f"/v1/screenings/{screening_id}"

    stored = svc.get(f"/v1/screenings/{screening_id}", svc.author_key).json()
    assert stored["requested_by"].endswith(":alice") and stored["requested_by"].startswith("key:")
    assert stored["transaction"]["items"][0]["eccn"] == "3B001.c.1.a"
    assert stored["result"] == result
    assert stored["versions"]["list:csl"] and stored["versions"]["us-ear"]
    assert svc.get("/v1/screenings/987654", svc.screen_key).status_code == 404


def test_bad_input_is_a_json_error_naming_every_field(svc: Service) -> None:
    bad = {**ETCH, "destination_country": "XX", "itmes": []}
    r = svc.post("/v1/screen", svc.screen_key, json=bad)
    assert r.status_code == 422
    body = r.json()
    assert any(p.startswith("destination_country: 'XX'") for p in body["problems"])
    assert any(p.startswith("itmes: unknown field") for p in body["problems"])
    assert "Traceback" not in r.text
    r = svc.client.post(
        "/v1/screen",
        content=b'{"exporter": ',
        headers={"X-API-Key": svc.screen_key, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "not valid JSON" in r.json()["error"]
    r = svc.get("/nowhere")
    assert r.status_code == 404 and r.json()["error"] == "Not Found"


def test_body_and_upload_limits(svc: Service) -> None:
    huge = {**ETCH, "items": [{"eccn": "EAR99", "description": "x" * 1000}] * 1200}
    r = svc.post("/v1/screen", svc.screen_key, json=huge)
    assert r.status_code == 413 and "1,048,576 bytes" in r.json()["error"]
    big_csv = "exporter_name,exporter_country,destination_country\n" + "Acme,US,DE\n" * 40_000
    r = svc.post("/v1/batches", svc.screen_key, files={"file": ("big.csv", big_csv)})
    assert r.status_code == 413 and "300,000 bytes" in r.json()["error"]


def test_batch_job_accounts_for_every_line(svc: Service, tmp_path: Path) -> None:
    source = tmp_path / "malformed.csv"
    write_malformed(source)
    r = svc.post(
        "/v1/batches", svc.screen_key, files={"file": ("malformed.csv", source.read_bytes())}
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and job["total_lines"] == 13
    status = _wait(svc, job["id"], svc.screen_key)
    assert status["status"] == "done" and status["done_lines"] == 13 and status["progress"] == 1.0
    assert status["summary"]["ok"] == 4 and status["summary"]["errors"] == 9

    text = svc.get(f"/v1/batches/{job['id']}/results", svc.screen_key).text
    table = list(csv.DictReader(text.splitlines()))
    assert [int(row["line"]) for row in table] == list(range(2, 15))
    assert table[0]["decision"] == "license_required" and "742.4" in table[0]["citations"]
    jsonl = svc.get(f"/v1/batches/{job['id']}/results?format=jsonl", svc.screen_key).text
    records = [json.loads(x) for x in jsonl.splitlines()]
    assert len(records) == 13 and records[1] == {**records[1], "line": 3, "status": "error"}
    assert records[1]["error"] == "quantity: 'abc' is not a number"

    report = svc.get(f"/v1/batches/{job['id']}/report", svc.screen_key)
    assert report.status_code == 200 and "<svg" in report.text and "13 lines" in report.text
    assert svc.get(f"/v1/batches/{job['id']}", svc.other_key).status_code == 404
    assert svc.get(f"/v1/batches/{job['id']}", svc.admin_key).status_code == 200

    r = svc.post("/v1/batches", svc.screen_key, files={"file": ("x.csv", b"name,country\nA,B\n")})
    assert r.status_code == 422
    assert "missing required column(s): exporter_name" in r.json()["error"]
    assert "unknown column(s): name, country" in r.json()["error"]


def test_rules_by_jurisdiction_and_date(svc: Service) -> None:
    now = svc.get("/v1/rules?jurisdiction=us&as_of=2026-08-03", svc.author_key).json()
    then = svc.get("/v1/rules?jurisdiction=US&as_of=2019-01-01", svc.author_key).json()
    ids_now = {c["id"] for c in now["packs"][0]["clauses"]}
    ids_then = {c["id"] for c in then["packs"][0]["clauses"]}
    assert "us.ccl.3B001.worldwide.ns" in ids_now and "us.ccl.3B001.worldwide.ns" not in ids_then
    assert len(ids_then) < len(ids_now)
    r = svc.get("/v1/rules?jurisdiction=ZZ", svc.author_key)
    assert r.status_code == 404
    assert "loaded: CN, DE, EU, JP, KR, NL, TW, UK, US" in r.json()["error"]
    one = svc.get("/v1/rules/us.ccl.3B001.worldwide.ns", svc.screen_key).json()
    assert one["clause"]["outcome"] == "license_required" and one["file"].endswith(".yaml")


def test_stats_count_stored_screenings(svc: Service) -> None:
    before = svc.get("/v1/stats", svc.author_key).json()
    svc.post("/v1/screen", svc.screen_key, json=ETCH)
    after = svc.get("/v1/stats", svc.author_key).json()
    assert after["total"] == before["total"] + 1
    assert (
        after["by_decision"]["license_required"]
        == before["by_decision"].get("license_required", 0) + 1
    )
    assert after["by_rule"]["us.ccl.3B001.worldwide.ns"] >= 1
    assert svc.get("/v1/stats?since=2999-01-01", svc.author_key).json()["total"] == 0


def test_openapi_documents_keys_and_examples(svc: Service) -> None:
    spec = svc.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    examples = spec["paths"]["/v1/screen"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    assert examples["etch tool to China"]["value"]["items"][0]["eccn"] == "3B001.c.1.a"


def test_a_stopped_job_resumes_when_the_service_starts(
    tmp_path: Path, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "idx"))
    url = f"sqlite:///{tmp_path / 'resume.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    folder = tmp_path / "jobs" / "j1"
    folder.mkdir(parents=True)
    source = folder / "input.csv"
    write_malformed(source)
    reference = tmp_path / "reference.csv"
    run_batch(source, reference, processes=1, screener=screener, report=False)
    lines = reference.read_bytes().splitlines(keepends=True)
    (folder / "results.csv").write_bytes(b"".join(lines[:6]) + lines[6][:20])  # cut mid-row
    # as the interrupted run left it: with the record of the input it was reading
    (folder / "results.csv.input.json").write_bytes(
        (tmp_path / "reference.csv.input.json").read_bytes()
    )
    jobs = JobStore(engine=open_engine(url))
    jobs.create(
        "j1",
        created_by="key:x:y",
        input_name="m.csv",
        input_path=str(source),
        output_path=str(folder / "results.csv"),
        total_lines=13,
    )
    jobs.update("j1", status="running", done_lines=5)
    with TestClient(create_app(database_url=url, jobs_dir=tmp_path / "jobs")):
        for _ in range(300):
            job = jobs.get("j1")
            assert job is not None
            if job.status == "done":
                break
            time.sleep(0.1)
    assert job.status == "done" and job.counts["resumed_after"] == 5 and job.done_lines == 13
    assert (folder / "results.csv").read_bytes() == reference.read_bytes()


def test_postgresql_path(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "idx"))
    ListStore(db_url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    with TestClient(create_app(database_url=db_url, jobs_dir=tmp_path / "jobs")) as client:
        key = KeyStore(db_url).create("admin")[0]
        r = client.post("/v1/screen", json=ETCH, headers={"X-API-Key": key})
        assert r.status_code == 200 and r.json()["decision"] == "license_required"
        stored = client.get(
            f"/v1/screenings/{r.headers['X-Screening-Id']}", headers={"X-API-Key": key}
        ).json()
        assert stored["result"]["decision"] == "license_required"
        stats = client.get("/v1/stats", headers={"X-API-Key": key}).json()
        assert stats["by_decision"] == {"license_required": 1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_uvicorn_on_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "idx"))
    url = f"sqlite:///{tmp_path / 'live.db'}"
    ListStore(url).import_list(FIXTURE_CSL, "csl-csv", "csl")
    key = KeyStore(url).create("screen")[0]
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(database_url=url, jobs_dir=tmp_path / "jobs"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1200):  # a minute: startup loads every pack, on a busy machine too
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get("/healthz").json()["status"] == "ok"
            assert http.post("/v1/screen", json=ETCH).status_code == 401
            r = http.post("/v1/screen", json=ETCH, headers={"X-API-Key": key})
            assert r.status_code == 200 and r.json()["decision"] == "license_required"
    finally:
        server.should_exit = True
        thread.join(10)


def _cell(matrix: dict, item_class: str, destination: str, jurisdiction: str) -> dict:
    return next(
        c
        for c in matrix["cells"]
        if (c["item_class"], c["destination"], c["jurisdiction"])
        == (item_class, destination, jurisdiction)
    )


def test_gaps_matrix_as_of_a_date_as_json_and_html(svc: Service) -> None:
    """The Dutch extension to NXT:1970i/1980i took effect on 2024-09-07: the NL cell for
    China turns from clear to licence required, and the EU's Art. 10 review appears."""
    before = svc.get("/v1/gaps?as_of=2024-09-01", svc.screen_key).json()
    after = svc.get("/v1/gaps?as_of=2024-10-01", svc.screen_key).json()
    assert _cell(before, "duv_immersion_nxt1980i", "CN", "NL")["decision"] == "clear"
    nl = _cell(after, "duv_immersion_nxt1980i", "CN", "NL")
    assert (nl["decision"], nl["rule_ids"]) == ("license_required", ["nl.regeling_2024.art2"])
    assert _cell(after, "duv_immersion_nxt1980i", "CN", "EU")["rule_ids"] == [
        "eu.art10.dutch_national_list"
    ]
    page = svc.get("/v1/gaps?as_of=2024-10-01&format=html", svc.screen_key)
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!doctype html>") and "<script" not in page.text
    assert svc.get("/v1/gaps").status_code == 401
    bad = svc.get("/v1/gaps?as_of=2024-13-01", svc.screen_key)
    assert bad.status_code == 422 and "as_of" in bad.text
