"""Fuzz target for the shipment CSV reader of `chokepoint batch`: any lines under a valid
header give exactly one output row per input line, every one `ok` or `error`.

    python tests/fuzz/shipments.py -atheris_runs=2000   # with atheris installed

The batch modules are imported inside `one_input` (and first under atheris's
instrumentation in `main`), so the fuzzer gets coverage feedback from the reader and runner.
"""

from __future__ import annotations

import csv
import importlib
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screener.engine import Screener

HEADER = (
    b"id,date,exporter_name,exporter_country,destination_country,eccn,origin_country,"
    b"quantity,value_usd,parameters,control_codes,end_user_name,end_user_country,"
    b"end_use_categories,us_persons_involved\n"
)


def one_input(body: bytes, folder: Path, screener: Screener) -> None:
    from screener.batch.layout import OUTPUT_COLUMNS
    from screener.batch.runner import run_batch

    source, out = folder / "in.csv", folder / "out.csv"
    source.write_bytes(HEADER + body)
    # the reader splits on \n only (a \r before it is dropped): one record per physical line
    lines = body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)
    summary = run_batch(source, out, processes=1, screener=screener, report=False)
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == OUTPUT_COLUMNS
        rows = list(reader)
    assert len(rows) == summary.lines, (len(rows), summary.lines)
    assert [int(r["line"]) for r in rows] == list(range(2, 2 + len(rows)))
    assert all(r["status"] in ("ok", "error") for r in rows)
    assert summary.ok + summary.errors == summary.lines == summary.total == lines


def main() -> None:  # pragma: no cover - needs atheris
    import atheris

    with atheris.instrument_imports(include=["screener.batch"]):
        for name in ("screener.batch.reader", "screener.batch.runner"):
            importlib.import_module(name)
    from screener.engine import Screener

    folder = Path(tempfile.mkdtemp(prefix="chokepoint-fuzz-"))
    screener = Screener()
    atheris.Setup(sys.argv, lambda data: one_input(data, folder, screener))
    atheris.Fuzz()


if __name__ == "__main__":  # pragma: no cover
    main()
