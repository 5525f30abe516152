"""What every response promises a school: nothing loaded from elsewhere, no framing, no
referrer leaving the laptop, and limits on anyone hammering the server."""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import Flask, Response, current_app

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


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    app.extensions["workshop.limits"] = {
        # A device may change its answer, but not hammer the laptop: a class answering at
        # once stays far below this, and each device is counted on its own.
        "answers": RateLimit(limit=20, seconds=10),
        # Guessing a 32-character key is hopeless anyway; this makes trying pointless too.
        "presenter sign-in": RateLimit(limit=10, seconds=60),
    }


def allowed(limit: str, key: str) -> bool:
    return current_app.extensions["workshop.limits"][limit].allow(key)


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
