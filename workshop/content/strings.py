"""Every translatable text of the content, cut into the units translators work with.

Structure (ids, right answers, branching, phone numbers, websites) is not text: it is written
once in the content files and never translated. Long Markdown is translated paragraph by
paragraph (as Sphinx does), so a translator sees short units and one changed paragraph does
not throw away the rest of a slide's translation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .model import Content

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def paragraphs(text: str) -> list[str]:
    """The translation units of a text: its paragraphs (a list counts as one)."""
    return [part.strip() for part in PARAGRAPH_BREAK.split(text.strip()) if part.strip()]


def content_strings(content: Content) -> Iterator[str]:
    """Each unit once, in the order an author reads the files."""
    seen: set[str] = set()
    for _, text in content_texts(content):
        for unit in paragraphs(text):
            if unit not in seen:
                seen.add(unit)
                yield unit


def content_texts(content: Content, directory_file: str = "") -> Iterator[tuple[str, str]]:
    """(file the text comes from, relative to the content folder; the text)."""
    for module in content.modules:
        manifest = f"slides/{module.id}/module.toml"
        for text in (module.title, module.summary, module.content_warning, *module.learning_goals):
            yield manifest, text
        for slide in module.slides:
            for text in (slide.title, slide.body, slide.notes):
                yield f"slides/{module.id}/{slide.id}.md", text
    for quiz in content.quizzes.values():
        yield from ((f"quizzes/{quiz.id}.toml", text) for text in _quiz_texts(quiz))
    for scenario in content.scenarios.values():
        yield from ((f"scenarios/{scenario.id}.toml", text) for text in _scenario_texts(scenario))
    for check in content.before_after.values():
        # Retired statements too: the figures stored with them still show in every language.
        yield from ((f"statements/{check.module_id}.toml", s.text) for s in check.statements + check.retired)
    yield directory_file, content.directory.country
    for service in content.directory.services:
        for text in (service.name, service.helps_with, service.for_whom):
            yield directory_file, text
    yield "guide/facilitator.md", content.guide


def _quiz_texts(quiz):
    yield from (quiz.title, quiz.intro)
    for question in quiz.questions:
        yield question.text
        for choice in question.choices:
            yield from (choice.text, choice.feedback)


def _scenario_texts(scenario):
    yield from (scenario.title, scenario.summary)
    for step in scenario.steps:
        yield from (step.title, step.text)
        for choice in step.choices:
            yield from (choice.text, choice.feedback)


_loaded: dict[Path, list[tuple[str, str]]] = {}


def extract_content(fileobj, keywords, comment_tags, options):
    """A Babel extraction method for our TOML and Markdown content files.

    babel.cfg maps it to the content folders; it reads the content the way the app does, so
    the catalog holds exactly the units the app will look up.
    """
    from ..settings import defaults
    from .load import load_content

    # `workshop translations update` runs the extraction in the content folder in use.
    root = Path(options.get("root") or os.getcwd()).resolve()
    if root not in _loaded:
        directory_file = os.environ.get("WORKSHOP_DIRECTORY_FILE") or defaults()["DIRECTORY_FILE"]
        _loaded[root] = list(content_texts(load_content(root, directory_file), directory_file))
    rel = Path(fileobj.name).resolve().relative_to(root).as_posix()
    source = fileobj.read().decode("utf-8")
    for file, text in _loaded[root]:
        if file == rel:
            for unit in paragraphs(text):
                yield _line_of(source, unit), None, unit, []


def _line_of(source: str, unit: str) -> int:
    first_line = unit.splitlines()[0]
    position = source.find(first_line)
    return source.count("\n", 0, position) + 1 if position >= 0 else 1
