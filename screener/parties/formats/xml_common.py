"""Reading the publishers' XML files: parsed with the standard library, without DTDs (no
list format uses one; an `<!ENTITY` is refused outright rather than expanded), and looked
at by local element name so a publisher's namespace change does not break an import."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from screener.parties.formats.common import ListFormatError


def parse_xml(path: Path, data: bytes) -> ET.Element:
    """The root element; ListFormatError for malformed XML or a DTD declaring entities."""
    if re.search(rb"<!ENTITY", data[:65536]):
        raise ListFormatError(path, "XML declares entities (<!ENTITY): refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ListFormatError(
            path, f"not well-formed XML: {exc}", f"line {line} column {column}"
        ) from exc
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rpartition("}")[2]
    return root


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children called `name`."""
    return (c for c in element if c.tag == name)


def text(element: ET.Element | None, path: str | None = None) -> str | None:
    """Trimmed text of `element` (or of its `path` descendant); None for empty/absent."""
    node = element if path is None or element is None else element.find(path)
    if node is None or node.text is None:
        return None
    value = " ".join(node.text.split())
    return value or None


def attr(element: ET.Element, name: str) -> str | None:
    value = element.get(name)
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
