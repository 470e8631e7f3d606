"""Country and address qualifiers of a name hit: applied only when the caller gives the
field (a missing country or address never lowers a score).

A country in the entry's countries adds COUNTRY_BONUS; one not among them takes
COUNTRY_MALUS but never below the review threshold (a front company elsewhere must still be
reviewed); the country is also read from the end of an address. An address similar to an
entry address, sharing at least three words, adds ADDRESS_BONUS.
"""

from __future__ import annotations

import pycountry
from rapidfuzz import fuzz

from screener.parties.match_index import IndexedEntry
from screener.parties.match_params import ADDRESS_BONUS, COUNTRY_BONUS, COUNTRY_MALUS
from screener.parties.normalize import fold

_COUNTRY_NAMES: dict[str, str] | None = None


def country_names() -> dict[str, str]:
    """Folded country names, official names and alpha-3 codes -> alpha-2 (built once)."""
    global _COUNTRY_NAMES
    if _COUNTRY_NAMES is None:
        names: dict[str, str] = {}
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    names[fold(value)] = c.alpha_2
            names[c.alpha_3.lower()] = c.alpha_2
        names.update(
            {
                "russia": "RU",
                "iran": "IR",
                "syria": "SY",
                "north korea": "KP",
                "south korea": "KR",
                "korea": "KR",
                "uae": "AE",
                "turkey": "TR",
                "vietnam": "VN",
                "taiwan": "TW",
                "hong kong": "HK",
                "macau": "MO",
                "prc": "CN",
                "usa": "US",
                "uk": "GB",
            }
        )
        _COUNTRY_NAMES = names
    return _COUNTRY_NAMES


def parse_country(country: str | None, address: str | None) -> tuple[str | None, str]:
    """ISO-2 code from the given country, or from the address's last part naming one."""
    if country and country.strip():
        c = country.strip()
        if len(c) == 2 and c.isalpha():
            return c.upper(), ""
        code = country_names().get(fold(c))
        return (code, "") if code else (None, f"country {c!r} not recognised; ignored")
    if address:
        parts = [fold(p) for p in address.replace(";", ",").split(",")]
        names = country_names()
        for part in reversed(parts):
            if part in names:
                return names[part], " (from address)"
    return None, ""


def qualify(
    score: float, entry: IndexedEntry, country: str | None, note: str, addr: str, review: float
) -> tuple[float, list[str]]:
    """Country/address qualifiers; only ever applied when the caller gave the field."""
    notes: list[str] = []
    if note and country is None:
        notes.append(note)
    final = score
    if country and entry.countries:
        if country in entry.countries:
            final += COUNTRY_BONUS
            notes.append(f"country {country}{note} matches entry +{COUNTRY_BONUS:.2f}")
        else:
            lowered = score - COUNTRY_MALUS
            kept = score >= review > lowered
            if kept:
                lowered = review
            listed = ", ".join(entry.countries)
            notes.append(
                f"country {country}{note} not among entry countries ({listed}) "
                f"{lowered - score:+.2f}"
                + (" (floored at review: a name hit stays reviewable)" if kept else "")
            )
            final = lowered
    if addr and entry.addresses:
        # similar, and sharing at least three words: a city or country alone is no match
        words = set(addr.split())
        best = max(
            (
                fuzz.token_set_ratio(addr, x) / 100.0
                for x in entry.addresses
                if len(words & set(x.split())) >= 3
            ),
            default=0.0,
        )
        if best >= 0.85:
            final += ADDRESS_BONUS
            notes.append(f"address similar to an entry address ({best:.2f}) +{ADDRESS_BONUS:.2f}")
    return min(1.0, final), notes
