"""Errors as a pupil or presenter should see them: a plain sentence in their language,
as JSON for the JSON endpoints, never a stack trace."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed


class PlainError(HTTPException):
    """An HTTP error carrying the sentence to show."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.code = status
        self.message = message


class StartupError(Exception):
    """The workshop cannot start; the message says why and what to do, in plain words."""


def fail(status: int, message: str):
    raise PlainError(status, message)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _default_messages() -> dict[int, str]:
    return {
        400: _("This request could not be understood."),
        403: _("This page is only for the presenter."),
        404: _("This page does not exist."),
        405: _("This page cannot be used like that."),
        413: _("That is too long to send."),
        429: _("Too many at once. Wait a moment and try again."),
    }


def _http_error(error: HTTPException):
    message = getattr(error, "message", "") or _default_messages().get(error.code or 500, "")
    body, status = _respond(error.code or 500, message or _("Something went wrong."))
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)  # a 405 must say what would work
    return body, status, headers


def cannot_save() -> str:
    """What a pupil or the presenter is told when the database cannot be written."""
    if request.blueprint == "pupil":
        return _(
            "The presenter's computer cannot save answers right now, so yours was not saved. "
            "Tell your presenter."
        )
    return _(
        "This computer cannot save to the workshop's database right now: its disk refuses to "
        "write, or the database file was moved or deleted. What was saved before is kept. "
        "The terminal says more; then stop the workshop and start it again."
    )


log = logging.getLogger("workshop")
_problems_lock = threading.Lock()
_problems_logged: dict[str, float] = {}
PROBLEM_EVERY_SECONDS = 60


def storage_problem(error: sqlite3.Error) -> None:
    """One plain line in the log per kind of database problem (at most every minute), not a
    traceback per request: a read-only disk fails every request at once."""
    kind = str(error)
    with _problems_lock:
        if time.monotonic() - _problems_logged.get(kind, -PROBLEM_EVERY_SECONDS) < PROBLEM_EVERY_SECONDS:
            return
        _problems_logged[kind] = time.monotonic()
    log.error("The database cannot be used: %s. Nothing new is saved until this is fixed.", kind)


def _unexpected(error: Exception):
    if isinstance(error, sqlite3.Error):
        storage_problem(error)
        return _respond(503, cannot_save())
    # Logged for whoever runs the server; the browser only gets a plain sentence.
    current_app.logger.exception("Unexpected error")
    return _respond(500, _("Something went wrong. Please try again."))


def _respond(status: int, message: str):
    if (
        request.is_json
        or request.path.endswith(".json")
        or request.accept_mimetypes.best == "application/json"
    ):
        return jsonify({"error": message}), status
    page = render_template("error.html", message=message, status=status, pupil=request.blueprint == "pupil")
    return page, status
