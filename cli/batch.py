"""`chokepoint batch IN.csv -o OUT.csv`: screen a CSV shipment list, one output line per
input line, with a progress bar (rate, ETA), a summary and an HTML report beside OUT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.common import DbOption, fail, require_backend
from screener.batch.cluster import ClusterError, SchedulerError
from screener.batch.layout import HeaderError, template
from screener.batch.runner import ResumeError, run_batch
from screener.batch.summary import BatchSummary
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError


def batch(
    file: Annotated[
        Path | None, typer.Argument(help="Shipment CSV (see README, `--template`).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output CSV (default: IN.results.csv)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Carry on an interrupted run from the last line written.")
    ] = False,
    processes: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: every core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on Dask: local:N (a local cluster of N workers) or tcp://HOST:8786 "
            "(default: the CHOKEPOINT_BATCH_SCHEDULER setting, else this machine's processes)."
        ),
    ] = None,
    partition_size: Annotated[
        int, typer.Option(min=1, help="Lines per task on a Dask cluster.")
    ] = 2000,
    backend: Annotated[str, typer.Option(help="python or durable.")] = "python",
    rules: Annotated[Path, typer.Option(help="Rules folder.")] = DEFAULT_RULES_DIR,
    report: Annotated[bool, typer.Option(help="Write OUT.html beside the CSV.")] = True,
    print_template: Annotated[
        bool, typer.Option("--template", help="Print the CSV header line and exit.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Screen every line of a shipment CSV; nothing is dropped, a bad line is reported."""
    if print_template:
        typer.echo(template())
        return
    if file is None:
        fail("give the shipment CSV to screen (or --template for its header line)")
    if not file.is_file():
        fail(f"{file}: no such file")
    if backend not in ("python", "durable"):
        fail(f"unknown backend {backend!r}: python or durable")
    require_backend(backend)
    out = output or file.with_suffix(".results.csv")
    if out.resolve() == file.resolve():
        fail("the output would overwrite the input")
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:>8,.0f} lines/s"),
        TextColumn("{task.fields[parts]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("batch", total=None, rate=0.0, parts="")

        def on_progress(s: BatchSummary) -> None:
            fresh = s.lines - s.resumed_after
            bar.update(
                task,
                total=s.total,
                completed=s.lines,
                rate=fresh / s.seconds if s.seconds else 0.0,
                parts=f"partition {s.partitions_done}/{s.partitions}" if s.partitions else "",
            )

        try:
            summary = run_batch(
                file,
                out,
                processes=processes,
                resume=resume,
                rules_dir=rules,
                backend=backend,  # type: ignore[arg-type]
                db_url=db,
                progress=on_progress,
                report=report,
                scheduler=scheduler,
                partition_size=partition_size,
            )
        except HeaderError as exc:
            fail(f"{file}: header line: {exc}")
        except (ResumeError, SchedulerError, ClusterError) as exc:
            fail(str(exc))
        except PackError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            console.print(f"interrupted: rerun with --resume to carry on into {out}")
            raise typer.Exit(130) from None
    console.print(
        f"{summary.lines:,} of {summary.total:,} lines accounted for: {summary.ok:,} screened, "
        f"{summary.errors:,} in error"
        + (f" ({summary.resumed_after:,} from the earlier run)" if summary.resumed_after else "")
    )
    console.print(f"wrote {out}" + (f" and {out.with_suffix('.html')}" if report else ""))
    typer.echo(json.dumps(summary.as_dict()))
