"""Shared fixtures: the bundled packs, loaded once per test session, for both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.engine import Screener

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener(backend="python")


@pytest.fixture(scope="session")
def durable_screener() -> Screener:
    return Screener(backend="durable")
