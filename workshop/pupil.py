"""A pupil's device in a live session: join by code, follow, answer, rate the before-and-after
check's sentences, ask anonymously.

The device is known only by a random id in a cookie, per session, and its language. Its
answers to the check are points on a scale, never text, kept like any answer and deleted with
the session.
"""

from __future__ import annotations

import functools

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from . import live
from .errors import fail
from .i18n import best_language, current_language
from .render import event_stream, polled_json
from .security import allowed, check_address

bp = Blueprint("pupil", __name__)

# A device's id lasts a day: long enough for a lesson and its reloads, too short to follow a
# pupil from one lesson to the next.
COOKIE_DAYS = 1


def cookie_name(code: str) -> str:
    """One cookie per session: a device in two sessions is two unrelated anonymous devices."""
    return f"pupil_{code}"


@bp.route("/j/<code>")
def short_join(code):
    """Where the QR code points: short to scan, then into the pupil's own language."""
    return redirect(url_for("pupil.follow", lang=best_language(), code=live.normalise(code)))


@bp.route("/join")
def join_start():
    """The address printed and spoken in class: short, then into the device's language."""
    return redirect(url_for("pupil.join", lang=best_language()))


@bp.route("/<lang>/join/")
def join(lang):
    """The form to type the code from the projector; a code sends the device to its session."""
    code = request.args.get("code", "")
    if code:
        session = live.session_to_join(code)
        return redirect(url_for("pupil.follow", lang=lang, code=session.code))
    return render_template("pupil/join.html")


@bp.route("/<lang>/live/<code>/")
def follow(lang, code):
    """What a pupil's device shows now: the question to answer, its result, or the projector."""
    session = live.session_for_pupils(code)
    if session.ended:
        return render_template("pupil/ended.html", session=session, school=live.school_of(session))
    participant = live.join(session, request.cookies.get(cookie_name(code)), lang)
    response = make_response(
        render_template(
            "pupil/follow.html",
            **step_view(session, my_answer(session, participant)),
            asked=request.args.get("asked") == "1",
            question_length=live.QUESTION_LENGTH,
        )
    )
    # httponly: no script, ours or injected, ever reads the id.
    response.set_cookie(
        cookie_name(code), participant, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax"
    )
    return response


@bp.route("/<lang>/live/<code>/help/")
def help(lang, code):
    """Where to get help, on a pupil's phone: every service, then the school's own contact."""
    session = live.session_for_pupils(code)
    return render_template("public/help.html", session=session, school=live.school_of(session))


@bp.route("/<lang>/live/<code>/step")
def step(lang, code):
    """The changing part of a pupil's page alone, for a page that polls: its script puts it in
    place when the presenter moves on, so the page never reloads."""
    session = live.session_for_pupils(code)
    return step_part(session, "" if session.ended else participant_of(session))


@bp.route("/<lang>/live/<code>/events")
def events(lang, code):
    """The session as it moves on, on one response that stays open (server-sent events): each
    new step arrives with its HTML as soon as the presenter moves on, with no request of the
    device's own. A device names the version it shows (`?after=`, or the browser's
    Last-Event-ID when it reconnects); an "alive" event comes when nothing changed for a
    while. Where the server keeps as many streams open as it may, the one event says "poll":
    the page follows by polling instead."""
    session = live.session_for_pupils(code)
    participant = participant_of(session)
    shown = request.headers.get("Last-Event-ID", type=int) or request.args.get("after", type=int)
    # waitress says when the phone has hung up (it reads the connection while the stream runs),
    # so a phone that left gives its place back within a second.
    gone = request.environ.get("waitress.client_disconnected")
    changes = live.pupil_events(session.code, participant, shown, gone)
    return event_stream(live.stream_place, changes, lambda changed: step_part(changed, participant))


def my_answer(session: live.LiveSession, participant: str) -> list[str]:
    return live.my_answer(session, participant, live.current_step(session))


def step_part(session: live.LiveSession, participant: str) -> str:
    """The changing part of this device's page: the current step, or the goodbye once ended."""
    if session.ended:
        return render_template("pupil/_ended.html", session=session, school=live.school_of(session))
    return current_app.extensions[STEP_PARTS](
        session, tuple(my_answer(session, participant)), current_language()
    )


# A step looks the same on every device that sent the same answer (or none), and a class's
# phones all ask for it in the same second: each is rendered once per step, language and answer.
STEP_PARTS = "workshop.pupil_step_parts"


@bp.record_once
def _remember_step_parts(state) -> None:
    state.app.extensions[STEP_PARTS] = functools.lru_cache(maxsize=512)(_render_step_part)


def _render_step_part(session: live.LiveSession, answer: tuple[str, ...], lang: str) -> str:
    # `lang` is only a key: the template takes the page's language from the request.
    return render_template("pupil/_step.html", **step_view(session, list(answer)))


def step_view(session: live.LiveSession, answer: list[str]) -> dict:
    """What a pupil's page shows of the current step, with this device's own answer."""
    step = live.current_step(session)
    return {
        "session": session,
        "step": step,
        "my_answer": answer,
        "verdict": step.verdict(answer),
        "branch_ahead": live.branch_ahead(session) if session.phase == live.Phase.REVEALED else None,
    }


@bp.route("/live/<code>/state.json")
def state(code):
    """What devices poll to learn that the presenter moved on; `?after=<version>` (the version
    the device shows) holds the request until the session has another."""
    device = request.cookies.get(cookie_name(code), "")
    return polled_json(live.pupil_state(code, device, request.args.get("after", type=int)))


def participant_of(session: live.LiveSession) -> str:
    """The id in this device's cookie, if it joined the session; a plain 400 if not."""
    return live.joined_device(session, request.cookies.get(cookie_name(session.code), ""))


def answer_from_request() -> tuple[str, list[str]]:
    """The question id and the chosen choice ids, from a form or a JSON body."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            fail(400, _("This answer could not be read."))
        question, choices = body.get("question"), body.get("choices")
    else:
        # Every field but the question is a choice: a question's choices share the name
        # "choice", while the check's form gives each sentence a radio group of its own.
        question = request.form.get("question")
        choices = [value for name, value in request.form.items(multi=True) if name != "question"]
    if (
        not isinstance(question, str)
        or not isinstance(choices, list)
        or not all(isinstance(c, str) for c in choices)
    ):
        fail(400, _("This answer could not be read."))
    return question, choices


@bp.post("/<lang>/live/<code>/answer")
def answer(lang, code):
    """An answer, or answers to the before-and-after check, sent by the page's script (JSON) or
    by the plain form (no JavaScript)."""
    session = live.session_to_join(code)
    participant = participant_of(session)
    check_address("answers")
    if not allowed("answers", participant):
        fail(429, _("Too many at once. Wait a moment and try again."))
    question, choices = answer_from_request()
    stored = live.accept_answer(session, participant, question, choices)
    if request.is_json:
        return {"saved": True, "choices": stored}
    return redirect(url_for("pupil.follow", lang=lang, code=session.code))


@bp.post("/<lang>/live/<code>/ask")
def ask(lang, code):
    """An anonymous question for the presenter; it never shows who asked."""
    session = live.session_to_join(code)
    live.ask_question(session, participant_of(session), request.form.get("text") or "")
    if request.accept_mimetypes.best == "application/json":
        return {"sent": True}
    return redirect(url_for("pupil.follow", lang=lang, code=session.code, asked=1))
