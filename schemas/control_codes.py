"""What a control code may be, per jurisdiction: one list entry as that list numbers it.

A control code is the exporter's classification against a jurisdiction's own list
(`Item.control_codes`), or the explicit `listed` (on the list, entry not stated) or
`not_listed`. Anything else is refused: a free-text value ("unknown", "see annex") would
otherwise read as listed and give a licence requirement, or match nothing and clear.

One small function per jurisdiction in `FORMS`, so a jurisdiction's native numbering (e.g.
Japan's Export Trade Control Order rows) is added beside the Wassenaar-style form without
touching the others. Each returns the normalised code, or None when the text is not a code
of that list.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NOT_LISTED = "not_listed"
LISTED = "listed"  # on the list, entry not stated (e.g. a national annex whose numbering is unread)

# Category digit, product group A-E, three digits (four for the EU-style national numbers of
# the Dutch and other national entries, e.g. 3B1001.l in C/2023/441), then paragraphs.
_WASSENAAR = re.compile(r"^[0-9][A-E][0-9]{3,4}(\.[a-z0-9]+)*$")
# UK Export Control Order 2008: Schedule 2 military list (ML1-ML22) and Schedule 3 UK-only
# entries (PL5001, PL9013, ...).
_UK_NATIONAL = re.compile(r"^(ML[0-9]{1,2}|PL[0-9]{4})(\.[a-z0-9]+)*$")
# The US "control code" is the ECCN (or EAR99).
_ECCN = re.compile(r"^([0-9][A-EY][0-9]{3}(\.[a-z0-9]+)*|EAR99)$")


def _entry_case(text: str) -> str:
    """`3b001.F.1` -> `3B001.f.1`: the entry upper-case, paragraphs lower-case, as the lists
    print them."""
    head, _, rest = re.sub(r"\s+", "", text).partition(".")
    return head.upper() + ("." + rest.lower() if rest else "")


def wassenaar(text: str) -> str | None:
    """A Wassenaar-numbered entry (EU Annex I and the national lists built on it)."""
    code = _entry_case(text)
    return code if _WASSENAAR.match(code) else None


def uk(text: str) -> str | None:
    code = _entry_case(text)
    return code if _WASSENAAR.match(code) or _UK_NATIONAL.match(code) else None


def us(text: str) -> str | None:
    code = _entry_case(text)
    return code if _ECCN.match(code) else None


Form = Callable[[str], str | None]
FORMS: dict[str, Form] = {
    "US": us,
    "EU": wassenaar,
    "NL": wassenaar,
    "JP": wassenaar,
    "KR": wassenaar,
    "TW": wassenaar,
    "UK": uk,
}
EXAMPLES: dict[str, str] = {"US": "3B001.c.1.a or EAR99", "UK": "3B001.f.3, PL9013 or ML5.a"}


def control_code(jurisdiction: str, raw: str) -> str:
    """The normalised control code, or ValueError naming the jurisdiction and what is
    expected."""
    text = raw.strip()
    if text.lower() in (NOT_LISTED, LISTED):
        return text.lower()
    form = FORMS.get(jurisdiction, wassenaar)
    code = form(text) if text else None
    if code is None:
        example = EXAMPLES.get(jurisdiction, "3B001.f.1.a")
        raise ValueError(
            f"{jurisdiction}: {raw!r} is not a control code of the "
            f"{jurisdiction} list: expected an entry such as {example}, "
            f"{LISTED!r} or {NOT_LISTED!r}"
        )
    return code
