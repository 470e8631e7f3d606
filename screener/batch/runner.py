"""Run a batch: stream lines to worker processes, write one output line per input line.

Order is kept (each chunk's rows are written when all earlier chunks' are), so the output
is always a prefix of the input: resuming reads the last line number written, drops a
half-written last row, and carries on from the next input line: nothing lost, nothing
duplicated. At most a few chunks are in flight, so memory stays flat whatever the file size.

Each worker process builds its own Screener (the durable-rules engine and the matcher are
per process) and keeps a cache of line contents already screened: repeated lines (the same
item to the same parties) cost a dictionary look-up; repeated party names hit the party
screening cache, and repeated item facts the screener's finding cache.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from schemas.result import Decision, ScreeningResult
from schemas.transaction import Transaction
from screener.batch.layout import (
    ECHOED_COLUMNS,
    OUTPUT_COLUMNS,
    HeaderError,
    LineError,
    check_header,
    column_of,
    to_transaction,
)
from screener.batch.reader import Line, read_header, read_lines, survey
from screener.compact import hit_line
from screener.csv_safe import SafeWriter, safe_row
from screener.engine import BackendName, Screener
from screener.errors import InputError, parse_model
from screener.packs.loader import DEFAULT_RULES_DIR, PackError
from screener.settings import settings

Row = tuple[str, ...]


class ResumeError(ValueError):
    """An output cannot be resumed from this input (another or an edited file)."""


KEEP = 1000  # lines of each kind (prohibited, licence, review, error) kept for the report


@dataclass
class ReportContext:
    """What the report says about the run beyond the rows: the versions screened against
    (`pack id` -> hash, `list:NAME` -> hash) and each clause's title and citation."""

    versions: dict[str, str] = field(default_factory=dict)
    clauses: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, screener: Screener) -> ReportContext:
        return cls(
            versions=screener.versions,
            clauses={
                cid: (clause.title, clause.citation)
                for compiled in screener.compiled
                for cid, clause in compiled.by_id.items()
            },
        )


@dataclass
class BatchSummary:
    """Counts of every outcome, rebuilt from the output rows (also on resume)."""

    total: int = 0  # data lines in the input
    lines: int = 0  # output rows written
    ok: int = 0
    errors: int = 0
    by_decision: Counter[str] = field(default_factory=Counter)
    by_jurisdiction: dict[str, Counter[str]] = field(default_factory=dict)
    by_destination: dict[str, Counter[str]] = field(default_factory=dict)
    rules: Counter[str] = field(default_factory=Counter)
    red_flags: Counter[str] = field(default_factory=Counter)
    prohibited: list[Row] = field(default_factory=list)
    licensed: list[Row] = field(default_factory=list)
    review: list[Row] = field(default_factory=list)
    failed: list[Row] = field(default_factory=list)
    resumed_after: int = 0  # output rows found on resume
    partitions: int = 0  # on a cluster: partitions of this run, and those written so far
    partitions_done: int = 0
    seconds: float = 0.0
    context: ReportContext = field(default_factory=ReportContext)

    def account(self, row: Row) -> None:
        rec = dict(zip(OUTPUT_COLUMNS, row, strict=True))
        self.lines += 1
        if rec["status"] != "ok":
            self.errors += 1
            if len(self.failed) < KEEP:
                self.failed.append(row)
            return
        self.ok += 1
        decision = rec["decision"]
        self.by_decision[decision] += 1
        for part in rec["jurisdictions"].split(";"):
            j, _, d = part.partition("=")
            if j:
                self.by_jurisdiction.setdefault(j, Counter())[d] += 1
        destination = rec["destination_country"] or "(none)"
        self.by_destination.setdefault(destination, Counter())[decision] += 1
        self.rules.update(r for r in rec["rules"].split(" | ") if r)
        self.red_flags.update(r for r in rec["red_flags"].split(" | ") if r)
        kept = {
            "prohibited": self.prohibited,
            "license_required": self.licensed,
            "review": self.review,
        }.get(decision)
        if kept is not None and len(kept) < KEEP:
            kept.append(row)

    def merge(self, other: BatchSummary) -> None:
        """Add the counts of the rows that follow (a chunk's or a partition's, `render`):
        the same totals, and the same first KEEP rows of each kind, as accounting each row."""
        self.lines += other.lines
        self.ok += other.ok
        self.errors += other.errors
        self.by_decision.update(other.by_decision)
        for mine, theirs in (
            (self.by_jurisdiction, other.by_jurisdiction),
            (self.by_destination, other.by_destination),
        ):
            for key, counts in theirs.items():
                mine.setdefault(key, Counter()).update(counts)
        self.rules.update(other.rules)
        self.red_flags.update(other.red_flags)
        for kept, more in (
            (self.prohibited, other.prohibited),
            (self.licensed, other.licensed),
            (self.review, other.review),
            (self.failed, other.failed),
        ):
            kept.extend(more[: KEEP - len(kept)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "lines": self.lines,
            "ok": self.ok,
            "errors": self.errors,
            "by_decision": dict(self.by_decision.most_common()),
            "by_jurisdiction": {j: dict(c) for j, c in sorted(self.by_jurisdiction.items())},
            "by_destination": {d: dict(c) for d, c in sorted(self.by_destination.items())},
            "top_rules": dict(self.rules.most_common(20)),
            "red_flags": dict(self.red_flags.most_common()),
            "resumed_after": self.resumed_after,
            "seconds": round(self.seconds, 3),
        }


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
        self.cache: dict[str, tuple[str, ...] | str] = {}
        self.cache_size = cache_size
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
            cached = self._screen(dict(zip(self.columns, cells, strict=True)), line)
            if len(self.cache) >= self.cache_size:
                self.cache.clear()
            self.cache[key] = cached
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


# --------------------------------------------------------------------------- worker processes

_WORKER: LineScreener | None = None


def build_screener(rules_dir: Path, backend: BackendName, db_url: str | None) -> Screener:
    """A batch's screener (screener.wiring): no gaps, adjudications read once."""
    from screener.wiring import build_screener as wired

    return wired(rules_dir, backend, db_url, gaps=False, snapshot=True)


def _warm(rules_dir: Path, backend: BackendName, db_url: str | None, replies: Any) -> None:
    """Build a screener once before the workers start: the lists' match index is cached for
    them (else each builds it at the same time on a cold cache), and a broken pack or
    database fails here with its message instead of in workers the pool would respawn.
    Replies ("ok", ReportContext) or ("error", message)."""
    try:
        replies.put(("ok", ReportContext.of(build_screener(rules_dir, backend, db_url))))
    except Exception as exc:
        replies.put(("error", str(exc)))


def _init_worker(
    columns: list[str], rules_dir: Path, backend: BackendName, db_url: str | None
) -> None:
    global _WORKER
    _WORKER = LineScreener(columns, build_screener(rules_dir, backend, db_url))
    # The packs and the lists' match index are millions of long-lived objects: moved out of
    # the collector's generations, they are not traversed again by every full collection.
    gc.collect()
    gc.freeze()


def _work(lines: list[Line]) -> list[Row]:
    assert _WORKER is not None
    return _WORKER.screen_chunk(lines)


def _chunks(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --------------------------------------------------------------------------- resume


def _state_path(output: Path) -> Path:
    return output.with_name(output.name + ".input.json")


def _check_same_input(input_path: Path, sha256: str, output: Path) -> None:
    """Refuse to resume into an output written from another input (or an edited one): the
    line numbers it carries would no longer name the same lines."""
    state = _state_path(output)
    if not state.exists():
        raise ResumeError(
            f"{output}: no record of the input it was written from ({state.name}); "
            "run without --resume to start again"
        )
    recorded = json.loads(state.read_text(encoding="utf-8"))
    if recorded.get("sha256") != sha256:
        raise ResumeError(
            f"{input_path} is not the file {output} was written from "
            f"({recorded.get('input')}, {recorded.get('bytes')} bytes, sha256 "
            f"{str(recorded.get('sha256'))[:12]}...): run without --resume to start again"
        )


def _resume_point(output: Path, summary: BatchSummary) -> int:
    """Drop a half-written last row, recount the rows written; returns the last input line
    number done (1: only the header)."""
    with output.open("rb+") as f:
        data_end = f.seek(0, os.SEEK_END)
        # find the last newline: anything after it is a row cut off mid-write
        pos, tail = data_end, b""
        while pos > 0 and b"\n" not in tail:
            step = min(65536, pos)
            pos -= step
            f.seek(pos)
            tail = f.read(step) + tail
        cut = pos + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
        if cut != data_end:
            f.truncate(cut)
    last = 1
    with output.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return 0
        if tuple(header) != OUTPUT_COLUMNS:
            raise HeaderError(
                f"{output}: not a chokepoint batch output of this version (its header is "
                f"{','.join(header[:4])},...; this version writes {','.join(OUTPUT_COLUMNS[:4])}"
                ",...): run without --resume to start again"
            )
        for row in reader:
            summary.account(tuple(row))
            last = int(row[0])
    summary.resumed_after = summary.lines
    return last


# --------------------------------------------------------------------------- the run

Progress = Callable[[BatchSummary], None]


def run_batch(
    input_path: Path,
    output_path: Path,
    *,
    processes: int | None = None,
    resume: bool = False,
    rules_dir: Path = DEFAULT_RULES_DIR,
    backend: BackendName = "python",
    db_url: str | None = None,
    screener: Screener | None = None,
    progress: Progress | None = None,
    chunk_size: int = 256,
    report: bool = True,
    scheduler: str | None = None,
    partition_size: int = 2000,
    partition_timeout: float | None = None,
) -> BatchSummary:
    """Screen every line of `input_path` into `output_path` (CSV, OUTPUT_COLUMNS) and, with
    `report`, an HTML report beside it. `processes` defaults to every core; 1 screens in this
    process (with `screener` if given). `scheduler` (default: the CHOKEPOINT_BATCH_SCHEDULER
    setting; "" for none) runs it on Dask instead, `partition_size` lines a task
    (screener.batch.cluster). HeaderError when the header cannot be read."""
    started = time.monotonic()
    scheduler = settings().batch_scheduler if scheduler is None else scheduler
    if scheduler:
        from screener.batch.cluster import parse_scheduler

        parse_scheduler(scheduler)  # a bad value stops the run before the output is touched
    columns = check_header(next(csv.reader([read_header(input_path)])))
    lines_in, sha256 = survey(input_path)  # one read for the count and the resume check
    summary = BatchSummary(total=max(lines_in - 1, 0))
    after, mode = 1, "w"
    if resume and output_path.exists() and output_path.stat().st_size > 0:
        _check_same_input(input_path, sha256, output_path)
        after = max(_resume_point(output_path, summary), 1)
        if output_path.stat().st_size > 0:
            mode = "a"
    if mode == "w":
        recorded = {"input": input_path.name, "bytes": input_path.stat().st_size, "sha256": sha256}
        _state_path(output_path).write_text(json.dumps(recorded), "utf-8")
    processes = processes or os.cpu_count() or 1
    with output_path.open(mode, encoding="utf-8", newline="") as out:
        if mode == "w":
            SafeWriter(out).writerow(OUTPUT_COLUMNS)

        def emit(text: str, counts: BatchSummary) -> None:
            out.write(text)
            out.flush()
            summary.merge(counts)
            summary.seconds = time.monotonic() - started
            if progress:
                progress(summary)

        def write(rows: list[Row]) -> None:
            emit(*render(rows))

        lines = read_lines(input_path, after=after)
        if scheduler:
            from screener.batch.cluster import ClusterBatch

            with ClusterBatch(
                scheduler, rules_dir, backend, db_url, partition_timeout=partition_timeout
            ) as cluster:
                summary.context = cluster.context()
                summary.partitions = -(-(lines_in - after) // partition_size)
                for text, counts in cluster.screen(columns, _chunks(lines, partition_size), sha256):
                    summary.partitions_done += 1
                    emit(text, counts)  # rendered and counted on the worker
        elif processes == 1:
            local = LineScreener(columns, screener or build_screener(rules_dir, backend, db_url))
            summary.context = ReportContext.of(local.screener)
            for chunk in _chunks(lines, chunk_size):
                write(local.screen_chunk(chunk))
        else:
            ctx = multiprocessing.get_context("spawn")
            # in a process of its own: the parent stays small (it only reads and writes)
            replies = ctx.SimpleQueue()
            warm = ctx.Process(target=_warm, args=(rules_dir, backend, db_url, replies))
            warm.start()
            # read before joining (a large reply blocks the child until it is read), and do
            # not wait for one from a child that died without replying
            while replies.empty() and warm.is_alive():
                warm.join(0.05)
            kind, reply = replies.get() if not replies.empty() else ("", None)
            warm.join()
            if kind == "error":
                raise PackError([reply])
            if warm.exitcode != 0 or kind != "ok":
                raise PackError([f"preparing the screener failed (exit code {warm.exitcode})"])
            summary.context = reply
            with ctx.Pool(processes, _init_worker, (columns, rules_dir, backend, db_url)) as pool:
                pending: deque[AsyncResult[list[Row]]] = deque()
                for chunk in _chunks(lines, chunk_size):
                    pending.append(pool.apply_async(_work, (chunk,)))
                    while len(pending) >= processes * 4:
                        write(pending.popleft().get())
                while pending:
                    write(pending.popleft().get())
    summary.seconds = time.monotonic() - started
    if report:
        from screener.batch.report import write_report

        write_report(output_path.with_suffix(".html"), summary, input_path.name)
    return summary
