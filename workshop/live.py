"""Every rule of a live session: what the presenter's buttons do, which pupils' answers and
questions are accepted, and the results with their CSV and JSON shapes.

A pupil's answer goes from the pupil's view to `accept_answer` here and on to the store; the
presenter's chart comes back through `live_result`. Views parse requests and render; they decide
nothing. Only aggregates leave the results: never a row per device, so nothing can point at a pupil.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from flask import abort, current_app
from flask_babel import gettext as _

from . import store
from .content import Content
from .errors import fail
from .lesson import Lesson, LessonStep, majority
from .store import LiveSession

MIN_POLL_SECONDS, POLLS_PER_SECOND = 2.0, 200
QUESTION_LENGTH = 280
QUESTIONS_PER_WINDOW, QUESTION_WINDOW_SECONDS = 3, 120


def content() -> Content:
    return current_app.extensions["workshop.content"]


def lesson(session: LiveSession) -> Lesson:
    return Lesson(content(), content().modules_by_id[session.module_id], session.band)


def current_step(session: LiveSession) -> LessonStep:
    return lesson(session).step_at(session.position)


# Finding a session, and the devices in it


def get_session(code: str) -> LiveSession | None:
    return store.get_session(store.db(), code)


def recent_sessions() -> list[LiveSession]:
    return store.recent_sessions(store.db())


def session_for_pupils(code: str) -> LiveSession:
    """The session with this code, or a plain 404 that sends a pupil back to the projector."""
    session = get_session(code)
    if session is None:
        fail(404, _("There is no session with this code. Check the code on the projector."))
    return session


def session_to_join(code: str) -> LiveSession:
    """The running session a typed or scanned code names; spaces and case do not matter."""
    session = session_for_pupils(normalise(code))
    if session.ended:
        fail(410, _("This session has ended. Thank you for taking part!"))
    return session


def normalise(code: str) -> str:
    return "".join(code.split()).upper()


def join(session: LiveSession, device_id: str | None, lang: str) -> str:
    """The device's anonymous id in this session: the one it has, or a new random one."""
    return store.join(store.db(), session.code, device_id, lang)


def joined_device(session: LiveSession, device_id: str) -> str:
    """The id of a device that joined this session; a plain 400 for one that has not."""
    if not device_id or not store.is_participant(store.db(), session.code, device_id):
        fail(400, _("Your device has not joined this session yet. Open the session page again."))
    return device_id


def participant_count(session: LiveSession) -> int:
    return store.participant_count(store.db(), session.code)


# What the presenter's buttons do


def start(module_id: str, band: str) -> LiveSession:
    """A new session of this module for this age band, in the lobby; 404 or 400 for unknown ones."""
    module = content().modules_by_id.get(module_id)
    if module is None:
        abort(404)
    if band not in module.age_bands:
        abort(400)
    return store.create_session(store.db(), module.id, band, Lesson(content(), module, band).first_position())


def act(session: LiveSession, action: str, choice_id: str | None, question_id: int | None) -> None:
    """Do what one of the presenter's buttons asks; an ended session only takes "end" again."""
    actions = {
        "next": lambda: go_next(session, choice_id),
        "back": lambda: go_back(session),
        "close": lambda: close(session),
        "reveal": lambda: reveal(session),
        "reopen": lambda: reopen(session),
        "reset": lambda: reset(session),
        "hide-chart": lambda: set_chart_hidden(session, True),
        "show-chart": lambda: set_chart_hidden(session, False),
        "show-question": lambda: show_pupil_question(session, question_id),
        "hide-question": lambda: show_pupil_question(session, None),
        "end": lambda: end(session),
    }
    if action not in actions or (session.ended and action != "end"):
        abort(400)
    actions[action]()


def go_next(session: LiveSession, choice_id: str | None = None) -> None:
    """The clicker's one button: close answering, then reveal, then move on."""
    step = current_step(session)
    if step.key and session.phase == "open":
        store.update_session(store.db(), session.code, phase="closed", open_key="")
    elif step.key and session.phase == "closed":
        store.update_session(store.db(), session.code, phase="revealed")
    else:
        _move(
            session,
            lesson(session).next_position(session.position, choice_id or _majority(session, step)),
            [*session.trail, session.position],
        )


def go_back(session: LiveSession) -> None:
    """Back to where the class was; a question seen before shows its results, not a new vote."""
    if session.trail:
        _move(session, session.trail[-1], session.trail[:-1], answered_before=True)


def _move(session: LiveSession, position: dict, trail: list, answered_before: bool = False) -> None:
    step = lesson(session).step_at(position)
    if step.key:
        phase = "revealed" if answered_before else "open"
    else:
        phase = step.kind if step.kind in ("lobby", "end") else "slide"
    store.update_session(
        store.db(),
        session.code,
        position=position,
        trail=trail,
        phase=phase,
        open_key=step.key if phase == "open" else "",
        chart_hidden=0,
        shown_question=None,
    )


def _majority(session: LiveSession, step: LessonStep) -> str | None:
    if not step.step or step.step.is_ending:
        return None
    _, counts = store.choice_counts(store.db(), session.code, step.key)
    return majority(counts, step.step)


def close(session: LiveSession) -> None:
    if current_step(session).key:
        store.update_session(store.db(), session.code, phase="closed", open_key="")


def reveal(session: LiveSession) -> None:
    if current_step(session).key:
        store.update_session(store.db(), session.code, phase="revealed", open_key="")


def reopen(session: LiveSession) -> None:
    step = current_step(session)
    if step.key:
        store.update_session(store.db(), session.code, phase="open", open_key=step.key)


def reset(session: LiveSession) -> None:
    """Clear this question's answers and open it again, as if the class had not answered."""
    step = current_step(session)
    if step.key:
        store.reset_answers(store.db(), session.code, step.key)
        reopen(session)


def set_chart_hidden(session: LiveSession, hidden: bool) -> None:
    store.update_session(store.db(), session.code, chart_hidden=int(hidden))


def show_pupil_question(session: LiveSession, question_id: int | None) -> None:
    store.update_session(store.db(), session.code, shown_question=question_id)


def end(session: LiveSession) -> None:
    store.update_session(store.db(), session.code, ended_at=store.now(), phase="ended", open_key="")


# What pupils may send


def accept_answer(session: LiveSession, participant: str, question_key: str, choice_ids: list[str]) -> None:
    """Store a pupil's answer if it fits the open question; otherwise a plain 4xx that says why."""
    step = current_step(session)
    if session.phase != "open" or question_key != step.key:
        _not_open()
    known = {choice.id for choice in step.choices}
    if not choice_ids or any(c not in known for c in choice_ids) or len(set(choice_ids)) != len(choice_ids):
        fail(400, _("Pick one of the answers shown."))
    if len(choice_ids) > 1 and not step.allows_several:
        fail(400, _("Pick only one answer for this question."))
    if not store.record_answer(store.db(), session.code, participant, question_key, choice_ids):
        _not_open()


def _not_open():
    fail(409, _("This question is not open for answers now."))


def my_answer(session: LiveSession, participant: str, step: LessonStep) -> list[str]:
    """The choices this device sent for the step; none where pupils do not answer."""
    return store.answer_of(store.db(), session.code, participant, step.key) if step.key else []


def ask_question(session: LiveSession, participant: str, text: str) -> None:
    """Pass a pupil's anonymous question on to the presenter, within a length and a rate."""
    text = " ".join(text.split())
    if not text:
        fail(400, _("Write your question first."))
    if len(text) > QUESTION_LENGTH:
        fail(400, _("Your question is too long: %(limit)s characters at most.", limit=QUESTION_LENGTH))
    since = store.now() - QUESTION_WINDOW_SECONDS
    if store.recent_questions_by(store.db(), participant, since) >= QUESTIONS_PER_WINDOW:
        fail(429, _("You have sent several questions. Wait two minutes before the next one."))
    store.add_pupil_question(store.db(), session.code, participant, text)


def pupil_questions(session: LiveSession) -> list[dict]:
    return store.pupil_questions(store.db(), session.code)


def shown_question(session: LiveSession) -> str:
    """The pupil's question the presenter put on the projector, if any."""
    questions = pupil_questions(session)
    return next((q["text"] for q in questions if q["id"] == session.shown_question), "")


# What devices poll


def pupil_state(session: LiveSession) -> dict:
    """What pupils' devices poll: whether the session moved on or ended, and when to ask again."""
    poll = poll_seconds(participant_count(session))
    return {"version": session.version, "ended": session.ended, "poll": poll}


def poll_seconds(participants: int) -> float:
    """How often devices should ask: every 2 s, slower in a very large group so the laptop
    keeps answering fast (waitress walks every open connection on each turn of its loop)."""
    return max(MIN_POLL_SECONDS, round(participants / POLLS_PER_SECOND, 1))


def presenter_state(session: LiveSession) -> dict:
    """What the presenter's console polls: answer counts arrive without reloading the page."""
    step = current_step(session)
    result = live_result(session, step) if step.key else None
    return {
        "version": session.version,
        "participants": participant_count(session),
        "questions": len(pupil_questions(session)),
        "answered": result.answered if result else 0,
        "choices": {c.id: {"count": c.count, "share": c.share} for c in result.choices} if result else {},
    }


# Results


@dataclass(frozen=True)
class ChoiceResult:
    id: str
    text: str
    count: int
    share: int  # percent of the devices that answered
    correct: bool | None  # None where no answer is right: polls and story decisions


@dataclass(frozen=True)
class QuestionResult:
    key: str
    kind: str
    text: str
    answered: int
    choices: tuple[ChoiceResult, ...]


def step_result(step: LessonStep, answered: int, counts: Counter) -> QuestionResult:
    scored = bool(step.question and not step.question.is_poll)
    choices = tuple(
        ChoiceResult(
            choice.id,
            choice.text,
            counts.get(choice.id, 0),
            round(100 * counts.get(choice.id, 0) / answered) if answered else 0,
            (choice.id in step.right_choice_ids) if scored else None,
        )
        for choice in step.choices
    )
    text = step.question.text if step.question else step.step.text
    return QuestionResult(step.key, step.kind, text, answered, choices)


def live_result(session: LiveSession, step: LessonStep) -> QuestionResult:
    answered, counts = store.choice_counts(store.db(), session.code, step.key)
    return step_result(step, answered, counts)


def session_results(session: LiveSession) -> list[QuestionResult]:
    """Every question of the lesson, and every story decision the class voted on."""
    recorded = store.all_choice_counts(store.db(), session.code)
    results = []
    for step in _answerable_steps(session):
        answered, counts = recorded.get(step.key, (0, Counter()))
        if step.question or answered:
            results.append(step_result(step, answered, counts))
    return results


def _answerable_steps(session: LiveSession):
    walk = lesson(session)
    for index, item in enumerate(walk.plan):
        if item.kind == "quiz":
            for number in range(len(walk.content.quizzes[item.ref].for_band(walk.band))):
                yield walk.step_at({"item": index, "question": number})
        elif item.kind == "scenario":
            for step in walk.content.scenarios[item.ref].steps:
                if not step.is_ending:
                    yield walk.step_at({"item": index, "step": step.id})


def as_rows(results: list[QuestionResult]) -> list[dict]:
    """One row per question and choice, for CSV."""
    return [
        {
            "question_key": r.key,
            "question": r.text,
            "answered": r.answered,
            "choice_id": c.id,
            "choice": c.text,
            "count": c.count,
            "percent": c.share,
            "correct": "" if c.correct is None else str(c.correct).lower(),
        }
        for r in results
        for c in r.choices
    ]


def results_csv(session: LiveSession) -> str:
    """The session's results as CSV text, one row per question and choice."""
    rows = as_rows(session_results(session))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["question_key"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def results_document(session: LiveSession) -> dict:
    """The session's results as the JSON export holds them."""
    return {
        "session": {
            "code": session.code,
            "module": session.module_id,
            "age_band": session.band,
            "participants": participant_count(session),
        },
        "questions": [
            {
                "key": r.key,
                "text": r.text,
                "answered": r.answered,
                "choices": [
                    {
                        "id": c.id,
                        "text": c.text,
                        "count": c.count,
                        "percent": c.share,
                        "correct": c.correct,
                    }
                    for c in r.choices
                ],
            }
            for r in session_results(session)
        ],
    }
