"""Every rule of a live session: what the presenter's buttons do, which pupils' answers and
questions are accepted, what devices poll, and the results with their CSV and JSON shapes,
the before-and-after check's included.

A pupil's answer goes from the pupil's view to `accept_answer` here and on to the store; the
presenter's chart comes back through `live_result`. Views parse requests and render; they decide
nothing. The session's state is kept in the store (`store.Phase` names where the current step
is), so a server restarted mid-lesson resumes where it was. Only aggregates leave the results:
never a row per device, so nothing can point at a pupil.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, request
from flask_babel import gettext as _

from . import before_after, store
from .before_after import ClassShift, StatementShift, distribution
from .content import loaded_content
from .content.signals import may_be_disclosure
from .errors import fail
from .lesson import LETTERS, LOBBY, CheckStage, Lesson, LessonStep, Position, StepKind, majority
from .security import address, address_key, allowed, check_address
from .store import Device, LiveSession, Phase, SchoolContact, SessionMark

# Pupils' streams (or polls) wait until the session moves on (watch.py); devices the server has
# no place for poll every 2 s, in a very large group less often, so the laptop keeps answering fast.
MIN_POLL_SECONDS, POLLS_PER_SECOND = 2.0, 200
# The pause for the 1,000 pupils the server is sized for; devices joined beyond them (a script's)
# do not slow a real class's phones further.
MAX_POLL_SECONDS = 5.0
# The presenter's console is one device: it polls often, so an answer shows in its count at once.
CONSOLE_POLL_SECONDS = 0.5
QUESTION_LENGTH = 280
# Tidying up stays possible once the session has ended; nothing else changes it then.
AFTER_END = {
    *("end", "remove-device", "remove-group", "hide-from-list", "show-in-list", "delete-question"),
    "help-off-stage",
}
# Buttons that cannot be taken back ask first: ending refuses every later action, a reset
# deletes answers, a removed device cannot join again; and a pupil's question goes on the
# projector only once the presenter has read it there.
ALWAYS_ASKS_FIRST = ("end", "reset", "remove-device", "remove-group", "show-question")


def lesson_of(session: LiveSession) -> Lesson:
    """The lesson a session walks: its module's plan for its age band, with the check or not."""
    content = loaded_content()
    return Lesson(content, content.modules_by_id[session.module_id], session.band, session.with_check)


def current_step(session: LiveSession) -> LessonStep:
    """The step on the projector now."""
    return lesson_of(session).step_at(session.position)


# Finding a session, and the devices in it


def get_session(code: str) -> LiveSession | None:
    """The session with exactly this code, or None."""
    return store.get_session(store.db(), code)


def recent_sessions() -> list[LiveSession]:
    """The latest sessions first, for the presenter's page."""
    return store.recent_sessions(store.db())


def session_for_pupils(code: str) -> LiveSession:
    """The session with this code, or a plain 404 that sends a pupil back to the projector."""
    session = get_session(code)
    if session is None:
        _no_such_session()
    return session


def _no_such_session():
    fail(404, _("There is no session with this code. Check the code on the projector."))


def session_to_join(code: str) -> LiveSession:
    """The running session a typed or scanned code names; spaces and case do not matter."""
    session = session_for_pupils(normalise(code))
    if session.ended:
        fail(410, _("This session has ended. Thank you for taking part!"))
    return session


def normalise(code: str) -> str:
    """A code as typed on a phone ("ab cd e") in the form it was made in ("ABCDE")."""
    return "".join(code.split()).upper()


def join(session: LiveSession, device_id: str | None, lang: str) -> str:
    """The device's anonymous id in this session: the one its cookie holds, or a new random one.
    A plain 403 for a device the presenter removed, or a new one once joining is closed or its
    network address has joined ADDRESS_DEVICES devices already."""
    try:
        known = store.rejoin(store.db(), session.code, device_id, lang)
    except store.RemovedDevice:
        fail(
            403,
            _("The presenter has taken this device out of the session. Follow the lesson on the projector."),
        )
    if known:
        return known
    if session.joining_locked:
        fail(403, _("Joining is closed for this session. Follow the lesson on the projector."))
    # A script that drops its cookie is a new device each time: counted per address for the
    # whole session, one laptop cannot pose as a class.
    added = store.add_participant(
        store.db(), session.code, lang, address_key(session.code), current_app.config["ADDRESS_DEVICES"]
    )
    if added is None:
        fail(
            403,
            _("No more devices can join from this network connection. Follow the lesson on the projector."),
        )
    return added


def joined_device(session: LiveSession, device_id: str) -> str:
    """The id of a device that joined this session; a plain 400 for one that has not."""
    if not device_id or not store.is_participant(store.db(), session.code, device_id):
        fail(400, _("Your device has not joined this session yet. Open the session page again."))
    return device_id


def participant_count(session: LiveSession) -> int:
    """How many devices took part, here now or not: the figure in the results."""
    return store.participant_count(store.db(), session.code)


def present_count(session: LiveSession) -> int:
    """How many devices are here now: the "N joined" on the projector, not every cookie ever seen."""
    return store.present_count(store.db(), session.code)


def devices(session: LiveSession) -> list[Device]:
    """The devices that joined, by number only, for the presenter to remove one that should not count."""
    return store.devices(store.db(), session.code)


def device_groups(session: LiveSession) -> list[list[Device]]:
    """The devices, those that joined from one network address together, in joining order."""
    groups: dict[int, list[Device]] = {}
    for device in devices(session):
        groups.setdefault(device.group, []).append(device)
    return list(groups.values())


# What the presenter's buttons do


def start(module_id: str, band: str, with_check: bool, school_id: int | None = None) -> LiveSession:
    """A new session of this module for this age band, in the lobby; 404 or 400 for unknown ones.

    The before-and-after check is part of it if asked for and the module has one; its help
    boxes name the school's own contact if a kept school is picked.
    """
    content = loaded_content()
    module = content.modules_by_id.get(module_id)
    if module is None:
        abort(404)
    if band not in module.age_bands:
        abort(400)
    with_check = with_check and module.id in content.before_after
    school = store.school_contact(store.db(), school_id) if school_id else None
    if school:
        store.school_used(store.db(), school.id)
    # Every session opens on the join screen, so pupils can join before the lesson begins.
    return store.create_session(store.db(), module.id, band, LOBBY, with_check, school and school.id)


def school_of(session: LiveSession) -> SchoolContact | None:
    """The school's own contact its help boxes name, or None: the national helplines only."""
    return store.school_contact(store.db(), session.school_id) if session.school_id else None


def act(
    session: LiveSession,
    action: str,
    choice_id: str | None = None,
    question_id: int | None = None,
    device_number: int | None = None,
) -> None:
    """Do what one of the presenter's buttons asks; an ended session only takes "end" again and
    the tidying of its devices and pupils' questions."""
    # The names are the last segment of the buttons' URLs, so they stay as they are.
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
        "remove-device": lambda: remove_devices(session, device_number),
        "remove-group": lambda: remove_devices(session, device_number, whole_group=True),
        "close-joining": lambda: store.lock_joining(store.db(), session.code, True),
        "open-joining": lambda: store.lock_joining(store.db(), session.code, False),
        "hide-from-list": lambda: set_pupil_question_hidden(session, question_id, True),
        "show-in-list": lambda: set_pupil_question_hidden(session, question_id, False),
        "delete-question": lambda: delete_pupil_question(session, question_id),
        "help-on-stage": lambda: _change(session, help_on_stage=1),
        "help-off-stage": lambda: _change(session, help_on_stage=0),
    }
    if action not in actions or (session.ended and action not in AFTER_END):
        abort(400)
    actions[action]()


def go_next(session: LiveSession, choice_id: str | None = None) -> None:
    """The clicker's one button: close answering, then reveal, then move on."""
    step = current_step(session)
    if step.question_key and session.phase == Phase.OPEN:
        _set_phase(session, Phase.CLOSED)
    elif step.question_key and session.phase == Phase.CLOSED:
        _set_phase(session, Phase.REVEALED)
    else:
        decision = choice_id or _majority(session, step)
        position = lesson_of(session).next_position(session.position, decision)
        _move(session, position, (*session.trail, session.position))


def go_back(session: LiveSession) -> None:
    """Back to where the class was; a question seen before shows its results, not a new vote."""
    if session.trail:
        _move(session, session.trail[-1], session.trail[:-1], seen_before=True)


def _move(session: LiveSession, position: Position, trail: tuple[Position, ...], seen_before: bool = False):
    step = lesson_of(session).step_at(position)
    phase = _phase_on_arrival(session, step, seen_before)
    # A new step starts clean: its chart shows when revealed, and no pupil's question (nor the
    # class's help message) stays projected.
    columns = {"chart_hidden": 0, "shown_question": None, "help_on_stage": 0, **_phase_columns(phase, step)}
    _change(session, position=position, trail=trail, **columns)


def _phase_on_arrival(session: LiveSession, step: LessonStep, seen_before: bool) -> Phase:
    if step.question_key:
        # The final check whose figures are kept shows them again: opening it would ask first.
        return Phase.REVEALED if seen_before or _figures_kept_for(session, step) else Phase.OPEN
    return {StepKind.LOBBY: Phase.LOBBY, StepKind.END: Phase.END}.get(step.kind, Phase.SLIDE)


def _majority(session: LiveSession, step: LessonStep) -> str | None:
    if not step.is_story_vote:
        return None
    _, counts = store.choice_counts(store.db(), session.code, step.question_key)
    return majority(counts, step.scenario_step)


def branch_ahead(session: LiveSession) -> str | None:
    """At a story decision, the branch "Next" takes: the class's vote, or the first if nobody voted."""
    step = current_step(session)
    if not step.is_story_vote:
        return None
    return _majority(session, step) or step.choices[0].id


def step_after(session: LiveSession) -> LessonStep | None:
    """What the class sees once the current step is done, for the presenter's "Next"; None at the end."""
    step = current_step(session)
    if step.kind == StepKind.END:
        return None
    lesson = lesson_of(session)
    return lesson.step_at(lesson.next_position(session.position, branch_ahead(session)))


def override_here(session: LiveSession) -> tuple[str, str] | None:
    """Right after the presenter went on with another branch than the one most of the class
    voted for: the letters (voted, taken), so the stage says so; None otherwise."""
    if not session.trail or session.position.item != session.trail[-1].item:
        return None
    step = lesson_of(session).step_at(session.trail[-1])
    if not step.is_story_vote:
        return None
    taken = next((c.id for c in step.choices if c.next == session.position.step), None)
    voted = _majority(session, step)
    if taken is None or voted is None or taken == voted:
        return None
    return step.letters([voted]), step.letters([taken])


def branches_taken(session: LiveSession) -> dict[str, str]:
    """At each story decision the class passed, the choice the story went on with, by question_key.

    The trail is the path the class walked (a "Back" takes a step off it), so the branch that
    followed a decision is the one whose next step comes after it on the trail.
    """
    lesson = lesson_of(session)
    path = (*session.trail, session.position)
    taken = {}
    for here, then in zip(path, path[1:], strict=False):
        step = lesson.step_at(here)
        if step.is_story_vote and then.item == here.item:
            choice = next((c for c in step.choices if c.next == then.step), None)
            if choice:
                taken[step.question_key] = choice.id
    return taken


def close(session: LiveSession) -> None:
    """Stop taking answers to the current question; the results stay hidden."""
    if current_step(session).question_key:
        _set_phase(session, Phase.CLOSED)


def reveal(session: LiveSession) -> None:
    """Show the current question's results (answering closes, if it was still open)."""
    if current_step(session).question_key:
        _set_phase(session, Phase.REVEALED)


def reopen(session: LiveSession) -> None:
    """Take answers to the current question again; answers already given stay and can change.
    The final check's kept figures are discarded for good (the presenter was asked first)."""
    step = current_step(session)
    if step.question_key:
        if _figures_kept_for(session, step):
            store.discard_figures(store.db(), session.code)
        _set_phase(session, Phase.OPEN, step)


def reset(session: LiveSession) -> None:
    """Clear this question's answers and open it again, as if the class had not answered."""
    step = current_step(session)
    if step.question_key:
        store.reset_answers(store.db(), session.code, step.question_key)
        reopen(session)


def _figures_kept_for(session: LiveSession, step: LessonStep) -> bool:
    return bool(step.check and step.check.is_after and session.kept_figures)


def asks_first(session: LiveSession) -> tuple[str, ...]:
    """The buttons that lead to a page asking "Are you sure?" first: reopening the final check
    too, once its figures are kept, since that discards them."""
    if _figures_kept_for(session, current_step(session)):
        return (*ALWAYS_ASKS_FIRST, "reopen")
    return ALWAYS_ASKS_FIRST


def set_chart_hidden(session: LiveSession, hidden: bool) -> None:
    """Take the revealed chart off the projector, or put it back."""
    _change(session, chart_hidden=int(hidden))


def show_pupil_question(session: LiveSession, question_id: int | None) -> None:
    """Put one pupil's anonymous question on the projector (None takes it off); never one that
    may be a disclosure, nor one the presenter hid."""
    if question_id is not None:
        question_for_projector(session, question_id)
    _change(session, shown_question=question_id)


def question_for_projector(session: LiveSession, question_id: int | None) -> dict:
    """A question the presenter may put on the projector; a plain 404 or 409 for any other."""
    within_reach = question_id is not None and 0 < question_id < 2**63  # as SQLite keeps ids
    question = pupil_question(session, question_id) if within_reach else None
    if question is None or question["hidden"]:
        fail(404, _("There is no such question in the list."))
    if question["marked"]:
        fail(409, _("This question may be a disclosure: it never goes on the projector."))
    return question


def remove_devices(session: LiveSession, device_number: int | None, whole_group: bool = False) -> None:
    """Take a device out of the session, or every device that joined from its network address:
    their answers and votes leave every count, and they cannot join again."""
    if device_number is None:
        abort(400)
    store.remove_devices(store.db(), session.code, device_number, whole_group)


def set_pupil_question_hidden(session: LiveSession, question_id: int | None, hidden: bool) -> None:
    """Move a pupil's question out of the presenter's list (and off the projector), or back."""
    store.hide_pupil_question(store.db(), session.code, question_id, hidden)


def delete_pupil_question(session: LiveSession, question_id: int | None) -> None:
    """Delete a pupil's question for good, from the list, the projector and the database's files."""
    store.delete_pupil_question(store.db(), session.code, question_id)


def end(session: LiveSession) -> None:
    """End the session: pupils' pages say thank you and show where to get help."""
    _change(session, ended_at=store.now(), **_phase_columns(Phase.ENDED))


def _set_phase(session: LiveSession, phase: Phase, step: LessonStep | None = None) -> None:
    _change(session, **_phase_columns(phase, step))


def _phase_columns(phase: Phase, step: LessonStep | None = None) -> dict:
    """The phase and the question it opens: the store takes answers only for `open_key`, so it
    names the step's question while answering is open and nothing otherwise."""
    return {"phase": phase, "open_key": step.question_key if step and phase == Phase.OPEN else ""}


def _change(session: LiveSession, **columns) -> None:
    database = store.db()
    store.update_session(database, session.code, **columns)
    # Devices held on this session learn at once; other processes' within a tick of their watch.
    current_app.extensions["workshop.watch"].take(store.session_marks(database, [session.code]))


# What pupils send


def accept_answer(
    session: LiveSession, participant: str, question_key: str, choice_ids: list[str]
) -> list[str]:
    """Store a pupil's answer if it fits the open question or check, and return it as stored;
    otherwise a plain 4xx that says why."""
    step = current_step(session)
    if session.phase != Phase.OPEN or question_key != step.question_key:
        _not_open()
    choice_ids = _check_answers(step.check, choice_ids) if step.check else _question_answer(step, choice_ids)
    # The presenter may close the question between the test above and this write, so the
    # store checks again in the statement that writes: a late answer is never counted.
    if not store.record_answer(store.db(), session.code, participant, question_key, choice_ids):
        _not_open()
    return choice_ids


def _question_answer(step: LessonStep, choice_ids: list[str]) -> list[str]:
    """The choices, if they are the step's own and as many as it takes."""
    known = {choice.id for choice in step.choices}
    if not choice_ids or any(c not in known for c in choice_ids) or len(set(choice_ids)) != len(choice_ids):
        fail(400, _("Pick one of the answers shown."))
    if len(choice_ids) > 1 and not step.allows_several:
        fail(400, _("Pick only one answer for this question."))
    return choice_ids


def _check_answers(check: CheckStage, values: list[str]) -> list[str]:
    """A device's answers to the check ("statement:point" each), if they are what the form
    offers, at most one per statement. Skipping a statement is fine, skipping all is not."""
    offered = {f"{s.id}:{point}": (s.id, point) for s in check.statements for point in before_after.POINTS}
    if not values:
        fail(400, _("Pick an answer for at least one sentence, or skip the check: that is fine too."))
    if any(value not in offered for value in values):
        fail(400, _("Pick one of the answers shown."))
    points = dict(offered[value] for value in values)
    if len(points) != len(values):
        fail(400, _("Pick only one answer for each sentence."))
    return store.check_choice_ids(points)


def _not_open():
    fail(409, _("This question is not open for answers now."))


def my_answer(session: LiveSession, participant: str, step: LessonStep) -> list[str]:
    """The choices this device sent for the step; none where pupils do not answer."""
    if not step.question_key:
        return []
    if session.phase == Phase.OPEN:  # answers still arrive: this device's as it is now
        return store.answer_of(store.db(), session.code, participant, step.question_key)
    return _answers_when_closed(session, step.question_key).get(participant, [])


# The answers to a question once answering closed, by session and version: they cannot change
# at that version (the store takes answers only while a question is open, and a reset makes a
# new version), so the class's streams woken by the reveal find their own among answers read
# once, not with a query each.
CLOSED_ANSWERS = "workshop.closed_answers"
CLOSED_ANSWERS_KEPT = 20
# The streams a reveal wakes together would each miss the answers and read them: the first reads,
# the others wait for it.
_closed_answers_read = threading.Lock()


def _answers_when_closed(session: LiveSession, question_key: str) -> dict[str, list[str]]:
    kept = current_app.extensions.setdefault(CLOSED_ANSWERS, {})
    # Its time of creation tells a session from a later one given the same code.
    key = (session.code, session.created_at, session.version, question_key)
    answers = kept.get(key)
    if answers is not None:
        return answers
    with _closed_answers_read:
        answers = kept.get(key)
        if answers is None:
            answers = store.answers_to(store.db(), session.code, question_key)
            if len(kept) >= CLOSED_ANSWERS_KEPT:
                kept.clear()
            kept[key] = answers
    return answers


def ask_question(session: LiveSession, participant: str, text: str) -> None:
    """Pass a pupil's anonymous question on to the presenter, within a length and a rate."""
    text = " ".join(text.split())
    if not text:
        fail(400, _("Write your question first."))
    if len(text) > QUESTION_LENGTH:
        fail(400, _("Your question is too long: %(limit)s characters at most.", limit=QUESTION_LENGTH))
    check_address("questions")
    # Counted in memory, not in the database: a stored question keeps no device id that could
    # tie it to that device's answers.
    if not allowed("questions", participant):
        fail(429, _("You have sent several questions. Wait two minutes before the next one."))
    store.add_pupil_question(store.db(), session.code, text)


def pupil_questions(session: LiveSession) -> list[dict]:
    """Pupils' anonymous questions, oldest first: text and time, never who asked, and `marked`
    when one may be a disclosure (signals/<lang>.toml)."""
    signals = loaded_content().signals
    questions = store.pupil_questions(store.db(), session.code)
    return [{**question, "marked": may_be_disclosure(signals, question["text"])} for question in questions]


def pupil_question(session: LiveSession, question_id: int) -> dict | None:
    """One of the session's questions, or None."""
    return next((q for q in pupil_questions(session) if q["id"] == question_id), None)


def shown_question(session: LiveSession) -> str:
    """The pupil's question the presenter put on the projector, if any; never a marked one,
    even if it was shown before the lists were changed."""
    question = pupil_question(session, session.shown_question) if session.shown_question else None
    return question["text"] if question and not question["marked"] else ""


# What devices poll


def pupil_state(code: str, device_id: str, shown_version: int | None) -> dict:
    """What pupils' devices poll: the session's version, whether it ended, and when to ask again.

    A device that names the version it shows is held until the session moves on (or a while
    passes); `poll` 0 tells it to ask again at once, while this process can hold its polls. A
    poll also notes that the device is still here.
    """
    watch = current_app.extensions["workshop.watch"]
    mark = watch.current(code)
    if mark is None:
        _no_such_session()
    _note_seen(code, device_id)
    if shown_version is not None:
        # A device that hangs up gives its place back within a second (see pupil.events).
        gone = request.environ.get("waitress.client_disconnected")
        mark = watch.wait(code, shown_version, address=address(), gone=gone)
    if mark is None:  # deleted while waiting
        _no_such_session()
    # Ask again at once while the server can hold the next poll; never at once once ended,
    # where nothing will hold it.
    poll = 0 if watch.has_room(address()) and not mark.ended else poll_seconds(mark.present)
    return {"version": mark.version, "ended": mark.ended, "poll": poll}


def stream_place() -> AbstractContextManager[bool]:
    """A place for one more open event stream in this process while it lasts: True if there is
    one. Each stream keeps a server thread; beyond HELD_POLLS (ADDRESS_STREAMS from one network
    address), devices poll instead."""
    return current_app.extensions["workshop.watch"].stream(address())


def presenter_stream_place() -> AbstractContextManager[bool]:
    """The presenter's own windows (the stage and the presenter view, signed in) always keep
    their stream: pupils' devices, or a script among them on the laptop's own address, taking
    every place must never leave the projector following by polling."""
    return nullcontext(True)


def pupil_events(
    code: str, device_id: str, shown_version: int | None, gone: Callable[[], bool] | None = None
) -> Iterator[LiveSession | None]:
    """What a device following the session on an event stream is sent: the session each time
    it moves on (at once if the device shows an older version), and None when nothing changed
    for a while (a sign of life) or as soon as `gone()` says the device hung up (writing it
    then ends the stream). The device is noted as here when the stream opens, then with the
    class's other waiting streams every SEEN_EVERY_SECONDS (watch.py), however fast or slowly
    the steps come. Ends once the session has ended or is gone.

    Between two steps the stream holds no database connection: a class's streams wait on the
    watcher, not on the pool.
    """
    return _session_events(code, shown_version, device_id, gone)


def presenter_events(
    code: str, shown_version: int | None, gone: Callable[[], bool] | None = None
) -> Iterator[LiveSession | None]:
    """What the stage and the presenter view are sent on their own event stream: as
    `pupil_events`, woken before the class's phones, and with no device to note as here."""
    return _session_events(code, shown_version, None, gone)


def _session_events(
    code: str, shown_version: int | None, device_id: str | None, gone: Callable[[], bool] | None
) -> Iterator[LiveSession | None]:
    watch = current_app.extensions["workshop.watch"]
    if device_id is not None:
        # Then, while it waits, by the watch: never on the way of a step to a thousand phones.
        _note_seen(code, device_id)
    while True:
        # First the connection the last step was rendered with: a stream that borrowed a
        # second while holding one could wait for ever on streams doing the same.
        store.give_back()
        mark = (
            watch.wait(
                code, shown_version, streaming=True, gone=gone, device_id=device_id, leading=device_id is None
            )
            if shown_version is not None
            else None
        )
        if mark is not None and mark.version == shown_version and not mark.ended:
            yield None
            continue
        session = _session_as_marked(code, mark)
        if session is None:
            return
        yield session
        if session.ended:
            return
        shown_version = session.version


def _note_seen(code: str, device_id: str) -> None:
    """This device is still here; the connection is given back before the caller waits, so a
    held poll or an open stream holds none."""
    with store.lent() as database:
        store.seen(database, code, device_id)


# The session as the last stream woken by a change read it, by code: the class's other streams,
# woken by the same change, send it without reading it again.
LATEST_SESSIONS = "workshop.latest_sessions"
LATEST_KEPT = 100


def _session_as_marked(code: str, mark: SessionMark | None) -> LiveSession | None:
    """The session at the mark's version (each change makes a new version), read once."""
    latest = current_app.extensions.setdefault(LATEST_SESSIONS, {})
    known = latest.get(code)
    if mark is not None and known is not None and known.version == mark.version:
        return known
    session = get_session(code)
    if len(latest) >= LATEST_KEPT:
        latest.clear()
    if session is not None:
        latest[code] = session
    return session


def poll_seconds(participants: int) -> float:
    """Seconds between two polls of one device, for a class of this size."""
    return min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, round(participants / POLLS_PER_SECOND, 1)))


def presenter_state(session: LiveSession) -> dict:
    """What the presenter's console polls: answer counts arrive without reloading the page."""
    result = current_result(session)
    return {
        "version": session.version,
        "poll": CONSOLE_POLL_SECONDS,
        "phase": session.phase,
        "participants": present_count(session),
        "questions": store.shown_question_count(store.db(), session.code),
        "refused": session.refused_devices,
        "latest_question": store.latest_question_id(store.db(), session.code),
        "answered": result.answered if result else 0,
        "choices": {c.id: {"count": c.count, "share": c.share} for c in result.choices} if result else {},
    }


# Results


@dataclass(frozen=True)
class ChoiceResult:
    """How often one choice was picked."""

    id: str
    text: str
    count: int
    share: int  # percent of the devices that answered
    correct: bool | None  # None where no answer is right: polls and story decisions


@dataclass(frozen=True)
class QuestionResult:
    """The answers to one question or story vote, counted."""

    question_key: str
    text: str
    answered: int
    choices: tuple[ChoiceResult, ...]
    voted: str | None = None  # a story decision: the branch most of the class voted for
    taken: str | None = None  # a story decision: the branch the story went on with

    def letter(self, choice_id: str | None) -> str:
        """A choice's letter, as the stage and the phones name it."""
        ids = [choice.id for choice in self.choices]
        return LETTERS[ids.index(choice_id)] if choice_id in ids else ""

    @property
    def overridden(self) -> bool:
        """The presenter went on with another branch than the class's vote."""
        return bool(self.voted and self.taken and self.voted != self.taken)


def step_result(step: LessonStep, answered: int, counts: Counter, taken: str | None = None) -> QuestionResult:
    """A step's counts as results, every choice listed (those nobody picked at 0)."""
    # Shares are of the devices that answered, not of the choices picked: on a multiple-choice
    # question the shares can add up to more than 100%.
    choices = tuple(
        ChoiceResult(
            choice.id,
            choice.text,
            counts.get(choice.id, 0),
            round(100 * counts.get(choice.id, 0) / answered) if answered else 0,
            (choice.id in step.right_choice_ids) if step.is_scored else None,
        )
        for choice in step.choices
    )
    voted = majority(counts, step.scenario_step) if step.is_story_vote else None
    return QuestionResult(step.question_key, step.text, answered, choices, voted, taken)


def current_result(session: LiveSession) -> QuestionResult | None:
    """The counts for the step on the projector; None where pupils do not answer."""
    step = current_step(session)
    if not step.question_key:
        return None
    answered, counts = store.choice_counts(store.db(), session.code, step.question_key)
    return step_result(step, answered, counts)


def session_results(session: LiveSession) -> list[QuestionResult]:
    """Every question of the lesson, and every story decision the class voted on."""
    # One query for the whole session, not one per question: the results page and the exports
    # list every question at once.
    recorded = store.all_choice_counts(store.db(), session.code)
    taken = branches_taken(session)
    results = []
    for step in lesson_of(session).answerable_steps():
        answered, counts = recorded.get(step.question_key, (0, Counter()))
        # Every quiz question, answered or not; a story decision only where the class voted
        # or passed, since a class follows one branch and never sees the others.
        if step.question or answered or step.question_key in taken:
            results.append(step_result(step, answered, counts, taken.get(step.question_key)))
    return results


def class_shift(session: LiveSession) -> ClassShift | None:
    """How the class changed, statement by statement, as kept when the final check closed; None
    where the check was not part of the lesson or no figures are kept (not yet, or discarded).

    Only ever the kept figures: read at two moments, live answers would differ by the devices
    that joined, left or answered in between, and show what each of those answered.
    """
    check = loaded_content().before_after.get(session.module_id)
    kept = store.kept_figures(session)
    if not session.with_check or check is None or kept is None:
        return None
    shifts = []
    for statement in check.answered(session.band, kept["statements"]):
        counts = kept["statements"].get(statement.id, {})
        before, after = distribution(counts.get("before", {})), distribution(counts.get("after", {}))
        shifts.append(StatementShift(statement, before, after, session.module_id))
    return ClassShift(kept["devices"], tuple(shifts))


def figures_state(session: LiveSession) -> str:
    """Where the class's before-and-after figures are: "none" (no check in this lesson),
    "waiting" (until the final check closes), "kept" or "discarded"."""
    if not session.with_check:
        return "none"
    if session.figures_discarded:
        return "discarded"
    return "kept" if session.kept_figures else "waiting"


def shift_on_stage(session: LiveSession) -> ClassShift | None:
    """ "How our class changed", once the final check's answers are revealed; None before."""
    step = current_step(session)
    if step.check and step.check.is_after and session.phase == Phase.REVEALED:
        return class_shift(session)
    return None


def session_date(session: LiveSession) -> str:
    """The day the session was held, as YYYY-MM-DD (the laptop's own calendar)."""
    return date.fromtimestamp(session.created_at).isoformat()


def results_csv(session: LiveSession) -> str:
    """The results as CSV text: one row per question and choice, then the check's statements
    (before and after each) with one row per point of the scale; each row with the session's date."""
    held = session_date(session)
    rows = [
        {
            "session_date": held,
            "question_key": r.question_key,
            "question": r.text,
            "answered": r.answered,
            "choice_id": c.id,
            "choice": c.text,
            "count": c.count,
            "percent": c.share,
            "correct": "" if c.correct is None else str(c.correct).lower(),
            # Where the story went on: the class's vote, or the presenter's choice over it.
            "story_went_on": "true" if r.taken == c.id else "",
        }
        for r in session_results(session)
        for c in r.choices
    ] + [{"session_date": held, **row} for row in before_after.as_rows(class_shift(session))]
    buffer = io.StringIO()
    # A lesson with no questions still gets a header, so the file opens as a table.
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["question_key"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def results_document(session: LiveSession) -> dict:
    """The results as the JSON export holds them (its field names are the export's, kept as they were)."""
    return {
        "session": {
            "code": session.code,
            "date": session_date(session),
            "module": session.module_id,
            "age_band": session.band,
            "participants": participant_count(session),
        },
        "questions": [
            {
                "key": r.question_key,
                "text": r.text,
                "answered": r.answered,
                "choices": [
                    {"id": c.id, "text": c.text, "count": c.count, "percent": c.share, "correct": c.correct}
                    for c in r.choices
                ],
                "story_went_on_with": r.taken,
                "class_voted_for": r.voted,
                "presenter_override": r.overridden,
            }
            for r in session_results(session)
        ],
        "before_after": before_after.as_json(class_shift(session)),
    }
