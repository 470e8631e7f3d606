"""Every error is JSON with a clear message: `{"error": "...", "problems": [...]}`; never a
traceback. Request bodies are capped: JSON bodies and uploads each have a byte limit,
checked against Content-Length first and then while the body streams in."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screener.errors import InputError

log = logging.getLogger("chokepoint.api")


def error_body(message: str, problems: list[str] | None = None) -> dict[str, Any]:
    return {"error": message, "problems": problems or []}


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    problems = exc.detail if isinstance(exc.detail, list) else []
    if isinstance(exc.detail, dict):  # {"error": ..., "problems": [...]} from a router
        detail = str(exc.detail.get("error", detail))
        problems = list(exc.detail.get("problems", []))
    return JSONResponse(
        error_body(detail, [str(p) for p in problems]),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "body" and "[" not in str(p)]
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (check the spelling; see the JSON Schema)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        elif err.get("type") == "json_invalid":
            msg = f"not valid JSON: {err.get('ctx', {}).get('error', msg)}"
        problems.append(f"{'.'.join(loc) or '(root)'}: {msg}")
    return JSONResponse(
        error_body("invalid request: " + "; ".join(problems), problems), status_code=422
    )


def _input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return JSONResponse(error_body(f"invalid input: {exc}", exc.problems), status_code=422)


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
