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


# Japanese native numbering ("7の項(18)", "貨物等省令第6条第17号ル", "ETCO AT1 item 7(18)"),
# read against rules/jp/tables/numbering.yaml by screener/packs/jp_numbering.py when screened
_JP_NATIVE = re.compile(r"^(?=.*[\d〇一二三四五六七八九十])[\w .,()（）\-]{1,60}$")
# China's dual-use list names items exporters call by their common names (rules/cn/dual_use.yaml
# tests these); entry numbers (1C902.a) are Wassenaar-shaped.
CN_NAMES = frozenset(
    {"gallium", "germanium", "graphite", "antimony", "superhard", "tungsten", "tellurium"}
    | {"bismuth", "molybdenum", "indium", "samarium", "gadolinium", "terbium", "dysprosium"}
    | {"lutetium", "scandium", "yttrium"}
)


def japan(text: str) -> str | None:
    """A Wassenaar-numbered entry, or Japan's own numbering (kept as written: the JP pack's
    reader maps it to the entries it tests, or asks when it is too coarse)."""
    return wassenaar(text) or (text if _JP_NATIVE.match(text) else None)


def china(text: str) -> str | None:
    name = text.lower()
    return name if name in CN_NAMES else wassenaar(text)


Form = Callable[[str], str | None]
FORMS: dict[str, Form] = {
    "US": us,
    "EU": wassenaar,
    "NL": wassenaar,
    "JP": japan,
    "KR": wassenaar,
    "TW": wassenaar,
    "UK": uk,
    "CN": china,
}
EXAMPLES: dict[str, str] = {
    "US": "3B001.c.1.a or EAR99",
    "UK": "3B001.f.3, PL9013 or ML5.a",
    "JP": "3B001.f.1, 7の項(18) or Goods Ordinance Art. 6 item 17",
    "CN": "gallium or 1C902.a",
}


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
