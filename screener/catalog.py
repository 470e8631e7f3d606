"""Tools named by model: a dated, cited catalog of what the measures name or public sources
classify (`rules/catalog/models.yaml`).

Exporters and their customers name tools by model ("ASML TWINSCAN NXT:1980Di"), and the
Dutch measure of September 2024 was announced by the models it reaches. When an item gives
`model`, the catalog entry for that model fills, for the transaction's date, the ECCN, the
per-jurisdiction control codes and the parameters the exporter left out; what the exporter
gives always wins. Every filled value is shown with the entry and its source
(`item.model_catalog`), so the answer says why. A model the catalog does not know fills
nothing: the clauses that need a classification are then undecided, a review that asks for
it, and the note says the model is not in the catalog.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from schemas.rules import Confidence
from schemas.transaction import Item
from schemas.vocabulary import JURISDICTIONS

FILE = Path("catalog") / "models.yaml"
_NOISE = re.compile(r"[\s:._/-]+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Strict):
    """One classification over a span of dates (`to` inclusive)."""

    code: str
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    confidence: Confidence

    def on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class ModelEntry(_Strict):
    id: str
    maker: str
    title: str
    names: list[str] = Field(min_length=1)
    parameters: dict[str, float | bool] = Field(default_factory=dict)
    parameters_source: Confidence | None = None
    eccn: list[Span] = Field(default_factory=list)
    control_codes: dict[str, list[Span]] = Field(default_factory=dict)


class CatalogFile(_Strict):
    models: list[ModelEntry]


@dataclass(frozen=True)
class Filled:
    """What the catalog gave one item on one date, and the lines that show it."""

    eccn: str | None
    codes: dict[str, str]
    parameters: dict[str, float | bool]
    notes: tuple[str, ...]


def key(name: str) -> str:
    """A model name without case, separators or the platform's name ("TWINSCAN")."""
    return _NOISE.sub("", name.upper().replace("TWINSCAN", " "))


class Catalog:
    def __init__(self, entries: list[ModelEntry]) -> None:
        self.entries = entries
        self.by_key: dict[str, ModelEntry] = {}
        for entry in entries:
            for name in entry.names:
                self.by_key[key(name)] = entry
                self.by_key[key(f"{entry.maker} {name}")] = entry

    @classmethod
    def load(cls, rules_dir: Path) -> Catalog:
        """The catalog under `rules_dir` (empty when there is none); ValueError names the file
        and problem: an unknown jurisdiction or parameter, or an item the schema refuses."""
        path = rules_dir / FILE
        if not path.exists():
            return cls([])
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        parsed = CatalogFile.model_validate(data)
        for entry in parsed.models:
            unknown = set(entry.control_codes) - set(JURISDICTIONS)
            if unknown:
                raise ValueError(f"{path}: {entry.id}: unknown jurisdiction {sorted(unknown)}")
            # the parameters, codes and ECCNs must be what a transaction may say
            Item(
                parameters=entry.parameters,
                eccn=entry.eccn[0].code if entry.eccn else None,
                control_codes={j: s[0].code for j, s in entry.control_codes.items() if s},
            )
        return cls(parsed.models)

    def lookup(self, model: str) -> ModelEntry | None:
        return self.by_key.get(key(model))

    def fill(self, item: Item, on: dt.date) -> Filled | None:
        """The values the catalog gives `item` (None when it names no model)."""
        if not item.model:
            return None
        entry = self.lookup(item.model)
        if entry is None:
            return Filled(
                None,
                {},
                {},
                (
                    f"model {item.model!r} is not in the catalog (rules/catalog/models.yaml): "
                    "give its classification (eccn, control_codes) and parameters",
                ),
            )
        notes = [f"model {item.model!r}: catalog entry {entry.id} ({entry.title})"]
        eccn = None
        span = _on(entry.eccn, on)
        if item.eccn is None and span is not None:
            eccn = span.code
            notes.append(f"ECCN {eccn} ({_cited(span)})")
        codes: dict[str, str] = {}
        for jurisdiction, spans in entry.control_codes.items():
            span = _on(spans, on)
            if jurisdiction not in item.control_codes and span is not None:
                codes[jurisdiction] = span.code
                notes.append(f"{jurisdiction}: {span.code} on {on} ({_cited(span)})")
        parameters = {k: v for k, v in entry.parameters.items() if k not in item.parameters}
        if parameters and entry.parameters_source is not None:
            shown = ", ".join(f"{k}={v}" for k, v in parameters.items())
            notes.append(f"parameters {shown} ({_cited_conf(entry.parameters_source)})")
        return Filled(eccn, codes, parameters, tuple(notes))


def _on(spans: list[Span], day: dt.date) -> Span | None:
    return next((s for s in spans if s.on(day)), None)


def _cited(span: Span) -> str:
    dates = f"from {span.start or 'before'} to {span.end or 'open'}"
    return f"{dates}; {_cited_conf(span.confidence)}"


def _cited_conf(conf: Confidence) -> str:
    return f"{conf.level}: {conf.source}"
