"""Who is the presenter: whoever opened the key URL that `workshop serve` printed.

The key sets a signed cookie (Flask's session, signed with a secret kept in the data folder,
so a restart mid-lesson keeps the presenter signed in). Pupils' pages never carry the key.
Every state-changing presenter request carries a CSRF token from the same cookie, sent as a
form field: the console's buttons are plain forms, so they work without JavaScript.
"""

from __future__ import annotations

import secrets
from functools import wraps
from pathlib import Path

from flask import Flask, abort, request, session

from .settings import data_folder

SECRET_FILE = "secret_key"


def init_app(app: Flask) -> None:
    """The signing secret, the presenter cookie's settings, and a presenter key if none is set."""
    app.secret_key = _secret_key(data_folder(app) / SECRET_FILE)
    app.config.setdefault("SESSION_COOKIE_NAME", "workshop_presenter")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if not app.config["PRESENTER_KEY"]:
        app.config["PRESENTER_KEY"] = secrets.token_urlsafe(24)


def _secret_key(path: Path) -> str:
    """Made on first run and kept, readable by this user only."""
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def sign_in(key: str, expected: str) -> bool:
    if not secrets.compare_digest(key.encode(), expected.encode()):
        return False
    session.clear()
    session["presenter"] = True
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True
    return True


def is_presenter() -> bool:
    """Whether this request comes from the browser that signed in with the key."""
    return bool(session.get("presenter"))


def csrf_token() -> str:
    """The token every presenter form sends back; empty for anyone else."""
    return session.get("csrf", "")


def presenter_required(view):
    """403 for anyone without the presenter cookie; a bad CSRF token is refused the same way."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_presenter():
            abort(403)
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not secrets.compare_digest(sent.encode(), csrf_token().encode()):
                abort(403)
        return view(*args, **kwargs)

    return guarded
