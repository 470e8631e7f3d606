"""`chokepoint parties`: screen names against the imported lists, and record adjudications."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DbOption, fail
from screener.parties.parallel import screen_many
from screener.parties.screening import load_party_screening
from screener.parties.store import ListStore

parties_app = typer.Typer(help="Restricted-party screening and adjudication.", no_args_is_help=True)


class Decision(StrEnum):
    false_positive = "false_positive"
    true_match = "true_match"


def _inputs(text: str) -> list[dict[str, str | None]]:
    """One name per line, or a CSV whose header has `name` (and optionally country, address)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        return []
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "name" in header:
        rows = csv.DictReader(io.StringIO("\n".join(lines)), fieldnames=header)
        next(rows)
        return [
            {
                "name": (row.get("name") or "").strip(),
                "country": (row.get("country") or "").strip().upper() or None,
                "address": (row.get("address") or "").strip() or None,
            }
            for row in rows
        ]
    return [{"name": line.strip(), "country": None, "address": None} for line in lines]


@parties_app.command("screen")
def screen_names(
    file: Annotated[
        str, typer.Argument(help="Names, one per line, or a CSV with a name column; - for stdin.")
    ],
    db: DbOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per core available).")] = 0,
) -> None:
    """Print one JSON line per input name with its hits (best first); a name in another
    script without a confident hit also gets an `unreadable` note (a review)."""
    text = sys.stdin.read() if file == "-" else None
    if text is None:
        path = Path(file)
        if not path.is_file():
            fail(f"{file}: no such file")
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    screening = load_party_screening(ListStore(db))
    if screening is None:
        fail("no restricted-party list imported: run `chokepoint lists import` first")
    rows = _inputs(text)
    keys = [(r["name"], r["country"], r["address"]) for r in rows if r["name"]]
    results = screen_many(screening, keys, workers or None)
    out = sys.stdout
    for row in rows:
        if not row["name"]:
            out.write(json.dumps({"input": row, "error": "empty name"}) + "\n")
            continue
        _, hits, note = next(results)
        line: dict[str, object] = {"input": row, "hits": [h.model_dump(mode="json") for h in hits]}
        if note:
            line["unreadable"] = note  # another script, no confident hit: review it
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


@parties_app.command("adjudicate")
def adjudicate(
    name: Annotated[str, typer.Option(help="The party name as screened.")],
    list_name: Annotated[str, typer.Option("--list", help="The list's import name, e.g. csl.")],
    entry: Annotated[str, typer.Option(help="The listed entry's id (entry_id in the hit).")],
    decision: Annotated[
        Decision, typer.Option(help="false_positive releases; true_match confirms.")
    ],
    reviewer: Annotated[str, typer.Option(help="Who decided.")],
    reason: Annotated[str, typer.Option(help="Why: pasted into every later finding.")],
    db: DbOption = None,
) -> None:
    """Record that a screened name is (or is not) the listed entry."""
    store = ListStore(db)
    if store.current_entry_hash(list_name, entry) is None:
        fail(f"no entry {entry!r} in list {list_name!r}")
    record = store.record_adjudication(name, list_name, entry, decision.value, reviewer, reason)
    typer.echo(json.dumps(record.model_dump(mode="json"), default=str))


@parties_app.command("import-ownership")
def import_ownership(
    file: Annotated[Path, typer.Argument(help="CSV: owner, owned, share (percent), source, date")],
    name: Annotated[str, typer.Option(help="Import name (the latest of each name is used).")] = (
        "ownership"
    ),
    db: DbOption = None,
) -> None:
    """Import ownership links; screening then sets each party's owned_by_listed_parties
    from them (BIS affiliates rule, OFAC 50 % rule) and shows the chains."""
    from screener.parties.ownership import OwnershipFormatError
    from screener.parties.ownership_store import OwnershipStore

    if not file.is_file():
        fail(f"{file}: no such file")
    store = ListStore(db)
    try:
        version, stored = OwnershipStore(store.engine).import_csv(file, name)
    except OwnershipFormatError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    if not stored:
        typer.echo(f"{name}: unchanged (identical to the latest import)", err=True)
    typer.echo(version.model_dump_json())


@parties_app.command("ownership")
def ownership(
    name: Annotated[str, typer.Argument(help="The party's name as it appears in the data.")],
    db: DbOption = None,
) -> None:
    """What the ownership data says about one party: the share restricted owners hold, the
    look-through share, and every chain from a listed owner (JSON)."""
    screening = load_party_screening(ListStore(db))
    if screening is None or screening.ownership is None:
        fail("no lists or no ownership data imported (chokepoint parties import-ownership)")
    finding = screening.ownership.finding(name, screening.listed_codes)
    if finding is None:
        fail(f"the ownership data records no owner of {name!r}")
    typer.echo(finding.model_dump_json(indent=2))
