"""The batch on Dask: a LocalCluster of 2 worker processes gives the one-machine output byte
for byte, a worker killed mid-run loses no line, and `--resume` carries on across a cluster
restart. Every wait on the cluster is bounded (TIMEOUT), so a hung cluster fails the test."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import HEADER, MALFORMED_LINES, rows
from typer.testing import CliRunner

from cli.main import app
from screener.batch.bundle import make_bundle, materialise
from screener.batch.cluster import SchedulerError, parse_scheduler
from screener.batch.runner import BatchSummary, run_batch
from screener.engine import Screener
from screener.parties.store import ListStore

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

TIMEOUT = 120.0  # seconds for any one partition (or the cluster to start)
COUNTRIES = ["CN", "DE", "JP", "RU", "SG", "NL", "KR", "IN", "TW", "AE"]
ECCNS = ["3B001.c.1.a", "3B993", "EAR99", "3A090.a", "3B001.f.1", "", "5A992.c", "4A090.a"]
LISTED = ["Jiangxi Xintuo Enterprise Co. Ltd.", "BANK OF KUNLUN CO LTD", "KAL TEK LABS"]
pytestmark = pytest.mark.usefixtures("index_cache")


def write_input(path: Path, n: int) -> None:
    """The malformed lines of test_batch, then `n` generated ones (some to listed parties,
    some repeating earlier lines but for the id)."""
    lines = [HEADER, *MALFORMED_LINES]
    for i in range(n):
        c = COUNTRIES[i % len(COUNTRIES)]
        user = LISTED[i % 3] if i % 41 == 0 else (f"Buyer {i % 23} GmbH" if i % 4 else "")
        cells = [
            f"G{i}",
            ["2026-08-03", "2025-11-15"][i % 2],
            "Acme Tools Inc.",
            "US",
            c,
            ECCNS[i % len(ECCNS)],
            "US" if i % 5 else "TW",
            str(1 + i % 7),
            str(1000 * (i % 97)),
            user,
            c if user else "",
            ["", "civil", "military"][i % 3],
        ]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "in.csv"
    write_input(path, 1500)
    return path


@pytest.fixture(scope="module")
def one_machine(source: Path, screener: Screener) -> tuple[Path, BatchSummary]:
    """The one-machine output and summary."""
    out = source.with_name("reference.csv")
    return out, run_batch(source, out, processes=1, screener=screener, report=False)


@pytest.fixture(scope="module")
def reference(one_machine: tuple[Path, BatchSummary]) -> Path:
    return one_machine[0]


def counts(summary: BatchSummary) -> dict[str, object]:
    kept = (summary.prohibited, summary.licensed, summary.review, summary.failed)
    return {**summary.as_dict(), "seconds": 0, "kept": kept}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[distributed.Client]:
    """A LocalCluster of 2 single-threaded worker processes, and a client to watch it."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "idx"))
    local = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(local, timeout=TIMEOUT)
    try:
        yield client
    finally:
        client.close()
        local.close()
        mp.undo()


def test_local_2_gives_the_one_machine_output(
    source: Path, one_machine: tuple[Path, BatchSummary], lists_url: str
) -> None:
    """Also the summary: each worker counts its partition, the client adds them up."""
    reference, expected = one_machine
    out = source.with_name("local2.csv")
    summary = run_batch(
        source,
        out,
        scheduler="local:2",
        db_url=lists_url,
        partition_size=200,
        partition_timeout=TIMEOUT,
        report=False,
    )
    assert out.read_bytes() == reference.read_bytes()
    assert summary.lines == summary.total == 1513
    assert (summary.partitions, summary.partitions_done) == (8, 8)
    assert counts(summary) == counts(expected)
    assert summary.by_decision["license_required"] > 0
    assert summary.errors == 9  # the malformed lines of test_batch; every generated one reads
    assert summary.context.versions == expected.context.versions  # packs and list travelled
    got = {int(r["line"]): r for r in rows(out)}
    assert got[11]["decision"] == "license_required" and "entity_list" in got[11]["party_hits"]


def test_a_killed_worker_loses_no_line(
    source: Path, reference: Path, lists_url: str, cluster: distributed.Client
) -> None:
    """SIGKILL one worker while it holds partitions: the nanny starts another, the scheduler
    runs the lost partitions again, and the output is still the one-machine output."""
    before = cluster.run(os.getpid)
    killed: list[int] = []

    def kill_once(summary: BatchSummary) -> None:
        if killed:
            return
        busy = [w for w, tasks in cluster.processing().items() if tasks]
        if busy:
            killed.append(before[busy[0]])
            os.kill(before[busy[0]], signal.SIGKILL)

    out = source.with_name("killed.csv")
    summary = run_batch(
        source,
        out,
        scheduler=cluster.scheduler.address,
        db_url=lists_url,
        partition_size=50,
        partition_timeout=TIMEOUT,
        progress=kill_once,
        report=False,
    )
    assert killed, "no worker was busy when the first partition was written"
    cluster.wait_for_workers(2, timeout=TIMEOUT)
    assert killed[0] not in cluster.run(os.getpid).values()  # that process is gone
    assert summary.lines == 1513 and summary.partitions_done == summary.partitions == 31
    assert out.read_bytes() == reference.read_bytes()


def test_resume_across_a_cluster_restart(
    source: Path, reference: Path, lists_url: str, cluster: distributed.Client
) -> None:
    out = source.with_name("restarted.csv")

    def stop(summary: BatchSummary) -> None:
        if summary.lines >= 400:
            raise KeyboardInterrupt

    address = cluster.scheduler.address
    options = {"db_url": lists_url, "partition_timeout": TIMEOUT, "report": False}
    with pytest.raises(KeyboardInterrupt):
        run_batch(source, out, scheduler=address, partition_size=100, progress=stop, **options)
    assert len(rows(out)) == 400
    cluster.restart(timeout=TIMEOUT)  # every worker process replaced: the bundle is gone
    summary = run_batch(source, out, scheduler=address, partition_size=300, resume=True, **options)
    assert summary.resumed_after == 400 and summary.lines == 1513
    assert summary.partitions == 4  # 1,113 lines left, 300 a partition
    assert out.read_bytes() == reference.read_bytes()


def test_cli_scheduler_option(
    tmp_path: Path, lists_url: str, cluster: distributed.Client, screener: Screener
) -> None:
    source = tmp_path / "in.csv"
    write_input(source, 60)
    reference = tmp_path / "one.csv"
    run_batch(source, reference, processes=1, screener=screener, report=False)
    out = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["batch", str(source), "-o", str(out), "--no-report", "--db", lists_url,
         "--scheduler", cluster.scheduler.address, "--partition-size", "25"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == reference.read_bytes()

    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--scheduler", "local:0"])
    assert result.exit_code == 2 and "local:N needs a number of workers" in result.output
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--scheduler", "spark"])
    assert result.exit_code == 2 and "tcp://HOST:8786" in result.output
    assert out.read_bytes() == reference.read_bytes()  # a bad value leaves the output alone


def test_scheduler_values() -> None:
    assert parse_scheduler("local:3") == 3
    assert parse_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("local:", "local:x", "tcp://", "10.0.0.5:8786"):
        with pytest.raises(SchedulerError):
            parse_scheduler(bad)


def test_the_bundle_is_named_by_its_content(tmp_path: Path, list_store: ListStore) -> None:
    """Same packs and lists: same digest (a cluster that has it keeps it); a list changed:
    another digest, so no worker screens against the old one."""
    from screener.packs.loader import DEFAULT_RULES_DIR

    first = make_bundle(DEFAULT_RULES_DIR, list_store.url)
    assert make_bundle(DEFAULT_RULES_DIR, list_store.url).digest == first.digest
    assert any(name.startswith("rules/us") for name in first.files)
    folder = materialise(first, tmp_path)
    assert materialise(first, tmp_path) == folder and (folder / "lists.db").exists()

    other = ListStore(f"sqlite:///{tmp_path / 'other.db'}")
    fixture = Path(__file__).parent / "fixtures" / "lists" / "consolidated.csv"
    other.import_list(fixture, "csl-csv", "csl")
    trimmed = tmp_path / "trimmed.csv"
    trimmed.write_text("".join(fixture.read_text(encoding="utf-8").splitlines(True)[:-1]))
    other.import_list(trimmed, "csl-csv", "csl")  # a newer version without the last row
    second = make_bundle(DEFAULT_RULES_DIR, other.url)
    assert second.digest != first.digest
    copy = ListStore(f"sqlite:///{materialise(second, tmp_path) / 'lists.db'}")
    assert [v.entries for v in copy.versions()] == [v.entries for v in other.versions()]
    assert len(copy.history("csl")) == 1  # only the latest version travels
