"""A presenter drives the deck with the keyboard or a clicker; the speaker view keeps in step."""

from __future__ import annotations

from playwright.sync_api import expect


def current(page):
    return page.locator("[data-slide]:visible")


def test_deck_keys_move_through_the_slides(context, live_server):
    page = context.new_page()
    page.goto(live_server + "en/modules/tiny/13-16/slides/")
    expect(current(page)).to_have_count(1)
    expect(current(page).locator("h2").first).to_have_text("Welcome")
    counter = page.locator(".deck-bar .deck-counter")
    expect(counter).to_have_text("1 / 11")
    for key, expected in [
        ("ArrowRight", "2 / 11"),
        ("PageDown", "3 / 11"),
        (" ", "4 / 11"),
        ("ArrowDown", "5 / 11"),
        ("PageUp", "4 / 11"),
        ("ArrowLeft", "3 / 11"),
        ("End", "11 / 11"),
        ("ArrowRight", "11 / 11"),
        ("Home", "1 / 11"),
    ]:
        page.keyboard.press(key)
        expect(counter).to_have_text(expected)
    page.keyboard.press("ArrowRight")
    expect(current(page).locator("h2").first).to_have_text(
        "A new online friend asks Lea to keep a secret. What could Lea do?"
    )
    expect(current(page).get_by_text("Tell an adult she trusts.")).to_be_visible()


def test_speaker_view_opens_with_s_and_stays_in_step(context, live_server):
    deck = context.new_page()
    deck.goto(live_server + "en/modules/tiny/13-16/slides/")
    deck.keyboard.press("ArrowRight")
    with context.expect_page() as opened:
        deck.keyboard.press("s")
    speaker = opened.value
    speaker.wait_for_load_state()
    notes = speaker.locator("[data-slide]:visible .notes")
    expect(speaker.locator(".deck-counter")).to_have_text("2 / 11")
    expect(notes).to_contain_text("Right: Tell an adult she trusts.")
    expect(speaker.locator("[data-next]:visible")).to_contain_text("Which are warning signs?")
    expect(speaker.locator(".clock-now")).not_to_have_text("--:--")

    deck.keyboard.press("PageDown")
    expect(speaker.locator(".deck-counter")).to_have_text("3 / 11")
    speaker.keyboard.press("End")  # the presenter may drive from the speaker window too
    expect(deck.locator(".deck-counter")).to_have_text("11 / 11")
    expect(speaker.locator("[data-next-end]")).to_be_visible()
    expect(current(deck).get_by_role("heading", name="You can always get help")).to_be_visible()


def test_f_asks_for_full_screen(context, live_server):
    page = context.new_page()
    page.goto(live_server + "en/modules/tiny/10-12/slides/")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")


def test_the_deck_works_by_touch_and_b_blanks_it(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "en/modules/tiny/13-16/slides/")
    counter = page.locator(".deck-bar .deck-counter")
    page.get_by_role("button", name="Next").tap()
    expect(counter).to_have_text("2 / 11")
    page.get_by_role("button", name="Previous").tap()
    expect(counter).to_have_text("1 / 11")
    swipe(page, -200)  # right to left: the next slide
    expect(counter).to_have_text("2 / 11")
    swipe(page, 200)
    expect(counter).to_have_text("1 / 11")
    blank = page.locator("[data-blank]")
    page.keyboard.press("b")
    expect(blank).to_be_visible()
    page.keyboard.press(".")
    expect(blank).to_be_hidden()
    context.close()


def swipe(page, distance):
    """A finger across the slide, as pointer events: the browser sends these for a touch."""
    page.evaluate(
        """distance => {
        const area = document.querySelector('.slides');
        const at = (x) => ({pointerType: 'touch', clientX: x, clientY: 300, bubbles: true});
        area.dispatchEvent(new PointerEvent('pointerdown', at(500)));
        area.dispatchEvent(new PointerEvent('pointerup', at(500 + distance)));
    }""",
        distance,
    )
