"""`python -m cli`: the `chokepoint` command without the installed script."""

from cli.main import app

app(prog_name="chokepoint")
