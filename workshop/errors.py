"""Errors as a pupil or presenter should see them: a plain sentence in their language,
as JSON for the JSON endpoints, never a stack trace."""

from __future__ import annotations

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


def _unexpected(error: Exception):
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
