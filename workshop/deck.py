"""A module's lesson plan for one age band, laid out as the slides the projector shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .content import Content, Module, Question, Quiz, Scenario, Slide, Step

if TYPE_CHECKING:
    from .before_after import CheckStage


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson: a written slide, a quiz question, a scenario step, or, in a live
    session, the lobby or the end. The slide deck and the live session both walk these."""

    kind: str
    slide: Slide | None = None
    quiz: Quiz | None = None
    question: Question | None = None
    scenario: Scenario | None = None
    step: Step | None = None
    check: CheckStage | None = None  # the before-and-after check, in a live session only

    @property
    def key(self) -> str:
        """The id answers are stored under; empty where pupils do not answer."""
        if self.check:
            return self.check.key
        if self.question:
            return f"quiz:{self.quiz.id}:{self.question.id}"
        if self.step and not self.step.is_ending:
            return f"scenario:{self.scenario.id}:{self.step.id}"
        return ""

    @property
    def choices(self):
        return self.question.choices if self.question else self.step.choices if self.step else ()

    @property
    def allows_several(self) -> bool:
        return bool(self.question and self.question.allows_several)

    @property
    def right_choice_ids(self) -> frozenset[str]:
        return self.question.right_choice_ids if self.question else frozenset()


def build_deck(content: Content, module: Module, band: str) -> tuple[LessonStep, ...]:
    """Quizzes become one slide per question, scenarios one slide per step met on the way."""
    deck: list[LessonStep] = []
    for item in module.plan_for(band):
        if item.kind == "slide":
            deck.append(LessonStep("slide", slide=module.slides_by_id[item.ref]))
        elif item.kind == "quiz":
            quiz = content.quizzes[item.ref]
            deck += [LessonStep("question", quiz=quiz, question=q) for q in quiz.for_band(band)]
        else:
            scenario = content.scenarios[item.ref]
            deck += [LessonStep("step", scenario=scenario, step=s) for s in scenario.walk()]
    return tuple(deck)


def bands_using(module_list: tuple[Module, ...], kind: str, ref: str) -> tuple[str, ...]:
    """The age bands for which some module's plan includes this quiz or scenario."""
    bands = {
        band
        for module in module_list
        for item in module.plan
        if item.kind == kind and item.ref == ref
        for band in item.age_bands
    }
    return tuple(sorted(bands))
