"""What every response promises a school: nothing loaded from elsewhere, no framing, no
referrer leaving the laptop, and limits on anyone hammering the server.

Limits count per device (its cookie) and per network address: a script can drop its cookie
and pose as thousands of devices, but not as thousands of addresses on a classroom network.
No address is exempt, the laptop's own included. Behind a reverse proxy named in
TRUSTED_PROXIES, the address is the one the proxy names (Werkzeug's ProxyFix), and only then.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import fail

# The app itself only: no inline script, no CDN, no fonts from the web. Inline SVG (the QR
# code, chart bars) needs no exception: it carries attributes, not style or script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
MINUTE = 60
DOWNLOAD_CHECKS_PER_MINUTE = 120
# The presenter's pages that open over the presenter view, in a frame of the app's own (never
# of another site): everything else refuses to be framed at all.
FRAMED_BY_THE_APP = {
    "presenter.pupil_questions",
    "presenter.devices",
    "presenter.summary",
    "presenter.confirm",
}


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    app.after_request(_add_headers)
    app.json = BoundedJSON(app)
    config = app.config
    app.extensions["workshop.limits"] = {
        # A device may change its answer, but not hammer the laptop: a class answering at
        # once stays far below this, and each device is counted on its own.
        "answers": RateLimit(limit=20, seconds=10),
        # Enough for a pupil with a real question; too few to flood the presenter's list.
        "questions": RateLimit(limit=3, seconds=120),
        "address answers": RateLimit(config["ADDRESS_ANSWERS_PER_MINUTE"], MINUTE),
        "address questions": RateLimit(config["ADDRESS_QUESTIONS_PER_MINUTE"], MINUTE),
        "address wrong keys": RateLimit(config["ADDRESS_WRONG_KEYS_PER_MINUTE"], MINUTE),
        # The download page and the status it polls every 2 s while a copy is built: four tabs'
        # worth from one address, not a flood.
        "address download checks": RateLimit(DOWNLOAD_CHECKS_PER_MINUTE, MINUTE),
    }


def allowed(limit: str, key: str) -> bool:
    return current_app.extensions["workshop.limits"][limit].allow(key)


def address() -> str:
    """The network address of this request's device: the socket's, or the one a trusted proxy
    names (see TrustedProxies)."""
    return request.remote_addr or ""


def address_key(code: str) -> str:
    """A key for this request's network address within one session, to count its devices: a
    keyed hash, so the database never holds an address, and the same address gives unrelated
    keys in two sessions."""
    key = current_app.secret_key
    key = key if isinstance(key, bytes) else str(key).encode()
    return hmac.new(key, f"{code} {address()}".encode(), hashlib.sha256).hexdigest()[:16]


class TrustedProxies:
    """ProxyFix for the requests of the proxies named, and for no others: a device that sends
    its own X-Forwarded-For straight to the server is counted by its socket's address."""

    def __init__(self, wsgi_app, proxies: list[str]):
        self.direct, self.proxied, self.proxies = wsgi_app, ProxyFix(wsgi_app, x_for=1), set(proxies)

    def __call__(self, environ, start_response):
        via_proxy = environ.get("REMOTE_ADDR") in self.proxies
        return (self.proxied if via_proxy else self.direct)(environ, start_response)


def check_address(limit: str) -> None:
    """A 429 with a plain sentence once this network address has done this too often."""
    if not allowed(f"address {limit}", address()):
        fail(429, _("Too many at once. Wait a moment and try again."))


def _add_headers(response: Response) -> Response:
    headers = HEADERS
    if request.endpoint in FRAMED_BY_THE_APP:
        headers = {
            **HEADERS,
            "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace(
                "frame-ancestors 'none'", "frame-ancestors 'self'"
            ),
            "X-Frame-Options": "SAMEORIGIN",
        }
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to parse is malformed (400), not a
    crash (500): Python's parser recurses once per level and gives up after about a thousand."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


class RateLimit:
    """At most `limit` events per `seconds` for each key, counted in this process's memory
    (limits need not survive a restart; answers do, and they live in the store)."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] > self.seconds:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle keys so memory stays flat
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] <= self.seconds}
            return True
