"""A pupil's device answers the before-and-after check: a point on a scale per statement, no text.

The device is the same anonymous id as for the lesson's questions; its check answers are kept
like any answer and deleted with the session.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from . import before_after, classroom, store
from .errors import fail
from .public import check_language
from .pupil import open_session, participant_of
from .security import allowed

bp = Blueprint("pupil_check", __name__)
bp.url_value_preprocessor(check_language)


def answers_from_request() -> tuple[str, list[str]]:
    """The check's key and the picked "statement:point" values, from JSON or from the form
    (where each statement is its own group of radio buttons)."""
    if request.is_json:
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        question, values = body.get("question"), body.get("choices")
    else:
        question = request.form.get("question")
        values = [value for name, value in request.form.items(multi=True) if name != "question"]
    readable = isinstance(values, list) and all(isinstance(value, str) for value in values)
    if not isinstance(question, str) or not readable:
        fail(400, _("This answer could not be read."))
    return question, values


@bp.post("/<lang>/live/<code>/check")
def answer(lang, code):
    session = open_session(code)
    participant = participant_of(session)
    if not allowed("answers", participant):
        fail(429, _("Too many at once. Wait a moment and try again."))
    question, values = answers_from_request()
    step = classroom.current_step(session)
    if session.phase != "open" or not step.check or question != step.key:
        fail(409, _("This question is not open for answers now."))
    try:
        points = before_after.answered_points(step.check, values)
    except ValueError as error:
        fail(400, str(error))
    choices = store.check_choice_ids(points)
    if not store.record_answer(store.db(), session.code, participant, question, choices):
        fail(409, _("This question is not open for answers now."))
    if request.is_json:
        return {"saved": True, "choices": choices}
    return redirect(url_for("pupil.follow", lang=lang, code=session.code))
