"""What the `chokepoint` sub-commands share: the one-line failure and the database option."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, NoReturn

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: CHOKEPOINT_DATABASE_URL, else chokepoint.db in the "
        "per-user data directory).",
    ),
]


def fail(message: str) -> NoReturn:
    """Exit 2 with a one-line reason on stderr: never a traceback for bad input."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def option_date(text: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option's date (None when not given); exit 2 naming the option otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def require_backend(name: str) -> None:
    """Fail in one line when the durable backend is asked for but durable-rules (an optional
    extra) is not installed, before any work starts."""
    if name == "durable":
        from screener.optional import BackendUnavailable, durable_engine

        try:
            durable_engine()
        except BackendUnavailable as exc:
            fail(str(exc))
