"""Run a batch: stream lines to worker processes, write one output line per input line.

Order is kept (each chunk's rows are written when all earlier chunks' are), so the output
is always a prefix of the input: resuming reads the last line number written, drops a
half-written last row, and carries on from the next input line: nothing lost, nothing
duplicated. At most a few chunks are in flight, so memory stays flat whatever the file size.

A line becomes a row in screener.batch.lines (the same code on every worker, local or on a
cluster); the counts are screener.batch.summary's. Each worker process builds its own
Screener (the durable-rules engine and the matcher are per process) and keeps a cache of line
contents already screened: repeated lines (the same item to the same parties) cost a
dictionary look-up; repeated party names hit the party screening cache, and repeated item
facts the screener's finding cache.
"""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from screener.batch.cluster import ClusterBatch, parse_scheduler
from screener.batch.layout import OUTPUT_COLUMNS, HeaderError, check_header
from screener.batch.lines import LineScreener, build_screener, render
from screener.batch.reader import Line, read_header, read_lines, survey
from screener.batch.report import write_report
from screener.batch.summary import BatchSummary, ReportContext, Row
from screener.csv_safe import SafeWriter
from screener.engine import BackendName, Screener
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError
from screener.settings import settings


class ResumeError(ValueError):
    """An output cannot be resumed from this input (another or an edited file)."""


# --------------------------------------------------------------------------- worker processes

_WORKER: LineScreener | None = None


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
                raise PackError([str(reply)])
            if warm.exitcode != 0 or kind != "ok" or not isinstance(reply, ReportContext):
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
        write_report(output_path.with_suffix(".html"), summary, input_path.name)
    return summary
