"""The before-and-after statements are checked like all content: ids, bands, measures, words,
translations; each problem named by file and field."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from test_content_errors import problems_for

from workshop.content import loaded_content
from workshop.content.load import load_content
from workshop.content.model import MEASURES
from workshop.settings import PROJECT_ROOT, defaults

from content_tree import DIRECTORY_FILE, STATEMENTS, TINY, write_tree

FILE = "statements/tiny.toml"
# A statement no longer asked, kept (with "knowledge", which earlier seasons asked) for old figures.
RETIRED = """
[[retired]]
id = "photo-request-old"
measures = "knowledge"
text = "I know what to do if asked for a photo."
"""


def edit(old: str, new: str) -> dict[str, str]:
    assert old in STATEMENTS[FILE], f"{old!r} is not in {FILE}"
    return {FILE: STATEMENTS[FILE].replace(old, new, 1)}


STATEMENT_PROBLEMS = [
    (
        "unknown key",
        edit('id = "would-tell"', 'id = "would-tell"\n        colour = "red"'),
        [f"{FILE}: statements[would-tell].colour: unknown key"],
    ),
    (
        "unknown measure",
        edit('measures = "help-seeking"', 'measures = "feelings"'),
        [
            f"{FILE}: statements[would-tell].measures: 'feelings' is not one of confidence, help-seeking",
            f"{FILE}: statements: ages 10-12 have no statement that measures help-seeking",
            f"{FILE}: statements: ages 13-16 have no statement that measures help-seeking",
        ],
    ),
    (
        "a module that does not exist",
        edit('module = "tiny"', 'module = "tinier"'),
        [
            f"{FILE}: module: 'tinier' must equal the file name 'tiny'",
            f"{FILE}: module: no module 'tinier' in slides/",
        ],
    ),
    (
        "an age band the module does not have",
        edit('age_bands = ["13-16"]', 'age_bands = ["16-18"]'),
        [f"{FILE}: statements[knows-the-law].age_bands: '16-18' is not one of 10-12, 13-16"],
    ),
    (
        "duplicate id",
        edit('id = "photo-request"', 'id = "knows-a-number"'),
        [f"{FILE}: statements[knows-a-number].id: duplicate id 'knows-a-number'"],
    ),
    (
        "opens after a slide the plan does not have",
        edit('opens_after = "welcome"', 'opens_after = "rules"'),
        [
            f"{FILE}: opens_after: no slide 'rules' before the last entry of the plan for ages {band} "
            "in slides/tiny/module.toml"
            for band in ("10-12", "13-16")
        ],
    ),
    (
        "opens after the last slide",
        edit('opens_after = "welcome"', 'opens_after = "goodbye"'),
        [
            f"{FILE}: opens_after: no slide 'goodbye' before the last entry of the plan for ages {band} "
            "in slides/tiny/module.toml"
            for band in ("10-12", "13-16")
        ],
    ),
    (
        "opens after a slide only older pupils see",
        edit('opens_after = "welcome"', 'opens_after = "law"'),
        [
            f"{FILE}: opens_after: no slide 'law' before the last entry of the plan for ages 10-12 "
            "in slides/tiny/module.toml"
        ],
    ),
    (
        "too long for a phone",
        edit("I know a number I can call", "I know a number I can call " + "and so on " * 8),
        [f"{FILE}: statements[knows-a-number].text: too long for a phone: 139 characters, at most 120"],
    ),
    (
        "too few for a band",
        {FILE: STATEMENTS[FILE].split('[[statements]]\n        id = "would-tell"')[0]},
        [
            f"{FILE}: statements: ages {band} {problem}"
            for band in ("10-12", "13-16")
            for problem in ("need 3 to 5 statements, have 2", "have no statement that measures help-seeking")
        ],
    ),
    (
        "too many for a band",
        {
            FILE: STATEMENTS[FILE]
            + "".join(
                f'\n[[statements]]\nid = "extra-{n}"\nmeasures = "confidence"\ntext = "I know {n}."\n'
                f'age_bands = ["13-16"]\n'
                for n in range(2)
            )
        },
        [f"{FILE}: statements: ages 13-16 need 3 to 5 statements, have 6"],
    ),
    (
        # "There are no right or wrong answers" opens the check: a fact to agree with is a test.
        "a knowledge statement asked",
        edit(
            'id = "photo-request"\n        measures = "confidence"',
            'id = "photo-request"\n        measures = "knowledge"',
        ),
        [f"{FILE}: statements[photo-request].measures: 'knowledge' is not one of confidence, help-seeking"],
    ),
    (
        "a retired statement with the id of one asked",
        {FILE: STATEMENTS[FILE] + RETIRED.replace('"photo-request-old"', '"photo-request"')},
        [f"{FILE}: statements[photo-request].id: duplicate id 'photo-request'"],
    ),
    (
        "a retired statement without its words",
        {FILE: STATEMENTS[FILE] + RETIRED.replace('text = "I know what to do if asked for a photo."', "")},
        [f"{FILE}: retired[photo-request-old].text: missing"],
    ),
    (
        "no text",
        edit('text = "I know what to do if someone online asks me for a photo."', ""),
        [f"{FILE}: statements[photo-request].text: missing"],
    ),
]


@pytest.mark.parametrize("label,changes,expected", STATEMENT_PROBLEMS, ids=[p[0] for p in STATEMENT_PROBLEMS])
def test_each_statement_problem_is_named_by_file_and_field(tmp_path, label, changes, expected):
    assert problems_for(tmp_path, changes) == expected


@pytest.fixture
def content(app):
    return loaded_content(app)


def test_every_module_has_a_check_for_each_of_its_age_bands(content):
    assert set(content.before_after) == set(content.modules_by_id)
    for module in content.modules:
        check = content.before_after[module.id]
        assert check.opens_after == "ground-rules", module.id
        for band in module.age_bands:
            statements = check.for_band(band)
            assert 3 <= len(statements) <= 5, (module.id, band)
            assert {s.measures for s in statements} == set(MEASURES), (module.id, band)
        # A retired statement is never asked again under its id: new words get a new id.
        assert not {s.id for s in check.retired} & {s.id for s in check.statements}, module.id
        assert all(s.retired and s.text for s in check.retired), module.id


def test_a_retired_statement_is_read_but_never_asked(tmp_path):
    root = write_tree(tmp_path / "content", {**TINY, FILE: STATEMENTS[FILE] + RETIRED})
    check = load_content(root, DIRECTORY_FILE).before_after["tiny"]
    asked = ["knows-a-number", "photo-request", "would-tell"]
    assert [s.id for s in check.for_band("10-12")] == asked
    # A class that answered the old sentence sees it after today's, under its old words.
    old = check.answered("10-12", {"knows-a-number": (), "photo-request-old": ()})
    assert [s.id for s in old] == [*asked, "photo-request-old"]
    assert old[-1].retired and old[-1].text == "I know what to do if asked for a photo."
    assert "photo-request-old" not in [s.id for s in check.answered("10-12", {})]


# Every statement id classes have answered; each must stay known, asked or retired, so that
# their stored figures keep their words.
EVER_ASKED = {
    "online-friends": (
        "knows-warning-signs",
        "knows-a-number",
        "photo-request",
        "stop-and-block",
        "would-tell",
    ),
    "getting-help": (
        "knows-a-number",
        "trusted-adults",
        "helping-a-friend",
        "keeping-evidence",
        "would-tell",
    ),
    "nudes-and-pressure": (
        "pressure-not-love",
        "forwarding-hurts",
        "saying-no",
        "image-sent-to-me",
        "would-talk",
    ),
    "sextortion": ("paying-rarely-helps", "never-to-blame", "what-to-do", "keeping-evidence", "would-ask"),
    "abuse-images": ("harmed-again", "where-to-report", "what-to-do", "would-talk"),
}


def test_every_statement_ever_asked_is_still_known(content):
    for module_id, ids in EVER_ASKED.items():
        check = content.before_after[module_id]
        known = {s.id for s in check.statements + check.retired}
        assert set(ids) <= known, (module_id, set(ids) - known)


# Sentences that give their own answer ("I know that..."), or lean on a lesson not yet taught
# ("like this"), measure nothing before the lesson.
LEADING = re.compile(r"^I know that\b|\blike this\b|\bsuch\b", re.I)


def test_no_statement_asked_states_its_answer_or_needs_the_lesson(content):
    for check in content.before_after.values():
        for statement in check.statements:
            assert not LEADING.search(statement.text), statement.text


# Statements say what a pupil knows, can do or would do; none asks what happened to them.
ABOUT_THE_PAST = re.compile(r"\b(happened|ever|did|was|were|have been|has been|had)\b", re.I)


def test_statements_never_ask_about_the_pupils_own_experience(content):
    for check in content.before_after.values():
        for statement in check.statements:
            assert statement.text.startswith(("I know", "I can", "I feel able", "If ")), statement.id
            assert not ABOUT_THE_PAST.search(statement.text), statement.text
            assert "?" not in statement.text, statement.text


@pytest.mark.parametrize("lang", [lang for lang in defaults()["LANGUAGES"] if lang != "en"])
def test_every_statement_and_the_scale_are_translated(content, lang):
    folder = PROJECT_ROOT / "translations" / lang / "LC_MESSAGES"
    with (folder / "content.po").open("rb") as handle:
        catalog = read_po(handle)
    for check in content.before_after.values():
        for statement in check.statements + check.retired:
            message = catalog.get(statement.text)
            assert message and message.string and message.string != statement.text, (lang, statement.id)
            assert "fuzzy" not in message.flags, (lang, statement.id)
            locations = {path for path, _ in message.locations}
            assert f"statements/{check.module_id}.toml" in locations
    with (folder / "messages.po").open("rb") as handle:
        interface = read_po(handle)
    words = [interface.get(word).string for word in ("No", "Not really", "Not sure", "Mostly", "Yes")]
    assert all(words) and len(set(words)) == 5, (lang, words)
