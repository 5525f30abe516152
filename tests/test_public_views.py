"""Every public page answers, in its language, with the help link in the same place."""

from __future__ import annotations

import re

import pytest

from helpers import all_public_urls, html_lang, signed_in, visible_text

HELP_LINK = '<a class="help-link" href="/en/help/">Get help</a>'


def test_every_public_page_is_in_english_with_the_help_link(tiny_app):
    client = signed_in(tiny_app)  # the answer key is the presenter's on a running server
    urls = all_public_urls(tiny_app)
    # chooser, home, help, guide, module, 2 decks, 2 speaker views, quiz, story 1+4+4, download, 7 printables
    assert len(urls) == 27
    for url in urls:
        if url == "/":
            continue
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert html_lang(html) == "en", url
        assert HELP_LINK in html, url


def test_root_sends_the_browser_to_its_language(tiny_app):
    response = tiny_app.test_client().get("/", headers={"Accept-Language": "de, en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


@pytest.mark.parametrize(
    "url",
    [
        "/xx/",
        "/en/modules/nope/",
        "/en/modules/tiny/9-10/slides/",
        "/en/quizzes/nope/",
        "/en/scenarios/tiny-story/nope/",
        "/en/scenarios/tiny-story/start/nope/",
        "/en/static/../../pyproject.toml",
    ],
)
def test_unknown_things_are_a_plain_404(tiny_app, url):
    response = tiny_app.test_client().get(url)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_deck_for_younger_pupils_leaves_out_older_material(tiny_app):
    client = tiny_app.test_client()
    younger = client.get("/en/modules/tiny/10-12/slides/").get_data(as_text=True)
    older = client.get("/en/modules/tiny/13-16/slides/").get_data(as_text=True)
    # 3 slides or 2 for 10-12, 4 questions or 3, 4 story steps.
    assert older.count("data-slide ") == 3 + 4 + 4
    assert younger.count("data-slide ") == 2 + 3 + 4
    assert "The law" in older and "The law" not in younger
    assert "Is it easy to tell an adult?" not in younger


def test_first_and_last_slides_show_where_to_get_help(tiny_app):
    html = tiny_app.test_client().get("/en/modules/tiny/10-12/slides/").get_data(as_text=True)
    slides = html.split("data-slide ")[1:]
    assert 'href="tel:116111"' in slides[0]
    assert 'href="tel:116111"' in slides[-1]


def test_speaker_view_has_every_slides_notes_and_the_quiz_answers(tiny_app):
    text = visible_text(tiny_app.test_client().get("/en/modules/tiny/13-16/speaker/").get_data(as_text=True))
    assert "Explain the law." in text
    assert "Right: Tell an adult she trusts." in text
    assert "Not right: Keep the secret." in text


def test_quiz_marks_right_answers_and_carries_all_feedback(tiny_app):
    html = tiny_app.test_client().get("/en/quizzes/tiny-quiz/").get_data(as_text=True)
    assert re.search(r'type="radio" name="secret" value="tell"[^>]*\n?\s*data-right', html)
    assert 'type="checkbox" name="signs"' in html
    for feedback in (
        "Yes: a trusted adult can help.",
        "That alone is ordinary.",
        "Many people feel that way.",
    ):
        assert feedback in html
    assert 'data-total="3"' in html  # the poll is not scored


def test_scenario_choice_explains_and_leads_on(tiny_app):
    html = tiny_app.test_client().get("/en/scenarios/tiny-story/start/move/").get_data(as_text=True)
    assert "A private app makes it harder for others to help." in html
    assert 'href="/en/scenarios/tiny-story/private/"' in html


def test_every_scenario_ending_points_to_help(tiny_app):
    client = tiny_app.test_client()
    for step in ("told", "stopped"):
        html = client.get(f"/en/scenarios/tiny-story/{step}/").get_data(as_text=True)
        assert "You can always get help" in html
        assert 'href="tel:113"' in html


def test_help_directory_lists_emergencies_first_with_hours(tiny_app):
    html = tiny_app.test_client().get("/en/help/").get_data(as_text=True)
    assert html.index("Police emergency") < html.index("KannerJugendtelefon")
    text = visible_text(html)
    assert "Monday 17:00–22:00 Tuesday Closed" in text
    assert "Saturday 14:00–20:00" in text
    assert "Open day and night, every day." in text
    assert 'data-hours="{&#34;mon&#34;: [[&#34;17:00&#34;, &#34;22:00&#34;]]' in html
