"""The before-and-after check's scale and figures: how a class, or a season, changed.

Pupils rate a module's statements on a scale of five words near the start of the lesson
(after the ground rules) and again at the end (before where to get help), with the same words.
The change is worked out only over the devices that answered a statement both times, and its
figures are shown only where at least `FEWEST_DEVICES_SHOWN` did, so nobody can be singled out.
Where the check sits in a lesson is `lesson.py`'s; which answers a device may send, `live.py`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from .content.model import Statement
from .lesson import CHECK_AFTER, CHECK_BEFORE
from .store import FEWEST_DEVICES_SHOWN

POINTS = (1, 2, 3, 4, 5)
AGREEING = (4, 5)  # "Mostly" and "Yes": the share the class sees rise (or not)


def N_(text: str) -> str:
    """Marks a text for the catalog; it is translated where it is shown."""
    return text


SCALE_WORDS = (N_("No"), N_("Not really"), N_("Not sure"), N_("Mostly"), N_("Yes"))


def scale() -> list[tuple[int, str]]:
    """The scale's points with their words in the page's language: words, not only numbers."""
    return [(point, _(word)) for point, word in zip(POINTS, SCALE_WORDS, strict=True)]


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

    def figures(self) -> dict[str, int | float]:
        """Its figures under the names every export gives them: the session's JSON and the
        season report's CSV."""
        return {
            "agree_before_percent": self.agree_before,
            "agree_after_percent": self.agree_after,
            "change_points": self.change,
            "average_before": _average(self.before),
            "average_after": _average(self.after),
        }


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
        **shift.figures(),
    }


def as_rows(shift: ClassShift | None) -> list[dict]:
    """CSV rows in the results' columns: each statement before and after is a question, each
    point of the scale a choice. Statements too few devices answered both times are left out."""
    if shift is None:
        return []
    return [
        {
            "question_key": f"{question_key}:{s.statement.id}",
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
        for question_key, counts in ((CHECK_BEFORE, s.before), (CHECK_AFTER, s.after))
        for point, word, count in zip(POINTS, SCALE_WORDS, counts, strict=True)
    ]
