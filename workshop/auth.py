"""Who is the presenter: whoever opened the key URL that `workshop serve` printed.

The key sets a signed cookie (Flask's session, signed with a secret kept in the data folder,
so a restart mid-lesson keeps the presenter signed in). The sign-in lasts a school day from
the moment the key was opened and is not renewed by use, so a laptop left signed in does not
stay signed in for ever. Pupils' pages never carry the key. Every state-changing presenter
request carries a CSRF token from the same cookie, sent as a form field: the console's buttons
are plain forms, so they work without JavaScript. Presenter pages are never cached.

Signing out ends every sign-in made so far on the server too, not only in this browser: the data
folder keeps a sign-in generation that each cookie names, and signing out moves it on. A copied
cookie stops working, and so does the key URL left in a browser's history: the key changes
with the generation, and the terminal prints the new sign-in address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from contextlib import suppress
from datetime import timedelta
from functools import wraps
from pathlib import Path

import click
from flask import Flask, abort, current_app, make_response, request, session

from . import kit
from .errors import StartupError
from .security import address, allowed
from .settings import data_folder

SECRET_FILE = "secret_key"
GENERATION_FILE = "sign_in_generation"


def init_app(app: Flask) -> None:
    """The signing secret, the presenter cookie's settings, and a presenter key if none is set."""
    if app.config["FREEZING"]:  # the offline copy signs nothing: a key of its own, in memory
        app.secret_key = secrets.token_hex(32)
    elif app.config["READ_ONLY"]:  # nothing is written: a sign-in lasts as long as this process
        saved = Path(app.config["DATA_DIR"] or app.instance_path) / SECRET_FILE
        app.secret_key = _read_key(saved) or secrets.token_hex(32)
    else:
        app.secret_key = _secret_key(data_folder(app) / SECRET_FILE)
    app.config["SESSION_COOKIE_NAME"] = "workshop_presenter"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["PRESENTER_SIGN_IN_HOURS"])
    # Flask would re-send the cookie with a new expiry on every request: a sign-in would never end.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    if not app.config["PRESENTER_KEY"]:
        app.config["PRESENTER_KEY"] = secrets.token_urlsafe(24)


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


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
    generation = sign_in_generation(current_app)
    if not secrets.compare_digest(key.encode(), presenter_key(current_app, generation).encode()):
        abort(403 if allowed("address wrong keys", address()) else 429)
    session.clear()
    session["presenter"] = True
    session["generation"] = generation
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def sign_out() -> None:
    """Sign the presenter out, on the server too: no cookie made so far signs anything in (a
    copy of this one included), nor does the key used so far; the terminal names the new one."""
    session.clear()
    app = current_app._get_current_object()
    try:
        generation = _move_generation_on(app)
    except OSError as error:
        click.echo(f"Could not end the sign-in on the server ({error.strerror or error}).", err=True)
        return
    key = presenter_key(app, generation)
    with suppress(OSError):  # only a second start reads it, and it then says the port is taken
        kit.note_new_key(data_folder(app), key)
    click.echo(
        "Signed out: the earlier sign-in address no longer works. Sign in again at "
        f"{request.host_url}presenter/?key={key}"
    )


def is_presenter() -> bool:
    """Whether this request comes from a browser signed in with the key since the last sign-out."""
    return bool(session.get("presenter")) and session.get("generation", 0) == sign_in_generation(current_app)


def presenter_key(app: Flask, generation: int | None = None) -> str:
    """The key that signs in now: PRESENTER_KEY until the first sign-out, then one made from it
    for each sign-in generation (so a key seen before a sign-out never signs in again)."""
    generation = sign_in_generation(app) if generation is None else generation
    key = app.config["PRESENTER_KEY"]
    if not generation:
        return key
    digest = hmac.new(key.encode(), f"sign-in generation {generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def sign_in_generation(app: Flask) -> int:
    """How many times the presenter signed out, kept in the data folder so that a restart or
    another server process agrees; 0 while the file is missing. A file that cannot be read
    trusts no sign-in made before (-1)."""
    try:
        text = (data_folder(app) / GENERATION_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError):
        return -1
    return int(text) if text.isdigit() and len(text) < 19 else -1


def _move_generation_on(app: Flask) -> int:
    path = data_folder(app) / GENERATION_FILE
    generation = max(sign_in_generation(app), 0) + 1
    written = path.with_name(f"{GENERATION_FILE}.new")
    descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(str(generation))
    os.replace(written, path)
    return generation


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
