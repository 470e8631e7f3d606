"""What a control code may be, per jurisdiction: one list entry as that list numbers it.

A control code is the exporter's classification against a jurisdiction's own list
(`Item.control_codes`), or the explicit `listed` (on the list, entry not stated) or
`not_listed`. Anything else is refused: a free-text value ("unknown", "see annex") would
otherwise read as listed and give a licence requirement, or match nothing and clear.

One `Form` per jurisdiction in `FORMS`, so a jurisdiction's native numbering (e.g. Japan's
Export Trade Control Order rows) is added beside the Wassenaar-style form without touching the
others. A form's regular expression is both the check and the OpenAPI document's `pattern`
(`json_schema`): a schema-valid request is accepted and the rest refused by the schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NOT_LISTED = "not_listed"
LISTED = "listed"  # on the list, entry not stated (e.g. a national annex whose numbering is unread)
MAX_LENGTH = 60


def _any_case(word: str) -> str:
    """`ml` -> `[Mm][Ll]`: a case-blind pattern in the regex subset JSON Schema shares with
    Python (no inline flags there)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


# Patterns of the text as sent (any case; surrounding whitespace is stripped): each is both
# the check here and the OpenAPI document's `pattern`, so the two cannot disagree.
# Category digit, product group A-E, three digits (four for the EU-style national numbers of
# the Dutch and other national entries, e.g. 3B1001.l in C/2023/441), then paragraphs.
_PARAGRAPHS = r"(\.[A-Za-z0-9]+)*"
WASSENAAR = rf"[0-9][A-Ea-e][0-9]{{3,4}}{_PARAGRAPHS}"
# UK Export Control Order 2008: Schedule 2 military list (ML1-ML22) and Schedule 3 UK-only
# entries (PL5001, PL9013, ...).
UK_NATIONAL = rf"({_any_case('ml')}[0-9]{{1,2}}|{_any_case('pl')}[0-9]{{4}}){_PARAGRAPHS}"
# The US "control code" is the ECCN (or EAR99).
ECCN = rf"[0-9][A-Ea-eYy][0-9]{{3}}{_PARAGRAPHS}|{_any_case('ear99')}"
# Japanese native numbering ("7の項(18)", "貨物等省令第6条第17号ル", "ETCO AT1 item 7(18)"),
# read against rules/jp/tables/numbering.yaml by screener/packs/jp_numbering.py when screened
JP_NATIVE = r"(?=.*[\d〇一二三四五六七八九十])[\w .,()（）\-]{1,60}"
# China's dual-use list names items exporters call by their common names (rules/cn/dual_use.yaml
# tests these); entry numbers (1C902.a) are Wassenaar-shaped.
CN_NAMES = frozenset(
    {"gallium", "germanium", "graphite", "antimony", "superhard", "tungsten", "tellurium"}
    | {"bismuth", "molybdenum", "indium", "samarium", "gadolinium", "terbium", "dysprosium"}
    | {"lutetium", "scandium", "yttrium"}
)
CN_NAME = "|".join(_any_case(n) for n in sorted(CN_NAMES))


def _entry_case(text: str) -> str:
    """`3b001.F.1` -> `3B001.f.1`: the entry upper-case, paragraphs lower-case, as the lists
    print them."""
    head, _, rest = text.partition(".")
    return head.upper() + ("." + rest.lower() if rest else "")


def _japan(text: str) -> str:
    """Wassenaar entries normalised; Japan's own numbering kept as written (the JP pack's
    reader maps it to the entries it tests, or asks when it is too coarse)."""
    return _entry_case(text) if re.fullmatch(WASSENAAR, text) else text


def _china(text: str) -> str:
    return text.lower() if text.lower() in CN_NAMES else _entry_case(text)


@dataclass(frozen=True)
class Form:
    """One list's numbering: the alternatives accepted (as sent) and how a match is written
    in the result."""

    alternatives: tuple[str, ...]
    normalise: Callable[[str], str] = _entry_case
    example: str = "3B001.f.1.a"

    @property
    def pattern(self) -> str:
        """The whole value: `listed`, `not_listed` or one of the alternatives."""
        codes = "|".join((_any_case(LISTED), _any_case(NOT_LISTED), *self.alternatives))
        return rf"^\s*({codes})\s*$"


_EU_STYLE = Form((WASSENAAR,))
FORMS: dict[str, Form] = {
    "US": Form((ECCN,), example="3B001.c.1.a or EAR99"),
    "EU": _EU_STYLE,
    "NL": _EU_STYLE,
    "JP": Form(
        (WASSENAAR, JP_NATIVE), _japan, "3B001.f.1, 7の項(18) or Goods Ordinance Art. 6 item 17"
    ),
    "KR": _EU_STYLE,
    "TW": _EU_STYLE,
    "UK": Form((WASSENAAR, UK_NATIONAL), example="3B001.f.3, PL9013 or ML5.a"),
    "CN": Form((CN_NAME, WASSENAAR), _china, "gallium or 1C902.a"),
}


def form(jurisdiction: str) -> Form:
    """The jurisdiction's form; member states without their own are EU Annex I-numbered."""
    return FORMS.get(jurisdiction, _EU_STYLE)


def json_schema(jurisdiction: str) -> dict[str, object]:
    """The OpenAPI description of one jurisdiction's control code: exactly what is accepted."""
    return {"type": "string", "maxLength": MAX_LENGTH, "pattern": form(jurisdiction).pattern}


def control_code(jurisdiction: str, raw: str) -> str:
    """The normalised control code, or ValueError naming the jurisdiction and what is
    expected."""
    f = form(jurisdiction)
    if len(raw) <= MAX_LENGTH and re.match(f.pattern, raw):
        text = raw.strip()
        return text.lower() if text.lower() in (LISTED, NOT_LISTED) else f.normalise(text)
    raise ValueError(
        f"{jurisdiction}: {raw!r} is not a control code of the "
        f"{jurisdiction} list: expected an entry such as {f.example}, "
        f"{LISTED!r} or {NOT_LISTED!r}"
    )
