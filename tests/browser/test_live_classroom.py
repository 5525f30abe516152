"""One presenter and three pupils (one reading French) through a quiz question and a story vote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from workshop.content import loaded_content

from helpers import pseudo_catalogs, running_server
from presenting import click_next, press, start_live


@pytest.fixture
def server(tiny_app, tiny_root, tmp_path):
    translations = pseudo_catalogs(tmp_path / "translations", loaded_content(tiny_app))
    env = {"WORKSHOP_LANGUAGES": '["en", "fr"]', "WORKSHOP_TRANSLATIONS_DIR": str(translations)}
    with running_server(tiny_root, env=env, data_dir=tmp_path / "live-data") as server:
        yield server


def phone(browser, locale):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale=locale)
    return context, context.new_page()


def test_presenter_and_three_pupils(browser, server):
    projector, console, code = start_live(
        browser, server.presenter_url, "13-16", viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    assert re.fullmatch(r"[A-Z2-9]{5}", code)

    pupils = [phone(browser, "en-GB"), phone(browser, "en-GB"), phone(browser, "fr-FR")]
    for _, page in pupils:
        page.goto(f"{server.base_url}j/{code}")
    (_, lea), (_, noah), (_, sofia) = pupils
    assert sofia.url.endswith(f"/fr/live/{code}/")
    expect(lea.get_by_role("heading", level=1)).to_have_text("Look at the projector")
    expect(sofia.get_by_role("heading", level=1)).to_have_text("‹Look at the projector›")
    expect(console.locator("[data-participants]").first).to_have_text("3")

    press(console)  # the welcome slide
    press(console)  # the first question opens on every device by itself
    for page, choice in (
        (lea, "Tell an adult she trusts."),
        (noah, "Keep the secret."),
        (sofia, "‹Tell an adult she trusts.›"),
    ):
        page.get_by_label(choice).check()  # one tap sends
    expect(lea.locator("[data-status]")).to_have_text("✓ Sent: A")
    expect(sofia.locator("[data-status]")).to_have_text("‹✓ Sent: A›")
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("3")

    press(console)  # close
    expect(noah.get_by_role("heading", level=1)).to_have_text("Answering is closed")
    press(console)  # reveal
    expect(console.locator("[data-chart] tr.is-right .count")).to_have_text("2")
    expect(lea.locator(".verdict")).to_have_text("✓ You got it right!")
    expect(noah.locator(".verdict")).to_have_text("Not quite: here is why.")
    expect(sofia.locator(".verdict")).to_have_text("✓ ‹You got it right!›")
    expect(sofia.get_by_text("‹Yes: a trusted adult can help.›")).to_be_visible()

    press(console, times=1 + 3 * 3 + 1)  # on past three questions and the law slide, to the story
    expect(console.locator(".pv-now").get_by_text("Lea meets Max in a game.")).to_be_visible()
    for page, choice in (
        (lea, "Lea moves to the private app."),
        (noah, "Lea moves to the private app."),
        (sofia, "‹Lea tells her dad.›"),
    ):
        page.get_by_label(choice).check()
        expect(page.locator("[data-status]")).to_contain_text("✓")
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("3")
    press(console, times=3)  # close, reveal, and the majority's branch leads on
    expect(console.locator(".pv-now").get_by_text("Max asks for a photo.")).to_be_visible()
    for page, text in ((lea, "Max asks for a photo."), (sofia, "‹Max asks for a photo.›")):
        page.get_by_text(re.compile("Read the story again")).click()  # the story keeps its paragraphs
        expect(page.locator(".story-so-far p")).to_have_text(text)
    for _, page in pupils:
        expect(page.locator(".help-link")).to_be_visible()
    for context, _ in pupils:
        context.close()
    projector.close()


def test_an_answer_sent_offline_is_retried_and_a_late_pupil_lands_on_the_question(browser, server):
    projector, console, code = start_live(browser, server.presenter_url, "10-12")
    context, pupil = phone(browser, "en-GB")
    pupil.goto(f"{server.base_url}j/{code}")
    click_next(console, 2)
    expect(pupil.locator("legend")).to_contain_text("keep a secret")

    context.set_offline(True)  # the Wi-Fi drops just as the pupil answers
    pupil.get_by_label("Tell an adult she trusts.").check()
    expect(pupil.locator("[data-status]")).to_contain_text("Sending")
    expect(pupil.locator("[data-status]")).to_have_class(re.compile("is-sending"))  # amber, not green
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("0")
    context.set_offline(False)
    expect(pupil.locator("[data-status]")).to_have_text("✓ Sent: A")
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("1")

    late_context, late = phone(browser, "en-GB")
    late.goto(f"{server.base_url}en/join/")
    late.get_by_label("Code from the projector").fill(code.lower())
    late.get_by_role("button", name="Join").click()
    expect(late.locator("legend")).to_contain_text("keep a secret")
    late_context.close()
    context.close()
    projector.close()
