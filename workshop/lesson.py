"""A module's lesson plan for one age band, as it is walked: by the slide deck, which shows every
step in order, and by a live session, where a scenario follows the class's decisions (the branch
the majority chose, or the presenter picked, leads on).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .content import Content, Module, Question, Quiz, Scenario, Slide, Step

LOBBY = {"item": -1}


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

    @property
    def key(self) -> str:
        """The id answers are stored under; empty where pupils do not answer."""
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


class Lesson:
    """A module's plan for one band, as a live session walks it."""

    def __init__(self, content: Content, module: Module, band: str):
        self.content, self.module, self.band = content, module, band
        self.plan = module.plan_for(band)

    def step_at(self, position: dict) -> LessonStep:
        index = position["item"]
        if index < 0:
            return LessonStep("lobby")
        if index >= len(self.plan):
            return LessonStep("end")
        item = self.plan[index]
        if item.kind == "slide":
            return LessonStep("slide", slide=self.module.slides_by_id[item.ref])
        if item.kind == "quiz":
            quiz = self.content.quizzes[item.ref]
            return LessonStep("question", quiz=quiz, question=quiz.for_band(self.band)[position["question"]])
        scenario = self.content.scenarios[item.ref]
        return LessonStep("step", scenario=scenario, step=scenario.steps_by_id[position["step"]])

    def next_position(self, position: dict, decision: str | None = None) -> dict:
        """One step on; at a scenario decision, the chosen branch (none chosen: the first)."""
        index = position["item"]
        if 0 <= index < len(self.plan):
            item = self.plan[index]
            if item.kind == "quiz" and position["question"] + 1 < len(self._questions(item.ref)):
                return {"item": index, "question": position["question"] + 1}
            if item.kind == "scenario":
                step = self.content.scenarios[item.ref].steps_by_id[position["step"]]
                if not step.is_ending:
                    choice = step.choice(decision or "") or step.choices[0]
                    return {"item": index, "step": choice.next}
        return self._entering(min(index + 1, len(self.plan)))

    def _entering(self, index: int) -> dict:
        if index >= len(self.plan):
            return {"item": len(self.plan)}
        item = self.plan[index]
        if item.kind == "quiz":
            return {"item": index, "question": 0}
        if item.kind == "scenario":
            return {"item": index, "step": self.content.scenarios[item.ref].start}
        return {"item": index}

    def _questions(self, quiz_id: str) -> tuple[Question, ...]:
        return self.content.quizzes[quiz_id].for_band(self.band)

    def first_position(self) -> dict:
        return dict(LOBBY)

    def start_position(self) -> dict:
        return self._entering(0)


def majority(choice_counts: Counter, step: Step) -> str | None:
    """The most chosen branch; a tie goes to the one listed first, so it never depends on luck."""
    if not choice_counts:
        return None
    best = max(choice_counts.values())
    return next(c.id for c in step.choices if choice_counts.get(c.id) == best)
