"""Packaging beyond pyproject.toml: the wheel carries the rule packs, the examples and the
sample list inside `screener/bundled/` (see its docstring); a checkout reads them in place."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = (
    ("rules", "rules"),
    ("examples", "examples"),
    ("tests/fixtures/lists/consolidated.csv", "lists/consolidated.csv"),
)  # the same as screener.bundled.BUNDLED (not imported: the build must not import screener)


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout
        target = Path(self.build_lib) / "screener" / "bundled"
        for source, inside in BUNDLED:
            src, dst = HERE / source, target / inside
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(
                    src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(src, dst)


setup(cmdclass={"build_py": BuildWithData})
