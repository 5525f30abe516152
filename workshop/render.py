"""What templates can use, registered in one place, and the small JSON documents devices poll.

Templates get Markdown with raw HTML switched off, content words through their own catalog,
opening hours in the page's language, the names of a live session's phases and steps, and the
before-and-after check's scale.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from datetime import datetime, time

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names
from flask import Flask, Response, jsonify, request, stream_with_context
from flask_babel import format_date, format_time, get_locale
from markdown_it import MarkdownIt
from markupsafe import Markup

from .auth import csrf_token
from .before_after import scale
from .content import loaded_content
from .content.model import WEEKDAYS, Module, OpeningHours, Service
from .i18n import current_language, language_name, languages, same_page_in, translate_content
from .lesson import LETTERS, StepKind
from .store import LiveSession, Phase

# "commonmark" with html off: content can format text but never inject markup or script.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def init_app(app: Flask) -> None:
    """Every filter, global and page value templates use, in one place."""
    app.jinja_env.filters.update(
        md=markdown, tr=translate_content, hours_json=hours_json, tel=tel, clock=clock, day=day
    )
    app.jinja_env.tests["with_before_after"] = has_before_after_check
    app.jinja_env.globals.update(
        weekly_hours=weekly_hours,
        language_name=language_name,
        language_label=language_label,
        check_scale=scale,
        same_page_in=same_page_in,
        csrf_token=csrf_token,
        Phase=Phase,
        StepKind=StepKind,
        LETTERS=LETTERS,
    )
    app.context_processor(_page_values)


def _page_values() -> dict:
    """What every page shows: its language, the languages on offer, and the help directory."""
    return {"lang": current_language(), "languages": languages(), "directory": loaded_content().directory}


def has_before_after_check(module: Module) -> bool:
    """Whether a module has statements for the before-and-after check (`module is with_before_after`)."""
    return module.id in loaded_content().before_after


def language_label(lang: str) -> str:
    """A language's name in the page's language (the language switcher names each in its own)."""
    try:
        return Locale.parse(lang).get_display_name(get_locale())
    except (ValueError, UnknownLocaleError):  # a code no language has (a damaged report row)
        return lang


# The same text is rendered many times: a slide in the deck, in the speaker view and as its
# preview of the next slide, the help box on every first and last slide. The result depends on
# the text alone, so each is rendered once.
@functools.lru_cache(maxsize=4096)
def markdown(text: str) -> Markup:
    """Content's Markdown as HTML, with any HTML in the text shown as text."""
    return Markup(_markdown.render(text or ""))


def weekly_hours(service: Service, width: str = "wide") -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """(day name, [(opens, closes, runs past midnight)]) for each weekday, in the page's locale."""
    names = get_day_names(width, locale=get_locale())
    by_day = {day.weekday: day for day in service.hours}
    return [(names[index], _spans(by_day.get(weekday))) for index, weekday in enumerate(WEEKDAYS)]


def _spans(day: OpeningHours | None) -> list[tuple[str, str, bool]]:
    if day is None:
        return []
    return [(_clock(opens), _clock(closes), closes <= opens) for opens, closes in day.spans]


def _clock(hhmm: str) -> str:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    # 24-hour clock in every language: it is what Luxembourg's services and schools use.
    return format_time(time(hours, minutes), "HH:mm")


def hours_json(service: Service) -> str:
    """The week's opening times for the browser's open-now badge: {"mon": [["17:00","22:00"]]}."""
    return json.dumps({day.weekday: [list(span) for span in day.spans] for day in service.hours})


def clock(seconds: float) -> str:
    """A time kept in the database as this computer's clock shows it, such as 10:42."""
    return datetime.fromtimestamp(seconds).strftime("%H:%M")


def day(seconds: float) -> str:
    """A day kept in the database, written out in the page's language."""
    return format_date(datetime.fromtimestamp(seconds).date(), "long")


def tel(phone: str) -> str:
    """A phone number as a `tel:` URI wants it: digits, and a leading +."""
    return ("+" if phone.startswith("+") else "") + "".join(c for c in phone if c.isdigit())


def polled_json(document: dict) -> Response:
    """A JSON document with an ETag: a device polling with no change gets an empty 304."""
    response = jsonify(document)
    # The ETag is a hash of the body, so any change to the document is a new one; no-cache
    # makes the browser ask every time instead of trusting its own copy for a while.
    response.add_etag()
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def event_stream(
    place: Callable, changes: Iterator[LiveSession | None], render_part: Callable[[LiveSession], str]
) -> Response:
    """A live session as it moves on, on one response that stays open (server-sent events): a
    "step" event with the step's HTML at each change, an "alive" one when nothing changed for a
    while, and a lone "poll" where the server keeps as many streams open as it may (`place`
    says so: the page then polls instead)."""

    def stream():
        # A page whose connection dropped reconnects by itself after this many ms.
        yield "retry: 1000\n\n"
        with place() as placed:
            if not placed:
                yield server_event("poll", "{}")
                return
            for changed in changes:
                if changed is None:
                    # A sign of life: the page knows its stream still works (a proxy that holds
                    # back a stream's bytes would leave it waiting: it polls instead).
                    yield server_event("alive", "{}")
                    continue
                yield step_event(changed.version, changed.ended, render_part(changed))

    return Response(
        stream_with_context(stream()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# A class's streams send one of a few events per step (one per language and answer): each is
# made, and encoded, once. The HTML comes from the cache of step parts, the same text each time.
@functools.lru_cache(maxsize=64)
def step_event(version: int, ended: bool, html: str) -> bytes:
    """The "step" event: the session's version, whether it ended, and the step's HTML."""
    document = {"version": version, "ended": ended, "html": html}
    return server_event("step", json.dumps(document, ensure_ascii=False), version).encode()


def server_event(name: str, data: str, event_id: int | None = None) -> str:
    """One server-sent event; `data` is a single line (JSON)."""
    named = f"id: {event_id}\n" if event_id is not None else ""
    return f"{named}event: {name}\ndata: {data}\n\n"
