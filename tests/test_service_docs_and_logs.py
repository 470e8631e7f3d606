"""The service as a new user meets it: /docs works offline (no CDN), and every request gets
an X-Request-ID and one JSON log line."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.request_log import JsonFormatter


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("docs")
    app = create_app(database_url=f"sqlite:///{folder / 'cp.db'}", jobs_dir=folder / "jobs")
    with TestClient(app) as test_client:
        yield test_client


def test_docs_reference_only_local_assets_that_load(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", page.text)
    urls = [a or b for a, b in urls]
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls), urls
    assert any(u.endswith(".css") for u in urls), urls
    assert "/openapi.json" in urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not local"
        assert client.get(url).status_code == 200, url
    assert "cdn" not in page.text.lower()


def test_every_response_has_a_request_id_and_one_json_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="chokepoint.request"):
        mine = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
        fresh = client.get("/v1/stats")  # refused: no key
    assert mine.headers["X-Request-ID"] == "trace-42"
    assert fresh.status_code == 401 and re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    lines = [
        json.loads(JsonFormatter().format(r))
        for r in caplog.records
        if r.name == "chokepoint.request"
    ]
    assert [(x["request_id"], x["path"], x["status"]) for x in lines] == [
        ("trace-42", "/healthz", 200),
        (fresh.headers["X-Request-ID"], "/v1/stats", 401),
    ]
    assert all(x["method"] == "GET" and x["duration_ms"] >= 0 for x in lines)
    assert all(x["level"] == "info" and x["logger"] == "chokepoint.request" for x in lines)


def test_a_header_that_is_no_id_is_replaced(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "two words\r\n"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])


def test_health_names_the_database_without_its_password(tmp_path: Path) -> None:
    from screener.settings import shown_url

    assert shown_url("postgresql+psycopg://cp:secret@db:5432/cp") == (
        "postgresql+psycopg://cp:***@db:5432/cp"
    )
