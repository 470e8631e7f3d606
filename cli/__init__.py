"""The `chokepoint` command line (`cli.main:app`): one module per verb, each a thin shell that
parses options, calls `screener` and prints. The library never imports this package."""
