"""The before-and-after check in Chromium: five phones answer at the start and at the end on
the real server, the projector shows how the class changed, and every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_accessibility import violations

from content_tree import STATEMENTS, TINY, write_tree
from helpers import running_server
from presenting import click_next, press, start_live

NUMBER = "I know a number I can call if something online worries me."
TELL = "If something online worried me, I would tell an adult I trust."
SAVED = "Your answers are in. You can change them until answering closes."
PHONE = {"width": 360, "height": 640}


@pytest.fixture
def server(tmp_path):
    root = write_tree(tmp_path / "content", {**TINY, **STATEMENTS})
    with running_server(root, data_dir=tmp_path / "data") as server:
        yield server


def answer(phone, points: dict[str, str]):
    for sentence, word in points.items():
        phone.get_by_role("group", name=sentence).get_by_label(word, exact=True).check()
    phone.get_by_role("button", name=re.compile("(Send|Change) my answers")).click()
    expect(phone.get_by_role("status")).to_have_text(SAVED)
    expect(phone.get_by_role("button", name="Change my answers")).to_be_visible()  # as after a reload


def test_five_phones_answer_before_and_after_and_the_class_sees_how_it_changed(browser, server):
    projector, console, code = start_live(
        browser, server.presenter_url, "13-16", viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    contexts = [browser.new_context(viewport=PHONE, bypass_csp=True) for _ in range(5)]
    phones = [context.new_page() for context in contexts]
    for phone in phones:
        phone.goto(f"{server.base_url}j/{code}")

    press(console)  # the welcome slide
    press(console)  # the check, ticked by default, opens on every phone by itself
    for phone in phones:
        expect(phone.get_by_role("heading", level=1)).to_have_text("Before we start: what do you think?")
        answer(phone, {NUMBER: "Not sure", TELL: "No"})
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("5")
    assert violations(phones[0]) == []

    for _ in range(30):  # through the lesson to the check at the end
        if console.locator(".pv-now").get_by_text("Now, at the end: what do you think?").count():
            break
        press(console)
    for phone in phones:
        expect(phone.get_by_role("heading", level=1)).to_have_text("Now, at the end: what do you think?")
        answer(phone, {NUMBER: "Yes", TELL: "Mostly"})
    press(console)  # close
    press(console)  # how our class changed
    expect(console.locator(".pv-now").get_by_role("heading", name="How our class changed")).to_be_visible()
    expect(console.get_by_text("5 devices answered both times.")).to_be_visible()
    for statement in ("knows-a-number", "would-tell"):
        row = console.locator(f'[data-statement="{statement}"]')
        expect(row.locator("td.before")).to_have_text("0%")
        expect(row.locator("td.after")).to_have_text("100%")
        expect(row.locator("td.change")).to_have_text("+100")
    expect(console.locator('[data-statement="photo-request"] .too-few')).to_be_visible()
    expect(phones[0].get_by_text("Look at the projector: how our class changed.")).to_be_visible()
    assert violations(console) == []

    console.goto(f"{server.base_url}en/presenter/report/")
    expect(console.locator('[data-total="pupils"]')).to_have_text("5")
    expect(console.locator('[data-statement="knows-a-number"] td.after')).to_have_text("100%")
    assert violations(console) == []
    console.emulate_media(media="print")
    expect(console.locator(".report-range")).to_be_hidden()
    expect(console.locator("[data-shift] svg").first).to_be_visible()
    for context in contexts:
        context.close()
    projector.close()


def test_a_phone_answers_the_check_without_javascript_and_by_keyboard(browser, server):
    projector, console, code = start_live(browser, server.presenter_url, "10-12")
    click_next(console, 2)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    phone = context.new_page()
    phone.goto(f"{server.base_url}en/live/{code}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320  # reflows on a small phone
    while phone.evaluate("document.activeElement.name") != "knows-a-number":
        phone.keyboard.press("Tab")
    phone.keyboard.press("ArrowDown")  # in a radio group, arrow keys choose: "Not really"
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("status")).to_have_text(re.compile("Your answers are in."))
    expect(phone.get_by_role("group", name=NUMBER).get_by_label("Not really", exact=True)).to_be_checked()
    expect(console.locator(".pv-counts [data-answered]")).to_have_text("1")
    context.close()
    projector.close()


def test_a_check_picked_but_not_sent_when_it_closes_is_named_without_letters(browser, server):
    """The check's answers carry no letters: the notice must not read "you picked  but"."""
    projector, console, code = start_live(browser, server.presenter_url, "13-16")
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    phone.goto(f"{server.base_url}j/{code}")
    press(console)  # the welcome slide
    press(console)  # the check
    phone.get_by_role("group", name=NUMBER).get_by_label("Yes", exact=True).check()
    press(console)  # on, before the phone sent anything
    notice = "Not sent: answering closed before you sent your answers."
    expect(phone.locator("[data-notice]")).to_have_text(notice)
    context.close()
    projector.close()
