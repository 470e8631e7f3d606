"""The reviewer's pages, server-rendered (Jinja2, autoescaped) with a little plain JavaScript:
the queue (`/review`), one screening with its hits and adjudication forms
(`/review/screenings/{id}`), the gap heat map, the batch reports and the decision statistics.

Thin: the page data comes from `screener.review` (queue, screening view, gap grids, charts);
here are the sign-in, the form checks (`api.web_session`) and the rendering. Adjudications go
through the list store (`ListStore.record_adjudication`), with the signed-in key's label as
the reviewer; the hit is read from the stored result by its index, never from the form, so a
form can only decide on a hit the screening really had.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import Svc
from api.routers.screenings import ScreeningId
from api.web_session import (
    COOKIE,
    COOKIE_PATH,
    MAX_AGE,
    REVIEW_ROLES,
    LoginRequired,
    Reviewer,
    check_form,
    current_reviewer,
    safe_next,
)
from schemas.transaction import IsoDate, Transaction
from screener.gaps.analysis import GapAnalyzer, MatrixBuilder, load_baseline
from screener.rescreen import SOURCE_PREFIX, RescreenReport, RescreenStats, rescreen
from screener.review.charts import batch_chart, decisions_chart, quarterly_chart
from screener.review.gaps import gap_grids
from screener.review.hits import list_name
from screener.review.queue import review_queue
from screener.review.screening import screening_view

HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

# what the pages may load: their own stylesheet and script, nothing inline, no frames
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# the stored batch report: its own inline <style>, no script at all, sandboxed
REPORT_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; sandbox",
}

router = APIRouter(prefix="/review", include_in_schema=False)
Who = Annotated[Reviewer, Depends(current_reviewer)]


def page(
    request: Request, name: str, reviewer: Reviewer | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A template rendered with who is signed in, the form token and the security headers."""
    context.setdefault("active", name.removesuffix(".html"))
    response = templates.TemplateResponse(
        request,
        name,
        {"reviewer": reviewer, "csrf": reviewer.csrf if reviewer else "", **context},
        status_code=status,
    )
    response.headers.update(HEADERS)
    return response


# ----------------------------------------------------------------------------- sign-in


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = COOKIE_PATH, reason: str = "") -> HTMLResponse:
    return page(request, "login.html", None, next=safe_next(next), error=reason)


@router.post("/login", response_model=None)
def login(
    request: Request,
    svc: Svc,
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = COOKIE_PATH,
) -> Response:
    """Check the key once and answer with the session cookie (see `api.web_session`)."""
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise HTTPException(403, f"cross-site sign-in refused (origin {origin})")
    record = svc.keys.verify(key.strip())
    target = safe_next(next)
    if record is None:
        return page(
            request, "login.html", None, 401, next=target, error="unknown or revoked API key"
        )
    if record.role not in REVIEW_ROLES:
        error = (
            f"a {record.role!r} key may not use the review pages: it needs a review or admin key"
        )
        return page(request, "login.html", None, 403, next=target, error=error)
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE,
        svc.sessions.issue(record.id),
        max_age=MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, who: Who, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_form(request, who, csrf)
    response = RedirectResponse(f"{COOKIE_PATH}/login", 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response


# ----------------------------------------------------------------------------- the queue


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    who: Who,
    svc: Svc,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HTMLResponse:
    data = review_queue(svc.audit, svc.lists, offset=offset, limit=limit)
    return page(request, "queue.html", who, queue=data)


@router.get("/screenings/{screening_id}", response_class=HTMLResponse)
def screening(
    request: Request,
    screening_id: ScreeningId,
    who: Who,
    svc: Svc,
    recorded: Annotated[int | None, Query()] = None,
    hit: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    stored = svc.audit.get(screening_id)
    if stored is None:
        raise HTTPException(404, f"no screening {screening_id}")
    view = screening_view(stored, svc.lists)
    return page(request, "screening.html", who, s=view, recorded=recorded, decided=hit)


@router.post("/screenings/{screening_id}/hits/{hit_index}")
def adjudicate(
    request: Request,
    screening_id: ScreeningId,
    hit_index: int,
    who: Who,
    svc: Svc,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record a true match or a false positive on one hit of a stored screening."""
    check_form(request, who, csrf)
    stored = svc.audit.get(screening_id)
    hits = stored.result.get("party_hits") or [] if stored else []
    if stored is None or not 0 <= hit_index < len(hits):
        raise HTTPException(404, f"no hit {hit_index} in screening {screening_id}")
    if svc.lists is None:
        raise HTTPException(409, "no list store: adjudications cannot be recorded")
    hit = hits[hit_index]
    try:
        made = svc.lists.record_adjudication(
            hit["query"],
            list_name(hit),
            hit["entry_id"],
            decision,  # type: ignore[arg-type]  # the store refuses any other value (422)
            who.label,
            reason,
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    except LookupError as exc:  # the entry left the list since the screening
        raise HTTPException(409, str(exc)) from None
    query = f"recorded={made.id}&hit={hit_index}#hit-{screening_id}-{hit_index}"
    target = f"{COOKIE_PATH}/screenings/{screening_id}?{query}"
    return RedirectResponse(target, 303)


@router.post("/screenings/{screening_id}/rescreen")
def rescreen_one(
    request: Request,
    screening_id: ScreeningId,
    who: Who,
    svc: Svc,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Screen the stored transaction again now, against the latest lists and with every
    decision recorded since, and store it as a re-screening of the old one (`rescreen:<id>`,
    as `chokepoint rescreen` does): the new screening replaces the old one in the queue."""
    check_form(request, who, csrf)
    stored = svc.audit.get(screening_id)
    if stored is None:
        raise HTTPException(404, f"no screening {screening_id}")
    tx = Transaction.model_validate(stored.transaction)
    svc.limits.check(tx)
    screener = svc.current(fresh=True)  # a list imported a moment ago must count
    with svc.lock:
        result = screener.screen(tx)
    source = f"{SOURCE_PREFIX}{screening_id}"
    new_id = svc.audit.record(tx, result, requested_by=who.label, source=source)
    svc.shadow(new_id, tx, result)
    return RedirectResponse(f"{COOKIE_PATH}/screenings/{new_id}", 303)


@router.post("/rescreen", response_class=HTMLResponse)
def rescreen_trail(
    request: Request,
    who: Who,
    svc: Svc,
    csrf: Annotated[str, Form()] = "",
    since: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Re-screen the audit trail against the latest list versions (`screener.rescreen.rescreen`,
    as `chokepoint rescreen` and `POST /v1/rescreen`) and show what changed and why."""
    check_form(request, who, csrf)
    try:
        start = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise HTTPException(422, f"since: {since!r} is not a date (YYYY-MM-DD)") from None
    if svc.lists is None:
        raise HTTPException(409, "no list store: nothing to re-screen against")
    screener = svc.current(fresh=True)  # rebuilt once per list change, not per run
    stats = RescreenStats()
    with svc.lock:
        changes = list(
            rescreen(
                svc.audit, svc.lists, screener, since=start, requested_by=who.label, stats=stats
            )
        )
    report = RescreenReport(changes=changes, stats=stats)
    return page(request, "rescreen.html", who, report=report, since=start)


# ----------------------------------------------------------------------------- overviews


@router.get("/gaps", response_class=HTMLResponse)
def gaps(
    request: Request,
    who: Who,
    svc: Svc,
    as_of: Annotated[IsoDate | None, Query()] = None,
) -> HTMLResponse:
    day = as_of or dt.date.today()
    with svc.lock:  # the screener's caches are not shared across threads
        analyzer = GapAnalyzer.for_screener(svc.screener)
        matrix = MatrixBuilder(analyzer, load_baseline()).build(day)
    return page(request, "gaps.html", who, as_of=day, matrix=matrix, grids=gap_grids(matrix))


@router.get("/batches", response_class=HTMLResponse)
def batches(request: Request, who: Who, svc: Svc) -> HTMLResponse:
    jobs = svc.jobs.recent()
    charts = {job.id: batch_chart(job.counts) for job in jobs}
    return page(request, "batches.html", who, jobs=jobs, charts=charts)


@router.get("/batches/{job_id}/report")
def batch_report(job_id: str, who: Who, svc: Svc) -> HTMLResponse:
    """The batch's own HTML report (`screener.batch.report`), as written beside its output."""
    job = svc.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no batch job {job_id}")
    path = Path(job.output_path).with_suffix(".html")
    if job.status != "done" or not path.exists():
        raise HTTPException(409, f"the report is written when the job is done ({job.status})")
    return HTMLResponse(path.read_text(encoding="utf-8"), headers=REPORT_HEADERS)


@router.get("/stats", response_class=HTMLResponse)
def stats(
    request: Request,
    who: Who,
    svc: Svc,
    since: Annotated[IsoDate | None, Query()] = None,
    until: Annotated[IsoDate | None, Query()] = None,
) -> HTMLResponse:
    data = svc.audit.stats(since, until)
    return page(
        request,
        "stats.html",
        who,
        stats=data,
        since=since,
        until=until,
        quarters=quarterly_chart(data),
        decisions=decisions_chart(data.by_decision, "screenings by decision"),
    )


def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    from urllib.parse import urlencode

    query = urlencode({"next": exc.next_path, "reason": exc.reason})
    return RedirectResponse(f"{COOKIE_PATH}/login?{query}", 303)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(COOKIE_PATH)
        and not path.startswith(f"{COOKIE_PATH}/static")
        and "text/html" in request.headers.get("accept", "")
    )


def _problem(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """(status, one-line reason, headers) of a refusal, as the JSON error would give them."""
    if isinstance(exc, RequestValidationError):
        lines = [
            f"{'.'.join(str(p) for p in e['loc'] if p not in ('query', 'form', 'path'))}: "
            f"{e['msg']}"
            for e in exc.errors()
        ]
        return 422, "invalid request: " + "; ".join(lines), {}
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return exc.status_code, detail, dict(getattr(exc, "headers", None) or {})


def install(app: FastAPI) -> None:
    """The pages, their static files, the redirect to the sign-in form, and refusals as an
    HTML page for a browser on the review pages (JSON, as everywhere else, for the rest)."""
    app.include_router(router)
    app.mount(f"{COOKIE_PATH}/static", StaticFiles(directory=HERE / "static"), "review-static")
    app.add_exception_handler(LoginRequired, _to_login)
    for kind in (StarletteHTTPException, RequestValidationError):
        as_json = app.exception_handlers[kind]

        def handler(request: Request, exc: Exception, as_json: Any = as_json) -> Response:
            if not _wants_html(request):
                response: Response = as_json(request, exc)
                return response
            status, reason, headers = _problem(exc)
            response = page(request, "error.html", None, status, reason=reason, code=status)
            response.headers.update(headers)
            return response

        app.add_exception_handler(kind, handler)
