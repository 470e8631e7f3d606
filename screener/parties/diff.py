"""What changed between two versions of one list: entries added, removed and changed.

Entries are paired by `entry_id` (the importers keep ids stable across amendments: OFAC and
CSL entity numbers, derived ids from the folded name for lists without numbers, see
`formats/common.py`), so a new address or Federal Register notice shows as a change of one
entry, not as one removal and one addition. A renamed entry whose id is derived from its name
does show as removed plus added: the list itself gives nothing that ties the two together.

The diff feeds `chokepoint lists diff` and re-screening (`screener/rescreen.py`), which
re-screens only the stored screenings whose party names match an entry the diff names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from schemas.lists import ListEntry, ListVersion

ChangeKind = Literal["added", "removed", "changed"]

# The fields a reviewer reads, in the order a diff shows them. (list_code, source and
# entity_type change rarely, but a move from one list to another is a change that matters.)
COMPARED: tuple[str, ...] = (
    "name",
    "aliases",
    "addresses",
    "countries",
    "programs",
    "footnotes",
    "license_requirement",
    "license_policy",
    "federal_register_notice",
    "start_date",
    "end_date",
    "entity_type",
    "list_code",
    "source",
)
_LISTS = {"aliases", "addresses", "countries", "programs", "footnotes"}


class FieldChange(BaseModel):
    """One field of one entry: the values before and after; for list fields also the items
    that appeared and disappeared (aliases as `name (type)`)."""

    field: str
    old: Any = None
    new: Any = None
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class EntryChange(BaseModel):
    """An entry added, removed or changed. `entry` is the entry as it now stands (for a
    removal: as it stood in the older version); `before` the older one for a change."""

    kind: ChangeKind
    entry_id: str
    name: str
    list_code: str
    entry: ListEntry
    before: ListEntry | None = None
    fields: list[FieldChange] = Field(default_factory=list)


class ListDiff(BaseModel):
    """The difference between versions `old` (None: nothing imported before) and `new`."""

    name: str
    old: ListVersion | None
    new: ListVersion
    added: list[EntryChange] = Field(default_factory=list)
    removed: list[EntryChange] = Field(default_factory=list)
    changed: list[EntryChange] = Field(default_factory=list)

    @property
    def changes(self) -> list[EntryChange]:
        return [*self.added, *self.changed, *self.removed]

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _items(entry: ListEntry, name: str) -> list[str]:
    if name == "aliases":
        return [f"{a.name} ({a.type.value})" for a in entry.aliases]
    return [str(v) for v in getattr(entry, name)]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # StrEnum
        return value.value
    return value


def field_changes(old: ListEntry, new: ListEntry) -> list[FieldChange]:
    """The compared fields whose values differ (list fields compared as sets: a re-ordering
    by the publisher is not a change a reviewer needs to read)."""
    out: list[FieldChange] = []
    for name in COMPARED:
        if name in _LISTS:
            before, after = _items(old, name), _items(new, name)
            if set(before) == set(after):
                continue
            out.append(
                FieldChange(
                    field=name,
                    old=before,
                    new=after,
                    added=[v for v in after if v not in set(before)],
                    removed=[v for v in before if v not in set(after)],
                )
            )
        else:
            a, b = _plain(getattr(old, name)), _plain(getattr(new, name))
            if a != b:
                out.append(FieldChange(field=name, old=a, new=b))
    return out


def diff_entries(
    name: str,
    old_version: ListVersion | None,
    old: list[ListEntry],
    new_version: ListVersion,
    new: list[ListEntry],
) -> ListDiff:
    """Pair the entries by id and compare them; each part in the newer file's order (removed
    ones in the older file's)."""
    before = {e.entry_id: e for e in old}
    after = {e.entry_id: e for e in new}
    diff = ListDiff(name=name, old=old_version, new=new_version)
    for entry in new:
        prior = before.get(entry.entry_id)
        common = {
            "entry_id": entry.entry_id,
            "name": entry.name,
            "list_code": entry.list_code.value,
            "entry": entry,
        }
        if prior is None:
            diff.added.append(EntryChange(kind="added", **common))
            continue
        changes = field_changes(prior, entry)
        if changes:
            diff.changed.append(EntryChange(kind="changed", before=prior, fields=changes, **common))
    for entry in old:
        if entry.entry_id not in after:
            diff.removed.append(
                EntryChange(
                    kind="removed",
                    entry_id=entry.entry_id,
                    name=entry.name,
                    list_code=entry.list_code.value,
                    entry=entry,
                )
            )
    return diff
