#!/usr/bin/env python3
"""Build the project's native-script alias file from public restricted-party data.

The US Consolidated Screening List writes every name in Latin script, so a purchase order
that names 中芯国际集成电路制造有限公司 cannot be matched to SMIC by spelling alone: the
Chinese name is a translation, not a transliteration. Public compilations record the
native-script names of many listed entities; this tool copies them, with their source row,
into ``screener/parties/data/native_aliases.csv``, which the project ships so that screening
does not depend on ``../shared`` being present.

Input: ``aggregated_kaist/restricted_parties.json`` (casslab-kaist/restricted-parties-db,
commit fcfe36f4; see ../shared/data/lists/SOURCES.md): every record whose ``name.native`` holds
non-Latin letters gives one row per native name (a value "A/B" gives two) and English name.

Alias type: a native name the source gives to more than one English name is a group or
brand name (华为 for forty Huawei companies); it is written ``weak`` (exact matches only, as
OFAC's weak a.k.a.), so "华为技术有限公司" is not strong on every Huawei subsidiary through it.
Every other native name is an ``aka``.

Usage::

    .venv/bin/python tools/build_native_aliases.py [DATA_DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.parties.normalize import TokenClass, normalize_name  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/lists")
DEFAULT_OUT = ROOT / "screener" / "parties" / "data" / "native_aliases.csv"
KAIST = "aggregated_kaist/restricted_parties.json"
KAIST_REF = "github:casslab-kaist/restricted-parties-db@fcfe36f448058b38c66f833a4dc13e4ebb4e8d7a"
KAIST_SHORT = "casslab-kaist/restricted-parties-db@fcfe36f4"
KAIST_DATE = "2026-08-18"  # the records' ingested_at
COLUMNS = ("listed_name", "alias", "alias_type", "script", "source", "source_date")


def script_of(text: str) -> str | None:
    """First word of the Unicode name of the first non-Latin letter (CJK, CYRILLIC, ...)."""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            name = unicodedata.name(ch, "")
            if not name.startswith("LATIN"):
                return name.split()[0]
    return None


def owner_key(english: str) -> frozenset[str]:
    """The entity a native name is given to, spelling-independent: the tokens of the English
    name before any bracket or "Affiliated Entity", legal forms left out, so "Semiconductor
    Manufacturing International (SMIC)" and "... International Corporation" are one owner."""
    base = re.split(r"\s*\(|\. Affiliated", english)[0]
    nn = normalize_name(base)
    return frozenset(
        t for t, c in zip(nn.tokens, nn.classes, strict=True) if c is not TokenClass.legal
    )


def natives(value: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\s*/\s*", value) if p.strip()]
    return [p for p in parts if script_of(p)]


def build(data: Path) -> list[dict[str, str]]:
    records = json.loads((data / KAIST).read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = []
    owners: dict[str, set[str]] = defaultdict(set)
    for r in records:
        english = " ".join(r["name"]["english"].split())
        for native in natives(r["name"].get("native") or ""):
            owners[native].add(owner_key(english))
            src = r["source"]
            rows.append(
                {
                    "listed_name": english,
                    "alias": native,
                    "script": script_of(native) or "",
                    "source": f"{src['list_name']}, {src['source_file']} row "
                    f"{src['source_row']} ({KAIST_SHORT} record {r['id']})",
                    "source_date": KAIST_DATE,
                }
            )
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row["listed_name"], row["alias"])
        if key in seen:
            continue
        seen.add(key)
        row["alias_type"] = "weak" if len(owners[row["alias"]]) > 1 else "aka"
        out.append(row)
    out.sort(key=lambda r: (r["listed_name"].casefold(), r["alias"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    rows = build(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            f"# Native-script names of listed entities, from public data ({KAIST_DATE}).\n"
            f"# Source: {KAIST_REF}, public/data/restricted_parties.json\n"
            "# Built by tools/build_native_aliases.py; every row cites its source record.\n"
            f"# dataset-date: {KAIST_DATE}\n"
        )
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    weak = sum(1 for r in rows if r["alias_type"] == "weak")
    print(f"{args.out}: {len(rows)} aliases ({weak} weak group names)")


if __name__ == "__main__":
    main()
