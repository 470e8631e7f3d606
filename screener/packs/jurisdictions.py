"""Register the jurisdictions a rules folder's packs declare (schemas.vocabulary.JURISDICTIONS).

A jurisdiction exists because a pack says so: `jurisdiction: XX` in `rules/<folder>/pack.yaml`.
Reading only that key of each pack.yaml is enough to validate transactions, profiles and
the JSON Schema before (or without) loading the clauses; the bundled folder's are registered
when this module is imported, a scratch folder's when its packs or profiles are loaded.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from schemas.vocabulary import JURISDICTIONS
from screener.bundled import RULES_DIR


def declared(rules_dir: Path) -> list[str]:
    """The jurisdiction codes the pack.yaml files under `rules_dir` declare, by folder."""
    codes = []
    for path in sorted(rules_dir.glob("*/pack.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        code = data.get("jurisdiction") if isinstance(data, dict) else None
        if isinstance(code, str) and code.strip():
            codes.append(code.strip().upper())
    return codes


def register(rules_dir: Path) -> None:
    """Make the folder's jurisdictions known (a malformed pack.yaml is the loader's to report)."""
    for code in declared(rules_dir):
        JURISDICTIONS.add(code)


register(RULES_DIR)
