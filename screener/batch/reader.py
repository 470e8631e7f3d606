"""Stream a CSV file's physical lines, decoded one by one, never the whole file in memory.

A UTF-8 byte-order mark is dropped; a line that is not valid UTF-8 is read as Latin-1 (every
byte is a Latin-1 character, so nothing is lost) and says so in its note.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

Line = tuple[int, str, str]  # (physical line number, text without the line ending, note)

LATIN1_NOTE = "not valid UTF-8: read as Latin-1"


def decode(raw: bytes) -> tuple[str, str]:
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return raw.decode("latin-1"), LATIN1_NOTE


def count_lines(path: Path) -> int:
    """Physical lines in the file (a last line without a newline counts), read in blocks."""
    return survey(path, digest=False)[0]


def survey(path: Path, digest: bool = True) -> tuple[int, str]:
    """Physical lines and the SHA-256 of the file (empty without `digest`), in one pass."""
    count, last, sha = 0, b"\n", hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
            if digest:
                sha.update(block)
    return count + (last != b"\n"), sha.hexdigest() if digest else ""


def read_header(path: Path) -> str:
    with path.open("rb") as f:
        first = f.readline()
    return decode(first.removeprefix(b"\xef\xbb\xbf"))[0]


def read_lines(path: Path, after: int = 1) -> Iterator[Line]:
    """Lines numbered from 1 (the header), yielding those numbered above `after`."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if number <= after:
                continue
            text, note = decode(raw)
            yield number, text, note
