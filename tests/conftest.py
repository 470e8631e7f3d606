"""Shared fixtures: the bundled packs, loaded once per session, for both backends, with party
screening over the bundled fixture lists (real CSL rows, tests/fixtures/lists/)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from screener.engine import Screener
from screener.parties.screening import PartyScreening, load_party_screening
from screener.parties.store import ListStore

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURE_LISTS = REPO / "tests" / "fixtures" / "lists"


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The per-user data directory (default database, jobs) of the whole session: a test
    never reads or writes the real one (screener.settings)."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("data")
    mp.setenv("CHOKEPOINT_DATA_DIR", str(folder))
    for name in ("CHOKEPOINT_DATABASE_URL", "CHOKEPOINT_JOBS_DIR", "CHOKEPOINT_SHADOW_LOG"):
        mp.delenv(name, raising=False)
    yield folder
    mp.undo()


@pytest.fixture(scope="session")
def list_store(tmp_path_factory: pytest.TempPathFactory) -> ListStore:
    """A SQLite store holding the fixture CSL (32 real rows) under the name `csl`."""
    folder = tmp_path_factory.mktemp("lists")
    store = ListStore(f"sqlite:///{folder / 'lists.db'}")
    store.import_list(FIXTURE_LISTS / "consolidated.csv", "csl-csv", "csl")
    return store


@pytest.fixture(scope="module")
def lists_url(list_store: ListStore) -> str:
    return list_store.url


@pytest.fixture
def index_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The party index cache in the session's temporary folder, not the user's."""
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "idx"))


@pytest.fixture(scope="session")
def party_screening(
    list_store: ListStore, tmp_path_factory: pytest.TempPathFactory
) -> PartyScreening:
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path_factory.mktemp("index-cache")))
    screening = load_party_screening(list_store)
    mp.undo()
    assert screening is not None
    return screening


@pytest.fixture(scope="session")
def screener(party_screening: PartyScreening) -> Screener:
    return Screener(backend="python", parties=party_screening)


@pytest.fixture(scope="session")
def durable_screener(party_screening: PartyScreening) -> Screener:
    pytest.importorskip("durable_rules_engine", reason="the durable extra is not installed")
    return Screener(backend="durable", parties=party_screening)


@pytest.fixture(scope="session")
def unscreened() -> Screener:
    """No list available: party clauses must ask for screening, never clear."""
    return Screener(backend="python")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a throw-away PostgreSQL schema of its own when
    CHOKEPOINT_TEST_DATABASE_URL is set (so runs never share tables); skipped otherwise."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chokepoint.db'}"
        return
    base = os.environ.get("CHOKEPOINT_TEST_DATABASE_URL")
    if not base:
        pytest.skip("CHOKEPOINT_TEST_DATABASE_URL not set")
    schema = f"cp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        from screener.audit.db import dispose_all

        dispose_all()  # pooled connections would hold the schema open
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
