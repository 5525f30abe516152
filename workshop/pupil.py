"""A pupil's device in a live session: join by code, follow, answer, ask anonymously.

The device is known only by a random id in a cookie, per session, and its language.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import classroom, store
from .errors import fail
from .i18n import best_language
from .public import check_language
from .security import allowed, check_address, new_device
from .state import conditional_json

bp = Blueprint("pupil", __name__)
bp.url_value_preprocessor(check_language)

COOKIE_DAYS = 1
MIN_POLL_SECONDS, POLLS_PER_SECOND = 2.0, 200
QUESTION_LENGTH = 280


def cookie_name(code: str) -> str:
    return f"pupil_{code}"


def normalise(code: str) -> str:
    return "".join(code.split()).upper()


def open_session(code: str) -> store.LiveSession:
    session = store.get_session(store.db(), normalise(code)) if code else None
    if session is None:
        fail(404, _("There is no session with this code. Check the code on the projector."))
    if session.ended:
        fail(410, _("This session has ended. Thank you for taking part!"))
    return session


@bp.route("/j/<code>")
def short_join(code):
    """Where the QR code points: short to scan, then into the pupil's own language."""
    return redirect(url_for("pupil.follow", lang=best_language(), code=normalise(code)))


@bp.route("/join")
def join_start():
    return redirect(url_for("pupil.join", lang=best_language()))


@bp.route("/<lang>/join/")
def join(lang):
    code = request.args.get("code", "")
    if code:
        session = open_session(code)
        return redirect(url_for("pupil.follow", lang=lang, code=session.code))
    return render_template("pupil/join.html")


@bp.route("/<lang>/live/<code>/")
def follow(lang, code):
    session = store.get_session(store.db(), code)
    if session is None:
        fail(404, _("There is no session with this code. Check the code on the projector."))
    if session.ended:
        return render_template("pupil/ended.html", session=session)
    known = request.cookies.get(cookie_name(code))
    participant = store.rejoin(store.db(), code, known, lang) or new_device(code, lang)
    step = classroom.current_step(session)
    response = make_response(
        render_template(
            "pupil/follow.html",
            session=session,
            step=step,
            my_answer=store.answer_of(store.db(), code, participant, step.key) if step.key else [],
            asked=request.args.get("asked") == "1",
        )
    )
    response.set_cookie(
        cookie_name(code), participant, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax"
    )
    return response


@bp.route("/live/<code>/state.json")
def state(code):
    session = store.get_session(store.db(), code)
    if session is None:
        fail(404, _("There is no session with this code. Check the code on the projector."))
    store.seen(store.db(), code, request.cookies.get(cookie_name(code), ""))
    participants = store.present_count(store.db(), code)
    return conditional_json(
        {"version": session.version, "ended": session.ended, "poll": poll_seconds(participants)}
    )


def poll_seconds(participants: int) -> float:
    """How often devices should ask: every 2 s, slower in a very large group so the laptop
    keeps answering fast (waitress walks every open connection on each turn of its loop)."""
    return max(MIN_POLL_SECONDS, round(participants / POLLS_PER_SECOND, 1))


def participant_of(session: store.LiveSession) -> str:
    participant = request.cookies.get(cookie_name(session.code), "")
    if not participant or not store.is_participant(store.db(), session.code, participant):
        fail(400, _("Your device has not joined this session yet. Open the session page again."))
    return participant


def answer_from_request() -> tuple[str, list[str]]:
    """The question id and the chosen choice ids, from a form or a JSON body."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            fail(400, _("This answer could not be read."))
        question, choices = body.get("question"), body.get("choices")
    else:
        question, choices = request.form.get("question"), request.form.getlist("choice")
    if (
        not isinstance(question, str)
        or not isinstance(choices, list)
        or not all(isinstance(c, str) for c in choices)
    ):
        fail(400, _("This answer could not be read."))
    return question, choices


@bp.post("/<lang>/live/<code>/answer")
def answer(lang, code):
    session = open_session(code)
    participant = participant_of(session)
    check_address("answers")
    if not allowed("answers", participant):
        fail(429, _("Too many at once. Wait a moment and try again."))
    question, choices = answer_from_request()
    step = classroom.current_step(session)
    if session.phase != "open" or question != step.key:
        fail(409, _("This question is not open for answers now."))
    known = {choice.id for choice in step.choices}
    if not choices or any(choice not in known for choice in choices) or len(set(choices)) != len(choices):
        fail(400, _("Pick one of the answers shown."))
    if len(choices) > 1 and not step.allows_several:
        fail(400, _("Pick only one answer for this question."))
    if not store.record_answer(store.db(), session.code, participant, question, choices):
        fail(409, _("This question is not open for answers now."))
    if request.is_json:
        return {"saved": True, "choices": choices}
    return redirect(url_for("pupil.follow", lang=lang, code=session.code))


@bp.post("/<lang>/live/<code>/ask")
def ask(lang, code):
    session = open_session(code)
    participant = participant_of(session)
    text = " ".join((request.form.get("text") or "").split())
    if not text:
        fail(400, _("Write your question first."))
    if len(text) > QUESTION_LENGTH:
        fail(400, _("Your question is too long: %(limit)s characters at most.", limit=QUESTION_LENGTH))
    check_address("questions")
    if not allowed("questions", participant):
        fail(429, _("You have sent several questions. Wait two minutes before the next one."))
    store.add_pupil_question(store.db(), session.code, text)
    return redirect(url_for("pupil.follow", lang=lang, code=session.code, asked=1))
