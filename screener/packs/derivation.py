"""Derive the allies' control codes an exporter left out, where the law allows it, and say how.

Classification is the exporter's input. Where a jurisdiction's code is missing, a few rules
of law still settle it: an ECCN in Wassenaar numbering names the same EU Annex I entry
(where the US text of the paragraph is the Wassenaar text); EAR99 means the item is on no
ally's list; the Dutch national list holds only items not in Annex I. Each pack states its
rules in `rules/<pack>/tables/control_codes.yaml`; this module applies them and records each
derivation with its reason (`item.control_codes_derived`). Where no rule applies the code
stays missing, and the clauses that need it are undecided: a review naming the fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from schemas.control_codes import NOT_LISTED
from schemas.vocabulary import JURISDICTIONS

FILE = "control_codes.yaml"


@dataclass(frozen=True)
class FromCode:
    """Another jurisdiction's code settles this one (e.g. EU-listed -> not on NL's list)."""

    source: str  # jurisdiction whose code is read
    when: str  # "listed" or "not_listed"
    gives: str
    reason: str


@dataclass(frozen=True)
class Rules:
    jurisdiction: str
    ear99: str | None = None
    ear99_reason: str = ""
    same_entry: re.Pattern[str] | None = None
    same_entry_reason: str = ""
    paragraphs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    from_codes: tuple[FromCode, ...] = ()


def _same_entry_ok(rules: Rules, eccn: str) -> bool:
    """The ECCN names the same entry of this list: Wassenaar numbering, no `.z` paragraph, and
    for entries whose US paragraphs depart from the regime text, at or below one that does not."""
    entry, _, rest = eccn.partition(".")
    if rules.same_entry is None or not rules.same_entry.match(entry):
        return False
    if "z" in rest.split("."):
        return False
    allowed = rules.paragraphs.get(entry)
    if allowed is None:
        return True
    return any(rest == p or rest.startswith(p + ".") for p in allowed)


class Derivation:
    """Every pack's derivation rules, applied in two passes: from the ECCN, then from codes."""

    def __init__(self, rules: dict[str, Rules]) -> None:
        self.rules = rules
        self._cached = lru_cache(maxsize=8192)(self._derive)

    @classmethod
    def load(cls, rules_dir: Path) -> Derivation:
        found: dict[str, Rules] = {}
        for path in sorted(rules_dir.glob(f"*/tables/{FILE}")):
            data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            j = str(data.get("jurisdiction"))
            if j not in JURISDICTIONS:
                raise ValueError(f"{path}: jurisdiction {j!r} is not one of {JURISDICTIONS}")
            same = data.get("same_entry") or {}
            found[j] = Rules(
                jurisdiction=j,
                ear99=(data.get("ear99") or {}).get("gives"),
                ear99_reason=str((data.get("ear99") or {}).get("reason", "")),
                same_entry=re.compile(same["pattern"]) if same else None,
                same_entry_reason=str(same.get("reason", "")),
                paragraphs={
                    str(k): tuple(str(p) for p in v)
                    for k, v in (same.get("paragraphs") or {}).items()
                },
                from_codes=tuple(
                    FromCode(str(r["source"]), str(r["when"]), str(r["gives"]), str(r["reason"]))
                    for r in data.get("from_codes") or []
                ),
            )
        return cls(found)

    def derive(self, eccn: str | None, given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        """Codes derived for the jurisdictions `given` lacks, and a line per derivation."""
        derived, notes = self._cached(eccn, tuple(sorted(given.items())))
        return dict(derived), list(notes)

    def _derive(
        self, eccn: str | None, given_items: tuple[tuple[str, str], ...]
    ) -> tuple[dict[str, str], tuple[str, ...]]:
        codes = dict(given_items)
        derived: dict[str, str] = {}
        notes: list[str] = []
        for j, rules in self.rules.items():
            if j in codes or eccn is None:
                continue
            if eccn == "EAR99" and rules.ear99:
                codes[j] = derived[j] = rules.ear99
                notes.append(f"{j}: {rules.ear99} from ECCN EAR99 ({rules.ear99_reason})")
            elif eccn != "EAR99" and _same_entry_ok(rules, eccn):
                codes[j] = derived[j] = eccn
                notes.append(f"{j}: {eccn} from ECCN {eccn} ({rules.same_entry_reason})")
        for j, rules in self.rules.items():
            for rule in rules.from_codes:
                if j in codes or rule.source not in codes:
                    continue
                listed = codes[rule.source] != NOT_LISTED
                if (rule.when == "listed") == listed:
                    codes[j] = derived[j] = rule.gives
                    notes.append(
                        f"{j}: {rule.gives} from {rule.source} {codes[rule.source]} ({rule.reason})"
                    )
        return derived, tuple(notes)
