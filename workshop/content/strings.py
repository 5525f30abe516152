"""Every translatable text of the content, for the `content` catalog.

Structure (ids, right answers, branching, phone numbers, websites) is not text: it is written
once in the content files and never translated.
"""

from __future__ import annotations

from collections.abc import Iterator

from .model import Content


def content_strings(content: Content) -> Iterator[str]:
    """Each text once, in the order an author reads the files."""
    seen: set[str] = set()
    for text in _all_texts(content):
        if text and text not in seen:
            seen.add(text)
            yield text


def _all_texts(content: Content) -> Iterator[str]:
    for module in content.modules:
        yield from (module.title, module.summary, module.content_warning, *module.learning_goals)
        for slide in module.slides:
            yield from (slide.title, slide.body, slide.notes)
    for quiz in content.quizzes.values():
        yield from (quiz.title, quiz.intro)
        for question in quiz.questions:
            yield question.text
            for choice in question.choices:
                yield from (choice.text, choice.feedback)
    for scenario in content.scenarios.values():
        yield from (scenario.title, scenario.summary)
        for step in scenario.steps:
            yield from (step.title, step.text)
            for choice in step.choices:
                yield from (choice.text, choice.feedback)
    if content.directory:
        yield content.directory.country
        for service in content.directory.services:
            yield from (service.name, service.helps_with, service.for_whom)
    yield content.guide
