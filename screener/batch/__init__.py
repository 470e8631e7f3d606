"""The batch screener: a CSV shipment list in, one output line per input line out.

`layout` documents and parses the CSV, `reader` streams its lines, `runner` screens them
on every core with resume, `report` writes the HTML summary beside the output.
"""

from screener.batch.layout import INPUT_COLUMNS, OUTPUT_COLUMNS, HeaderError, template
from screener.batch.runner import run_batch
from screener.batch.summary import BatchSummary

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "BatchSummary",
    "HeaderError",
    "run_batch",
    "template",
]
