"""The before-and-after check: where it sits in a live lesson, what a device may answer, and
how the class changed.

Pupils rate a module's statements on a scale of five words near the start of the lesson
(after the ground rules) and again at the end (before where to get help), with the same words.
The change is worked out only over the devices that answered a statement both times, and its
figures are shown only where at least `FEWEST_DEVICES_SHOWN` did, so nobody can be singled out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _

from . import store
from .content import Content, Module
from .content.model import PlanItem, Statement
from .deck import LessonStep
from .store import CHECK_AFTER, CHECK_BEFORE, FEWEST_DEVICES_SHOWN, LiveSession

STAGES = {"before": CHECK_BEFORE, "after": CHECK_AFTER}
POINTS = (1, 2, 3, 4, 5)
AGREEING = (4, 5)  # "Mostly" and "Yes": the share the class sees rise (or not)


def N_(text: str) -> str:
    """Marks a text for the catalog; it is translated where it is shown."""
    return text


SCALE_WORDS = (N_("No"), N_("Not really"), N_("Not sure"), N_("Mostly"), N_("Yes"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["check_scale"] = scale
    app.jinja_env.tests["with_before_after"] = lambda module: module.id in _content().before_after


def scale() -> list[tuple[int, str]]:
    """The scale's points with their words in the page's language: words, not only numbers."""
    return [(point, _(word)) for point, word in zip(POINTS, SCALE_WORDS, strict=True)]


@dataclass(frozen=True)
class CheckStage:
    """One time the class answers the check: near the start ("before") or at the end ("after")."""

    stage: str
    statements: tuple[Statement, ...]

    @property
    def key(self) -> str:
        return STAGES[self.stage]

    @property
    def is_after(self) -> bool:
        return self.stage == "after"


def lesson_plan(content: Content, module: Module, band: str) -> tuple[PlanItem, ...]:
    """The module's plan for a band with the check opened after its `opens_after` slide and
    again just before the last slide; the content checks make sure both are there."""
    plan = module.plan_for(band)
    check = content.before_after.get(module.id)
    if check is None:
        return plan
    slides = [item.ref if item.kind == "slide" else "" for item in plan]
    opens = slides.index(check.opens_after) + 1
    before, after = PlanItem("check", "before"), PlanItem("check", "after")
    return (*plan[:opens], before, *plan[opens:-1], after, plan[-1])


def check_step(content: Content, module: Module, band: str, stage: str) -> LessonStep:
    statements = content.before_after[module.id].for_band(band)
    return LessonStep("check", check=CheckStage(stage, statements))


def answered_points(stage: CheckStage, values: list[str]) -> dict[str, int]:
    """A device's answers as {statement id: point}; ValueError, with a sentence for the pupil,
    when they are not what the form offers. Skipping a statement is fine, skipping all is not."""
    offered = {f"{s.id}:{point}": (s.id, point) for s in stage.statements for point in POINTS}
    if not values:
        raise ValueError(_("Pick an answer for at least one sentence, or skip the check: that is fine too."))
    if any(value not in offered for value in values):
        raise ValueError(_("Pick one of the answers shown."))
    points = dict(offered[value] for value in values)
    if len(points) != len(values):
        raise ValueError(_("Pick only one answer for each sentence."))
    return points


@dataclass(frozen=True)
class StatementShift:
    """How the answers to one statement changed, over the devices that answered it both times.

    `before` and `after` count the devices at each point of the scale (index 0 is point 1).
    """

    statement: Statement
    before: tuple[int, ...]
    after: tuple[int, ...]
    module_id: str = ""

    @property
    def devices(self) -> int:
        return sum(self.before)

    @property
    def shown(self) -> bool:
        return self.devices >= FEWEST_DEVICES_SHOWN

    @property
    def agree_before(self) -> int:
        return _agreeing(self.before)

    @property
    def agree_after(self) -> int:
        return _agreeing(self.after)

    @property
    def change(self) -> int:
        """In percentage points, from the rounded shares, so the figures the class sees add up."""
        return self.agree_after - self.agree_before

    @property
    def average_before(self) -> float:
        return _average(self.before)

    @property
    def average_after(self) -> float:
        return _average(self.after)


def _agreeing(counts: tuple[int, ...]) -> int:
    total = sum(counts)
    return round(100 * sum(counts[point - 1] for point in AGREEING) / total) if total else 0


def _average(counts: tuple[int, ...]) -> float:
    total = sum(counts)
    return round(sum(point * n for point, n in zip(POINTS, counts, strict=True)) / total, 1) if total else 0.0


def distribution(counts: Mapping) -> tuple[int, ...]:
    """Devices per point of the scale, from counts keyed by point (as numbers or as texts)."""
    by_point = {int(point): n for point, n in counts.items()}
    return tuple(by_point.get(point, 0) for point in POINTS)


@dataclass(frozen=True)
class ClassShift:
    """How a class changed: each statement of its check, and how many devices answered both times."""

    devices: int
    statements: tuple[StatementShift, ...]

    @property
    def fewest_shown(self) -> int:
        return FEWEST_DEVICES_SHOWN

    @property
    def shown(self) -> bool:
        return self.devices >= FEWEST_DEVICES_SHOWN


def class_shift(session: LiveSession) -> ClassShift | None:
    """The session's before-and-after figures; None where the check was not part of the lesson."""
    check = _content().before_after.get(session.module_id)
    if not session.with_check or check is None:
        return None
    devices, distributions = store.check_distributions(store.db(), session.code)
    shifts = []
    for statement in check.for_band(session.band):
        before, after = distributions.get(statement.id, ({}, {}))
        shifts.append(StatementShift(statement, distribution(before), distribution(after), session.module_id))
    return ClassShift(devices, tuple(shifts))


def on_stage(session: LiveSession, step: LessonStep) -> ClassShift | None:
    """ "How our class changed" is shown once the final check's answers are revealed."""
    if step.check and step.check.is_after and session.phase == "revealed":
        return class_shift(session)
    return None


def as_json(shift: ClassShift | None) -> dict | None:
    """The figures for the JSON export: aggregates only, none where too few devices answered."""
    if shift is None:
        return None
    return {
        "devices_answered_both_times": shift.devices,
        "fewest_devices_shown": FEWEST_DEVICES_SHOWN,
        "scale": dict(zip(POINTS, SCALE_WORDS, strict=True)),
        "agreeing_points": list(AGREEING),
        "statements": [_statement_json(s) for s in shift.statements],
    }


def _statement_json(shift: StatementShift) -> dict:
    described = {
        "id": shift.statement.id,
        "text": shift.statement.text,
        "measures": shift.statement.measures,
        "devices": shift.devices,
    }
    if not shift.shown:
        return described
    return {
        **described,
        "before": dict(zip(POINTS, shift.before, strict=True)),
        "after": dict(zip(POINTS, shift.after, strict=True)),
        "agree_before_percent": shift.agree_before,
        "agree_after_percent": shift.agree_after,
        "change_points": shift.change,
        "average_before": shift.average_before,
        "average_after": shift.average_after,
    }


def as_rows(shift: ClassShift | None) -> list[dict]:
    """CSV rows in the results' columns: each statement before and after is a question, each
    point of the scale a choice. Statements too few devices answered both times are left out."""
    if shift is None:
        return []
    return [
        {
            "question_key": f"{STAGES[stage]}:{s.statement.id}",
            "question": s.statement.text,
            "answered": s.devices,
            "choice_id": str(point),
            "choice": word,
            "count": count,
            "percent": round(100 * count / s.devices),
            "correct": "",
        }
        for s in shift.statements
        if s.shown
        for stage, counts in (("before", s.before), ("after", s.after))
        for point, word, count in zip(POINTS, SCALE_WORDS, counts, strict=True)
    ]


def _content() -> Content:
    return current_app.extensions["workshop.content"]
