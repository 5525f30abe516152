"""The content model: small immutable records, built once at start-up by `load`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from .signals import SignalList

AGE_BANDS = ("10-12", "13-16")
QUESTION_KINDS = ("single", "multiple", "true_false", "poll")
# What the controlled trials of school online-safety lessons measure: knowledge, confidence to
# act (self-efficacy) and willingness to seek help.
# What a statement asked in the check measures. Knowledge is not among them: the check opens with
# "there are no right or wrong answers", and a sentence that states a fact gives its own answer.
MEASURES = ("confidence", "help-seeking")
# What a retired statement may have measured: earlier seasons asked "I know that..." sentences.
RETIRED_MEASURES = ("knowledge", *MEASURES)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PlanKind(StrEnum):
    """What an entry of a module's lesson plan names; the values are the keys in module.toml."""

    SLIDE = "slide"
    QUIZ = "quiz"
    SCENARIO = "scenario"
    # Never written in module.toml: a live session with the before-and-after check places it
    # in the plan it walks (statements/<module>.toml says after which slide).
    CHECK = "check"


# The kinds an entry of module.toml may name.
WRITTEN_PLAN_KINDS = (PlanKind.SLIDE, PlanKind.QUIZ, PlanKind.SCENARIO)


@dataclass(frozen=True)
class Choice:
    """One answer to a quiz question, with the feedback shown once it is picked."""

    id: str
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    """One quiz question; `kind` is one of QUESTION_KINDS, and says how many choices are right."""

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
        """Whether a pupil may pick more than one choice."""
        return self.kind == "multiple"

    @property
    def right_choice_ids(self) -> frozenset[str]:
        """The ids of the right choices; empty for a poll."""
        return frozenset(choice.id for choice in self.choices if choice.correct)


@dataclass(frozen=True)
class Quiz:
    """A quiz file: questions for one or both age bands."""

    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]

    def for_band(self, band: str) -> tuple[Question, ...]:
        """The questions a class of this age band is asked, in the file's order."""
        return tuple(q for q in self.questions if band in q.age_bands)

    @property
    def scored_count(self) -> int:
        """How many questions have a right answer: every one but the polls."""
        return sum(1 for question in self.questions if not question.is_poll)


@dataclass(frozen=True)
class StepChoice:
    """A choice in a scenario step: where it leads and why it helps or does not."""

    id: str
    text: str
    feedback: str
    next: str


@dataclass(frozen=True)
class Step:
    """One step of a scenario: what happens, and the choices that lead on (none at an ending)."""

    id: str
    text: str
    choices: tuple[StepChoice, ...]
    title: str = ""

    @property
    def is_ending(self) -> bool:
        """An ending has no choices; every ending shows where to get help."""
        return not self.choices

    def choice(self, choice_id: str) -> StepChoice | None:
        """The choice with this id, or None for an id the step does not have."""
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Scenario:
    """A branching story about fictional characters, read from its start to one of its endings."""

    id: str
    title: str
    summary: str
    start: str
    steps: tuple[Step, ...]

    @cached_property
    def steps_by_id(self) -> dict[str, Step]:
        """The steps by id, as choices name where they lead."""
        return {step.id: step for step in self.steps}

    def walk(self) -> tuple[Step, ...]:
        """Steps in the order a reader meets them: breadth first from the start."""
        # Breadth first, so that every step a reader can meet next comes before any step two
        # choices away: the order of the deck's slides and of the printed story's sections.
        seen, queue = [self.start], [self.start]
        while queue:
            for choice in self.steps_by_id[queue.pop(0)].choices:
                if choice.next in self.steps_by_id and choice.next not in seen:
                    seen.append(choice.next)
                    queue.append(choice.next)
        return tuple(self.steps_by_id[step_id] for step_id in seen)

    @cached_property
    def section_numbers(self) -> dict[str, int]:
        """Section numbers for the story on paper, in the order a reader meets the steps."""
        return {step.id: number for number, step in enumerate(self.walk(), start=1)}


@dataclass(frozen=True)
class Slide:
    """A written slide: what the class sees, the presenter's notes, and whether it shows help."""

    id: str
    title: str
    body: str
    notes: str
    help: bool = False


@dataclass(frozen=True)
class PlanItem:
    """One entry of a module's lesson plan: a slide, a quiz or a scenario, by id."""

    kind: PlanKind
    ref: str
    age_bands: tuple[str, ...] = AGE_BANDS


@dataclass(frozen=True)
class Module:
    """A lesson: its manifest (module.toml) and its slides."""

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
        """The slides by id, as the plan names them."""
        return {slide.id: slide for slide in self.slides}

    def plan_for(self, band: str) -> tuple[PlanItem, ...]:
        """The plan for one age band: the entries marked for other bands left out."""
        return tuple(item for item in self.plan if band in item.age_bands)

    def refs(self, kind: PlanKind) -> tuple[str, ...]:
        """The ids of the plan's slides, quizzes or scenarios, for every band."""
        return tuple(item.ref for item in self.plan if item.kind == kind)


@dataclass(frozen=True)
class Statement:
    """A sentence pupils rate before and after a lesson: what they know, feel able to do or
    would do, never anything that happened to them."""

    id: str
    measures: str
    text: str
    age_bands: tuple[str, ...] = AGE_BANDS
    retired: bool = False  # no longer asked; kept so that figures stored with it still read


@dataclass(frozen=True)
class BeforeAfterCheck:
    """A module's statements, and the slide after which the check opens (it closes before the
    last slide, where to get help); with the statements earlier seasons asked."""

    module_id: str
    opens_after: str
    statements: tuple[Statement, ...]
    retired: tuple[Statement, ...] = ()

    def for_band(self, band: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if band in s.age_bands)

    def answered(self, band: str, statement_ids) -> tuple[Statement, ...]:
        """The band's statements, then the retired ones among the ids a class answered."""
        return self.for_band(band) + tuple(s for s in self.retired if s.id in statement_ids)


@dataclass(frozen=True)
class OpeningHours:
    """Opening times of one weekday; an end before its start runs past midnight."""

    weekday: str
    spans: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Service:
    """A place that helps: who it helps, how to reach it, when it is open."""

    id: str
    name: str
    helps_with: str
    for_whom: str
    phone: str = ""
    website: str = ""
    anonymous: bool | None = None  # None where the directory file does not say
    emergency: bool = False
    always_open: bool = False
    featured: bool = False
    for_parents: bool = False  # on the sheet for parents
    hours: tuple[OpeningHours, ...] = ()

    @property
    def tel(self) -> str:
        """The number as a `tel:` URI wants it: digits only."""
        return "".join(ch for ch in self.phone if ch.isdigit())

    @property
    def website_label(self) -> str:
        """The website as people read and type it: without `https://`."""
        return self.website.partition("//")[2]


@dataclass(frozen=True)
class Directory:
    """The help directory of one country; opening hours are in its time zone."""

    country: str
    timezone: str
    services: tuple[Service, ...]

    @property
    def in_order(self) -> tuple[Service, ...]:
        """Emergencies first, then the rest in the file's order."""
        return tuple(sorted(self.services, key=lambda s: not s.emergency))

    @property
    def for_pupils(self) -> tuple[Service, ...]:
        """The featured services as a help box shows them to pupils: the helplines for young
        people first (KJT's 116 111 in Luxembourg), the emergency numbers after them."""
        return tuple(sorted((s for s in self.services if s.featured), key=lambda s: s.emergency))

    @property
    def for_parents(self) -> tuple[Service, ...]:
        """The services the sheet for parents lists, emergencies first."""
        return tuple(s for s in self.in_order if s.for_parents)


@dataclass(frozen=True)
class Content:
    """Everything the workshop teaches, loaded and checked once."""

    modules: tuple[Module, ...]
    quizzes: dict[str, Quiz]
    scenarios: dict[str, Scenario]
    directory: Directory
    guide: str
    before_after: dict[str, BeforeAfterCheck]  # by module id
    signals: dict[str, SignalList] = field(default_factory=dict)  # by language: may be a disclosure

    @cached_property
    def modules_by_id(self) -> dict[str, Module]:
        """The modules by id, as URLs and live sessions name them."""
        return {module.id: module for module in self.modules}

    def quizzes_in(self, module: Module) -> list[Quiz]:
        """The quizzes a module's plan names, in plan order."""
        return [self.quizzes[ref] for ref in module.refs(PlanKind.QUIZ)]

    def scenarios_in(self, module: Module) -> list[Scenario]:
        """The scenarios a module's plan names, in plan order."""
        return [self.scenarios[ref] for ref in module.refs(PlanKind.SCENARIO)]
