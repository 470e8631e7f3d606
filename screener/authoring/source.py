"""What a rule author points a command at, resolved to packs.

`PATH` may be a rules folder (packs in sub-folders, like `rules/`), one pack folder (with
`pack.yaml`), a draft folder (overlay, see `drafts`), or a single clause file (a one-file
draft). A draft is merged over the live packs of `rules_dir`; the commands then look only at
the draft's own clauses (`focus`), since the live ones are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from screener.authoring.drafts import Draft, load_draft
from screener.packs.loader import load_pack, load_packs
from screener.packs.pack import Pack


@dataclass
class Target:
    label: str
    packs: list[Pack]
    focus: set[str] | None  # clause ids to report on; None: every clause
    draft: Draft | None = None


def resolve(path: Path | None, rules_dir: Path, live: list[Pack] | None = None) -> Target:
    """Load what `path` names (raises PackError on a pack or draft that does not validate,
    FileNotFoundError when there is nothing there). `live`: the packs of `rules_dir` if the
    caller already holds them (a running service), so they are not loaded again."""
    if path is None:
        return Target(str(rules_dir), load_packs(rules_dir), None)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir() and any(path.glob("*/pack.yaml")):
        return Target(str(path), load_packs(path), None)
    if path.is_dir() and (path / "pack.yaml").exists():
        pack = load_pack(path)
        if pack.tables is None:  # a pack without its own tables reads the live ones
            tabled = next((p for p in load_packs(rules_dir) if p.tables is not None), None)
            pack.tables = tabled.tables if tabled else None
        return Target(str(path), [pack], None)
    draft = load_draft(path, live if live is not None else load_packs(rules_dir))
    return Target(f"draft {draft.name}", draft.packs, set(draft.clause_ids), draft)
