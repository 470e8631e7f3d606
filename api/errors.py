"""Every error is JSON with a clear message: `{"error": "...", "problems": [...]}`; never a
traceback. Request bodies are capped: JSON bodies and uploads each have a byte limit,
checked against Content-Length first and then while the body streams in."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screener.errors import InputError, describe_errors
from screener.limits import LimitError

log = logging.getLogger("chokepoint.api")


def error_body(message: str, problems: list[str] | None = None) -> dict[str, Any]:
    return {"error": message, "problems": problems or []}


def _unreadable(cause: BaseException) -> str | None:
    """Why FastAPI could not parse a JSON body (it answers a bare 400), as a problem."""
    if isinstance(cause, UnicodeDecodeError):
        return f"(root): the body is not UTF-8 (byte {cause.start}: {cause.reason})"
    if isinstance(cause, RecursionError):
        return "(root): JSON nested too deeply to read (a transaction is a few levels deep)"
    if isinstance(cause, ValueError):  # e.g. an integer of more than 4,300 digits
        return f"(root): not valid JSON: {cause}"[:200]
    return None


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    unreadable = _unreadable(exc.__cause__) if exc.status_code == 400 and exc.__cause__ else None
    if unreadable:  # the same model as every other refusal: 422, the problem named
        return JSONResponse(error_body(f"invalid request: {unreadable}", [unreadable]), 422)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    problems: list[Any] = exc.detail if isinstance(exc.detail, list) else []
    if isinstance(exc.detail, dict):  # {"error": ..., "problems": [...]} from a router
        detail = str(exc.detail.get("error", detail))
        problems = list(exc.detail.get("problems", []))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:  # Starlette names the methods of the first route only
        headers["Allow"] = ", ".join(_allowed(request))
    return JSONResponse(
        error_body(detail, [str(p) for p in problems]),
        status_code=exc.status_code,
        headers=headers or None,
    )


def _allowed(request: Request) -> list[str]:
    """Every method the OpenAPI document lists at this path (PUT, GET and DELETE of a draft
    are three routes), and HEAD wherever GET is."""
    table = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = request.app.state.allowed_methods = [
            (re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$"), ops)
            for path, ops in request.app.openapi()["paths"].items()
        ]
    methods = {m.upper() for pattern, ops in table if pattern.match(request.url.path) for m in ops}
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = describe_errors(list(exc.errors()), skip=("body",))
    return JSONResponse(
        error_body("invalid request: " + "; ".join(problems), problems), status_code=422
    )


def _input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return JSONResponse(error_body(f"invalid input: {exc}", exc.problems), status_code=422)


def _limit(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LimitError)
    return JSONResponse(error_body(f"transaction too large: {exc}", exc.problems), status_code=413)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body(f"internal error ({type(exc).__name__}); the service log has the details"),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InputError, _input)
    app.add_exception_handler(LimitError, _limit)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """ASGI middleware: 413 for a body over the limit (uploads to `upload_paths` get theirs)."""

    def __init__(
        self, app: ASGIApp, max_body: int, max_upload: int, upload_paths: tuple[str, ...]
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if scope["path"] in self.upload_paths else self.max_body
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _limit_text(limit))
            return message

        await self.app(scope, counted, send)


def _limit_text(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes"


async def _too_large(send: Send, limit: int) -> None:
    response = JSONResponse(error_body(_limit_text(limit)), status_code=413)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
