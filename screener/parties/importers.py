"""Read restricted-party lists into `ListEntry` rows: the public names of the list formats.

The formats live in `screener/parties/formats/`, one module per format (`csl_json`,
`csl_csv`, `ofac_csv`, `ofac_xml`, `ofac_advanced`, `eu_fsd`, `uk_sanctions`, `kaist`, `mapped_csv`,
`mofcom`) over what they share (`common`, `countries`, `names`, `csl_common`), with the
registry (`formats/registry.py`) naming each and reading any of them: `load_list(path, fmt,
**opts)` returns the entries, the stated publication date, an `ImportReport` (nothing is
dropped silently) and the sha256 of the bytes read. This module keeps the names the rest of
the code and scripts import.
"""

from __future__ import annotations

from screener.parties.formats.common import (
    ImportReport,
    ImportResult,
    ListFormatError,
    Skipped,
    fold,
)
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.csl_common import footnotes_in, list_code_for, source_code
from screener.parties.formats.csl_json import csl_json_layout
from screener.parties.formats.mapped_csv import MAPPABLE, read_csv_mapped
from screener.parties.formats.names import split_embedded, weak_akas
from screener.parties.formats.ofac_csv import OFAC_FILES
from screener.parties.formats.registry import (
    FORMAT_SPECS,
    FORMATS,
    content_hash,
    detect_format,
    load_list,
    read_list,
)

__all__ = [
    "FORMATS",
    "FORMAT_SPECS",
    "MAPPABLE",
    "OFAC_FILES",
    "ImportReport",
    "ImportResult",
    "ListFormatError",
    "Skipped",
    "content_hash",
    "csl_json_layout",
    "detect_format",
    "fold",
    "footnotes_in",
    "list_code_for",
    "load_list",
    "read_csv_mapped",
    "read_list",
    "resolve_country",
    "source_code",
    "split_embedded",
    "weak_akas",
]
