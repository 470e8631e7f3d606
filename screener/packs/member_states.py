"""A member state's pack is the EU pack as that state applies it, plus its national measures.

The Dual-Use Regulation is applied by the competent authority of each member state: the Dutch
minister issues the licence for an EUV scanner under Regulation (EU) 2021/821, and refuses it
under the same Regulation. So a member state's verdict must carry the EU pack's findings
too, saying which instrument each one comes from. A member state's `pack.yaml` says so in data
(`applies: [{pack: eu-dual-use, by: the Netherlands}]`); `compose` then adds to that pack a
copy of every control, exception and trigger clause of the applied pack, re-tagged with the
member state's jurisdiction, an id prefixed with its code (`nl.eu.art3.annex_i`) and the
instrument "Regulation (EU) 2021/821 as applied by the Netherlands". The member state's own
nexus clauses decide whether it reaches the item; the applied pack's nexus clauses are not
copied. The copies' examples are merged over the applied pack's example defaults, so they
keep testing what they tested there. Composition happens once, at load time: the engine sees
ordinary packs.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from fnmatch import fnmatchcase

from schemas.rules import AppliedPack, Clause, ClauseKind, Example
from screener.packs.pack import LoadedClause, Pack, PackError, deep_merge


def compose(packs: list[Pack]) -> list[Pack]:
    """The packs with every member state's applied packs merged in (and every clause's
    instrument defaulted from its pack). Recomposing composed packs (a draft of the EU pack
    over the live packs) replaces the copies, so they always follow the applied pack."""
    by_id = {p.meta.id: p for p in packs}
    return [_compose_one(pack, by_id) for pack in packs]


def _compose_one(pack: Pack, by_id: dict[str, Pack]) -> Pack:
    own = [_with_default_instrument(lc, pack) for lc in pack.clauses if lc.applied_from is None]
    own_version = pack.own_version or pack.version
    if not pack.meta.applies:
        if pack.own_version and all(a is b for a, b in zip(own, pack.clauses, strict=True)):
            return pack  # composed before and unchanged: passed through as it is
        return replace(pack, clauses=own, own_version=own_version)
    digest = hashlib.sha256(own_version.encode())
    own_ids = {lc.clause.id for lc in own}  # a draft may redefine a copy: its clause wins
    copies: list[LoadedClause] = []
    for applied in pack.meta.applies:
        source = by_id.get(applied.pack)
        if source is None:
            raise PackError(
                [f"{pack.root / 'pack.yaml'}:1: applies pack {applied.pack!r}: no such pack"]
            )
        if source.meta.applies:
            raise PackError(
                [
                    f"{pack.root / 'pack.yaml'}:1: applies {applied.pack!r}, which applies "
                    "another pack itself (one level only)"
                ]
            )
        digest.update(source.version.encode())
        copies += [
            LoadedClause(_retag(lc.clause, pack, source, applied), lc.file, lc.line, source.meta.id)
            for lc in source.clauses
            if lc.clause.kind != ClauseKind.nexus
            and not any(fnmatchcase(lc.clause.id, p) for p in applied.exclude)
            and applied_id(pack.jurisdiction, lc.clause.id) not in own_ids
        ]
    # a draft of the member state's pack keeps its "+draft.<hash>" marker
    marker = own_version[own_version.index("+draft.") :] if "+draft." in own_version else ""
    return replace(
        pack,
        clauses=own + copies,
        version=digest.hexdigest()[:16] + marker,
        own_version=own_version,
    )


def _with_default_instrument(lc: LoadedClause, pack: Pack) -> LoadedClause:
    if lc.clause.instrument is not None or pack.meta.instrument is None:
        return lc
    return replace(lc, clause=lc.clause.model_copy(update={"instrument": pack.meta.instrument}))


def applied_id(jurisdiction: str, clause_id: str) -> str:
    """The id of a member state's copy of an applied clause: `nl.eu.art3.annex_i`."""
    return f"{jurisdiction.lower()}.{clause_id}"


def _retag(clause: Clause, pack: Pack, source: Pack, applied: AppliedPack) -> Clause:
    j = pack.jurisdiction
    instrument = clause.instrument or source.meta.instrument or source.meta.title
    return clause.model_copy(
        update={
            "id": applied_id(j, clause.id),
            "jurisdiction": j,
            "instrument": f"{instrument} as applied by {applied.by}",
            "overcomes": [applied_id(j, p) for p in clause.overcomes],
            "examples": [
                Example(
                    name=e.name,
                    transaction=deep_merge(source.meta.example_defaults, e.transaction),
                    facts=e.facts,
                    expect=e.expect,
                )
                for e in clause.examples
            ],
        }
    )
