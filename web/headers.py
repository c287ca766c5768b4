"""Security headers on every response, and the Content-Security-Policy of an HTML page.

Every response (refusals included) gets `X-Content-Type-Options: nosniff`, `Referrer-Policy:
no-referrer`, `X-Frame-Options: DENY`, a CSP that allows nothing (`API_CSP`: JSON and files
need none) unless the response brings its own (GraphiQL's, `html_csp`), `Cache-Control:
no-store` unless the response sets its own (GraphQL answers and the registry exports carry
personal data: no shared or browser cache keeps them), and in production
`Strict-Transport-Security` (the service is reached over HTTPS only).
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_CSP", "HSTS", "SecurityHeaders", "html_csp"]

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"

_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_DEFAULTS = ((b"content-security-policy", API_CSP.encode()), (b"cache-control", b"no-store"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.always = _ALWAYS + (((b"strict-transport-security", HSTS.encode()),) if production else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.always if h[0] not in present)
                headers.extend(h for h in _DEFAULTS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Resources(HTMLParser):
    """What a page loads: external scripts and stylesheets, inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"] or "")
            else:
                self._in_inline_script = True
                self.inline_scripts.append("")
        elif tag == "link" and (a.get("rel") or "").lower() == "stylesheet" and a.get("href"):
            self.stylesheets.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def html_csp(html: str) -> str:
    """The CSP of a page that allows exactly what it loads: its external scripts by full URL,
    its inline scripts by hash (no 'unsafe-inline' for scripts), its stylesheets by URL and the
    fonts next to them, images from data: URLs, requests to the same origin only (the API and
    its websocket). Styles may be inline: GraphiQL's components inject style elements at run
    time, and a style cannot run code."""
    page = _Resources()
    page.feed(html)
    page.close()
    font_dirs = sorted({s.rsplit("/", 1)[0] + "/" for s in page.stylesheets if urlsplit(s).scheme})
    script_src = " ".join(["'self'", *page.scripts, *(_sha256(s) for s in page.inline_scripts)])
    style_src = " ".join(["'self'", "'unsafe-inline'", *page.stylesheets])
    return "; ".join([
        "default-src 'none'",
        f"script-src {script_src}",
        f"style-src {style_src}",
        f"font-src 'self' data: {' '.join(font_dirs)}".rstrip(),
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    ])
