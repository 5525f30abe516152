"""The season report: what a presenter's sessions reached over a range of dates.

Sessions held, pupils reached by module, age band and language, how many anonymous questions
were asked (never their text), and the before-and-after shift per statement. It sums the
sessions still stored and the counts kept from purged ones, so a purge does not change it.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import store
from .before_after import StatementShift, distribution
from .content import Content
from .content.model import Statement
from .store import FEWEST_DEVICES_SHOWN

SCHOOL_YEAR_STARTS = (9, 1)  # 1 September: a season is a school year
# Past any session's time: the end of a report that runs to the last day a date can name.
END_OF_TIME = float(2**62)
RETIRED = " (earlier wording, no longer asked)"


class ReportError(Exception):
    """The counts kept in the database cannot be read; the message says so in one sentence."""


@dataclass(frozen=True)
class Tally:
    """Sessions and pupils for one module, age band or language."""

    key: str
    sessions: int
    pupils: int
    share: int  # percent of all pupils reached


@dataclass(frozen=True)
class SeasonReport:
    first_day: date
    last_day: date
    sessions: int
    pupils: int
    pupil_questions: int
    sessions_with_check: int
    by_module: tuple[Tally, ...]
    by_band: tuple[Tally, ...]
    by_language: tuple[Tally, ...]
    shifts: tuple[StatementShift, ...]

    @property
    def fewest_shown(self) -> int:
        return FEWEST_DEVICES_SHOWN

    @property
    def shifts_by_module(self) -> list[tuple[str, list[StatementShift]]]:
        return [(module_id, list(group)) for module_id, group in itertools.groupby(self.shifts, _module_of)]


def _module_of(shift: StatementShift) -> str:
    return shift.module_id


def date_range(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The report's first and last day from YYYY-MM-DD texts; by default this school year up
    to today. ValueError if a date is malformed or the range runs backwards."""
    month, day = SCHOOL_YEAR_STARTS
    school_year = date(today.year if (today.month, today.day) >= (month, day) else today.year - 1, month, day)
    first_day = date.fromisoformat(first) if first else school_year
    last_day = date.fromisoformat(last) if last else today
    if first_day > last_day:
        raise ValueError(f"{first_day} is after {last_day}")
    return first_day, last_day


def season_report(content: Content, first_day: date, last_day: date) -> SeasonReport:
    """The report over the sessions held from the first to the last day, both included.
    ReportError if the counts kept in the database cannot be read (a damaged or foreign row)."""
    start = _midnight_before(first_day)
    end = END_OF_TIME if last_day == date.max else _midnight_before(last_day + timedelta(days=1))
    try:
        return _summed(content, store.season_aggregates(store.db(), start, end), first_day, last_day)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ReportError(
            "The season report cannot be made: the counts kept in the database for some sessions "
            f"cannot be read ({type(error).__name__}: {error})."
        ) from error


def _midnight_before(day: date) -> float:
    """The time at which `day` begins on this computer, in seconds since 1970; a day too early
    or too late for the platform's clock (0001-01-01, 9999-12-31) is before or after every session."""
    try:
        return datetime.combine(day, time.min).timestamp()
    except (OverflowError, ValueError, OSError):
        return 0.0 if day.year < 1970 else END_OF_TIME


def _summed(content: Content, sessions: list[dict], first_day: date, last_day: date) -> SeasonReport:
    """Add up sessions as `store.session_aggregate` describes them."""
    languages = [(lang, n) for s in sessions for lang, n in s["languages"].items()]
    return SeasonReport(
        first_day=first_day,
        last_day=last_day,
        sessions=len(sessions),
        pupils=sum(s["pupils"] for s in sessions),
        pupil_questions=sum(s["pupil_questions"] for s in sessions),
        sessions_with_check=sum(1 for s in sessions if s["with_check"]),
        by_module=_tallies([(s["module_id"], s["pupils"]) for s in sessions], list(content.modules_by_id)),
        by_band=_tallies([(s["band"], s["pupils"]) for s in sessions]),
        by_language=_tallies(languages),
        shifts=_shifts(content, sessions),
    )


def _tallies(pupils_by_key: list[tuple[str, int]], order: list[str] | None = None) -> tuple[Tally, ...]:
    sessions, pupils = Counter(), Counter()
    for key, count in pupils_by_key:
        sessions[key] += 1
        pupils[key] += count
    total = pupils.total() or 1
    return tuple(
        Tally(key, sessions[key], pupils[key], round(100 * pupils[key] / total))
        for key in _ordered(sessions, order or [])
    )


def _ordered(keys, order: list) -> list:
    """The keys in the given order, then any others (say, a module since removed) by name."""
    rank = {key: index for index, key in enumerate(order)}
    return sorted(keys, key=lambda key: (rank.get(key, len(rank)), key))


def _shifts(content: Content, sessions: list[dict]) -> tuple[StatementShift, ...]:
    """Each statement's answers summed over the sessions, in the order of the curriculum and of
    its file (retired statements after those asked now); one removed without a trace keeps its id."""
    before: dict[tuple[str, str], Counter] = {}
    after: dict[tuple[str, str], Counter] = {}
    for session in sessions:
        for statement_id, counts in session["shifts"].items():
            key = (session["module_id"], statement_id)
            before.setdefault(key, Counter()).update(counts["before"])
            after.setdefault(key, Counter()).update(counts["after"])
    known = [
        (module.id, statement)
        for module in content.modules
        if module.id in content.before_after
        for statement in content.before_after[module.id].statements + content.before_after[module.id].retired
    ]
    statements = {(module_id, s.id): s for module_id, s in known}
    return tuple(
        StatementShift(
            statements.get(key) or Statement(key[1], "", key[1]),
            distribution(before[key]),
            distribution(after[key]),
            module_id=key[0],
        )
        for key in _ordered(before, list(statements))
    )


CSV_COLUMNS = (
    "section",
    "key",
    "sessions",
    "pupils",
    "anonymous_questions",
    "statement_id",
    "statement",
    "devices_both_times",
    "agree_before_percent",
    "agree_after_percent",
    "change_points",
    "average_before",
    "average_after",
)


def as_csv(report: SeasonReport) -> str:
    """One table: the totals, a row per module, age band and language, then one per statement."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    totals = {
        "sessions": report.sessions,
        "pupils": report.pupils,
        "anonymous_questions": report.pupil_questions,
    }
    writer.writerow({"section": "total", **totals})
    for section, tallies in (
        ("module", report.by_module),
        ("age band", report.by_band),
        ("language", report.by_language),
    ):
        writer.writerows(
            {"section": section, "key": t.key, "sessions": t.sessions, "pupils": t.pupils} for t in tallies
        )
    writer.writerows(_shift_row(shift) for shift in report.shifts)
    return buffer.getvalue()


def _shift_row(shift: StatementShift) -> dict:
    return {
        "section": "before and after",
        "key": shift.module_id,
        "statement_id": shift.statement.id,
        "statement": shift.statement.text,
        "devices_both_times": shift.devices,
        **shift.figures(),
    }


def as_text(report: SeasonReport, content: Content) -> str:
    """The report for a terminal, in English."""
    titles = {module.id: module.title for module in content.modules}
    lines = [
        f"Season report, {report.first_day} to {report.last_day}",
        f"Sessions held: {report.sessions} ({report.sessions_with_check} with the before-and-after check)",
        f"Pupils reached: {report.pupils}",
        f"Anonymous questions asked: {report.pupil_questions}",
    ]
    for heading, tallies, name in (
        ("By module", report.by_module, lambda key: titles.get(key, key)),
        ("By age band", report.by_band, lambda key: f"ages {key}"),
        ("By language", report.by_language, str),
    ):
        if tallies:
            lines += ["", f"{heading}:"]
            lines += [f"  {name(t.key)}: {t.sessions} sessions, {t.pupils} pupils" for t in tallies]
    if report.shifts:
        lines += ["", "Before and after (devices that answered 'Mostly' or 'Yes'):"]
        lines += [
            f"  {titles.get(s.module_id, s.module_id)}: {s.statement.text}{RETIRED * s.statement.retired} "
            f"{s.agree_before}% -> {s.agree_after}% "
            f"({s.change:+d} points, {s.devices} devices answered both times)"
            for s in report.shifts
        ]
    return "\n".join(lines) + "\n"
