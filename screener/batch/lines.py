"""Screen one CSV line into exactly one output row, and render rows with their counts.

The same code screens a line in this process, in a local worker process and on a cluster
worker (screener.batch.cluster), so all give the same row. `build_screener` is the batch's
screener: built through screener.wiring like every entry point's, without gaps (a row has no
place for them) and with the adjudications read once.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from schemas.result import Decision, ScreeningResult
from schemas.transaction import Transaction
from screener.batch.layout import (
    ECHOED_COLUMNS,
    OUTPUT_COLUMNS,
    LineError,
    column_of,
    to_transaction,
)
from screener.batch.reader import Line
from screener.batch.summary import BatchSummary, Row
from screener.cache import BoundedCache
from screener.compact import hit_line
from screener.csv_safe import SafeWriter, safe_row
from screener.engine import BackendName, Screener
from screener.errors import InputError, parse_model
from screener.wiring import build_screener as wired


def build_screener(rules_dir: Path, backend: BackendName, db_url: str | None) -> Screener:
    """A batch's screener (screener.wiring): no gaps, adjudications read once."""
    return wired(rules_dir, backend, db_url, gaps=False, snapshot=True)


def _clean(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


Echo = tuple[str, str, str]  # description, ECCN, destination as the line gave them
_NO_ECHO: Echo = ("", "", "")


def _error(line: int, ident: str, message: str, note: str, echo: Echo = _NO_ECHO) -> Row:
    blank = ("",) * (len(OUTPUT_COLUMNS) - len(echo) - 5)
    return (str(line), ident, *echo, "error", *blank, _clean(message), note)


def red_flag_cells(result: ScreeningResult) -> str:
    """Raised red flags, once per clause (`us.red_flag.x`); an undecided one (a fact it
    needs is missing) as `us.red_flag.x (undecided)`: it decides nothing but is worth a look."""
    raised = dict.fromkeys(t.clause_id for t in result.triggers if t.status == "raised")
    undecided = dict.fromkeys(
        f"{t.clause_id} (undecided)"
        for t in result.triggers
        if t.status != "raised" and t.clause_id not in raised
    )
    return " | ".join([*raised, *undecided])


def asks_cells(result: ScreeningResult) -> tuple[str, str]:
    """What each jurisdiction asks (the facts whose answers change its decision) and the
    defaults its decision rests on."""
    asks = [
        f"{j}: {q.fact}" + ("" if q.item_index is None else f" (item {q.item_index})")
        for j, v in result.jurisdictions.items()
        for q in v.questions
    ]
    assumed = [f"{j}: {a.assumed}" for j, v in result.jurisdictions.items() for a in v.assumptions]
    return _clean(" | ".join(asks)), _clean(" | ".join(dict.fromkeys(assumed)))


def result_cells(result: ScreeningResult) -> tuple[str, ...]:
    """decision, jurisdictions, findings, rules, citations, red flags, asks, assumptions,
    party hits: the output columns."""
    decisive = [f for f in result.findings if f.decisive]
    outcomes = Counter(f.outcome.value for f in decisive)
    hits = [hit_line(h) for h in result.party_hits]
    return (
        result.decision.value,
        ";".join(
            f"{j}={v.decision.value}"
            for j, v in result.jurisdictions.items()
            if v.decision != Decision.not_applicable  # a jurisdiction with no nexus says nothing
        ),
        ";".join(f"{o}={n}" for o, n in outcomes.most_common()),
        " | ".join(dict.fromkeys(f.rule_id for f in decisive)),
        _clean(" | ".join(dict.fromkeys(f.citation for f in decisive))),
        red_flag_cells(result),
        *asks_cells(result),
        _clean(" | ".join(hits)),
    )


class LineScreener:
    """Turns one input line into exactly one output row; never raises for a bad line."""

    def __init__(self, columns: list[str], screener: Screener, cache_size: int = 50_000) -> None:
        self.columns = columns
        self.screener = screener
        # line content (all cells but the id, joined) -> result cells or error message
        self.cache: BoundedCache[tuple[str, ...] | str] = BoundedCache(cache_size)
        self.id_at = columns.index("id") if "id" in columns else None
        self.echo_at = tuple(columns.index(c) if c in columns else None for c in ECHOED_COLUMNS)

    def screen_chunk(self, lines: list[Line]) -> list[Row]:
        return [self.screen_line(*line) for line in lines]

    def screen_line(self, line: int, text: str, note: str) -> Row:
        if not text.strip():
            return _error(line, "", "empty line", note)
        try:
            fields = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            return _error(line, "", f"broken CSV quoting: {exc}", note)
        if len(fields) != len(self.columns):
            return _error(
                line,
                "",
                f"{len(fields)} fields where the header has {len(self.columns)}",
                note,
            )
        cells = [f.strip() for f in fields]
        ident = (cells[self.id_at] if self.id_at is not None else "") or f"line-{line}"
        echo: Echo = tuple(_clean(cells[i]) if i is not None else "" for i in self.echo_at)  # type: ignore[assignment]
        key = "\x1f".join(c for i, c in enumerate(cells) if i != self.id_at)
        cached = self.cache.get(key)
        if cached is None:
            cached = self.cache.put(
                key, self._screen(dict(zip(self.columns, cells, strict=True)), line)
            )
        if isinstance(cached, str):
            return _error(line, ident, cached, note, echo)
        return (str(line), ident, *echo, "ok", *cached, "", note)

    def _screen(self, row: dict[str, str], line: int) -> tuple[str, ...] | str:
        """The result cells, or the error message."""
        try:
            data = to_transaction(row, line)
            tx = parse_model(Transaction, data)
        except LineError as exc:
            return str(exc)
        except InputError as exc:
            roles = [p["role"] for p in data["parties"]]
            return "; ".join(column_of(p, roles) for p in exc.problems)
        try:
            return result_cells(self.screener.screen(tx))
        except Exception as exc:  # a bug on one line must not stop the batch; say it
            return f"internal error screening this line: {type(exc).__name__}: {exc}"


def render(rows: list[Row]) -> tuple[str, BatchSummary]:
    """Rows as the output's CSV text and their counts (`BatchSummary.merge`); a cluster
    worker renders its partition, so the client only writes. The cells are counted as
    written (neutralised), so a resume, which counts the file, counts the same."""
    safe = [safe_row(r) for r in rows]
    counts = BatchSummary()
    for row in safe:
        counts.account(row)
    buffer = io.StringIO()
    SafeWriter(buffer).writerows_neutralised(safe)
    return buffer.getvalue(), counts
