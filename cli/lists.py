"""`chokepoint lists`: import restricted-party lists into the store, show what is there, and
delete a list.

`import` prints the resulting `ListVersion` as one JSON line on stdout (so scripts can read
the content hash they will be screened against) and the import report on stderr. A bad
file, format or mapping exits 2 with a one-line reason, like the rest of the CLI.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.common import DbOption, fail
from cli.lists_diff import diff_command
from screener.parties.importers import FORMAT_SPECS, FORMATS, MAPPABLE, ListFormatError
from screener.parties.refresh import refresh_folder
from screener.parties.screening import forget_cached_index
from screener.parties.store import ListStore

lists_app = typer.Typer(
    help="Import restricted-party lists (CSL, OFAC, EU, UK, METI, MOFCOM, any CSV), compare "
    "versions, refresh from a folder of downloads.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
lists_app.command("diff")(diff_command)


# one choice per registered format (screener/parties/formats/registry.py)
ListFormat = StrEnum("ListFormat", {f.replace("-", "_"): f for f in FORMATS})  # type: ignore[misc]
_DEFAULT_NAMES = {n: f.default_name for n, f in FORMAT_SPECS.items() if f.default_name}


def _mapping(pairs: list[str]) -> dict[str, str | list[str]]:
    """`--map name=Company --map aliases=AKA --map aliases=Native` -> mapping; a field
    mapped twice collects both columns."""
    mapping: dict[str, str | list[str]] = {}
    for pair in pairs:
        ours, sep, column = pair.partition("=")
        ours, column = ours.strip(), column.strip()
        if not sep or not ours or not column:
            fail(f"--map wants FIELD=COLUMN, got {pair!r}")
        if ours not in MAPPABLE:
            fail(f"--map {ours}: not a mappable field ({', '.join(MAPPABLE)})")
        previous = mapping.get(ours)
        if previous is None:
            mapping[ours] = column
        else:
            mapping[ours] = [*([previous] if isinstance(previous, str) else previous), column]
    return mapping


@lists_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="the list file (ofac-sdn: the folder)")],
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="the file's format")],
    name: Annotated[
        str | None,
        typer.Option(help="name to store it under (default: csl, sdn, or the file's stem)"),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", help="csv only: FIELD=COLUMN, repeatable (name is required)"),
    ] = None,
    sep: Annotated[
        list[str] | None,
        typer.Option(
            help="csv only: separator of multi-valued cells (default ';'); FIELD=SEP sets "
            "one field's, e.g. --sep programs=,"
        ),
    ] = None,
    list_code: Annotated[
        str | None, typer.Option(help="csv only: list code of every row (default other)")
    ] = None,
    source: Annotated[str | None, typer.Option(help="csv only: the publishing list's name")] = None,
    db: DbOption = None,
) -> None:
    """Import a list file as a new version (a no-op if identical to the latest)."""
    opts: dict[str, object] = {}
    if fmt.value == "csv":
        if not maps:
            fail("--format csv needs --map name=COLUMN (and optionally aliases=, country=, ...)")
        opts["mapping"] = _mapping(maps or [])
        field_seps: dict[str, str] = {}
        for item in sep or []:
            field, eq, value = item.partition("=")
            if eq and field in MAPPABLE:
                field_seps[field] = value
            else:
                opts["sep"] = item
        if field_seps:
            opts["field_seps"] = field_seps
        if list_code:
            opts["list_code"] = list_code
        if source:
            opts["source"] = source
    elif maps or sep or list_code or source:
        fail("--map, --sep, --list-code and --source apply to --format csv only")
    if not file.exists():
        fail(f"{file}: no such file or folder")
    list_name = name or _DEFAULT_NAMES.get(fmt.value) or file.stem
    store = ListStore(db)
    try:
        version, report = store.import_list_with_report(file, fmt.value, list_name, **opts)
    except (ListFormatError, ValueError, OSError) as exc:
        fail(str(exc).splitlines()[0])
    finally:
        store.dispose()
    if report is None:
        typer.echo(f"{list_name}: unchanged (identical to the latest version)", err=True)
    else:
        typer.echo(report.summary(), err=True)
    typer.echo(version.model_dump_json())


@lists_app.command("show")
def show(db: DbOption = None) -> None:
    """The latest version of each stored list."""
    store = ListStore(db)
    try:
        versions = store.versions()
    finally:
        store.dispose()
    table = Table(title="restricted-party lists")
    for column in ("name", "format", "published", "entries", "hash", "imported_at"):
        table.add_column(
            column, justify="right" if column == "entries" else "left", no_wrap=column != "name"
        )
    for v in versions:
        table.add_row(
            v.name,
            v.format,
            v.published.isoformat() if v.published else "-",
            str(v.entries),
            v.content_hash[:12],
            v.imported_at.strftime("%Y-%m-%d %H:%M:%SZ"),
        )
    Console().print(table)
    if not versions:
        typer.echo("no lists imported yet", err=True)


@lists_app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="the list's import name (see `lists show`)")],
    yes: Annotated[bool, typer.Option("--yes", help="delete without asking")] = False,
    db: DbOption = None,
) -> None:
    """Remove a list: every version and entry, and its cached match index. Adjudications and
    the audit trail are kept."""
    store = ListStore(db)
    try:
        history = store.history(name)
        if not history:
            fail(f"no list imported under {name!r} (see `chokepoint lists show`)")
        what = f"{name!r}: {len(history)} version(s), the latest with {history[0].entries} entries"
        if not yes:
            if not sys.stdin.isatty():
                fail(f"deleting {what}: add --yes to confirm")
            typer.confirm(f"Delete {what}?", abort=True)
        versions, entries = store.delete_list(name)
    finally:
        store.dispose()
    removed = forget_cached_index(name)
    typer.echo(
        f"deleted {name!r}: {versions} version(s), {entries} entries, "
        f"{len(removed)} cached index file(s)",
        err=True,
    )


@lists_app.command("refresh")
def refresh(
    folder: Annotated[Path, typer.Argument(help="a folder of downloaded list files")],
    db: DbOption = None,
) -> None:
    """Import every recognised list file in FOLDER under its format's default name; files
    identical to the latest version are left alone. One JSON line per file on stdout; exits
    2 when a file could not be read (the others are imported all the same)."""
    if not folder.is_dir():
        fail(f"{folder}: not a folder")
    store = ListStore(db)
    try:
        results = refresh_folder(store, folder)
    finally:
        store.dispose()
    for result in results:
        typer.echo(result.model_dump_json(exclude_none=True))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    typer.echo(", ".join(f"{n} {status}" for status, n in counts.items()) or "no files", err=True)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(2)
