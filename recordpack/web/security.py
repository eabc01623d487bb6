"""Safety on a shared computer: token, cookie, Host and Origin checks, strict headers.

The model is Jupyter's and Syncthing's: the server listens on 127.0.0.1 only; the
first URL carries a per-launch secret, exchanged on first visit for an HttpOnly,
SameSite=Strict cookie; the Host header must name this server exactly (a DNS
rebinding page cannot); every state-changing request needs this origin and the
page's CSRF token; pages may not be framed, cached, or run any script but ours.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import URL, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    # Not "no-referrer": with it, a browser sends "Origin: null" on the page's own forms.
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)

NEEDS_TOKEN = (
    "This page needs the link that recordpack printed when it started "
    "(http://127.0.0.1:PORT/?token=...). Open that link, or start recordpack ui again."
)
SAFE_METHODS = frozenset({"GET", "HEAD"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Secrets:
    """The per-launch secrets: the URL token, the cookie's value and the CSRF token."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two launches on one machine must not share one.
        return f"recordpack-{self.port}"

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

    def url(self, path: str = "/") -> str:
        """The URL to open: it carries the token."""
        return f"http://127.0.0.1:{self.port}{path}?{urlencode({'token': self.token})}"

    def csrf_ok(self, value: str | None) -> bool:
        return value is not None and same(value, self.csrf)


def same(given: str, secret: str) -> bool:
    """Constant-time comparison that also takes text a browser made up (any characters)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class Guard:
    """ASGI middleware: refuse what is not ours, add the safety headers to every answer."""

    def __init__(self, app: ASGIApp, secrets_: Secrets) -> None:
        self.app = app
        self.secrets = secrets_

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # none are served; refuse before anything runs
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A record served as a file may carry a narrower policy of its own.
                headers = list(message.get("headers", []))
                present = {k.decode("latin-1").lower() for k, _ in headers}
                headers += [
                    (k.encode(), v.encode()) for k, v in SECURITY_HEADERS if k not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            status, text, extra = refusal
            await _plain(send_with_headers, status, text, extra)
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        s = self.secrets
        host = _header(scope, b"host")
        if host not in s.hosts:
            return 400, "This address is not served here. Use the link recordpack printed.", []
        cookie = _cookie(scope, s.cookie_name)
        authenticated = cookie is not None and same(cookie, s.session)
        method = scope["method"]
        if not authenticated:
            url = URL(scope=scope)
            token = QueryParams(scope.get("query_string", b"").decode("latin-1")).get("token")
            if method in SAFE_METHODS and token and same(token, s.token):
                # Exchange the token for the cookie, then drop it from the address bar.
                clean = url.remove_query_params("token")
                location = clean.path + (f"?{clean.query}" if clean.query else "")
                cookie_header = (
                    f"{s.cookie_name}={s.session}; HttpOnly; SameSite=Strict; Path=/"
                ).encode()
                return 303, "", [(b"location", location.encode()), (b"set-cookie", cookie_header)]
            return 403, NEEDS_TOKEN, []
        if method not in SAFE_METHODS:
            origin = _header(scope, b"origin")
            if origin != f"http://{host}":
                return 403, "Refused: this request did not come from the recordpack page.", []
        return None


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
