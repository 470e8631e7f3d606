"""The authoring commands over draft *content*, for `POST /v1/rules/test|lint|replay`.

An API request carries the draft's files as text, not a path. These functions write them to
a private temporary folder for the duration of the call, run the same cores as the CLI, and
report file names as the request gave them (never the temporary path). They hold no state,
so the service can call them from any worker; `live` is the service's loaded Screener, whose
packs are reused rather than loaded again.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from screener.authoring.diff import ImpactReport
from screener.authoring.drafts import Draft, draft_screener, load_draft
from screener.authoring.examples import run_examples
from screener.authoring.lint import LintFinding, check_pack, from_problem
from screener.authoring.replay import StoredScreening, replay
from screener.engine import Screener
from screener.packs.pack import PackError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.ya?ml$")


class DraftRequestError(ValueError):
    """A request whose files cannot form a draft (bad names, none at all): a 400/422."""


@contextmanager
def _materialised(files: dict[str, str]) -> Iterator[tuple[Path, dict[str, str]]]:
    """The files in a temporary folder, and a map from its paths back to the given names."""
    with tempfile.TemporaryDirectory(prefix="chokepoint-draft-") as tmp:
        root = Path(tmp) / "draft"
        root.mkdir()
        yield root, write_files(files, root)


def write_files(files: dict[str, str], root: Path) -> dict[str, str]:
    """Write {file name: YAML text} into the existing folder `root` (a name's folders are
    dropped: a request never chooses where on the server a file lands); returns the map from
    the written paths back to the given names, for `unmask`."""
    if not files:
        raise DraftRequestError("a draft needs at least one clause file")
    names: dict[str, str] = {}
    for name, text in files.items():
        base = PurePosixPath(name).name
        if not _SAFE_NAME.match(base):
            raise DraftRequestError(f"{name!r}: a clause file is named like clauses.yaml")
        if str(root / base) in names:
            raise DraftRequestError(f"{name!r}: two files with the name {base!r}")
        (root / base).write_text(text, encoding="utf-8")
        names[str(root / base)] = name
    # any other mention of the folder (draft.yaml when the request sent none): relative
    names[str(root) + "/"] = ""
    names[str(root)] = "(draft)"
    return names


def unmask(text: str, names: dict[str, str]) -> str:
    """`text` with the server paths of `write_files` replaced by the names the request gave."""
    for tmp, name in names.items():
        text = text.replace(tmp, name)
    return text


def _load(root: Path, names: dict[str, str], live: Screener, name: str) -> Draft:
    try:
        return load_draft(root, [c.pack for c in live.compiled], name)
    except PackError as exc:
        raise PackError([unmask(p, names) for p in exc.problems]) from exc


def rules_lint(files: dict[str, str], live: Screener, name: str = "draft") -> list[LintFinding]:
    """Lint findings for a draft given as {file name: YAML text}."""
    with _materialised(files) as (root, names):
        try:
            draft = _load(root, names, live, name)
        except PackError as exc:
            return [from_problem(p) for p in exc.problems]
        focus, added = set(draft.clause_ids), set(draft.added)
        findings = [f for p in draft.packs for f in check_pack(p, focus, added)]
        return [
            LintFinding(f.severity, f.code, unmask(f.where, names), f.message, f.clause_id)
            for f in findings
        ]


def rules_test(files: dict[str, str], live: Screener, name: str = "draft") -> dict[str, Any]:
    """Example results and coverage of a draft's clauses, JSON-ready (as `rules test -f json`).
    Raises PackError (file names as given) when the draft does not load."""
    with _materialised(files) as (root, names):
        draft = _load(root, names, live, name)
        run = run_examples(draft.packs, draft.clause_ids)
        return {
            "draft": name,
            "examples": len(run.results),
            "failed": [
                {
                    "clause_id": r.clause_id,
                    "example": r.example,
                    "where": unmask(r.where, names),
                    "expect": r.expect,
                    "got": r.got,
                    "reason": r.reason,
                }
                for r in run.failed
            ],
            "branch_coverage": round(run.branch_coverage, 2),
            "gaps": {c.clause_id: c.gaps for c in run.coverage if c.gaps},
        }


def rules_replay(
    files: dict[str, str],
    live: Screener,
    history: Iterable[StoredScreening],
    since: dt.date | None = None,
    until: dt.date | None = None,
    name: str = "draft",
    guard: AbstractContextManager[object] | None = None,
) -> ImpactReport:
    """Replay `history` (from the audit store) with a draft given as text beside `live`."""
    with _materialised(files) as (root, names):
        draft = _load(root, names, live, name)
        screener = draft_screener(draft, live.parties)
    return replay(
        history,
        live,
        screener,
        draft_name=name,
        draft_version=draft.version,
        since=since,
        until=until,
        guard=guard,
    )
