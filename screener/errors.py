"""Input errors in words: every problem with its field path, never a traceback."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Invalid input. `problems` are `field.path: message` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_NAME = re.compile(r"^[\w-]+$")
_TAGS = re.compile(r"^[\w-]+\[.*\]$")  # pydantic's union/validator tags: function-after[...]
_FIELD_FIRST = re.compile(r"^([a-z_]+): (.+)$", re.S)


def _location(loc: tuple[Any, ...], skip: tuple[str, ...] = ()) -> str:
    """`items.0.eccn`; a key that is not a plain name is quoted (`parties.0.":"`) so an
    unknown field is named as sent, even an empty one."""
    parts = []
    for p in loc:
        if isinstance(p, str) and (_TAGS.match(p) or p in skip):
            continue
        text = str(p)
        parts.append(text if _NAME.match(text) else json.dumps(text, ensure_ascii=False))
    return ".".join(parts) or "(root)"


def describe_errors(errors: list[Any], skip: tuple[str, ...] = ()) -> list[str]:
    """pydantic's errors as `field.path: message` lines (`skip`: location parts to drop,
    such as FastAPI's `body`)."""
    out = []
    for err in errors:
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (check the spelling; see the JSON Schema)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        elif err.get("type") == "json_invalid":
            msg = f"not valid JSON: {err.get('ctx', {}).get('error', msg)}"
        where = _location(tuple(err.get("loc", ())), skip)
        named = _FIELD_FIRST.match(msg) if where == "(root)" else None
        if named:  # a check across fields (a model validator) names its field first
            where, msg = named.group(1), named.group(2)
        out.append(f"{where}: {msg}")
    return out


def describe_validation_error(exc: ValidationError) -> list[str]:
    return describe_errors(exc.errors())


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
