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


def open_first_question(database, content, band="10-12"):
    """A new session of online friends, its first question open: (session, lesson, step)."""
    module = content.modules_by_id["online-friends"]
    lesson = Lesson(content, module, band)
    session = store.create_session(database, module.id, band, Position(item=-1))
    position = next(p for p in lesson.positions() if lesson.step_at(p).question)
    return session, lesson, position, open_at(database, session.code, lesson, position)


def phone_on_first_question(browser, server, database, content):
    """A small phone on that first question: (its browser, its page, the session, lesson, position)."""
    session, lesson, position, _ = open_first_question(database, content)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server.base_url}en/live/{session.code}/")
    return context, phone, session, lesson, position


def test_after_a_reset_every_tab_of_the_phone_can_answer_again(browser, builtin_server, builtin_content):
    server, database = builtin_server
    session, _, _, step = open_first_question(database, builtin_content)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone, other_tab = context.new_page(), context.new_page()  # one device: one cookie
    for page in (phone, other_tab):
        page.goto(f"{server.base_url}en/live/{session.code}/")
    status = phone.locator("[data-status]")
    phone.locator("label.choice").nth(1).tap()
    expect(status).to_have_text("✓ Sent: B")
    # The other tab shows the same truth: the answer the server has, picked.
    expect(other_tab.locator("[data-status]")).to_have_text("✓ Sent: B")
    expect(other_tab.locator("input[name=choice]").nth(1)).to_be_checked()

    # "Reset answers": the presenter deletes this question's answers and opens it again.
    store.reset_answers(database, session.code, step.question_key)
    store.update_session(database, session.code, phase=Phase.OPEN, open_key=step.question_key)
    for page in (phone, other_tab):
        expect(page.locator("[data-status]")).to_contain_text("answering starts again")
        expect(page.locator("input[name=choice]:checked")).to_have_count(0)
    phone.locator("label.choice").nth(1).tap()  # the same choice again: it is sent
    expect(status).to_have_text("✓ Sent: B")
    assert store.choice_counts(database, session.code, step.question_key)[1] == {step.choices[1].id: 1}
    context.close()


def test_a_late_answer_is_named_once(browser, builtin_server, builtin_content):
    server, database = builtin_server
    context, phone, session, _, _ = phone_on_first_question(browser, server, database, builtin_content)
    held = []
    phone.route("**/answer", lambda route: held.append(route))  # the Wi-Fi holds the answer back
    phone.locator("label.choice").first.tap()
    expect(phone.locator("[data-status]")).to_contain_text("Sending")
    store.update_session(database, session.code, phase=Phase.CLOSED, open_key="")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Answering is closed")
    held[0].continue_()
    expect(phone.locator("[data-notice]")).to_have_text("Your answer arrived too late: answering had closed.")
    expect(phone.get_by_text("You did not send an answer.")).to_be_hidden()
    context.close()


# Whether the send bar covers any part of a choice on the first screen.
BAR_OVER_A_CHOICE = """() => {
  const bar = document.querySelector('.send-bar').getBoundingClientRect();
  return [...document.querySelectorAll('label.choice')].some(choice => {
    const r = choice.getBoundingClientRect();
    return r.top < innerHeight && bar.top < r.bottom && r.top < bar.bottom && bar.height > 0;
  });
}"""


def test_a_new_step_starts_at_its_top_with_nothing_over_the_choices(browser, builtin_server, builtin_content):
    server, database = builtin_server
    context, phone, session, lesson, position = phone_on_first_question(
        browser, server, database, builtin_content
    )
    assert phone.evaluate(BAR_OVER_A_CHOICE) is False  # one tap sends: no empty bar over a choice
    # The session's code is whole in the header at 320 px, in every language's words.
    code = phone.locator(".live-code")
    expect(code).to_contain_text(session.code)
    assert code.evaluate("e => e.scrollWidth <= e.clientWidth")
    phone.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    assert phone.evaluate("scrollY") > 0
    store.update_session(
        database, session.code, position=lesson.next_position(position), phase=Phase.SLIDE, open_key=""
    )
    expect(phone.get_by_role("heading", level=1)).to_have_text("Look at the projector")
    assert phone.evaluate("scrollY") == 0
    context.close()
