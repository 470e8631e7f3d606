"""What a reviewer reads from a batch: each output row names its item, ECCN and destination
and the red flags raised; no cell can run as a spreadsheet formula; the HTML report lists the
prohibited and licence-required lines with clause titles, the versions screened against and
charts by destination and by clause."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from screener.batch.layout import OUTPUT_COLUMNS
from screener.batch.runner import run_batch
from screener.csv_safe import neutralise
from screener.engine import Screener

HEADER = (
    "id,date,exporter_name,exporter_country,destination_country,description,eccn,"
    "origin_country,quantity,end_user_name,end_user_country,freight_forwarder_name,"
    "freight_forwarder_country"
)
PAYLOAD = "=cmd|' /C calc'!A0"
LINES = [
    # 2: an etch tool to China through a Singapore forwarder, under a hostile id
    f'"{PAYLOAD}",2026-08-03,Acme,US,CN,Isotropic dry etch tool,3B001.c.1.a,US,1,'
    "Example Fab Co.,CN,Example Logistics Pte. Ltd.,SG",
    # 3: the same tool to Germany, no forwarder; a description starting with @ and one -
    "L3,2026-08-03,Acme,US,DE,@SUM(1+1)*cmd|' /C calc'!A0,3B001.c.1.a,US,1,Example GmbH,DE,,",
    # 4: a bad quantity: an error row still names its item, ECCN and destination
    "L4,2026-08-03,Acme,US,JP,-2+3+cmd|' /C calc'!A0,EAR99,US,many,,,,",
    # 5: gloves to Japan: clear
    "+L5,2026-08-03,Acme,US,JP,Cleanroom gloves,EAR99,US,1000,Example KK,JP,,",
]


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "idx"))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, screener: Screener) -> Path:
    folder = tmp_path_factory.mktemp("batch-outputs")
    source = folder / "in.csv"
    source.write_text("\n".join([HEADER, *LINES]) + "\n", encoding="utf-8")
    run_batch(source, folder / "out.csv", processes=1, screener=screener)
    return folder


def _rows(path: Path) -> dict[int, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == OUTPUT_COLUMNS
        return {int(r["line"]): r for r in reader}


def test_each_row_repeats_item_eccn_destination_and_the_red_flags(outputs: Path) -> None:
    got = _rows(outputs / "out.csv")
    assert sorted(got) == [2, 3, 4, 5]
    assert (got[2]["description"], got[2]["eccn"], got[2]["destination_country"]) == (
        "Isotropic dry etch tool",
        "3B001.c.1.a",
        "CN",
    )
    # the Singapore forwarder red flag `screen` raises is in the batch row too
    assert got[2]["red_flags"] == "us.red_flag.forwarder_in_transshipment_hub"
    assert got[2]["decision"] == "license_required"
    assert got[3]["red_flags"] == "" and got[3]["destination_country"] == "DE"
    assert got[4]["status"] == "error" and got[4]["error"] == "quantity: 'many' is not a number"
    assert (got[4]["eccn"], got[4]["destination_country"]) == ("EAR99", "JP")
    assert got[5]["decision"] == "clear"


def test_no_cell_can_run_as_a_formula(outputs: Path) -> None:
    got = _rows(outputs / "out.csv")
    assert got[2]["id"] == "'" + PAYLOAD
    assert got[3]["description"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert got[4]["description"] == "'-2+3+cmd|' /C calc'!A0"
    assert got[5]["id"] == "'+L5"
    for row in got.values():
        for cell in row.values():
            assert cell == neutralise(cell), cell
            assert not cell or cell[0] not in "=+-@\t\r" or cell.lstrip("+-").isdigit()
    # every cell quoted: a `;`-separated locale cannot split a cell and expose a formula
    raw = (outputs / "out.csv").read_text(encoding="utf-8").splitlines()
    assert all(line.startswith('"') and line.endswith('"') for line in raw)


def test_neutralise_follows_owasp_and_leaves_plain_numbers() -> None:
    for trigger in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    assert neutralise("-5") == "-5" and neutralise("+3.25") == "+3.25"
    assert neutralise("-1e-3") == "-1e-3"
    assert neutralise("-inf") == "'-inf" and neutralise("-2+3") == "'-2+3"
    assert neutralise("'=x") == "'=x"  # already neutral: idempotent
    assert neutralise("Acme") == "Acme" and neutralise("") == "" and neutralise(None) == ""


def test_report_lists_licence_lines_with_titles_versions_and_charts(outputs: Path) -> None:
    report = (outputs / "out.html").read_text(encoding="utf-8")
    assert "http" not in report.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in report
    assert report.count("<svg") == 3  # by decision, by destination, by clause
    assert 'aria-label="lines by destination and decision"' in report
    assert 'aria-label="lines by clause that decided"' in report
    licensed = report.split("<h2>Licence-required lines</h2>")[1].split("<h2>")[0]
    assert "us.ccl.3B001.worldwide.ns: 3B001.c.1.a, c.1.c and q - NS worldwide" in licensed
    assert "Isotropic dry etch tool" in licensed and "<td>CN</td>" in licensed
    assert "us.red_flag.forwarder_in_transshipment_hub" in licensed
    # the hostile id is shown as the CSV has it, and escaped: no markup from it
    assert "&#x27;=cmd|&#x27; /C calc&#x27;!A0" in licensed
    prohibited = report.split("<h2>Prohibited lines</h2>")[1].split("<h2>")[0]
    assert "<p>None.</p>" in prohibited
    versions = report.split("<h2>Screened against</h2>")[1].split("<h2>")[0]
    assert "<td>us-ear</td>" in versions and "<td>csl</td>" in versions
    flags = report.split("<h2>Red flags</h2>")[1].split("<h2>")[0]
    assert "named transshipment point" in flags
