"""Rule authors over the API (role author): test, lint and replay a draft sent as text, and
load drafts into the running service, optionally in shadow mode beside the live pack.

A draft is `{"files": {"clauses.yaml": "<YAML text>", ...}}` (and `draft.yaml` for an
overlay's metadata). A draft that does not load is a 422 whose `problems` are the loader's
`file:line: reason` lines, naming the files as sent. The work is in
`screener.authoring.requests` and `screener.authoring.served`; this module only maps HTTP.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AuthorKey, Svc
from api.responses import KEYED, refusals
from screener.authoring.diff import ImpactReport
from screener.authoring.history import audit_history
from screener.authoring.requests import DraftRequestError, rules_lint, rules_replay, rules_test
from screener.authoring.served import DraftInfo
from screener.packs.pack import PackError

router = APIRouter(prefix="/v1/rules", tags=["rule authoring"], responses=KEYED)

_FILES = Field(
    description="The draft's files by name: clause files (*.yaml) and optionally draft.yaml",
    examples=[{"ccl_sme.yaml": "clauses:\n  - id: us.ccl.3B001.sme_set.ns.d5\n    ..."}],
)


class DraftFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    files: dict[str, str] = _FILES


class DraftRequest(DraftFiles):
    name: str = Field(default="draft", description="What the reports call the draft")


class ReplayRequest(DraftRequest):
    since: dt.date | None = Field(default=None, description="Screenings made on or after")
    until: dt.date | None = Field(default=None, description="Screenings made on or before")


class LintResponse(BaseModel):
    draft: str
    findings: list[dict[str, Any]]


_REFUSALS = refusals(
    422, _422="invalid request, or the draft does not load: `problems` has the file:line reasons"
)
_NOT_LOADED = refusals(404, _404="no draft of that name is loaded")


def _refused(exc: PackError | DraftRequestError, name: str) -> HTTPException:
    if isinstance(exc, PackError):
        problems = exc.problems
        return HTTPException(
            422, {"error": f"draft {name!r} does not load: {problems[0]}", "problems": problems}
        )
    return HTTPException(422, f"invalid draft: {exc}")


@router.post("/test", responses=_REFUSALS, summary="Run a draft's examples, with coverage")
def test_draft(body: DraftRequest, _key: AuthorKey, svc: Svc) -> dict[str, Any]:
    try:
        with svc.lock:  # the examples run through the engine's per-process caches
            return rules_test(body.files, svc.screener, body.name)
    except (PackError, DraftRequestError) as exc:
        raise _refused(exc, body.name) from exc


@router.post("/lint", responses=_REFUSALS, summary="Lint a draft against the live packs")
def lint_draft(body: DraftRequest, _key: AuthorKey, svc: Svc) -> LintResponse:
    """Loader problems and cross-clause findings; a draft that does not load is answered
    with its problems as findings (200), as `chokepoint rules lint` does."""
    try:
        findings = rules_lint(body.files, svc.screener, body.name)
    except DraftRequestError as exc:
        raise _refused(exc, body.name) from exc
    return LintResponse(draft=body.name, findings=[f.as_dict() for f in findings])


@router.post(
    "/replay",
    response_model=ImpactReport,
    responses=_REFUSALS,
    summary="Replay the audit trail with a draft beside the live pack",
)
def replay_draft(body: ReplayRequest, _key: AuthorKey, svc: Svc) -> ImpactReport:
    """Every screening stored in [since, until] is evaluated, as of its own date, by the live
    pack and by the draft; the answer counts and lists what changes, by clause."""
    history = audit_history(svc.audit, body.since, body.until)
    try:
        return rules_replay(
            body.files,
            svc.screener,
            history,
            body.since,
            body.until,
            body.name,
            guard=svc.lock,
        )
    except (PackError, DraftRequestError) as exc:
        raise _refused(exc, body.name) from exc


@router.get("/drafts", summary="The drafts loaded in this service")
def list_drafts(_key: AuthorKey, svc: Svc) -> list[DraftInfo]:
    return svc.drafts.list()


@router.put("/drafts/{name}", responses=_REFUSALS, summary="Load or replace a draft")
def put_draft(
    name: str,
    body: DraftFiles,
    _key: AuthorKey,
    svc: Svc,
    shadow: Annotated[
        bool,
        Query(
            description="Also run it beside the live pack on new screenings (no effect on "
            "their decisions); see /shadow-report"
        ),
    ] = False,
) -> DraftInfo:
    try:
        return svc.drafts.put(name, body.files, shadow)
    except (PackError, DraftRequestError) as exc:
        raise _refused(exc, name) from exc


@router.get("/drafts/{name}", responses=_NOT_LOADED, summary="One loaded draft")
def get_draft(name: str, _key: AuthorKey, svc: Svc) -> DraftInfo:
    info = svc.drafts.get(name)
    if info is None:
        raise HTTPException(404, f"no draft named {name!r} is loaded")
    return info


@router.delete(
    "/drafts/{name}",
    status_code=204,
    responses=_NOT_LOADED,
    summary="Unload a draft and drop its files",
)
def delete_draft(name: str, _key: AuthorKey, svc: Svc) -> None:
    if not svc.drafts.delete(name):
        raise HTTPException(404, f"no draft named {name!r} is loaded")


@router.get(
    "/drafts/{name}/shadow-report",
    response_model=ImpactReport,
    responses=_NOT_LOADED,
    summary="Where a draft in shadow mode disagreed with the live pack",
)
def draft_shadow_report(name: str, _key: AuthorKey, svc: Svc) -> ImpactReport:
    report = svc.drafts.shadow_report(name)
    if report is None:
        raise HTTPException(404, f"no draft named {name!r} is loaded or in the shadow log")
    return report
