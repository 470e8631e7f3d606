"""The `chokepoint` command line: a thin shell over `screener`, one module per verb.

Exit codes: 0 whatever the decision (a licence requirement is an answer, not a failure),
2 with a one-line reason on invalid input or an invalid rule pack.
"""

from __future__ import annotations

import typer

from cli.batch import batch
from cli.db import db_app
from cli.examples import examples
from cli.gaps import gaps
from cli.keys import keys_app
from cli.lists import lists_app
from cli.parties import parties_app
from cli.patterns import patterns_command
from cli.profiles import profiles
from cli.reproduce import reproduce
from cli.rescreen import rescreen_command
from cli.rules import rules_app
from cli.schema import schema
from cli.screen import screen
from cli.serve import serve
from cli.stats import stats

app = typer.Typer(
    help="chokepoint: export-control screening for semiconductors, SME and advanced computing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.add_typer(lists_app, name="lists")
app.add_typer(parties_app, name="parties")
app.command(name="patterns")(patterns_command)
app.add_typer(rules_app, name="rules")
app.command("gaps")(gaps)
app.command("profiles")(profiles)
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.command("batch")(batch)
app.command("serve")(serve)
app.command("stats")(stats)
app.command("rescreen")(rescreen_command)
app.command("reproduce")(reproduce)
app.command("examples")(examples)
app.command("screen")(screen)
app.command("schema")(schema)


if __name__ == "__main__":
    app()
