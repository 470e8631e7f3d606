"""Draft packs: a rule author's proposed change, loaded beside the live pack.

A draft is one of:

- an *overlay* folder (no `pack.yaml`): clause files whose clauses replace the live clause
  with the same id or add a new one, and an optional `draft.yaml` (`schemas.rules.DraftMeta`)
  naming the live pack it overlays and the live clause ids it `retire`s;
- a single clause file: an overlay of one file;
- a *complete* pack folder (with `pack.yaml`): it replaces the live pack with the same id
  (or is added beside the live packs when its id is new).

Draft clauses pass exactly the loader's checks (`screener.packs.loader.load_clause_file`), against
the live pack's metadata and reference tables, which the merged pack shares rather than
reloads. Drafts are always evaluated with the python backend: a durable-rules ruleset can be
neither replaced nor deleted without leaking (screener/durable_backend.py), so
compiling every draft into it would grow the process with each load; the python backend is
the oracle the durable backend must match, so a draft's verdicts are the same either way.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from schemas.rules import DraftMeta
from screener.engine import Screener
from screener.packs.loader import (
    YamlDoc,
    check_overcomes,
    clause_files,
    load_clause_file,
    load_pack,
    set_names,
)
from screener.packs.member_states import compose
from screener.packs.pack import LoadedClause, Pack, PackError
from screener.parties.screening import PartyScreening

DRAFT_META = "draft.yaml"


@dataclass
class Draft:
    """A draft merged over the live packs: `packs` is what a draft Screener loads."""

    name: str
    root: Path
    kind: Literal["overlay", "complete"]
    version: str  # content hash of the draft's own files
    packs: list[Pack]
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def clause_ids(self) -> list[str]:
        """Ids of the clauses the draft itself defines (added or replaced)."""
        return self.added + self.replaced


def _hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _draft_files(path: Path) -> tuple[list[Path], DraftMeta]:
    """The clause files of an overlay (folder or single file) and its draft.yaml."""
    if path.is_file():
        return [path], DraftMeta()
    meta = DraftMeta()
    meta_path = path / DRAFT_META
    if meta_path.exists():
        doc = YamlDoc.read(meta_path)
        try:
            meta = DraftMeta.model_validate(doc.data or {})
        except ValidationError as exc:
            raise PackError(
                [f"{meta_path}:1: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            ) from exc
    files = [p for p in sorted(path.rglob("*.yaml")) if p.name != DRAFT_META]
    return files, meta


def _target(files: list[Path], meta: DraftMeta, live: list[Pack], meta_path: Path) -> Pack:
    """The live pack an overlay applies to: draft.yaml's `pack`, else the one pack whose
    jurisdiction the draft clauses name (read before validation, to pick the vocabulary)."""
    if meta.pack is not None:
        for pack in live:
            if pack.meta.id == meta.pack:
                return pack
        known = ", ".join(p.meta.id for p in live)
        raise PackError([f"{meta_path}:1: pack {meta.pack!r} is not a live pack ({known})"])
    if len(live) == 1:
        return live[0]
    named: set[str] = set()
    for path in files:
        data = YamlDoc.read(path).data
        clauses = data.get("clauses") if isinstance(data, dict) else None
        if not isinstance(clauses, list):
            raise PackError([f"{path}:1: a clause file needs a top-level 'clauses:' list"])
        named |= {
            j
            for c in clauses
            if isinstance(c, dict) and isinstance(j := c.get("jurisdiction"), str)
        }
    matches = [p for p in live if p.jurisdiction in named]
    if len(matches) != 1:
        raise PackError(
            [
                f"{files[0] if files else DRAFT_META}:1: cannot tell which live pack the draft "
                f"overlays (jurisdictions {sorted(map(str, named))}); name it in {DRAFT_META}"
            ]
        )
    return matches[0]


def _complete(path: Path, live: list[Pack], name: str) -> Draft:
    """A complete pack: it replaces the live pack with its id (or joins the live packs), and
    reads the replaced pack's reference tables when it carries none of its own."""
    pack = load_pack(path, set_names(live[0].root.parent)) if live else load_pack(path)
    replaced = next((p for p in live if p.meta.id == pack.meta.id), None)
    if pack.tables is None and replaced is not None:
        pack.tables = replaced.tables
    old = {lc.clause.id for lc in replaced.clauses} if replaced else set()
    new = [lc.clause.id for lc in pack.clauses]
    return Draft(
        name=name,
        root=path,
        kind="complete",
        version=pack.version,
        packs=compose(
            sorted([p for p in live if p is not replaced] + [pack], key=lambda p: p.meta.id)
        ),
        added=[i for i in new if i not in old],
        replaced=[i for i in new if i in old],
        retired=sorted(old - set(new)),
        files=clause_files(path),
    )


def load_draft(path: Path, live: list[Pack], name: str | None = None) -> Draft:
    """Load a draft (overlay folder, single clause file or complete pack) over `live`.

    Raises PackError (file:line problems) when a draft clause fails the loader's checks, a
    retired id is not a live clause, or the merged pack no longer holds together (an
    exception's `overcomes` pattern now names no clause).
    """
    path = path.resolve()
    name = name or path.stem
    if not path.exists():
        raise PackError([f"{path}: no such draft"])
    if path.is_dir() and (path / "pack.yaml").exists():
        return _complete(path, live, name)
    files, meta = _draft_files(path)
    if not files:
        raise PackError([f"{path}: a draft needs at least one clause file (*.yaml)"])
    base = _target(files, meta, live, path / DRAFT_META)
    problems: list[str] = []
    seen: dict[str, str] = {}
    drafted: list[LoadedClause] = []
    country_sets = set_names(base.root.parent)
    for file in files:
        loaded, found = load_clause_file(file, base.meta, base.tables, seen, country_sets)
        drafted += loaded
        problems += found
    live_ids = {lc.clause.id for lc in base.clauses}
    for clause_id in meta.retire:
        if clause_id not in live_ids:
            problems.append(f"{path / DRAFT_META}:1: retire {clause_id!r}: no such live clause")
        if clause_id in seen:
            problems.append(f"{seen[clause_id]}: clause {clause_id} is both retired and redefined")
    by_id = {lc.clause.id: lc for lc in drafted}
    retired = set(meta.retire)
    merged = [by_id.get(lc.clause.id, lc) for lc in base.clauses if lc.clause.id not in retired]
    added = [lc for lc in drafted if lc.clause.id not in live_ids]
    merged += added
    problems += check_overcomes(merged)
    if problems:
        raise PackError(problems)
    version = _hash([*files, *([path / DRAFT_META] if (path / DRAFT_META).exists() else [])])
    pack = Pack(
        meta=base.meta,
        root=base.root,
        version=f"{base.version}+draft.{version}",
        clauses=merged,
        tables=base.tables,
    )
    return Draft(
        name=name,
        root=path,
        kind="overlay",
        version=version,
        packs=compose([pack if p is base else p for p in live]),
        added=[lc.clause.id for lc in added],
        replaced=[lc.clause.id for lc in drafted if lc.clause.id in live_ids],
        retired=sorted(retired),
        files=files,
    )


def draft_screener(draft: Draft, parties: PartyScreening | None = None) -> Screener:
    """A Screener over the draft's merged packs, always on the python backend (see above)."""
    return Screener(backend="python", parties=parties, packs=draft.packs)


class DraftRegistry:
    """Drafts loaded into a running process (a service worker), by name, without a restart.

    Loading builds a python-backend Screener over the draft merged with the live packs
    (sharing the live packs' reference tables and clause objects); unloading drops every
    reference the registry holds, so the draft is garbage once callers drop theirs
    (bench/bench_drafts.py measures 1,000 load/unload cycles). Identical draft content is
    reused, keyed by content hash, instead of compiled again.
    """

    def __init__(self, live: Screener) -> None:
        self.live = live
        self._lock = threading.Lock()
        self._drafts: dict[str, tuple[Draft, Screener]] = {}

    @property
    def live_packs(self) -> list[Pack]:
        return [c.pack for c in self.live.compiled]

    def load(self, name: str, path: Path) -> tuple[Draft, Screener]:
        draft = load_draft(path, self.live_packs, name)
        with self._lock:
            current = self._drafts.get(name)
            if current is not None and current[0].version == draft.version:
                return current
        screener = draft_screener(draft, self.live.parties)
        with self._lock:
            self._drafts[name] = (draft, screener)
        return draft, screener

    def get(self, name: str) -> tuple[Draft, Screener]:
        with self._lock:
            if name not in self._drafts:
                raise KeyError(f"no draft named {name!r} is loaded")
            return self._drafts[name]

    def unload(self, name: str) -> None:
        with self._lock:
            self._drafts.pop(name, None)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._drafts)
