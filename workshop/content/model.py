"""The content model: small immutable records, built once at start-up by `load`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

AGE_BANDS = ("10-12", "13-16")
QUESTION_KINDS = ("single", "multiple", "true_false", "poll")
# What the controlled trials of school online-safety lessons measure: knowledge, confidence to
# act (self-efficacy) and willingness to seek help.
MEASURES = ("knowledge", "confidence", "help-seeking")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Choice:
    """One answer to a quiz question, with the feedback shown once it is picked."""

    id: str
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: str
    choices: tuple[Choice, ...]
    age_bands: tuple[str, ...] = AGE_BANDS

    @property
    def is_poll(self) -> bool:
        """A poll opens a discussion: no choice is right or wrong."""
        return self.kind == "poll"

    @property
    def allows_several(self) -> bool:
        return self.kind == "multiple"

    @property
    def right_choice_ids(self) -> frozenset[str]:
        return frozenset(choice.id for choice in self.choices if choice.correct)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]

    def for_band(self, band: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if band in q.age_bands)


@dataclass(frozen=True)
class StepChoice:
    """A choice in a scenario step: where it leads and why it helps or does not."""

    id: str
    text: str
    feedback: str
    next: str


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    choices: tuple[StepChoice, ...]
    title: str = ""

    @property
    def is_ending(self) -> bool:
        return not self.choices

    def choice(self, choice_id: str) -> StepChoice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    start: str
    steps: tuple[Step, ...]

    @cached_property
    def steps_by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    def walk(self) -> tuple[Step, ...]:
        """Steps in the order a reader meets them: breadth first from the start."""
        seen, queue = [self.start], [self.start]
        while queue:
            for choice in self.steps_by_id[queue.pop(0)].choices:
                if choice.next in self.steps_by_id and choice.next not in seen:
                    seen.append(choice.next)
                    queue.append(choice.next)
        return tuple(self.steps_by_id[step_id] for step_id in seen)


@dataclass(frozen=True)
class Slide:
    id: str
    title: str
    body: str
    notes: str
    help: bool = False


@dataclass(frozen=True)
class PlanItem:
    """One entry of a module's lesson plan: a slide, a quiz or a scenario, by id."""

    kind: str
    ref: str
    age_bands: tuple[str, ...] = AGE_BANDS


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    summary: str
    age_bands: tuple[str, ...]
    duration_minutes: int
    learning_goals: tuple[str, ...]
    content_warning: str
    plan: tuple[PlanItem, ...]
    slides: tuple[Slide, ...]
    order: int = 0  # where the module comes in lists: the curriculum's order, not the alphabet's

    @cached_property
    def slides_by_id(self) -> dict[str, Slide]:
        return {slide.id: slide for slide in self.slides}

    def plan_for(self, band: str) -> tuple[PlanItem, ...]:
        return tuple(item for item in self.plan if band in item.age_bands)

    def refs(self, kind: str) -> tuple[str, ...]:
        return tuple(item.ref for item in self.plan if item.kind == kind)


@dataclass(frozen=True)
class Statement:
    """A sentence pupils rate before and after a lesson: what they know, feel able to do or
    would do, never anything that happened to them."""

    id: str
    measures: str
    text: str
    age_bands: tuple[str, ...] = AGE_BANDS


@dataclass(frozen=True)
class BeforeAfterCheck:
    """A module's statements, and the slide after which the check opens (it closes before the
    last slide, where to get help)."""

    module_id: str
    opens_after: str
    statements: tuple[Statement, ...]

    def for_band(self, band: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if band in s.age_bands)


@dataclass(frozen=True)
class OpeningHours:
    """Opening times of one weekday; an end before its start runs past midnight."""

    weekday: str
    spans: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    helps_with: str
    for_whom: str
    phone: str = ""
    website: str = ""
    anonymous: bool | None = None
    emergency: bool = False
    always_open: bool = False
    featured: bool = False
    hours: tuple[OpeningHours, ...] = ()

    @property
    def tel(self) -> str:
        """The number as a `tel:` URI wants it: digits only."""
        return "".join(ch for ch in self.phone if ch.isdigit())


@dataclass(frozen=True)
class Directory:
    country: str
    timezone: str
    services: tuple[Service, ...]

    @property
    def in_order(self) -> tuple[Service, ...]:
        """Emergencies first, then the rest in the file's order."""
        return tuple(sorted(self.services, key=lambda s: not s.emergency))


@dataclass(frozen=True)
class Content:
    """Everything the workshop teaches, loaded and checked once."""

    modules: tuple[Module, ...]
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    directory: Directory | None = None
    guide: str = ""
    before_after: dict[str, BeforeAfterCheck] = field(default_factory=dict)  # by module id

    @cached_property
    def modules_by_id(self) -> dict[str, Module]:
        return {module.id: module for module in self.modules}
