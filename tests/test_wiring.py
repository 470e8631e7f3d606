"""One Screener for every entry point (screener.wiring): the CLI, the service and the Python
`screen()` give the same answer for the same transaction, gaps included (issue 20: the API's
answer had no gaps), and say which database they used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from screener import wiring
from screener.audit.keys import KeyStore
from screener.parties.store import ListStore

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "etch-tool-to-china.json"
FIXTURE_CSL = REPO / "tests" / "fixtures" / "lists" / "consolidated.csv"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("wiring")
    db = f"sqlite:///{folder / 'cp.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "idx"))
    ListStore(db).import_list(FIXTURE_CSL, "csl-csv", "csl")
    yield db
    mp.undo()


def test_cli_api_and_python_give_the_same_result(url: str, monkeypatch, tmp_path: Path):
    run = CliRunner().invoke(cli, ["screen", str(EXAMPLE), "--db", url, "--no-record"])
    assert run.exit_code == 0, run.output
    assert f"Database: {url}" in run.stderr
    from_cli = json.loads(run.stdout)
    assert from_cli["gaps"], "the example's accelerator is where the jurisdictions disagree"

    key = KeyStore(url).create("screen", "wiring test")[0]
    with TestClient(create_app(database_url=url, jobs_dir=tmp_path / "jobs")) as client:
        response = client.post(
            "/v1/screen", headers={"X-API-Key": key}, json=json.loads(EXAMPLE.read_text())
        )
        assert response.status_code == 200, response.text
        health = client.get("/healthz").json()
    assert health["database_url"] == url
    from_api = response.json()

    monkeypatch.setenv("CHOKEPOINT_DATABASE_URL", url)
    monkeypatch.setattr(wiring, "_DEFAULT", {})
    from_python = wiring.screen(json.loads(EXAMPLE.read_text())).model_dump(mode="json")

    # no timestamps or generated ids in a result: all three are equal as a whole
    assert from_api == from_cli == from_python
    assert "list:csl" in from_cli["versions"]
