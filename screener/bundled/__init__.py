"""Where the data chokepoint ships with is found: the rule packs, the sample list, examples.

A checkout reads them where they are edited (`rules/`, `tests/fixtures/lists/`,
`examples/`); a built wheel carries copies inside this package (setup.py's `build_py` puts
them here), found through importlib.resources. So `pip install chokepoint-*.whl` gives a
command that screens with the bundled packs from any folder, and a developer's edits to
`rules/` take effect without a reinstall.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "rules").is_dir()


def _find(checkout_path: str, bundled_path: str) -> Path:
    if IN_CHECKOUT:
        return _CHECKOUT / checkout_path
    return Path(str(files(__name__).joinpath(bundled_path)))


RULES_DIR = _find("rules", "rules")
EXAMPLES_DIR = _find("examples", "examples")
# 32 real rows of the Consolidated Screening List (tests/fixtures/lists/SOURCES.md): enough
# to try party screening, never a substitute for the current list
SAMPLE_LIST = _find("tests/fixtures/lists/consolidated.csv", "lists/consolidated.csv")
