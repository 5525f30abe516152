"""What the presenter's buttons do to a live session: the rules, apart from the views."""

from __future__ import annotations

from flask import current_app

from . import store
from .content import Content
from .deck import LessonStep
from .live import Lesson, majority
from .store import LiveSession


def content() -> Content:
    return current_app.extensions["workshop.content"]


def lesson(session: LiveSession) -> Lesson:
    return Lesson(content(), content().modules_by_id[session.module_id], session.band, session.with_check)


def current_step(session: LiveSession) -> LessonStep:
    return lesson(session).step_at(session.position)


def start(module_id: str, band: str, with_check: bool = False) -> LiveSession:
    """A new session; the before-and-after check is part of it if asked for and the module has one."""
    module = content().modules_by_id[module_id]
    with_check = with_check and module.id in content().before_after
    position = Lesson(content(), module, band).first_position()
    return store.create_session(store.db(), module.id, band, position, with_check)


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
