"""A pupil's phone at 320x568: the question, the first choice and the means to send are on the
first screen in every language, and one tap sends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from workshop import store
from workshop.lesson import Lesson, Position
from workshop.settings import defaults
from workshop.store import Phase

PHONE = {"width": 320, "height": 568}

# Where the first choice and the send end, and whether the page is wider than the phone.
FIRST_SCREEN = """() => {
  const bottom = (selector) => {
    const element = document.querySelector(selector);
    return element && element.offsetParent !== null ? element.getBoundingClientRect().bottom : null;
  };
  return {
    question: bottom('legend'), choice: bottom('label.choice'), send: bottom('[data-send]'),
    wide: document.documentElement.scrollWidth > innerWidth,
  };
}"""


def open_at(database, code, lesson, position):
    step = lesson.step_at(position)
    store.update_session(database, code, position=position, phase=Phase.OPEN, open_key=step.question_key)
    return step


@pytest.mark.parametrize("lang", defaults()["LANGUAGES"])
def test_every_question_fits_the_first_screen_of_a_small_phone(
    browser, builtin_server, builtin_content, lang
):
    server, database = builtin_server
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    problems = []
    for module in builtin_content.modules:
        for band in module.age_bands:
            session = store.create_session(database, module.id, band, Position(item=-1))
            lesson = Lesson(builtin_content, module, band)
            for position in lesson.positions():
                step = lesson.step_at(position)
                if not step.question_key:
                    continue
                open_at(database, session.code, lesson, position)
                phone.goto(f"{server.base_url}{lang}/live/{session.code}/")
                found = phone.evaluate(FIRST_SCREEN)
                # With its script on, a single-choice tap sends: the choice is the means to send.
                means = found["send"] if step.allows_several else found["choice"]
                if (
                    found["wide"]
                    or not found["choice"]
                    or found["choice"] > PHONE["height"]
                    or means > PHONE["height"]
                ):
                    problems.append(f"{module.id} {band} {step.question_key}: {found}")
    context.close()
    assert problems == []


def test_one_tap_sends_and_the_status_is_the_servers(browser, builtin_server, builtin_content):
    server, database = builtin_server
    module = builtin_content.modules_by_id["online-friends"]
    lesson = Lesson(builtin_content, module, "10-12")
    session = store.create_session(database, module.id, "10-12", Position(item=-1))
    first_question = next(p for p in lesson.positions() if lesson.step_at(p).question)
    step = open_at(database, session.code, lesson, first_question)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server.base_url}en/live/{session.code}/")
    status = phone.locator("[data-status]")
    phone.locator("label.choice").nth(1).tap()
    expect(status).to_have_text("✓ Sent: B")
    assert store.choice_counts(database, session.code, step.question_key)[1] == {step.choices[1].id: 1}
    phone.locator("label.choice").first.tap()  # tapping another changes it
    expect(status).to_have_text("✓ Sent: A")
    assert store.choice_counts(database, session.code, step.question_key)[1] == {step.choices[0].id: 1}

    # The presenter closes answering: the page says so in place, with what the server has.
    store.update_session(database, session.code, phase=Phase.CLOSED, open_key="")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Answering is closed")
    expect(phone.locator("[data-part=step] .answer-status")).to_have_text("✓ Sent: A")
    context.close()


# The before-and-after check at the top of the page and scrolled to its end: whether the page is
# wider than the phone, where the send sits, how tall each sentence with its scale is, the
# smallest text, and what the send bar covers once the last sentence is reached.
CHECK_SCREEN = """() => {
  const send = document.querySelector('.check-form .send-bar');
  const statements = [...document.querySelectorAll('.check-form .statement')];
  const texts = [...document.querySelectorAll('.check-form legend, .check-form .choice, .check-form .hint')];
  return {
    wide: document.documentElement.scrollWidth > innerWidth,
    send: send.getBoundingClientRect().bottom,
    tallest: Math.max(...statements.map(s => s.getBoundingClientRect().height)) + send.offsetHeight,
    smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
  };
}"""
AT_THE_END = """() => {
  scrollTo(0, document.documentElement.scrollHeight);
  const statements = document.querySelectorAll('.check-form .statement');
  const last = statements[statements.length - 1].getBoundingClientRect();
  const send = document.querySelector('.check-form .send-bar').getBoundingClientRect();
  return {last: last.bottom, send: send.top, bottom: send.bottom};
}"""


@pytest.mark.parametrize("lang", defaults()["LANGUAGES"])
def test_the_check_is_usable_on_a_small_phone(browser, builtin_server, builtin_content, lang):
    """Five sentences cannot all fit 320x568: the send stays on screen, each sentence shares one
    screen with its whole scale, the text is at least 16 px, and at the end nothing is cut."""
    server, database = builtin_server
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    problems, checked = [], 0
    for module in builtin_content.modules:
        for band in module.age_bands:
            lesson = Lesson(builtin_content, module, band, with_check=True)
            checks = [p for p in lesson.positions() if lesson.step_at(p).check]
            if not checks:
                continue
            session = store.create_session(database, module.id, band, Position(item=-1), with_check=True)
            open_at(database, session.code, lesson, checks[0])
            checked += 1
            phone.goto(f"{server.base_url}{lang}/live/{session.code}/")
            found, end = phone.evaluate(CHECK_SCREEN), phone.evaluate(AT_THE_END)
            if (
                found["wide"]
                or found["send"] > PHONE["height"]
                or found["tallest"] > PHONE["height"]
                or found["smallest"] < 16
                or end["last"] > end["send"]
                or end["bottom"] > PHONE["height"]
            ):
                problems.append(f"{module.id} {band}: {found} {end}")
    context.close()
    assert checked and problems == []
