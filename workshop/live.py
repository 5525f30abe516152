"""Where a live session is in its lesson, and where "next" leads.

A live session walks the module's plan for its age band like the slide deck, except that a
scenario follows the class's decisions: the branch the majority chose (or the presenter
picked) leads on. The position is plain JSON so the store can keep it across restarts.
"""

from __future__ import annotations

from collections import Counter

from . import before_after
from .content import Content, Module, Question, Step
from .deck import LessonStep

LOBBY = {"item": -1}


class Lesson:
    """A module's plan for one band, as a live session walks it."""

    def __init__(self, content: Content, module: Module, band: str, with_check: bool = False):
        self.content, self.module, self.band = content, module, band
        self.plan = before_after.lesson_plan(content, module, band) if with_check else module.plan_for(band)

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
        if item.kind == "check":
            return before_after.check_step(self.content, self.module, self.band, item.ref)
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
