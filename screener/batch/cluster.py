"""The batch on a Dask cluster: partitions of lines screened on workers, written in order.

`--scheduler local:N` starts a LocalCluster of N worker processes on this machine;
`--scheduler tcp://HOST:8786` uses a running distributed cluster (its workers need this
version of chokepoint installed; they need neither the rules folder nor the database).

The client reads the input, sends partitions of lines (a few per worker thread in flight, so
memory stays flat), and writes each partition's rows when every earlier one is written: the
output is the same prefix-of-the-input file as the one-machine run, so `--resume` works the
same way, also against a cluster restarted in between. The packs and lists travel once, as a
`Bundle` scattered to every worker under its digest (screener.batch.bundle). Each partition
is a task keyed by the input's digest, the bundle's and its line range; a worker that dies
takes its tasks with it and the scheduler runs them again elsewhere (a task whose workers die
more than `distributed.scheduler.allowed-failures` times fails the run, which then resumes).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from screener.batch.bundle import Bundle, make_bundle, screener_of
from screener.batch.lines import LineScreener, render
from screener.batch.reader import Line
from screener.batch.summary import BatchSummary, ReportContext
from screener.engine import BackendName

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

    Rendered = tuple[str, BatchSummary]  # a partition's CSV text and its counts


class SchedulerError(ValueError):
    """The --scheduler value is neither `local:N` nor a scheduler address."""


class ClusterError(RuntimeError):
    """The cluster could not finish a partition (lost, restarted, a worker dying on it)."""


SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "ucx://")


def parse_scheduler(spec: str) -> int | str:
    """`local:N` -> N (`local`: every core), an address -> itself; SchedulerError else."""
    if spec == "local":
        return os.cpu_count() or 1
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise SchedulerError(f"--scheduler {spec}: local:N needs a number of workers >= 1")
        return int(count)
    if spec.startswith(SCHEMES) and len(spec) > spec.index("://") + 3:
        return spec
    raise SchedulerError(
        f"--scheduler {spec!r}: give local:N (a local cluster of N workers) or a scheduler "
        "address such as tcp://HOST:8786"
    )


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:  # pragma: no cover - the extra is part of the test install
        raise SchedulerError("--scheduler needs Dask: pip install 'chokepoint[dask]'") from None
    return distributed


# --------------------------------------------------------------------------- worker side

_LINES: dict[tuple[str, tuple[str, ...], str], LineScreener] = {}


def report_context(bundle: Bundle, backend: BackendName) -> ReportContext:
    """Built on a worker: checks the bundle builds (a broken pack fails the run here, with
    its message) and warms that worker's screener and list index."""
    return ReportContext.of(screener_of(bundle, backend))


def screen_partition(
    bundle: Bundle, backend: BackendName, columns: list[str], lines: list[Line]
) -> Rendered:
    """One partition's output text and counts, on a worker (rendering here leaves the client
    only the writing; the line cache lives as long as the process)."""
    screener = screener_of(bundle, backend)
    key = (bundle.digest, tuple(columns), backend)
    local = _LINES.get(key)
    if local is None:
        _LINES.clear()
        local = _LINES[key] = LineScreener(columns, screener)
    return render(local.screen_chunk(lines))


# --------------------------------------------------------------------------- client side


class ClusterBatch:
    """A connection to the cluster with the bundle scattered; `screen` yields rows in order.

    `partition_timeout` bounds the wait for one partition (None: no bound)."""

    def __init__(
        self,
        spec: str,
        rules_dir: Path,
        backend: BackendName,
        db_url: str | None,
        *,
        partition_timeout: float | None = None,
    ) -> None:
        self.target = parse_scheduler(spec)
        self.spec = spec
        self.rules_dir = rules_dir
        self.backend = backend
        self.db_url = db_url
        self.partition_timeout = partition_timeout
        self.client: Client | None = None
        self.local: LocalCluster | None = None
        self.bundle: Bundle | None = None
        self._bundle: Future[Any] | None = None

    def __enter__(self) -> ClusterBatch:
        distributed = _distributed()
        try:
            if isinstance(self.target, int):
                self.local = distributed.LocalCluster(
                    n_workers=self.target,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = distributed.Client(self.local)
            else:
                self.client = distributed.Client(self.target, timeout="30s")
        except OSError as exc:
            self.__exit__(None, None, None)
            raise ClusterError(f"--scheduler {self.spec}: cannot reach it: {exc}") from exc
        try:
            self.bundle = make_bundle(self.rules_dir, self.db_url)
            # to every worker now (a worker started later fetches it from a peer)
            scattered = self.client.scatter(
                {self.bundle.key: self.bundle}, broadcast=True, hash=False
            )
            self._bundle = scattered[self.bundle.key]
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.client is not None:
            self.client.close()
        if self.local is not None:
            self.local.close()

    @property
    def threads(self) -> int:
        assert self.client is not None
        per_worker: dict[str, int] = self.client.nthreads()
        return max(sum(per_worker.values()), 1)

    def context(self) -> ReportContext:
        """The versions and clause titles for the report, built on a worker."""
        assert self.client is not None and self.bundle is not None
        future = self.client.submit(
            report_context, self._bundle, self.backend, key=f"{self.bundle.key}-context"
        )
        return future.result(timeout=self.partition_timeout)

    def screen(
        self, columns: list[str], partitions: Iterable[list[Line]], input_digest: str
    ) -> Iterator[Rendered]:
        """Each partition's rendered rows, in input order, with a few partitions per worker
        thread in flight; a finished partition is forgotten by the cluster once written."""
        assert self.client is not None and self.bundle is not None
        window = max(4, 3 * self.threads)
        pending: deque[tuple[Future[Any], str]] = deque()
        stem = f"chokepoint-{input_digest[:12]}-{self.bundle.digest[:12]}"
        for lines in partitions:
            span = f"lines {lines[0][0]}-{lines[-1][0]}"
            future = self.client.submit(
                screen_partition,
                self._bundle,
                self.backend,
                columns,
                lines,
                key=f"{stem}-{lines[0][0]}-{lines[-1][0]}",
                retries=0,
            )
            pending.append((future, span))
            while len(pending) >= window:
                yield self._result(*pending.popleft())
        while pending:
            yield self._result(*pending.popleft())

    def _result(self, future: Future[Any], span: str) -> Rendered:
        try:
            rows: Rendered = future.result(timeout=self.partition_timeout)
        except Exception as exc:
            raise ClusterError(
                f"the cluster did not finish the partition of {span} "
                f"({type(exc).__name__}: {exc}); the output holds every line before it: "
                "rerun with --resume to carry on"
            ) from exc
        finally:
            future.release()
        return rows
