"""The one way to build a Screener from the settings: every entry point goes through here
(the `screen` command, the service, batch workers, the Python `screen()`), so the same
transaction gets the same answer, gaps included, whichever way it is asked.

Party screening runs over the lists in the configured database (none imported: the party
clauses ask for screening, never clear). Adjudications are read live from the store, except
for a batch, which is screened as they stood when it started (`snapshot`, one read instead
of one query per hit, screener.parties.snapshot).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.engine import BackendName, Screener
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.parties.screening import load_party_screening
from screener.parties.snapshot import AdjudicationSnapshot
from screener.parties.store import ListStore


def build_screener(
    rules_dir: Path = DEFAULT_RULES_DIR,
    backend: BackendName = "python",
    db_url: str | None = None,
    *,
    gaps: bool = True,
    snapshot: bool = False,
) -> Screener:
    """The screener over `rules_dir` with party screening over the database's lists.

    `gaps`: report where the baseline jurisdictions disagree (on for a single screening;
    a batch, whose rows have no place for them, turns it off). `snapshot`: adjudications
    read once (batches)."""
    store = ListStore(db_url)
    parties = load_party_screening(store)
    if parties is not None and snapshot:
        parties.adjudications = AdjudicationSnapshot(store)
    return Screener(rules_dir, backend=backend, parties=parties, gaps=gaps)


def lists_current(screener: Screener, db_url: str | None = None) -> bool:
    """Whether `screener` screens against the latest version of every list in the database.
    A long-lived screener (the service's batch runner) predates any list imported since it
    was built; queued batch lines must be screened against the latest versions."""
    store = ListStore(db_url)
    try:
        latest = {v.name: v.content_hash for v in store.versions()}
    finally:
        store.dispose()
    return latest == (screener.parties.list_versions if screener.parties else {})


_DEFAULT: dict[BackendName, Screener] = {}


def screen(
    transaction: Transaction | dict[str, Any], backend: BackendName = "python"
) -> ScreeningResult:
    """Screen with the bundled packs and the lists imported into the configured database
    (screener.settings), built as every entry point builds it (`build_screener`), once per
    process."""
    if backend not in _DEFAULT:
        _DEFAULT[backend] = build_screener(backend=backend)
    return _DEFAULT[backend].screen(transaction)
