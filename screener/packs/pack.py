"""A loaded rule pack as typed data: its metadata, clauses (each with the file and line it came
from) and tables, and the one error a pack that does not validate raises.

These types live apart from the loader so that the modules building on a loaded pack (member
states' composition, authoring tools, the engine) need not import the loader itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.rules import Clause, PackMeta
from screener.packs.tables import UsTables


class PackError(Exception):
    """A pack that does not validate. `problems` are `file:line: reason` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("rule pack does not validate:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass
class LoadedClause:
    """A clause with the file and line it was read from, so every problem can point there."""

    clause: Clause
    file: Path
    line: int
    applied_from: str | None = None  # id of the pack a member state applies it from


@dataclass
class Pack:
    """One jurisdiction's pack: metadata, clauses, tables and a content hash as its version."""

    meta: PackMeta
    root: Path
    version: str
    clauses: list[LoadedClause] = field(default_factory=list)
    tables: UsTables | None = None
    own_version: str = ""  # content hash of the pack's own files (version adds applied packs)

    @property
    def jurisdiction(self) -> str:
        return self.meta.jurisdiction


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge `override` over `base`: mappings merge, everything else (lists too) replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
