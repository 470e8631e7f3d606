"""Input errors in words: every problem with its field path, never a traceback."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Invalid input. `problems` are `field.path: message` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _location(loc: tuple[Any, ...]) -> str:
    # pydantic puts union/tag names in the location ("function-after[...]"); drop them.
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and "[" in p)) or "(root)"


def describe_validation_error(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see the JSON Schema)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append(f"{_location(err['loc'])}: {msg}")
    return out


def parse_model(model: type[M], data: Any) -> M:
    """Validate `data` (a dict or JSON text) as `model`, raising InputError on any problem."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(
                [f"(root): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
            ) from exc
        except RecursionError:  # `[[[[...` thousands deep: the parser's stack, not a crash
            raise InputError(
                ["(root): JSON nested too deeply to read (a transaction is a few levels deep)"]
            ) from None
        except ValueError as exc:  # bytes that are not UTF-8, an integer of 4,300+ digits
            raise InputError([f"(root): not valid JSON: {exc}"[:200]]) from None
    if not isinstance(data, dict):
        raise InputError([f"(root): expected a JSON object, got {type(data).__name__}"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from exc
