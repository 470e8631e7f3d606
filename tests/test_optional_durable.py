"""durable-rules is an optional extra: without it screener imports and screens on the python
backend, and `--backend durable` is a one-line error (simulated: the import is blocked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BLOCK = (
    "import sys; sys.modules['durable_rules_engine'] = None; "  # import raises ImportError
    "from cli.main import app; sys.argv = ['chokepoint', *sys.argv[1:]]; app()"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["screen", "examples/etch-tool-to-china.json", "--backend", "durable", "--no-record"],
        ["batch", "examples/shipments.csv", "--backend", "durable"],
    ],
)
def test_durable_backend_without_durable_rules_is_one_line(
    command: list[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'cp.db'}"
    run = _run(
        *command, "--db", db, *(["-o", str(tmp_path / "out.csv")] if "batch" in command else [])
    )
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("error: the durable backend needs durable-rules")
    assert "pip install 'chokepoint[durable]'" in line


def test_python_backend_needs_no_durable_rules(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cp.db'}"
    run = _run("screen", "examples/etch-tool-to-china.json", "--db", db)
    assert run.returncode == 0, run.stderr
    assert '"decision": "license_required"' in run.stdout
