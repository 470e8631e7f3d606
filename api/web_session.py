"""How a browser presents an API key to the review pages, and why their forms cannot be forged.

A browser cannot be made to send an `X-API-Key` header, so `/review/login` takes the key once
in a form, checks it, and answers with a session cookie: `cp_review`, HttpOnly (no script
reads it), SameSite=Strict (no other site's page or link sends it), Path=/review, Secure when
the request came over HTTPS, for eight hours. The cookie names the key by its database id,
never the key itself, and is signed (HMAC-SHA256) with the service's session secret
(CHOKEPOINT_SESSION_SECRET, else random per service start); every request re-reads the key,
so a revoked key ends its sessions at once.

Each session has a random nonce; its CSRF token is an HMAC of that nonce, put in every form
that changes something (`csrf` field) and checked on the POST, together with the Origin
header when the browser sends one. SameSite=Strict alone would stop a cross-site POST in
current browsers; the token also covers older ones and same-site subdomains.

Requests with an `X-API-Key` header (curl, tests) are checked as the API checks them and need
no token: another site's page cannot set that header without a CORS grant, which the service
never gives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from screener.audit.keys import ApiKey

COOKIE = "cp_review"
COOKIE_PATH = "/review"
MAX_AGE = 8 * 3600  # seconds a sign-in lasts
REVIEW_ROLES = frozenset({"review", "admin"})


class LoginRequired(Exception):
    """No usable session on a page request: the page answers with a redirect to the login."""

    def __init__(self, next_path: str, reason: str = "") -> None:
        super().__init__(reason)
        self.next_path = next_path
        self.reason = reason


@dataclass(frozen=True)
class Reviewer:
    """Who is looking at the page, and how they proved it."""

    key: ApiKey
    csrf: str  # "" for header-authenticated requests (no form token needed)
    via: str  # "cookie" or "header"

    @property
    def label(self) -> str:
        """As the audit trail and the adjudication store record the reviewer."""
        return self.key.label


class SessionSigner:
    """Signs and reads `<key id>.<issued unix time>.<nonce>.<mac>` session tokens."""

    def __init__(self, secret: str = "") -> None:
        self._secret = secret.encode("utf-8") if secret else secrets.token_bytes(32)

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self, key_id: int, now: float | None = None) -> str:
        payload = f"{key_id}.{int(now if now is not None else time.time())}.{secrets.token_hex(16)}"
        return f"{payload}.{self._mac(payload)}"

    def read(self, token: str, now: float | None = None) -> tuple[int, str] | None:
        """(key id, nonce) of a well-signed, unexpired token, else None."""
        parts = token.split(".")
        if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        payload = ".".join(parts[:3])
        if not hmac.compare_digest(self._mac(payload), parts[3]):
            return None
        age = (now if now is not None else time.time()) - int(parts[1])
        if not 0 <= age <= MAX_AGE:
            return None
        return int(parts[0]), parts[2]

    def csrf(self, nonce: str) -> str:
        return self._mac(f"csrf:{nonce}")


def _check_role(key: ApiKey) -> ApiKey:
    if key.role not in REVIEW_ROLES:
        raise HTTPException(
            403,
            f"this key's role {key.role!r} may not use the review pages; it needs "
            + " or ".join(sorted(REVIEW_ROLES)),
        )
    return key


def _next_path(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


def current_reviewer(request: Request) -> Reviewer:
    """The reviewer of a page request: by `X-API-Key`, else by the session cookie; without
    either (or with an expired or unknown one) the page redirects to the login form."""
    svc = request.app.state.services
    header = request.headers.get("x-api-key")
    if header:
        record = svc.keys.verify(header)
        if record is None:
            raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "ApiKey"})
        return Reviewer(_check_role(record), "", "header")
    token = request.cookies.get(COOKIE)
    read = svc.sessions.read(token) if token else None
    if read is None:
        raise LoginRequired(
            _next_path(request),
            "sign in with an API key" if not token else "your sign-in has expired: sign in again",
        )
    record = svc.keys.get(read[0])
    if record is None:
        raise LoginRequired(_next_path(request), "that key has been revoked")
    return Reviewer(_check_role(record), svc.sessions.csrf(read[1]), "cookie")


def check_form(request: Request, reviewer: Reviewer, token: str) -> None:
    """A state-changing POST from a browser session must carry the session's CSRF token and,
    when the browser names its origin, come from this service's own origin."""
    if reviewer.via == "header":
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        here = urlsplit(str(request.base_url))
        there = urlsplit(origin)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            raise HTTPException(403, f"cross-site form post refused (origin {origin})")
    elif origin == "null":
        raise HTTPException(403, "cross-site form post refused (opaque origin)")
    if not token or not hmac.compare_digest(token, reviewer.csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on the review pages only (no open redirect)."""
    if path and path.startswith(COOKIE_PATH) and not path.startswith("//") and "\\" not in path:
        return path
    return COOKIE_PATH
