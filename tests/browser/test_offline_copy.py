"""A teacher opens the offline copy from a folder: the quiz and a story work with no server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from workshop.offline import freeze


@pytest.fixture
def copy_url(tiny_app, tmp_path):
    copy = freeze(tiny_app, tmp_path / "offline")
    return (copy.folder / "index.html").as_uri()


def record_requests(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def test_quiz_from_file_gives_feedback_and_a_score(context, copy_url):
    page = context.new_page()
    requests = record_requests(page)
    page.goto(copy_url)
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="A tiny module").click()
    page.get_by_role("link", name="Quiz: Tiny quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiny quiz")

    page.get_by_text("Keep the secret.").click()
    expect(page.get_by_text("Secrets like this are a warning sign.")).to_be_visible()
    expect(page.get_by_text("Yes: a trusted adult can help.")).to_be_hidden()
    page.get_by_text("Tell an adult she trusts.").click()  # a changed answer shows its own feedback
    expect(page.get_by_text("Yes: a trusted adult can help.")).to_be_visible()
    expect(page.get_by_text("Secrets like this are a warning sign.")).to_be_hidden()

    page.get_by_label("Gifts").check()
    page.get_by_label("Asking for secrets").check()
    page.get_by_label("False").check()
    expect(page.locator(".score-count")).to_have_text("3")
    page.get_by_label("Talking about homework").check()
    expect(page.locator(".score-count")).to_have_text("2")

    assert requests and all(url.startswith("file://") for url in requests), requests


def test_story_from_file_walks_to_an_ending_with_help(context, copy_url):
    page = context.new_page()
    requests = record_requests(page)
    page.goto(copy_url.replace("index.html", "en/scenarios/tiny-story/index.html"))
    page.get_by_role("link", name="Lea moves to the private app.").click()
    expect(page.get_by_text("A private app makes it harder for others to help.")).to_be_visible()
    page.get_by_role("link", name="See what happens").click()
    page.get_by_role("link", name="Lea stops replying.").click()
    page.get_by_role("link", name="See what happens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiny story: A pause")
    expect(page.get_by_role("heading", name="You can always get help")).to_be_visible()
    expect(page.get_by_role("link", name="116 111")).to_have_attribute("href", "tel:116111")
    page.get_by_role("link", name="Get help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where to get help")
    assert all(url.startswith("file://") for url in requests), requests


def test_quiz_feedback_needs_no_javascript(browser, copy_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(copy_url.replace("index.html", "en/quizzes/tiny-quiz/index.html"))
    page.get_by_text("Tell an adult she trusts.").click()
    expect(page.get_by_text("Yes: a trusted adult can help.")).to_be_visible()
    page.get_by_text("Keep the secret.").press("Space")
    context.close()


def test_open_now_is_worked_out_in_the_browser(context, copy_url):
    page = context.new_page()
    page.clock.set_fixed_time("2026-11-23T17:30:00+01:00")  # a Monday, 17:30 in Luxembourg
    page.goto(copy_url.replace("index.html", "en/help/index.html"))
    expect(page.locator("#kjt .open-now")).to_have_text("Open now")
    expect(page.locator("#police .open-now")).to_have_text("Open now")
    page.clock.set_fixed_time("2026-11-24T09:00:00+01:00")  # Tuesday morning: KJT is closed
    page.reload()
    expect(page.locator("#kjt .open-now")).to_have_text("Closed now")


def test_slides_and_speaker_view_stay_in_step_from_a_folder(context, copy_url):
    deck = context.new_page()
    deck.goto(copy_url.replace("index.html", "en/modules/tiny/13-16/slides/index.html"))
    deck.keyboard.press("PageDown")
    with context.expect_page() as opened:
        deck.keyboard.press("s")
    speaker = opened.value
    expect(speaker.locator(".deck-counter")).to_have_text("2 / 11")
    deck.keyboard.press("PageDown")
    expect(speaker.locator(".deck-counter")).to_have_text("3 / 11")
    speaker.keyboard.press("Home")
    expect(deck.locator(".deck-bar .deck-counter")).to_have_text("1 / 11")
