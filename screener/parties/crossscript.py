"""Screening a name written in a script the lists do not carry; never a silent clear on it.

`ScriptAwareMatcher` wraps any matcher (a `PartyMatcher` or several). A Latin-script name
goes straight through. A name in Han, Cyrillic, kana or another script is matched as
written (the normaliser's anyascii reading, which also meets native-script aliases) and as
each reading of scripts.py (pinyin, GOST/ICAO/BGN/Wikipedia romanisations, Palladius read
back to pinyin); per entry the best hit is kept, and a hit found through a reading says
which (`transliteration`).

When no reading gives an exact or strong hit, `unreadable` returns a note naming the
script, the readings tried and the best candidates under the review band: the screening
cannot say the party is not listed, so the packs make it a `review`
(`parties.unreadable_scripts`, rules/us/parties.yaml `us.party.unreadable_name`).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.lists import Band, PartyHit
from screener.parties.scripts import Reading, readings, scripts_in

#: Candidates under the band are looked for down to this score, to show a reviewer.
CANDIDATE_FLOOR = 0.5
CANDIDATES_SHOWN = 3
_CONFIDENT = (Band.exact, Band.strong)


@dataclass(frozen=True, slots=True)
class UnreadableName:
    """A party name in another script that no reading matched with confidence."""

    query: str
    scripts: tuple[str, ...]
    tried: tuple[Reading, ...]
    candidates: tuple[tuple[str, str, float], ...]  # (entry name, list version, score)

    def describe(self, role: str | None = None) -> str:
        tried = "".join(f"; {r.method}: {r.text!r}" for r in self.tried)
        best = (
            ", ".join(f"{n!r} ({v}, {s:.2f})" for n, v, s in self.candidates)
            or "none above " + f"{CANDIDATE_FLOOR:.2f}"
        )
        return (
            f"{role or 'party'} {self.query!r} is written in {'/'.join(self.scripts)} script, "
            f"which the lists do not carry, and no reading matched with confidence; readings "
            f"tried: as written (anyascii){tried}; best candidates under the review band: "
            f"{best}"
        )


def _key(hit: PartyHit) -> tuple[str, str, str]:
    return (hit.list_version, hit.list_code.value, hit.entry_id)


class ScriptAwareMatcher:
    """Matches through every reading of a non-Latin name (see the module docstring)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def _all(
        self, name: str, country: str | None, address: str | None, limit: int, **kw: float
    ) -> tuple[list[PartyHit], list[Reading]]:
        hits: dict[tuple[str, str, str], PartyHit] = {}
        tried = readings(name) if scripts_in(name) else []
        attempts: list[tuple[str, Reading | None]] = [(name, None)]
        attempts += [(r.text, r) for r in tried]
        for text, reading in attempts:
            for h in self.inner.match(text, country, address, limit, **kw):  # type: ignore[attr-defined]
                if reading is not None:
                    h = h.model_copy(
                        update={
                            "query": name,
                            "transliteration": f"{reading.method}: {reading.text}",
                            # a reading is a guess at the name: strong at most, never exact
                            "band": Band.strong if h.band == Band.exact else h.band,
                        }
                    )
                prev = hits.get(_key(h))
                if prev is None or (h.score, h.band == Band.exact) > (
                    prev.score,
                    prev.band == Band.exact,
                ):
                    hits[_key(h)] = h
        ordered = sorted(hits.values(), key=lambda h: (-h.score, h.band != Band.exact))
        return ordered[:limit], tried

    @staticmethod
    def scripts(name: str) -> tuple[str, ...]:
        return scripts_in(name)

    def match(
        self, name: str, country: str | None = None, address: str | None = None, limit: int = 10
    ) -> list[PartyHit]:
        return self._all(name, country, address, limit)[0]

    def unreadable(
        self,
        name: str,
        hits: list[PartyHit],
        country: str | None = None,
        address: str | None = None,
    ) -> UnreadableName | None:
        """The note for a non-Latin name without an exact or strong hit, else None."""
        scripts = scripts_in(name)
        if not scripts or any(h.band in _CONFIDENT for h in hits):
            return None
        try:
            below, tried = self._all(
                name, country, address, CANDIDATES_SHOWN, review=CANDIDATE_FLOOR
            )
        except TypeError:  # a matcher without a `review` override: no candidates to show
            below, tried = [], readings(name)
        return UnreadableName(
            query=name,
            scripts=scripts,
            tried=tuple(tried),
            candidates=tuple((h.entry_name, h.list_version, h.score) for h in below),
        )
