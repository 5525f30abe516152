"""The lists of words that may point to a disclosure: every language's examples are marked or
not as their file says, and each problem in a list is named by file and field."""

from __future__ import annotations

import pytest
from test_content_errors import problems_for

from workshop.content import loaded_content
from workshop.content.signals import may_be_disclosure, words
from workshop.settings import defaults

FILE = "signals/en.toml"


LANGUAGES = defaults()["LANGUAGES"]


@pytest.fixture
def signals(app):
    return loaded_content(app).signals


def test_every_language_has_a_list(signals):
    assert set(signals) == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_example_is_marked_or_not_as_its_file_says(signals, lang):
    signal_list = signals[lang]
    assert len(signal_list.marked) >= 5 and len(signal_list.not_marked) >= 5
    for example in signal_list.marked:
        assert signal_list.matches(example), example
        assert may_be_disclosure(signals, example), example
    for example in signal_list.not_marked:
        assert not may_be_disclosure(signals, example), example


def test_the_rehearsal_question_is_marked(signals):
    assert may_be_disclosure(signals, "my coach keeps asking me for photos")


def test_matching_ignores_case_accents_and_punctuation():
    assert words("J'AI envoyé… une PHOTO!") == "j ai envoye une photo"


@pytest.mark.parametrize(
    "label,old,new,expected",
    [
        (
            "missed example",
            '"someone is threatening me"',
            '"someone is mean to me"',
            "marked: 'someone is mean to me' is not marked by any phrase",
        ),
        (
            "marked by mistake",
            '["What is grooming?"]',
            '["What is grooming?", "Is he asking me for it?"]',
            "not_marked: 'Is he asking me for it?' is marked by en.toml",
        ),
        (
            "star inside a word",
            '"asking me for",',
            '"asking me for", "thr*eaten",',
            "phrases: 'thr*eaten': * goes only at the end of a word",
        ),
        (
            "twice",
            '"asking me for",',
            '"asking me for", "Asking  me for",',
            "phrases: 'Asking  me for' is listed twice",
        ),
        ("unknown key", "not_marked =", 'colour = "red"\n        not_marked =', "colour: unknown key"),
    ],
)
def test_each_problem_is_named_by_file_and_field(tmp_path, label, old, new, expected):
    from content_tree import TINY

    assert old in TINY[FILE]
    assert problems_for(tmp_path, {FILE: TINY[FILE].replace(old, new, 1)}) == [f"{FILE}: {expected}"]


def test_a_tree_without_any_list_is_refused(tmp_path):
    assert problems_for(tmp_path, {FILE: None}) == [
        "signals: missing: at least one language's signals/<lang>.toml"
    ]
