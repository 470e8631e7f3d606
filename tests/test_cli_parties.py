"""`chokepoint lists` and `chokepoint parties` from the command line (in-process runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lists"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app,
        [
            "lists",
            "import",
            str(FIXTURES / "consolidated.csv"),
            "--format",
            "csl-csv",
            "--name",
            "csl",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    return url


def test_parties_screen_prints_one_json_line_per_input(db: str, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name,country\nHuawei Technologies Co Ltd,CN\nSiemens AG,DE\n,\n")
    result = CliRunner().invoke(app, ["parties", "screen", str(names), "--db", db])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["hits"][0]["entry_name"].startswith("Huawei Technologies")
    assert lines[0]["hits"][0]["list_code"] == "entity_list"
    assert lines[1]["hits"] == []
    assert lines[2] == {
        "input": {"name": "", "country": None, "address": None},
        "error": "empty name",
    }


def test_adjudication_from_the_cli_is_honoured(db: str, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Jiangxi Xintuo Enterprise Company Limited\n")
    runner = CliRunner()
    first = json.loads(runner.invoke(app, ["parties", "screen", str(names), "--db", db]).stdout)
    entry = first["hits"][0]["entry_id"]
    recorded = runner.invoke(
        app,
        [
            "parties",
            "adjudicate",
            "--name",
            "Jiangxi Xintuo Enterprise Company Limited",
            "--list",
            "csl",
            "--entry",
            entry,
            "--decision",
            "false_positive",
            "--reviewer",
            "a.reviewer",
            "--reason",
            "different company",
            "--db",
            db,
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    again = json.loads(runner.invoke(app, ["parties", "screen", str(names), "--db", db]).stdout)
    assert again["hits"][0]["adjudication"].startswith("released as not the listed party")


def test_unknown_entry_is_refused(db: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "parties",
            "adjudicate",
            "--name",
            "X",
            "--list",
            "csl",
            "--entry",
            "nope",
            "--decision",
            "true_match",
            "--reviewer",
            "r",
            "--reason",
            "r",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 2
    assert "no entry 'nope' in list 'csl'" in result.output
