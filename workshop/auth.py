"""Who is the presenter: whoever opened the key URL that `workshop serve` printed.

The key sets a signed cookie (Flask's session, signed with a secret kept in the data folder,
so a restart mid-lesson keeps the presenter signed in). The sign-in lasts a school day from
the moment the key was opened and is not renewed by use, so a laptop left signed in does not
stay signed in for ever. Pupils' pages never carry the key. Every state-changing presenter
request carries a CSRF token from the same cookie, sent as a form field: the console's buttons
are plain forms, so they work without JavaScript. Presenter pages are never cached.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from functools import wraps
from pathlib import Path

from flask import Flask, abort, current_app, make_response, request, session

from .errors import StartupError
from .security import address, allowed
from .settings import data_folder

SECRET_FILE = "secret_key"


def init_app(app: Flask) -> None:
    """The signing secret, the presenter cookie's settings, and a presenter key if none is set."""
    # The offline copy signs nothing: a key of its own, in memory, and no data folder.
    frozen = app.config["FREEZING"]
    app.secret_key = secrets.token_hex(32) if frozen else _secret_key(data_folder(app) / SECRET_FILE)
    app.config["SESSION_COOKIE_NAME"] = "workshop_presenter"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["PRESENTER_SIGN_IN_HOURS"])
    # Flask would re-send the cookie with a new expiry on every request: a sign-in would never end.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    if not app.config["PRESENTER_KEY"]:
        app.config["PRESENTER_KEY"] = secrets.token_urlsafe(24)


def _secret_key(path: Path) -> str:
    """Made on first run (or if the file was left empty) and kept, readable by this user only."""
    try:
        key = path.read_text(encoding="ascii").strip() if path.exists() else ""
        if not key:
            key = secrets.token_hex(32)
            # Created readable by this user only, not made first and restricted after.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(key)
            path.chmod(0o600)
    except (OSError, UnicodeDecodeError) as error:
        raise StartupError(
            f"The workshop cannot keep its secret key in {path.parent} "
            f"({getattr(error, 'strerror', None) or error}): check that this folder can be written "
            "and that the disk is not full."
        ) from error
    return key


def sign_in(key: str) -> None:
    """Sign this browser in with the key. A wrong key is refused with a 403, or a 429 once this
    network address has tried too many; the right key always signs in, so a pupil trying keys
    cannot lock the presenter out."""
    if not secrets.compare_digest(key.encode(), current_app.config["PRESENTER_KEY"].encode()):
        abort(403 if allowed("address wrong keys", address()) else 429)
    session.clear()
    session["presenter"] = True
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def sign_out() -> None:
    """Forget the presenter in this browser: its cookie no longer signs anything in."""
    session.clear()


def is_presenter() -> bool:
    """Whether this request comes from the browser that signed in with the key."""
    return bool(session.get("presenter"))


def csrf_token() -> str:
    """The token every presenter form sends back; empty for anyone else."""
    return session.get("csrf", "")


def presenter_required(view):
    """403 for anyone without the presenter cookie; a bad CSRF token is refused the same way.
    What a presenter sees (the console, pupils' questions, exports) is never stored by a cache."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_presenter():
            abort(403)
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not secrets.compare_digest(sent.encode(), csrf_token().encode()):
                abort(403)
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return guarded
