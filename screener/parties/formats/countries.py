"""Country tokens as the lists write them ("Korea, North", "Burma", "PRC", "Region: Crimea")
to ISO-2 codes (pycountry plus the overrides below); unknowns are reported, never guessed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pycountry

from screener.parties.formats.common import (
    ImportReport,
    fold,
)

# --------------------------------------------------------------------------- countries

# Names the lists use that pycountry does not know, folded (see `fold`). A value of None
# means "known, deliberately not a country": counted as unmapped, never guessed.
_COUNTRY_OVERRIDES: dict[str, str | None] = {
    "russia": "RU",
    "korea north": "KP",
    "north korea": "KP",
    "korea south": "KR",
    "south korea": "KR",
    "burma": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo republic of the": "CG",
    "republic of the congo": "CG",
    "cote d ivoire": "CI",
    "ivory coast": "CI",
    "palestinian": "PS",
    "palestine": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "north gaza": "PS",
    "northern gaza": "PS",
    "kosovo": "XK",  # user-assigned code, used by the EU and trade.gov for Kosovo
    "gambia the": "GM",
    "the gambia": "GM",
    "bahamas the": "BS",
    "macau": "MO",
    "brunei": "BN",
    "prc": "CN",
    "man isle of": "IM",
    "crimea": "UA",
    "crimea occupied": "UA",
    "northern mali": "ML",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "holy see": "VA",
    "vatican": "VA",
    "micronesia": "FM",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "east timor": "TL",
    "undetermined": None,
    "kafia kingi": None,  # disputed between Sudan and South Sudan
    "kashmir": None,
    "jammu and kashmir": None,
    "commonwealth of independent states": None,
    "netherlands antilles": None,  # dissolved 2010 into CW, SX, BQ
}
_EXTRA_CODES = {"XK"}
_CODE_ALIASES = {"UK": "GB"}  # the DPL writes the United Kingdom as UK


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for country in pycountry.countries:
        code = country.alpha_2
        index[fold(country.alpha_3)] = code
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name:
                continue
            index[fold(name)] = code
            # "Palestine, State of" / "Holy See (Vatican City State)": the head alone too,
            # unless two countries share it ("Korea, ...").
            head = fold(re.split(r"[,(]", name)[0])
            if head in index and index[head] != code:
                ambiguous.add(head)
            index.setdefault(head, code)
    for head in ambiguous:
        index.pop(head, None)
    return index


def resolve_country(token: str) -> tuple[str | None, bool]:
    """(ISO-2 code or None, whether the token is a region worth keeping as address text).

    Accepts ISO-2/ISO-3 codes, English names (pycountry), the spellings OFAC and the CSL
    use ("Korea, North", "Burma", "PRC", "TURKIYE") and `Region: X` tokens.
    """
    text = token.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        given = _CODE_ALIASES.get(text.upper(), text.upper())
        if given in _EXTRA_CODES or pycountry.countries.get(alpha_2=given) is not None:
            return given, False
        return None, False
    key = fold(text)
    region = False
    if key.startswith("region "):
        key, region = key.removeprefix("region "), True
    if "crimea" in key:
        region = True
    if key in _COUNTRY_OVERRIDES:
        return _COUNTRY_OVERRIDES[key], region or _COUNTRY_OVERRIDES[key] is None
    code = _country_index().get(key) or _country_index().get(key.removeprefix("the "))
    return code, region or code is None


def _countries(
    tokens: Iterable[str], report: ImportReport, countries: list[str], addresses: list[str]
) -> None:
    """Resolve country tokens into `countries`; regions and unknowns keep their text."""
    for token in tokens:
        code, keep_text = resolve_country(token)
        if code is None:
            report.unmapped_countries[token] += 1
        elif code not in countries:
            countries.append(code)
        if keep_text and token not in addresses:
            addresses.append(token)
