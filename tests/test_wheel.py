"""The wheel as a new user installs it: built from the repository (sdist, then the wheel from
the sdist, as `python -m build` does), installed in a fresh venv, and screening the bundled
example with the installed `chokepoint` command from a folder that is not a checkout.

No network: the build runs without isolation on this venv's setuptools, and the fresh venv
reaches the dependencies through a path entry to this venv's site-packages (the wheel goes
in with --no-deps). A path entry does not run this venv's .pth files, so the editable install
of the checkout stays invisible and the installed copy is what runs. Skips cleanly where
`build` or venv creation is not available.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.wheel
_SKIP_DIRS = {".venv", ".git", "build", "dist", "__pycache__", ".hypothesis", ".pytest_cache"}


def _run(cmd: list[str], timeout: int, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]


def _copy_source(dst: Path) -> None:
    """The checkout as a clean clone would have it (no venv, caches or build output)."""
    shutil.copytree(
        REPO,
        dst,
        ignore=lambda _dir, names: [
            n for n in names if n in _SKIP_DIRS or n.endswith((".egg-info", ".db", ".pyc"))
        ],
    )


def test_built_wheel_installs_and_screens_the_example(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="python -m build is not installed")
    src, dist, venv, home = tmp_path / "src", tmp_path / "dist", tmp_path / "venv", tmp_path / "u"
    _copy_source(src)
    built = _run(
        [sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check",
         "--outdir", str(dist), str(src)],
        timeout=400,
    )  # fmt: skip
    if built.returncode != 0 and "No module named" in built.stderr:
        pytest.skip(f"cannot build here: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = dist.glob("chokepoint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "screener/bundled/rules/us/pack.yaml" in names
    assert "screener/bundled/examples/etch-tool-to-china.json" in names
    assert "screener/bundled/lists/consolidated.csv" in names
    assert "schemas/jsonschema/clause-file.schema.json" in names
    assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names)

    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv here: {made.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        timeout=60,
    ).stdout.strip()
    Path(purelib, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-2000:]

    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHOKEPOINT_")}
    env |= {"CHOKEPOINT_DATA_DIR": str(home / "data"), "CHOKEPOINT_CACHE_DIR": str(home / "c")}
    chokepoint = str(venv / "bin" / "chokepoint")
    shown = _run([chokepoint, "examples"], timeout=120, cwd=home, env=env)
    assert shown.returncode == 0, shown.stderr
    paths = [Path(p) for p in shown.stdout.split()]
    assert all(str(p).startswith(str(venv)) and p.is_file() for p in paths), paths
    example = next(p for p in paths if p.name == "etch-tool-to-china.json")
    sample = next(p for p in paths if p.name == "consolidated.csv")

    imported = _run(
        [chokepoint, "lists", "import", str(sample), "--format", "csl-csv", "--name", "csl"],
        timeout=300, cwd=home, env=env,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    screened = _run([chokepoint, "screen", str(example)], timeout=300, cwd=home, env=env)
    assert screened.returncode == 0, screened.stderr
    assert f"Database: sqlite:///{home / 'data' / 'chokepoint.db'}" in screened.stderr
    result = json.loads(screened.stdout)
    assert result["decision"] == "license_required"
    assert "us-ear" in result["versions"] and "list:csl" in result["versions"]
    fired = {f["rule_id"] for f in result["findings"]}
    assert "us.ccl.3B001.sme_set.ns.d5" in fired, sorted(fired)
    assert not (home / "chokepoint.db").exists()  # nothing left in the working directory
