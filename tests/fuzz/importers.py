"""Fuzz target for the list importers (CSL CSV, CSL JSON, a mapped CSV): any bytes are
either imported or refused with ListFormatError/ValueError naming the file; nothing else
may escape (no KeyError, IndexError, UnicodeError, RecursionError...).

Run with atheris (a dev dependency on Linux x86-64, where it ships wheels for CPython 3.11
and 3.12):
    python tests/fuzz/importers.py -atheris_runs=20000
`tests/test_fuzz.py` runs it for a fixed number of iterations under atheris, and the same
target under hypothesis for a fixed number of examples (also where atheris is absent).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

FORMATS = (
    ("csl-csv", {}),
    ("csl-json", {}),
    ("csv", {"mapping": {"name": "Name", "country": "Country", "aliases": "Aliases"}}),
)


def one_input(data: bytes, folder: Path) -> None:
    """Import `data` in each format; raise only what the importers promise to raise."""
    from screener.parties.importers import ListFormatError, load_list  # see main()

    allowed = (ListFormatError, ValueError)  # ValueError: a refusal naming the problem
    path = folder / "list.bin"
    path.write_bytes(data)
    for fmt, opts in FORMATS:
        try:
            result = load_list(path, fmt, **opts)
        except allowed as exc:
            assert str(exc), f"{fmt}: a refusal without a message"
            continue
        assert result.report.entries == len(result.entries)


def main() -> None:  # pragma: no cover - needs atheris
    import atheris

    folder = Path(tempfile.mkdtemp(prefix="chokepoint-fuzz-"))
    with atheris.instrument_imports(include=["screener.parties.formats"]):
        import screener.parties.formats.registry  # noqa: F401  (coverage feedback from the formats)
    atheris.Setup(sys.argv, lambda data: one_input(data, folder))
    atheris.Fuzz()


if __name__ == "__main__":  # pragma: no cover
    main()
