"""The batch screener: every input line accounted for (malformed lines included), resume
without loss or duplication, both cores giving the same output, the CLI and the report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from screener.batch.layout import INPUT_COLUMNS, OUTPUT_COLUMNS, HeaderError, template
from screener.batch.reader import LATIN1_NOTE
from screener.batch.runner import BatchSummary, ResumeError, run_batch
from screener.engine import Screener

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = (
    "id,date,exporter_name,exporter_country,destination_country,eccn,origin_country,quantity,"
    "value_usd,end_user_name,end_user_country,end_use_categories"
)


def line(*cells: str) -> str:
    return ",".join(cells)


ETCH_TO_CN = (
    "2026-08-03",
    "Example Etch Systems Inc.",
    "US",
    "CN",
    "3B001.c.1.a",
    "US",
    "1",
    "4200000",
    "Example Fab Co.",
    "CN",
    "civil",
)
MALFORMED_LINES = [
    # 2: a 3B001.c.1.a etch tool to China
    line("L2", *ETCH_TO_CN),
    # 3: wrong type
    line("L3", "2026-08-03", "Acme", "US", "CN", "3B001.c.1.a", "US", "abc", "1", "", "", ""),
    # 4: unknown country
    line("L4", "2026-08-03", "Acme", "US", "XX", "EAR99", "US", "1", "1", "", "", ""),
    # 5: empty exporter name
    line("L5", "2026-08-03", "", "US", "DE", "EAR99", "US", "1", "1", "", "", ""),
    # 6: a party country without a name
    line("L6", "2026-08-03", "Acme", "US", "DE", "EAR99", "US", "1", "1", "", "DE", ""),
    # 7: broken quoting (the quote never closes: must not swallow line 8)
    'L7,2026-08-03,"Acme,US,CN,EAR99,US,1,1,,,',
    # 8: a Latin-1 name (bytes written below), screened normally
    line("L8", "2026-08-03", "Acme", "US", "DE", "EAR99", "US", "1", "1", "Müller GmbH", "DE", ""),
    # 9: an empty line
    "",
    # 10: too few fields
    "L10,2026-08-03,Acme,US",
    # 11: an Entity List end user (fixture CSL) for an EAR99 item
    line(
        "L11",
        "2026-08-03",
        "Acme",
        "US",
        "CN",
        "EAR99",
        "US",
        "1",
        "1",
        "Jiangxi Xintuo Enterprise Co. Ltd.",
        "CN",
        "",
    ),
    # 12: line 2 again under another id (the line cache must keep the id)
    line("L12", *ETCH_TO_CN),
    # 13: an impossible date; 14: an unknown end-use category (last line, no newline)
    line("L13", "2026-02-30", "Acme", "US", "DE", "EAR99", "US", "1", "1", "", "", ""),
    line("L14", "2026-08-03", "Acme", "US", "DE", "EAR99", "US", "1", "1", "", "", "picnics"),
]


def write_malformed(path: Path) -> None:
    lines = [HEADER, *MALFORMED_LINES]
    data = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark before the header
    for n, text in enumerate(lines, start=1):
        encoded = text.encode("latin-1" if n == 8 else "utf-8")
        data += encoded + (b"\r\n" if n < len(lines) else b"")
    path.write_bytes(data)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == OUTPUT_COLUMNS
        return list(reader)


pytestmark = pytest.mark.usefixtures("index_cache")


def test_every_malformed_line_is_accounted_for(tmp_path: Path, screener: Screener) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_malformed(source)
    summary = run_batch(source, out, processes=1, screener=screener)
    got = {int(r["line"]): r for r in rows(out)}
    assert sorted(got) == list(range(2, 15))  # one output line per input line, in order
    assert (summary.lines, summary.total, summary.ok, summary.errors) == (13, 13, 4, 9)

    assert got[2]["status"] == "ok" and got[2]["decision"] == "license_required"
    assert "742.4" in got[2]["citations"]
    assert "us.ccl.3B001.worldwide.ns" in got[2]["rules"].split(" | ")
    assert got[2]["jurisdictions"] == "US=license_required"
    assert got[3]["error"] == "quantity: 'abc' is not a number"
    assert got[4]["error"].startswith("destination_country: 'XX' is not an ISO 3166-1")
    assert got[5]["error"].startswith("exporter_name:")
    assert got[6]["error"] == "end_user_name: empty, but end_user_country/address is given"
    assert got[7]["error"].startswith("broken CSV quoting")
    assert got[8]["status"] == "ok" and got[8]["note"] == LATIN1_NOTE
    assert got[9]["error"] == "empty line"
    assert got[10]["error"] == "4 fields where the header has 12"
    assert got[11]["decision"] == "license_required"
    assert "us.party.entity_list" in got[11]["rules"]
    assert "Jiangxi Xintuo" in got[11]["party_hits"] and "entity_list" in got[11]["party_hits"]
    assert got[12]["id"] == "L12" and got[12]["rules"] == got[2]["rules"]
    assert got[13]["error"].startswith("date: '2026-02-30' is not a date")
    assert got[14]["error"].startswith("end_use_categories:")

    report = (tmp_path / "out.html").read_text()
    assert "<svg" in report and "http" not in report.replace("http://www.w3.org/2000/svg", "")
    assert "us.ccl.3B001.worldwide.ns" in report and "quantity: &#x27;abc&#x27;" in report


def test_header_check_names_missing_and_unknown_columns(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,exporter_name,destination,eccn\nx,Acme,CN,EAR99\n")
    with pytest.raises(HeaderError) as exc:
        run_batch(source, tmp_path / "out.csv", processes=1)
    assert "missing required column(s): exporter_country, destination_country" in str(exc.value)
    assert "unknown column(s): destination" in str(exc.value)
    assert template().split(",") == list(INPUT_COLUMNS)


def _shipments(path: Path, n: int) -> None:
    countries = ["CN", "DE", "JP", "RU", "SG", "NL", "KR", "IN"]
    eccns = ["3B001.c.1.a", "3B993", "EAR99", "3A090.a", "3B001.f.1", "", "5A992.c"]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "id",
                "date",
                "exporter_name",
                "exporter_country",
                "destination_country",
                "eccn",
                "origin_country",
                "value_usd",
                "end_user_name",
                "end_user_country",
            ]
        )
        for i in range(n):
            c = countries[i % len(countries)]
            w.writerow(
                [
                    f"T{i}",
                    "2026-08-03",
                    "Acme",
                    "US",
                    c,
                    eccns[i % len(eccns)],
                    "US",
                    str(1000 * (i % 13)),
                    f"Buyer {i % 17}" if i % 5 else "",
                    c,
                ]
            )


def test_resume_after_an_interruption_loses_and_duplicates_nothing(
    tmp_path: Path, screener: Screener
) -> None:
    source = tmp_path / "in.csv"
    _shipments(source, 400)
    reference = tmp_path / "reference.csv"
    run_batch(source, reference, processes=1, screener=screener, report=False)

    out = tmp_path / "out.csv"

    def interrupt(summary: BatchSummary) -> None:
        if summary.lines >= 150:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            source,
            out,
            processes=1,
            screener=screener,
            progress=interrupt,
            chunk_size=50,
            report=False,
        )
    assert len(rows(out)) == 150
    # and a row cut off mid-write, as a killed process leaves it
    with out.open("a", encoding="utf-8") as f:
        f.write("152,T150,ok,lic")
    summary = run_batch(source, out, processes=1, screener=screener, resume=True, report=False)
    assert summary.resumed_after == 150 and summary.lines == 400
    assert out.read_bytes() == reference.read_bytes()
    # resuming a finished run adds nothing
    again = run_batch(source, out, processes=1, screener=screener, resume=True, report=False)
    assert again.resumed_after == 400 and out.read_bytes() == reference.read_bytes()


def test_resume_refuses_an_edited_input(tmp_path: Path, screener: Screener) -> None:
    """The output's line numbers name the lines of the file it was written from: resuming it
    from another file (or the same file edited) would skip or repeat lines."""
    source = tmp_path / "in.csv"
    _shipments(source, 20)
    out = tmp_path / "out.csv"
    run_batch(source, out, processes=1, screener=screener, report=False)
    with source.open("a", encoding="utf-8") as f:
        f.write(source.read_text(encoding="utf-8").splitlines()[1] + "\n")
    with pytest.raises(ResumeError, match=r"is not the file .* was written from"):
        run_batch(source, out, processes=1, screener=screener, resume=True, report=False)
    Path(f"{out}.input.json").unlink()
    with pytest.raises(ResumeError, match="no record of the input"):
        run_batch(source, out, processes=1, screener=screener, resume=True, report=False)
    fresh = run_batch(source, out, processes=1, screener=screener, report=False)
    assert fresh.lines == 21 and fresh.resumed_after == 0


def test_two_processes_give_the_same_output_as_one(
    tmp_path: Path, screener: Screener, lists_url: str
) -> None:
    source = tmp_path / "in.csv"
    write_malformed(source)
    single, double = tmp_path / "one.csv", tmp_path / "two.csv"
    run_batch(source, single, processes=1, screener=screener, report=False)
    run_batch(source, double, processes=2, db_url=lists_url, chunk_size=3, report=False)
    assert double.read_bytes() == single.read_bytes()


def test_cli_batch_template_run_and_header_error(tmp_path: Path, lists_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["batch", "--template"])
    assert result.exit_code == 0 and result.output.strip() == template()

    out = tmp_path / "example.results.csv"
    result = runner.invoke(
        app,
        [
            "batch",
            str(EXAMPLES / "shipments.csv"),
            "-o",
            str(out),
            "--processes",
            "1",
            "--db",
            lists_url,
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    got = {r["id"]: r for r in rows(out)}
    assert summary["lines"] == summary["total"] == len(got) == 6
    assert got["PO-1001"]["decision"] == "license_required"
    assert got["PO-1006"]["decision"] == "license_required"  # Jiangxi Xintuo: Entity List
    assert (tmp_path / "example.results.html").exists()

    bad = tmp_path / "bad.csv"
    bad.write_text("exporter_name,exporter_country,destinaton_country\n")
    result = runner.invoke(app, ["batch", str(bad), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "unknown column(s): destinaton_country" in result.output


def test_a_broken_rules_folder_fails_before_the_workers_start(tmp_path: Path) -> None:
    """A pool would respawn workers that fail to start, for ever: the parent checks first."""
    from screener.packs.loader import PackError

    source = tmp_path / "in.csv"
    _shipments(source, 3)
    with pytest.raises(PackError, match="no rule packs"):
        run_batch(source, tmp_path / "out.csv", processes=2, rules_dir=tmp_path / "nowhere")
