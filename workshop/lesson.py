"""A module's lesson plan for one age band, as it is walked.

The slide deck shows every step in order. A live session walks the same steps one at a time,
except that a story follows the class's decisions: the branch the majority chose (or the
presenter picked) leads on, and that a session with the before-and-after check walks it twice:
after the ground rules and before the last slide. The store keeps a live session's `Position`,
so a server restarted mid-lesson resumes exactly where the class was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from .content import Content, Module, PlanKind, Question, Quiz, Scenario, Slide, Step
from .content.model import Choice, PlanItem, Statement, StepChoice

# The question_keys the two times of the before-and-after check are stored under.
CHECK_BEFORE, CHECK_AFTER = "check:before", "check:after"


class StepKind(StrEnum):
    """What one step of a lesson is. Templates use the values as CSS classes (`slide-question`)."""

    LOBBY = "lobby"  # a live session before its first step: how to join
    SLIDE = "slide"
    QUESTION = "question"  # one question of a quiz
    STORY_STEP = "step"  # one step of a scenario: a decision, or one of the story's endings
    CHECK = "check"  # the before-and-after check, in a live session that includes it
    END = "end"  # a live session after its last step


@dataclass(frozen=True)
class Position:
    """Where a live session is: an entry of the plan for its band and, in a quiz, which of the
    band's questions or, in a story, which step.

    `item` indexes the plan. The lobby comes before the first entry (`LOBBY`), the end after the
    last (`Lesson.end`): these two are the only positions outside the plan.
    """

    item: int
    question: int | None = None
    step: str | None = None

    def as_json(self) -> dict[str, int | str]:
        """The form kept in the store, the same since the first release: unused fields left out."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, values: dict) -> Position:
        """A position as the store kept it."""
        return cls(**values)


LOBBY = Position(item=-1)

# Choices are named by letter on the stage, in the chart and on every phone, so "most of you
# chose B" means the same in every language.
LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class CheckStage:
    """One time the class answers the before-and-after check: near the start or at the end,
    with the same statements."""

    question_key: str  # CHECK_BEFORE or CHECK_AFTER
    statements: tuple[Statement, ...]

    @property
    def is_after(self) -> bool:
        return self.question_key == CHECK_AFTER


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson: a written slide, a quiz question, a story step, or, in a live
    session, the lobby or the end. The slide deck and the live session both walk these."""

    kind: StepKind
    slide: Slide | None = None
    quiz: Quiz | None = None
    question: Question | None = None
    scenario: Scenario | None = None
    scenario_step: Step | None = None
    check: CheckStage | None = None

    @property
    def question_key(self) -> str:
        """The id answers to this step are stored under; empty where pupils do not answer."""
        if self.check:
            return self.check.question_key
        if self.question:
            return f"quiz:{self.quiz.id}:{self.question.id}"
        if self.is_story_vote:
            return f"scenario:{self.scenario.id}:{self.scenario_step.id}"
        return ""

    @property
    def is_story_vote(self) -> bool:
        """A story step with choices: the class votes on what happens next."""
        return bool(self.scenario_step and not self.scenario_step.is_ending)

    @property
    def text(self) -> str:
        """What pupils answer: the question, or the story step they vote on."""
        if self.question:
            return self.question.text
        return self.scenario_step.text if self.scenario_step else ""

    @property
    def choices(self) -> tuple[Choice, ...] | tuple[StepChoice, ...]:
        """What pupils pick from: a question's answers or a story step's branches."""
        if self.question:
            return self.question.choices
        return self.scenario_step.choices if self.scenario_step else ()

    @property
    def allows_several(self) -> bool:
        """Only a multiple-choice question takes more than one choice; a story vote takes one."""
        return bool(self.question and self.question.allows_several)

    @property
    def is_scored(self) -> bool:
        """A question with a right answer; polls and story votes have none."""
        return bool(self.question and not self.question.is_poll)

    @property
    def right_choice_ids(self) -> frozenset[str]:
        """The choices that are right; none for a poll or a story vote."""
        return self.question.right_choice_ids if self.question else frozenset()

    def letters(self, choice_ids: list[str] | tuple[str, ...]) -> str:
        """The letters of these choices, in the order the choices are listed: "B, C"."""
        chosen = (LETTERS[index] for index, choice in enumerate(self.choices) if choice.id in choice_ids)
        return ", ".join(chosen)

    def verdict(self, choice_ids: list[str]) -> bool | None:
        """Whether these choices are the right answer; None where nothing was chosen or nothing
        is right or wrong."""
        if not choice_ids or not self.is_scored:
            return None
        # All the right choices and nothing else: on a multiple-choice question, half right is
        # "not quite", and the pupil sees why.
        return set(choice_ids) == self.right_choice_ids


# A story's steps in the order a reader meets them, as the deck shows them.
READING_ORDER: Callable[[Scenario], Iterable[Step]] = Scenario.walk


class Lesson:
    """A module's plan for one age band, walked step by step; in a live session, with the
    before-and-after check if asked for."""

    def __init__(self, content: Content, module: Module, band: str, with_check: bool = False):
        self.content, self.module, self.band = content, module, band
        self.plan = self._plan_with_check() if with_check else module.plan_for(band)

    def _plan_with_check(self) -> tuple[PlanItem, ...]:
        """The plan with the check opened after its `opens_after` slide and again just before
        the last slide, where to get help; the content checks make sure both are there."""
        plan = self.module.plan_for(self.band)
        check = self.content.before_after.get(self.module.id)
        if check is None:
            return plan
        slides = [item.ref if item.kind == PlanKind.SLIDE else "" for item in plan]
        opens = slides.index(check.opens_after) + 1
        before, after = PlanItem(PlanKind.CHECK, CHECK_BEFORE), PlanItem(PlanKind.CHECK, CHECK_AFTER)
        return (*plan[:opens], before, *plan[opens:-1], after, plan[-1])

    @property
    def end(self) -> Position:
        """The position after the last step: the thank-you screen with where to get help."""
        return Position(item=len(self.plan))

    def step_at(self, position: Position) -> LessonStep:
        """The step at a position: the one place where a plan entry becomes steps."""
        # A position outside the plan is the lobby or the end; the end is also where a session
        # lands whose module lost entries since it started (content edited between two days).
        if position.item < 0:
            return LessonStep(StepKind.LOBBY)
        if position.item >= len(self.plan):
            return LessonStep(StepKind.END)
        item = self.plan[position.item]
        if item.kind == PlanKind.SLIDE:
            return LessonStep(StepKind.SLIDE, slide=self.module.slides_by_id[item.ref])
        if item.kind == PlanKind.QUIZ:
            quiz = self.content.quizzes[item.ref]
            question = quiz.for_band(self.band)[position.question]
            return LessonStep(StepKind.QUESTION, quiz=quiz, question=question)
        if item.kind == PlanKind.CHECK:
            statements = self.content.before_after[self.module.id].for_band(self.band)
            return LessonStep(StepKind.CHECK, check=CheckStage(item.ref, statements))
        scenario = self.content.scenarios[item.ref]
        step = scenario.steps_by_id[position.step]
        return LessonStep(StepKind.STORY_STEP, scenario=scenario, scenario_step=step)

    def positions(self) -> tuple[Position, ...]:
        """Every position, in the deck's order: a quiz question by question, a story in reading order."""
        return tuple(self._positions(READING_ORDER))

    def steps(self) -> tuple[LessonStep, ...]:
        """Every step, as the deck shows them."""
        return tuple(self.step_at(position) for position in self.positions())

    def answerable_steps(self) -> list[LessonStep]:
        """Every question and every story decision, for the results (the before-and-after
        check has figures of its own)."""
        # A story's decisions in the order its file lists them, not in reading order: the
        # order in which results and their exports have always listed them.
        steps = map(self.step_at, self._positions(lambda scenario: scenario.steps))
        return [step for step in steps if step.question or step.is_story_vote]

    def next_position(self, position: Position, decision: str | None = None) -> Position:
        """One step on; at a story decision, the chosen branch (none chosen: the first)."""
        step = self.step_at(position)
        if step.question and position.question + 1 < len(step.quiz.for_band(self.band)):
            return replace(position, question=position.question + 1)
        if step.is_story_vote:
            choice = step.scenario_step.choice(decision or "") or step.scenario_step.choices[0]
            return replace(position, step=choice.next)
        if position.item + 1 >= len(self.plan):
            return self.end
        # The next entry's first position: its first question, or its story's start.
        return next(self._positions_in(position.item + 1, READING_ORDER))

    def _positions(self, story_order: Callable[[Scenario], Iterable[Step]]) -> Iterator[Position]:
        for index in range(len(self.plan)):
            yield from self._positions_in(index, story_order)

    def _positions_in(
        self, index: int, story_order: Callable[[Scenario], Iterable[Step]]
    ) -> Iterator[Position]:
        """Every position in one plan entry; in reading order, the first is where the class enters."""
        item: PlanItem = self.plan[index]
        if item.kind == PlanKind.QUIZ:
            questions = self.content.quizzes[item.ref].for_band(self.band)
            yield from (Position(index, question=number) for number in range(len(questions)))
        elif item.kind == PlanKind.SCENARIO:
            steps = story_order(self.content.scenarios[item.ref])
            yield from (Position(index, step=step.id) for step in steps)
        else:
            yield Position(index)


def build_deck(content: Content, module: Module, band: str) -> tuple[LessonStep, ...]:
    """The slide deck of a module for one age band."""
    return Lesson(content, module, band).steps()


def majority(choice_counts: Counter, step: Step) -> str | None:
    """The most chosen branch; a tie goes to the one listed first, so it never depends on luck."""
    if not choice_counts:
        return None
    best = max(choice_counts.values())
    return next(c.id for c in step.choices if choice_counts.get(c.id) == best)


def bands_using(module_list: tuple[Module, ...], kind: PlanKind, ref: str) -> tuple[str, ...]:
    """The age bands for which some module's plan includes this quiz or scenario."""
    bands = {
        band
        for module in module_list
        for item in module.plan
        if item.kind == kind and item.ref == ref
        for band in item.age_bands
    }
    return tuple(sorted(bands))
