"""`chokepoint schema`: the JSON Schemas of what chokepoint reads and writes."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import BaseModel

from cli.common import fail
from schemas.compact import CompactResult
from schemas.patterns import Alert, PatternFile
from schemas.result import ScreeningResult
from schemas.rules import Clause
from schemas.transaction import Transaction

SCHEMAS: dict[str, type[BaseModel]] = {
    "transaction": Transaction,
    "result": ScreeningResult,
    "compact": CompactResult,
    "clause": Clause,
    "pattern": PatternFile,
    "alert": Alert,
}


def schema(
    name: Annotated[str, typer.Argument(help="transaction, result, clause, pattern or alert")],
) -> None:
    """Print the JSON Schema of the transaction, the result or a rule clause."""
    model = SCHEMAS.get(name)
    if model is None:
        fail(f"unknown schema {name!r}; choose one of {', '.join(SCHEMAS)}")
    typer.echo(json.dumps(model.model_json_schema(), indent=2))
