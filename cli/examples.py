"""`chokepoint examples`: where the bundled example transactions and the sample list are, so
an installed wheel can be tried without a checkout."""

from __future__ import annotations

import typer

from screener.bundled import EXAMPLES_DIR, SAMPLE_LIST


def examples() -> None:
    """Print the paths of the bundled examples and of the sample list (32 real CSL rows):
    `chokepoint lists import SAMPLE --format csl-csv --name csl-sample`, then
    `chokepoint screen EXAMPLE -f table`."""
    for path in sorted(EXAMPLES_DIR.iterdir()):
        if path.is_file():
            typer.echo(str(path))
    typer.echo(str(SAMPLE_LIST))
