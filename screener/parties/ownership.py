"""Ownership by listed parties: the BIS affiliates rule and OFAC's 50 percent rule, from data.

Both rules reach an unlisted entity owned 50 % or more, directly or indirectly, individually
or in the aggregate, by listed parties (BIS: Entity List, MEU List and § 744.8 SDN parties,
90 FR 47201; OFAC: blocked persons), and both count an entity that is itself caught by the
rule as a restricted owner: its stake counts in full (the "cascade" of the two rules as the
affiliates rule (90 FR 47201) and the practitioners' notes on it describe it; BIS
says the rule aligns with OFAC's). So an entity X is restricted when it is listed, or when
the shares held in it directly by restricted owners add up to 50 % or more; the test is run
to a fixed point over the ownership graph (cross-holdings included).

Ownership links come from a CSV file (owner, owned, share in percent, source, date), not from
the exporter's word alone. Each party of a transaction found in the data gets:

- `restricted_share`: the direct shares held in it by restricted owners (the rules' test);
- `look_through`: the listed parties' economic interest, multiplied along each chain and
  summed across chains (stopping at the first listed owner of a chain), for the reviewer;
- `chains`: every chain from a listed owner down to the party, each link with its share,
  source and date, so the finding shows why;
- `owned_by_listed`: True when the test holds on the recorded links; False when it fails even
  if every share the data does not account for (100 % minus the recorded owners, at each
  entity whose owners are recorded) belonged to a restricted owner; None (not known)
  otherwise, which leaves the question to the reviewer as the rule packs ask. An owner whose
  own owners the data does not record is taken as the screening finds it (listed or not).

Whether an owner is listed is decided by screening its name against the imported lists: an
exact or strong hit, not released by a reviewer, on the Entity List, MEU List or SDN List.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

THRESHOLD = 0.5
AFFILIATE_LISTS = frozenset({"entity_list", "military_end_user", "sdn"})
LIST_NAMES = {
    "entity_list": "Entity List",
    "military_end_user": "MEU List",
    "sdn": "SDN List",
}
COLUMNS = ("owner", "owned", "share", "source", "date")
_MAX_CHAINS = 20
_MAX_DEPTH = 12


class OwnershipFormatError(ValueError):
    """An ownership file that cannot be read: the message names the file and line."""


class Link(BaseModel):
    owner: str
    owned: str
    share: float = Field(description="fraction of `owned` held by `owner` (0-1]")
    source: str
    date: dt.date | None = None


class Chain(BaseModel):
    """A listed owner's path down to the party: the links in order, their product."""

    owner: str
    lists: list[str] = Field(description="the owner's list codes")
    links: list[Link]
    share: float = Field(description="the shares multiplied along the chain")

    def describe(self) -> str:
        names = ", ".join(LIST_NAMES.get(code, code) for code in self.lists)
        steps = "".join(f" -{link.share:.0%}-> {link.owned!r}" for link in self.links)
        cited = sorted({f"{link.source}, {link.date or 'undated'}" for link in self.links})
        return f"{self.owner!r} ({names}){steps} = {self.share:.1%} [{'; '.join(cited)}]"


class OwnershipFinding(BaseModel):
    """What the ownership data says about one party."""

    party: str
    owned_by_listed: bool | None
    restricted_share: float = Field(description="direct shares held by restricted owners")
    look_through: float = Field(description="listed owners' interest along all chains")
    unknown_share: float = Field(description="share of the party no recorded owner accounts for")
    restricted_owners: list[str] = Field(
        default_factory=list, description="direct owners that are listed or caught by the rule"
    )
    chains: list[Chain] = Field(default_factory=list)

    def describe(self, role: str | None = None) -> str:
        verdict = {True: "owned 50 % or more", False: "not owned 50 % or more", None: "unknown"}
        head = (
            f"ownership: {role or 'party'} {self.party!r}: {verdict[self.owned_by_listed]} by "
            f"listed parties (restricted owners hold {self.restricted_share:.1%} directly; "
            f"look-through {self.look_through:.1%}; not accounted for {self.unknown_share:.1%})"
        )
        return head + "".join(f"; chain {c.describe()}" for c in self.chains)


def normalise(name: str) -> str:
    """Casefolded, accents and punctuation dropped, whitespace collapsed (as the list store
    normalises adjudicated names)."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", stripped.casefold()).split())


def read_ownership_csv(path: Path, data: bytes) -> list[Link]:
    """Links from a CSV with the header owner, owned, share, source, date (any order, any
    case). `share` is a percentage (`60`, `60 %`, `12.5`); `date` is YYYY-MM-DD or empty.
    An owned entity whose recorded owners hold more than 100 % is an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OwnershipFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {h.strip().casefold(): h for h in reader.fieldnames or []}
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise OwnershipFormatError(f"{path}, line 1: no column(s) {', '.join(missing)}")
    links: list[Link] = []
    for row in reader:
        line = reader.line_num

        def cell(name: str, row: dict[str, str] = row) -> str:
            return (row.get(header.get(name, ""), "") or "").strip()

        owner, owned, raw_share = cell("owner"), cell("owned"), cell("share")
        if not (owner or owned or raw_share):
            continue
        if not owner or not owned:
            raise OwnershipFormatError(f"{path}, line {line}: owner and owned are required")
        try:
            share = float(raw_share.rstrip("% ").replace(",", "."))
        except ValueError:
            raise OwnershipFormatError(
                f"{path}, line {line}: share {raw_share!r} is not a percentage"
            ) from None
        if not 0 < share <= 100:
            raise OwnershipFormatError(f"{path}, line {line}: share {share} not in (0, 100]")
        if normalise(owner) == normalise(owned):
            raise OwnershipFormatError(f"{path}, line {line}: {owner!r} cannot own itself")
        raw_date = cell("date")
        try:
            date = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            raise OwnershipFormatError(
                f"{path}, line {line}: date {raw_date!r} is not YYYY-MM-DD"
            ) from None
        links.append(
            Link(owner=owner, owned=owned, share=share / 100, source=cell("source"), date=date)
        )
    totals: dict[str, float] = defaultdict(float)
    for link in links:
        totals[normalise(link.owned)] += link.share
    over = sorted(name for name, total in totals.items() if total > 1.0001)
    if over:
        raise OwnershipFormatError(f"{path}: recorded owners hold over 100 % of {', '.join(over)}")
    return links


# name -> list codes of its exact/strong, unreleased hits
ListedCheck = Callable[[str], Sequence[str]]


@dataclass
class OwnershipGraph:
    """Links by owned entity (normalised name), and the test over them."""

    links: list[Link]

    def __post_init__(self) -> None:
        self.owners: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            self.owners[normalise(link.owned)].append(link)

    def __contains__(self, name: str) -> bool:
        return normalise(name) in self.owners

    def _ancestors(self, start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for link in self.owners.get(todo.pop(), []):
                key = normalise(link.owner)
                if key not in seen:
                    seen.add(key)
                    todo.append(key)
        return seen

    def _restricted(self, nodes: Iterable[str], listed: set[str], optimistic: bool) -> set[str]:
        """Fixed point of the test over `nodes`. `optimistic` False is the upper bound: at
        each entity whose owners are recorded, the share they do not account for counts as
        held by a restricted owner. (An owner whose own owners are not recorded is taken as
        the screening finds it: listed or not.)"""
        caught = set(listed)
        pending = [n for n in nodes if n in self.owners and n not in caught]
        changed = True
        while changed:
            changed = False
            for node in pending:
                if node in caught:
                    continue
                recorded = self.owners[node]
                held = sum(lk.share for lk in recorded if normalise(lk.owner) in caught)
                if not optimistic:
                    held += max(0.0, 1 - sum(lk.share for lk in recorded))
                if held >= THRESHOLD - 1e-9:
                    caught.add(node)
                    changed = True
        return caught

    def finding(self, party: str, listed_lists: ListedCheck) -> OwnershipFinding | None:
        """The finding for `party`, or None when the data records no owner of it."""
        key = normalise(party)
        if key not in self.owners:
            return None
        nodes = self._ancestors(key)
        names = {normalise(lk.owner): lk.owner for lk in self.links} | {key: party}
        lists = {n: sorted(set(listed_lists(names[n])) & AFFILIATE_LISTS) for n in nodes}
        lists[key] = []  # the party's own listing is the list clauses' business
        listed = {n for n, codes in lists.items() if codes}
        low = self._restricted(nodes, listed, optimistic=True)
        high = self._restricted(nodes, listed, optimistic=False)
        direct = self.owners[key]
        restricted_share = sum(lk.share for lk in direct if normalise(lk.owner) in low)
        unknown = max(0.0, 1 - sum(lk.share for lk in direct))
        verdict: bool | None
        if key in low:
            verdict = True
        elif key not in high:
            verdict = False
        else:
            verdict = None
        chains = self._chains(key, listed, lists)
        return OwnershipFinding(
            party=party,
            owned_by_listed=verdict,
            restricted_share=round(restricted_share, 6),
            look_through=round(sum(c.share for c in chains), 6),
            unknown_share=round(unknown, 6),
            restricted_owners=sorted({lk.owner for lk in direct if normalise(lk.owner) in low}),
            chains=chains[:_MAX_CHAINS],
        )

    def _chains(self, key: str, listed: set[str], lists: dict[str, list[str]]) -> list[Chain]:
        """Paths from listed owners down to `key` (stopping at the first listed owner going
        up), best first."""
        out: list[Chain] = []

        def walk(node: str, below: list[Link], product: float) -> None:
            if len(below) >= _MAX_DEPTH:
                return
            for link in self.owners.get(node, []):
                owner = normalise(link.owner)
                if any(normalise(x.owned) == owner for x in below) or owner == key:
                    continue  # a cross-holding loop
                path = [link, *below]
                share = product * link.share
                if owner in listed:
                    out.append(Chain(owner=link.owner, lists=lists[owner], links=path, share=share))
                else:
                    walk(owner, path, share)

        walk(key, [], 1.0)
        out.sort(key=lambda c: -c.share)
        return out
