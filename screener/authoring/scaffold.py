"""Start a draft from a live clause: copy it, verbatim, into a draft folder.

Narrowing or amending a live clause is the commonest change, and the safest start is the
clause as it stands, comments and all: the copy keeps the live id, so the draft replaces the
live clause, and `rules lint`/`rules test` pass on it before the first edit. A clause whose
text uses YAML aliases to lists defined elsewhere in its file (`*ccl_de_all`) cannot be cut
out as text; it is written from its parsed data instead (comments lost, values expanded).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from screener.packs.pack import LoadedClause, Pack

SCHEMA_LINE = "# yaml-language-server: $schema={}\n"
_ALIAS = re.compile(r"(?<![\w&])\*[A-Za-z_][\w-]*")


def find_clause(packs: list[Pack], clause_id: str) -> LoadedClause | None:
    return next(
        (lc for p in packs for lc in p.clauses if lc.clause.id == clause_id),
        None,
    )


def clause_text(lc: LoadedClause) -> str:
    """The clause's own lines in its file: from its `- id:` line to the next clause."""
    lines = lc.file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lc.line - 1
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.lstrip(" ")
        depth = len(line) - len(stripped)
        if stripped.strip() and depth <= indent and not stripped.startswith("#"):
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # trailing blank lines belong to the gap, not the clause
    return "".join(lines[start:end])


def _from_data(lc: LoadedClause) -> str:
    data = yaml.safe_load(lc.file.read_text(encoding="utf-8"))
    raw = next(c for c in data["clauses"] if isinstance(c, dict) and c.get("id") == lc.clause.id)
    dumped = yaml.safe_dump([raw], sort_keys=False, allow_unicode=True, width=100)
    return "".join("  " + line if line.strip() else line for line in dumped.splitlines(True))


def copy_clause(lc: LoadedClause, folder: Path, schema: Path | None = None) -> Path:
    """Write the clause to `folder/<id>.yaml` (as a one-clause file) and return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    text = clause_text(lc)
    if _ALIAS.search(text):
        text = _from_data(lc)
    elif not text.startswith("  "):
        text = "".join("  " + line if line.strip() else line for line in text.splitlines(True))
    header = ""
    if schema is not None:
        header = SCHEMA_LINE.format(os.path.relpath(schema.resolve(), folder.resolve()))
    source = f"# Copied from {lc.file.name} (clause {lc.clause.id}); same id: replaces it.\n"
    target = folder / f"{lc.clause.id.replace(':', '_')}.yaml"
    target.write_text(header + source + "clauses:\n" + text.rstrip("\n") + "\n", encoding="utf-8")
    return target
