"""Re-screen stored screenings against the latest list versions, and say what changed.

A reviewer's daily loop (issue #17): new list versions arrive; which of yesterday's
screenings would now be decided differently, and because of which list entry?

`rescreen()` walks the audit trail (optionally from a date). Each stored screening records
the list versions it was screened against (`versions["list:<name>"]`); where those are not
the latest, the list diff from that version to the latest (`ListStore.diff`) names the
entries added, changed and removed. Only screenings with a party name that matches one of
those entries are screened again: a small probe index over the diff's entries (new and old
forms) screens the party names with the production matcher, at a threshold lowered by the
country and address bonuses so no hit the full screening could find is missed. A list the
screening did not use at all (imported since) counts as entirely added.

Each re-screened transaction keeps its own date (the question is what the screening would
have said with today's lists), unless `as_of` is given. When the decision or the party hits
(list, entry, band, released or not) differ, the new result is recorded in the audit trail
(source `rescreen:<old id>`, so a later run starts from it rather than from the superseded
one) and reported as a `RescreenChange` naming the list entries that caused it.

The probe skips most of the trail; what it costs is measured in bench/bench_rescreen.py.
"""

from __future__ import annotations

import builtins
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from schemas.lists import ListEntry
from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.audit.store import AuditStore, StoredInput
from screener.engine import Screener
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.parties.aliases import current_alias_table, with_aliases
from screener.parties.crossscript import ScriptAwareMatcher
from screener.parties.diff import EntryChange, ListDiff, diff_entries
from screener.parties.match_params import ADDRESS_BONUS, COUNTRY_BONUS, REVIEW
from screener.parties.matcher import PartyMatcher
from screener.parties.store import ListStore
from screener.wiring import build_screener

SOURCE_PREFIX = "rescreen:"


class HitRef(BaseModel):
    """A party hit, as much of it as a reviewer needs to find it again."""

    party_index: int | None
    role: str | None
    query: str
    list: str = Field(description="the list's import name")
    entry_id: str
    entry_name: str
    band: str
    released: bool = False


class Cause(BaseModel):
    """A list entry whose addition, change or removal explains a changed screening."""

    list: str
    kind: str = Field(description="added, changed or removed")
    entry_id: str
    name: str
    fields: builtins.list[str] = Field(
        default_factory=builtins.list, description="changed fields"
    )
    entry: ListEntry = Field(
        description="the entry as the latest version has it (removed: as it was)"
    )


class RescreenChange(BaseModel):
    """One stored screening whose decision or party hits are different now."""

    screening_id: int
    new_screening_id: int | None = Field(description="the new result in the audit trail")
    transaction_id: str | None
    screened_at: dt.datetime
    as_of: dt.date
    old_decision: str
    new_decision: str
    hits_added: list[HitRef] = Field(default_factory=list)
    hits_removed: list[HitRef] = Field(default_factory=list)
    hits_changed: list[HitRef] = Field(
        default_factory=list, description="same entry, other band or adjudication (new state)"
    )
    caused_by: list[Cause] = Field(default_factory=list)
    versions: dict[str, str] = Field(description="list versions of the new result")


class RescreenStats(BaseModel):
    """What a run looked at: the filter's effect, and the time it took."""

    stored: int = 0
    up_to_date: int = 0
    probed: int = 0
    rescreened: int = 0
    changed: int = 0
    seconds: float = 0.0
    diffs: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="'<list>@<old hash prefix>' -> counts"
    )


def _hit_key(hit: dict[str, Any]) -> tuple[int | None, str, str]:
    return (hit.get("party_index"), str(hit["list_version"]).split("@", 1)[0], hit["entry_id"])


def _hit_ref(hit: dict[str, Any]) -> HitRef:
    adjudication = hit.get("adjudication") or ""
    return HitRef(
        party_index=hit.get("party_index"),
        role=hit.get("role"),
        query=hit["query"],
        list=str(hit["list_version"]).split("@", 1)[0],
        entry_id=hit["entry_id"],
        entry_name=hit["entry_name"],
        band=hit["band"],
        released=adjudication.startswith("released"),
    )


@dataclass
class _Probe:
    """A match index over the entries one diff names, with the changes by entry id."""

    diff: ListDiff
    matcher: ScriptAwareMatcher | None
    by_entry: dict[str, EntryChange]
    cache: dict[tuple[str, str | None, str | None], set[str]] = field(default_factory=dict)

    def hits(self, name: str, country: str | None, address: str | None) -> set[str]:
        """Ids of the diff's entries the name matches (any band)."""
        key = (name, country, address)
        found = self.cache.get(key)
        if found is None:
            found = set()
            if self.matcher is not None:
                found = {h.entry_id for h in self.matcher.match(name, country, address, 50)}
            self.cache[key] = found
        return found


def _probe(diff: ListDiff) -> _Probe:
    # old and new forms of a changed entry: a name that matched the old one only may lose
    # its hit; one that matches the new one only may gain it
    entries: list[ListEntry] = [c.entry for c in diff.changes]
    entries += [c.before for c in diff.changed if c.before is not None]
    by_entry = {c.entry_id: c for c in diff.changes}
    if not entries:
        return _Probe(diff, None, by_entry)
    # one entry id may appear twice (old and new form): suffix the old form's id so the index
    # keeps both, and map it back when reading the hits
    seen: set[str] = set()
    unique: list[ListEntry] = []
    for entry in with_aliases(entries, current_alias_table()):
        if entry.entry_id in seen:
            entry = entry.model_copy(update={"entry_id": entry.entry_id + "\x00old"})
        seen.add(entry.entry_id)
        unique.append(entry)
    floor = REVIEW - COUNTRY_BONUS - ADDRESS_BONUS  # every bonus the real screening can add
    matcher = PartyMatcher(unique, f"{diff.name}@probe", review=floor)
    probe = _Probe(diff, ScriptAwareMatcher(matcher), by_entry)
    return probe


class _Diffs:
    """List diffs from the versions a screening used to the latest, built once each."""

    def __init__(self, store: ListStore) -> None:
        self.store = store
        self.latest = {v.name: v.content_hash for v in store.versions()}
        self._probes: dict[tuple[str, str | None], _Probe] = {}

    def probes_for(self, versions: dict[str, str]) -> list[_Probe]:
        out = []
        for name, latest in self.latest.items():
            used = versions.get(f"list:{name}")
            if used == latest:
                continue
            key = (name, used)
            if key not in self._probes:
                diff = None
                if used is not None:
                    try:
                        diff = self.store.diff(name, used, None)
                    except LookupError:  # that version was deleted since: compare with nothing
                        diff = None
                self._probes[key] = _probe(diff or _all_added(self.store, name))
            out.append(self._probes[key])
        return out


def _all_added(store: ListStore, name: str) -> ListDiff:
    """The latest version against nothing: a list the screening did not use."""
    return diff_entries(name, None, [], store.version(name), store.version_entries(name))


def _compare(
    old_hits: list[dict[str, Any]], new_hits: list[dict[str, Any]]
) -> tuple[list[HitRef], list[HitRef], list[HitRef]]:
    old = {_hit_key(h): h for h in old_hits}
    new = {_hit_key(h): h for h in new_hits}
    added = [_hit_ref(new[k]) for k in new if k not in old]
    removed = [_hit_ref(old[k]) for k in old if k not in new]
    changed = []
    for k in new.keys() & old.keys():
        a, b = _hit_ref(old[k]), _hit_ref(new[k])
        if (a.band, a.released) != (b.band, b.released):
            changed.append(b)
    return added, removed, changed


def _causes(refs: list[HitRef], probes: list[_Probe], probed: set[tuple[str, str]]) -> list[Cause]:
    """The diff entries behind the changed hits; else the entries the names matched."""
    by_key = {(p.diff.name, eid): c for p in probes for eid, c in p.by_entry.items()}
    keys = [(r.list, r.entry_id) for r in refs if (r.list, r.entry_id) in by_key]
    if not keys:
        keys = sorted(probed)
    out, seen = [], set()
    for key in keys:
        change = by_key.get(key)
        if change is None or key in seen:
            continue
        seen.add(key)
        out.append(
            Cause(
                list=key[0],
                kind=change.kind,
                entry_id=change.entry_id,
                name=change.name,
                fields=[f.field for f in change.fields],
                entry=change.entry,
            )
        )
    return out


def superseded(audit: AuditStore) -> set[int]:
    """Ids of screenings a later re-screening replaced (their `rescreen:<id>` rows)."""
    return {
        int(source.removeprefix(SOURCE_PREFIX))
        for source in audit.sources(prefix=SOURCE_PREFIX)
        if source.removeprefix(SOURCE_PREFIX).isdigit()
    }


def rescreen(
    audit: AuditStore,
    store: ListStore,
    screener: Screener,
    *,
    since: dt.date | dt.datetime | None = None,
    as_of: dt.date | None = None,
    requested_by: str = "rescreen",
    record: bool = True,
    stats: RescreenStats | None = None,
) -> Iterator[RescreenChange]:
    """Yield a `RescreenChange` for each stored screening (from `since`) whose decision or
    party hits differ under the latest list versions; `record`: store the new results in
    the audit trail. `screener` must screen against the store's latest lists (see
    `screener.wiring.build_screener`). `stats`, when given, is filled in as the run goes."""
    stats = stats if stats is not None else RescreenStats()
    started = time.perf_counter()
    diffs = _Diffs(store)
    replaced = superseded(audit)
    for stored in audit.iter_screenings(since=since):
        stats.stored += 1
        if stored.id in replaced:
            stats.up_to_date += 1
            continue
        probes = diffs.probes_for(stored.summary.versions)
        if not probes:
            stats.up_to_date += 1
            continue
        stats.probed += 1
        change = _rescreen_one(audit, screener, stored, probes, as_of, requested_by, record, stats)
        if change is not None:
            stats.changed += 1
            yield change
    stats.diffs = {
        f"{name}@{(used or 'none')[:12]}": p.diff.counts()
        for (name, used), p in diffs._probes.items()
    }
    stats.seconds = time.perf_counter() - started


def _rescreen_one(
    audit: AuditStore,
    screener: Screener,
    stored: StoredInput,
    probes: list[_Probe],
    as_of: dt.date | None,
    requested_by: str,
    record: bool,
    stats: RescreenStats,
) -> RescreenChange | None:
    tx: Transaction = stored.transaction
    probed: set[tuple[str, str]] = set()
    for party in tx.parties:
        for probe in probes:
            for entry_id in probe.hits(party.name, party.country, party.address):
                probed.add((probe.diff.name, entry_id.removesuffix("\x00old")))
    if not probed:
        return None
    stats.rescreened += 1
    if as_of is not None:
        tx = tx.model_copy(update={"date": as_of})
    result: ScreeningResult = screener.screen(tx)
    previous = audit.get(stored.id)
    old_hits = previous.result.get("party_hits", []) if previous else []
    added, removed, changed = _compare(old_hits, result.party_hits)
    decision_changed = result.decision.value != stored.summary.decision
    if not (decision_changed or added or removed or changed):
        return None
    new_id = None
    if record:
        new_id = audit.record(
            tx, result, requested_by=requested_by, source=f"{SOURCE_PREFIX}{stored.id}"
        )
    return RescreenChange(
        screening_id=stored.id,
        new_screening_id=new_id,
        transaction_id=tx.id,
        screened_at=stored.screened_at,
        as_of=result.as_of,
        old_decision=stored.summary.decision,
        new_decision=result.decision.value,
        hits_added=added,
        hits_removed=removed,
        hits_changed=changed,
        caused_by=_causes([*added, *changed, *removed], probes, probed),
        versions={k: v for k, v in result.versions.items() if k.startswith("list:")},
    )


class RescreenReport(BaseModel):
    """A whole run: the changed screenings and what the run looked at."""

    changes: list[RescreenChange]
    stats: RescreenStats


def run_rescreen(
    db_url: str,
    rules_dir: Path = DEFAULT_RULES_DIR,
    *,
    since: dt.date | dt.datetime | None = None,
    as_of: dt.date | None = None,
    record: bool = True,
    requested_by: str = "rescreen",
    screener: Screener | None = None,
) -> RescreenReport:
    """`rescreen` over the database at `db_url`, collected; `screener`: one over the latest
    lists (the service's), else one is built over them."""
    store = ListStore(db_url)
    try:
        if screener is None:
            screener = build_screener(rules_dir, "python", db_url, gaps=False)
        stats = RescreenStats()
        changes = list(
            rescreen(
                AuditStore(db_url),
                store,
                screener,
                since=since,
                as_of=as_of,
                requested_by=requested_by,
                record=record,
                stats=stats,
            )
        )
    finally:
        store.dispose()
    return RescreenReport(changes=changes, stats=stats)
