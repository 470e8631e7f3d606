"""Import every recognised list file in a folder of downloads (`chokepoint lists refresh`).

A reviewer downloads the day's files (consolidated.csv, sdn.xml, export.xml, ...) into one
folder; `refresh` tells each file's format from its name and first bytes
(`formats.registry.detect_format`), imports it under the format's default name (csl, sdn,
eu, uk, ...) and reports per file: imported (a new version), unchanged (the same bytes as
the latest version, nothing stored), skipped (not a list format chokepoint recognises, or a
second file for a name already imported in this run) or failed (the file is damaged; the
reason names the row). OFAC's legacy trio is one import of the folder (sdn.csv with its
add.csv and alt.csv).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from screener.parties.formats.common import ListFormatError
from screener.parties.formats.ofac_csv import OFAC_FILES
from screener.parties.formats.registry import FORMAT_SPECS, detect_format
from screener.parties.store import ListStore

Status = Literal["imported", "unchanged", "skipped", "failed"]


class RefreshedFile(BaseModel):
    """What refresh did with one file."""

    file: str
    status: Status
    format: str | None = None
    name: str | None = None
    entries: int | None = None
    content_hash: str | None = None
    published: str | None = None
    reason: str | None = None


def refresh_folder(store: ListStore, folder: Path) -> list[RefreshedFile]:
    """Import each recognised file of `folder` (not its sub-folders), in name order."""
    out: list[RefreshedFile] = []
    taken: dict[str, str] = {}  # import name -> the file imported under it in this run
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    has_sdn_csv = any(p.name.casefold() == "sdn.csv" for p in files)
    for path in files:
        if has_sdn_csv and path.name.casefold() in OFAC_FILES[1:]:
            continue  # read with sdn.csv
        fmt = detect_format(path)
        if fmt is None:
            out.append(
                RefreshedFile(file=path.name, status="skipped", reason="format not recognised")
            )
            continue
        spec = FORMAT_SPECS[fmt]
        name = spec.default_name or path.stem
        if name in taken:
            out.append(
                RefreshedFile(
                    file=path.name,
                    status="skipped",
                    format=fmt,
                    name=name,
                    reason=f"{taken[name]} was already imported as {name!r} in this run",
                )
            )
            continue
        taken[name] = path.name
        source = folder if spec.folder else path
        try:
            version, report = store.import_list_with_report(source, fmt, name)
        except (ListFormatError, ValueError, OSError) as exc:
            out.append(
                RefreshedFile(
                    file=path.name,
                    status="failed",
                    format=fmt,
                    name=name,
                    reason=str(exc).splitlines()[0],
                )
            )
            continue
        out.append(
            RefreshedFile(
                file=path.name,
                status="unchanged" if report is None else "imported",
                format=fmt,
                name=name,
                entries=version.entries,
                content_hash=version.content_hash,
                published=version.published.isoformat() if version.published else None,
            )
        )
    return out
