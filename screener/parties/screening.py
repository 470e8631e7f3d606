"""Screen a transaction's parties and turn the hits into facts the rule packs can test.

Matching (`matcher.py`) finds candidate list entries; this module applies what reviewers have
recorded (a release of a false positive holds until the listed entry changes; a confirmed
match counts as strong whatever its score), drops entries not yet listed on the
transaction's date, and derives the facts:

- `parties.lists`: list codes of strong or confirmed hits (e.g. entity_list, denied_persons);
- `parties.review_lists`: list codes of review-band hits nobody has adjudicated;
- `parties.entity_list_footnotes`: FN1/FN3/FN4/FN5 of Entity List strong hits;
- `end_user.lists`: list codes of the end user's strong hits;
- `parties.unreadable_scripts`: scripts of party names the lists do not carry (Han,
  Cyrillic, ...) that no reading matched with confidence (crossscript.py); the note naming
  the readings tried and the best candidates goes into `parties.hits`, so findings cite it.

Names in other scripts are matched through their readings (`ScriptAwareMatcher` wraps the
matcher), and the bundled native-script aliases (aliases.py) are attached to the entries
they name before indexing. One listed entity gives one hit: the same entry found in several
imported lists (the CSL and its sample, the CSL and an SDN import) is reported once, with the
other lists in `also_listed`.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from schemas.lists import Band, ListCode, PartyHit
from schemas.transaction import Party, Transaction
from schemas.vocabulary import PartyRole
from screener.parties.aliases import current_alias_table, with_aliases
from screener.parties.crossscript import ScriptAwareMatcher
from screener.parties.matcher import INDEX_FORMAT, PartyMatcher
from screener.parties.normalize import fold
from screener.parties.ownership import OwnershipFinding, OwnershipGraph
from screener.parties.ownership_store import OwnershipStore
from screener.parties.store import ListStore
from screener.settings import settings

Facts = dict[str, Any]


class Matcher(Protocol):
    def match(
        self, name: str, country: str | None = None, address: str | None = None, limit: int = 10
    ) -> list[PartyHit]: ...


class Adjudications(Protocol):
    def adjudications_for(self, query_name: str, list_name: str, entry_id: str) -> list[Any]: ...

    def current_entry_hash(self, list_name: str, entry_id: str) -> str | None: ...


@dataclass
class PartyScreening:
    """Screens parties with one matcher; `adjudications` is optional (the store)."""

    matcher: Matcher
    list_versions: dict[str, str]  # list name -> content hash, for the result's versions
    adjudications: Adjudications | None = None
    # (list code, entry id) -> the date the entry was listed, where the list says
    listed_since: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    cache_size: int = 100_000
    # ownership links imported from data (ownership.py): who owns the parties, and how much
    ownership: OwnershipGraph | None = None
    ownership_versions: dict[str, str] = field(default_factory=dict)  # name -> sha256

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, str | None, str | None], list[PartyHit]] = {}
        self._notes: dict[tuple[str, str | None, str | None], str | None] = {}
        # (list name, entry id) with any decision, read once for a batch (`decided_snapshot`);
        # None outside one: a long-lived screening sees decisions recorded after it loaded
        self._decided: set[tuple[str, str]] | None = None
        if not isinstance(self.matcher, ScriptAwareMatcher):
            self.matcher = ScriptAwareMatcher(self.matcher)

    def _match(self, party: Party) -> list[PartyHit]:
        key = (party.name, party.country, party.address)
        hits = self._cache.get(key)
        if hits is None:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
                self._notes.clear()
            hits = self._cache[key] = self.matcher.match(party.name, party.country, party.address)
        return hits

    def _adjudicate(self, hit: PartyHit) -> PartyHit:
        """Attach the newest adjudication; say whether it still holds."""
        if self.adjudications is None:
            return hit
        list_name = hit.list_version.split("@", 1)[0]
        if self._decided is not None and (list_name, hit.entry_id) not in self._decided:
            return hit  # nobody decided on this entry (batch run): no query per hit
        decisions = self.adjudications.adjudications_for(hit.query, list_name, hit.entry_id)
        if not decisions:
            return hit
        latest = decisions[0]
        when = f"{latest.decided_at:%Y-%m-%d}"
        if latest.decision == "true_match":
            note = f"confirmed as the listed party by {latest.reviewer} on {when}: {latest.reason}"
            return hit.model_copy(update={"adjudication": note, "band": Band.strong})
        current = self.adjudications.current_entry_hash(list_name, hit.entry_id)
        if current is not None and current != latest.entry_hash:
            note = (
                f"release by {latest.reviewer} on {when} re-opened: the list entry has changed "
                "since; review again"
            )
            return hit.model_copy(update={"adjudication": note})
        note = f"released as not the listed party by {latest.reviewer} on {when}: {latest.reason}"
        return hit.model_copy(update={"adjudication": note})

    @contextmanager
    def decided_snapshot(self) -> Iterator[None]:
        """For one batch: read once which entries carry any decision, so the hits of other
        entries need no database query (20,000 names gave ~17,000 queries before)."""
        known = getattr(self.adjudications, "adjudicated_entries", None)
        self._decided = known() if known is not None else None
        try:
            yield
        finally:
            self._decided = None

    def match(
        self, name: str, country: str | None = None, address: str | None = None
    ) -> list[PartyHit]:
        """One name, with adjudications attached (for `chokepoint parties screen`)."""
        party = Party(role=PartyRole.other, name=name, country=country, address=address)
        return [self._adjudicate(h) for h in self._match(party)]

    def note(self, party: Party) -> str | None:
        """Why a party's name could not be screened with confidence (another script and no
        confident hit), or None. Cached beside the hits."""
        key = (party.name, party.country, party.address)
        if key not in self._notes:
            # a reviewer's confirmation of a review-band hit settles the name too
            hits = [self._adjudicate(h) for h in self._match(party)]
            found = self.matcher.unreadable(  # type: ignore[attr-defined]
                party.name, hits, party.country, party.address
            )
            self._notes[key] = found.describe(party.role.value) if found else None
        return self._notes[key]

    def unreadable(self, tx: Transaction) -> list[tuple[tuple[str, ...], str]]:
        """(scripts, note) for every party whose name could not be read with confidence."""
        out = []
        for party in tx.parties:
            text = self.note(party)
            if text:
                out.append((self.matcher.scripts(party.name), text))  # type: ignore[attr-defined]
        return out

    def listed_codes(self, name: str) -> list[str]:
        """List codes of a name's exact or strong hits that no reviewer released (an owner
        in the ownership data is listed when this names the Entity List, MEU or SDN)."""
        hits = self.match(name)
        return sorted(
            {
                h.list_code.value
                for h in hits
                if h.band in (Band.exact, Band.strong) and not released(h)
            }
        )

    def with_ownership(
        self, tx: Transaction
    ) -> tuple[Transaction, list[tuple[str, OwnershipFinding]]]:
        """The transaction with each party's `owned_by_listed_parties` set from the ownership
        data, and (role, finding) for every party the data records owners of.

        The data adds to what the exporter states, never takes it away: a party stated to be
        owned by listed parties stays so; one stated not to be, or not stated, becomes so when
        the data shows it; an unstated one takes the data's answer (also False or unknown)."""
        if self.ownership is None or not tx.parties:
            return tx, []
        found: list[tuple[str, OwnershipFinding]] = []
        parties = []
        for party in tx.parties:
            finding = self.ownership.finding(party.name, self.listed_codes)
            if finding is None:
                parties.append(party)
                continue
            found.append((party.role.value, finding))
            stated = party.owned_by_listed_parties
            value = True if finding.owned_by_listed or stated else stated
            if stated is None:
                value = finding.owned_by_listed
            parties.append(party.model_copy(update={"owned_by_listed_parties": value}))
        if not found:
            return tx, []
        return tx.model_copy(update={"parties": parties}), found

    def screen(self, tx: Transaction) -> list[PartyHit]:
        hits: list[PartyHit] = []
        for index, party in enumerate(tx.parties):
            for hit in self._match(party):
                hits.append(
                    self._adjudicate(hit).model_copy(
                        update={"party_index": index, "role": party.role.value}
                    )
                )
        return hits


def released(hit: PartyHit) -> bool:
    return hit.adjudication is not None and hit.adjudication.startswith("released")


def party_facts(
    hits: list[PartyHit],
    on: dt.date,
    listed_since: dict[tuple[str, str], dt.date],
    unreadable: Sequence[tuple[tuple[str, ...], str]] = (),
) -> Facts:
    """Facts from hits: released hits and entries listed after `on` do not count.

    `unreadable` holds (scripts, note) of the party names no reading matched with
    confidence (`PartyScreening.unreadable`): their scripts become
    `parties.unreadable_scripts` and their notes join `parties.hits`.

    `listed_since` maps (list code, entry id) to the entry's start date where the list
    gives one, so a transaction dated before a listing is screened as it stood then.
    """

    def in_effect(h: PartyHit) -> bool:
        since = listed_since.get((h.list_code.value, h.entry_id))
        return since is None or since <= on

    counting = [h for h in hits if not released(h) and in_effect(h)]
    strong = [h for h in counting if h.band in (Band.exact, Band.strong)]
    review = [h for h in counting if h.band == Band.review]
    return {
        "parties.lists": sorted({h.list_code.value for h in strong}),
        "parties.review_lists": sorted({h.list_code.value for h in review}),
        "parties.entity_list_footnotes": sorted(
            {fn for h in strong if h.list_code == ListCode.entity_list for fn in h.footnotes}
        ),
        "end_user.lists": sorted(
            {h.list_code.value for h in strong if h.role == PartyRole.end_user.value}
        ),
        "parties.unreadable_scripts": sorted({s for scripts, _ in unreadable for s in scripts}),
        "parties.hits": tuple(describe_hit(h) for h in counting)
        + tuple(note for _, note in unreadable),
    }


def describe_hit(hit: PartyHit) -> str:
    """One line per hit for findings: who matched what, how well, under which list version."""
    extra = f"; {hit.adjudication}" if hit.adjudication else ""
    fns = f" {'/'.join(hit.footnotes)}" if hit.footnotes else ""
    alias_from = f" from {hit.alias_source}" if hit.alias_source else ""
    reading = f", read as {hit.transliteration!r}" if hit.transliteration else ""
    also = f"; also on {', '.join(hit.also_listed)}" if hit.also_listed else ""
    return (
        f"{hit.role or 'party'} {hit.query!r} ~ {hit.entry_name!r} ({hit.source}{fns}, entry "
        f"{hit.entry_id}, alias {hit.matched_alias!r}{alias_from}{reading}, score "
        f"{hit.score:.2f}, {hit.band.value}; list {hit.list_version}{also}){extra}"
    )


class _Matchers:
    """Several lists, one matcher each (each knows its own list version); hits merged.

    One listed entity, one hit: hits of the same list code and the same listed name
    (folded) from different imported lists are one entity (the CSL's SDN entry and the OFAC
    SDN import; the CSL and its sample); the best is kept and names the others in
    `also_listed`."""

    def __init__(self, matchers: list[Matcher]) -> None:
        self.matchers = matchers

    def match(
        self,
        name: str,
        country: str | None = None,
        address: str | None = None,
        limit: int = 10,
        **kw: Any,
    ) -> list[PartyHit]:
        hits = [h for m in self.matchers for h in m.match(name, country, address, limit, **kw)]
        hits.sort(key=lambda h: (-h.score, h.band != Band.exact))
        merged: dict[tuple[str, str], PartyHit] = {}
        seen_versions: dict[tuple[str, str], set[str]] = {}
        out: list[PartyHit] = []
        for h in hits:
            key = (h.list_code.value, fold(h.entry_name))
            first = merged.get(key)
            if first is None:
                merged[key] = h
                seen_versions[key] = {h.list_version}
                out.append(h)
            elif h.list_version not in seen_versions[key]:
                seen_versions[key].add(h.list_version)
                first.also_listed.append(h.list_version)
        return out[:limit]


def _cache_dir() -> Path:
    path = settings().cache_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def _index_files(cache: Path, name: str, digest: str, aliases: str) -> tuple[Path, Path]:
    """The prepared match index of one list version (with the native-script aliases of
    `aliases`, a digest prefix) and its listing dates, in the cache."""
    index = cache / f"{name}-{digest}-a{aliases}-v{INDEX_FORMAT}.index"
    return index, cache / f"{name}-{digest}.since.json"


def forget_cached_index(name: str) -> list[Path]:
    """Delete the cached match indexes of every version of list `name` (any index format);
    returns the files removed. Another list whose name starts with `name-` is left alone:
    a cached file is `NAME-<64 hex digits>...`."""
    pattern = re.compile(
        rf"{re.escape(name)}-[0-9a-f]{{64}}((-a[0-9a-f]+)?-v\w+\.index|\.since\.json)"
    )
    removed = []
    for path in _cache_dir().iterdir():
        if pattern.fullmatch(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def load_party_screening(store: ListStore) -> PartyScreening | None:
    """Party screening over the latest version of every list in `store`, or None if empty.

    Each list's prepared index is cached under its content hash (CHOKEPOINT_CACHE_DIR,
    default: the per-user cache directory, `screener.settings`), so a later run loads it
    instead of re-indexing.
    """
    hashes = {v.name: v.content_hash for v in store.versions()}
    if not hashes:
        return None
    cache = _cache_dir()
    aliases = current_alias_table()
    matchers: list[Matcher] = []
    listed_since: dict[tuple[str, str], dt.date] = {}
    for name, digest in sorted(hashes.items()):
        index_file, since_file = _index_files(cache, name, digest, aliases.sha256[:12])
        matcher: PartyMatcher | None = None
        if index_file.exists() and since_file.exists():
            try:
                matcher = PartyMatcher.load(index_file)
                since = json.loads(since_file.read_text())
            except (ValueError, OSError, EOFError, pickle.UnpicklingError, AttributeError):
                matcher = None  # stale or damaged cache: rebuild it below
        if matcher is None:
            entries = store.entries_by_list([name])[name]
            matcher = PartyMatcher(with_aliases(entries, aliases), f"{name}@{digest[:16]}")
            since = [
                [e.list_code.value, e.entry_id, e.start_date.isoformat()]
                for e in entries
                if e.start_date
            ]
            matcher.save(index_file)
            since_file.write_text(json.dumps(since))
        matchers.append(matcher)
        listed_since |= {(code, entry): dt.date.fromisoformat(day) for code, entry, day in since}
    owners = OwnershipStore(store.engine)
    return PartyScreening(
        matcher=matchers[0] if len(matchers) == 1 else _Matchers(matchers),
        list_versions=hashes,
        adjudications=store,
        listed_since=listed_since,
        ownership=owners.graph(),
        ownership_versions={i.name: i.content_hash for i in owners.imports()},
    )
