"""CSV cells a spreadsheet will not run: the one writer every CSV the project writes goes through.

Excel, LibreOffice Calc and Google Sheets evaluate a cell whose first character is `=`, `+`,
`-` or `@` as a formula (and a leading tab or carriage return can hide one), so a shipment
id of `=cmd|' /C calc'!A0` copied into the batch output would run on the reviewer's machine
(CWE-1236, "CSV injection"). OWASP's remedy is applied here:

- a cell beginning with `=`, `+`, `-`, `@`, tab, carriage return or NUL (ASVS 5.0 1.2.10
  adds NUL) gets a single quote in front, which spreadsheets read as "this is text";
- every cell is quoted (`QUOTE_ALL`), so a semicolon-separated locale cannot split a cell
  at a `;` and expose a formula in the second half; embedded quotes are doubled (RFC 4180).

A cell that is exactly a plain decimal number (`-5`, `+3.25`, `-1e-3`) is left as it is: a
spreadsheet reads it as that number, which is no formula, and quoting it would turn the
negative numbers of a numeric column into text. Anything else starting with a sign
(`-2+3`, `-1+cmd|...`) is prefixed. The prefix is not undone when the file is read back:
the output is what a reviewer opens, and the HTML report shows each cell as the CSV has it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = frozenset("=+-@\t\r\0")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: Any) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    text = "" if cell is None else str(cell)
    if text and text[0] in TRIGGERS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> tuple[str, ...]:
    return tuple(neutralise(c) for c in row)


class SafeWriter:
    """`csv.writer` that neutralises every cell and quotes all of them."""

    def __init__(self, f: IO[str]) -> None:
        self._writer = csv.writer(f, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(safe_row(r) for r in rows)

    def writerows_neutralised(self, rows: Iterable[tuple[str, ...]]) -> None:
        """Rows already through `safe_row` (the batch counts what it writes): quoted only."""
        self._writer.writerows(rows)
