"""Answer counts per question, in lesson order: for the live chart, the summary and exports.

Only aggregates leave this module: never a row per device, so nothing can point at a pupil.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from . import store
from .classroom import lesson
from .deck import LessonStep
from .store import LiveSession


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
    text = step.question.text if step.question else step.step.text if step.step else ""  # "": the check
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
