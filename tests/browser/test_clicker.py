"""The clicker cannot skip or stick: a press while a step is changing is ignored, keys work
wherever the focus is, and B or "." blanks the stage."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from presenting import press, start_live


def presenter_view(browser, base_url, presenter_url):
    context, view, _ = start_live(browser, presenter_url, "13-16", viewport={"width": 1280, "height": 800})
    return context, view


def phase_badge(view):
    return view.locator(".pv-now .phase-badge")


def test_a_second_press_while_the_step_changes_is_ignored(browser, live_presenter):
    context, view = presenter_view(browser, *live_presenter)
    press(view, "ArrowRight")  # the welcome slide
    press(view, "ArrowRight")  # the first question, open
    expect(phase_badge(view)).to_have_text("Answering is open")
    sent = []
    view.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    held = []
    # The laptop is slow to answer this press: the request waits until the test lets it go.
    view.route(re.compile(r".*/next$"), lambda route: held.append(route))
    with view.expect_request(re.compile(r".*/next$")):
        view.keyboard.press("ArrowRight")
    view.keyboard.press("ArrowRight")  # pressed again while the first is on its way
    view.keyboard.press("PageDown")
    held[0].continue_()
    expect(phase_badge(view)).to_have_text("Answering is closed")
    view.unroute(re.compile(r".*/next$"))
    assert len(sent) == 1
    state_url = view.locator("[data-live-window]").get_attribute("data-state-url")
    state = view.evaluate("url => fetch(url).then(response => response.json())", state_url)
    assert state["phase"] == "closed"  # closed, not closed and revealed at once
    context.close()


def test_keys_keep_working_after_a_link_or_button_was_clicked(browser, live_presenter):
    context, view = presenter_view(browser, *live_presenter)
    view.get_by_role("link", name=re.compile("Questions from pupils")).click()
    dialog = view.get_by_role("dialog", name="Questions from pupils")
    expect(dialog).to_be_visible()  # over the view, which stays
    press(view, "ArrowRight")  # the clicker still works with the dialog open
    view.frame_locator("dialog iframe").locator("h1").click()  # the focus in the page it holds
    press(view, "ArrowRight")
    press(view, "ArrowLeft")
    view.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert view.url.endswith("/")  # the view was never left
    expect(view.locator(".pv-now h2").nth(1)).to_have_text("Welcome")
    view.get_by_role("button", name="Back").click()
    expect(view.locator(".pv-now")).to_contain_text("Join on your phone or tablet")
    press(view, "PageDown")
    expect(view.locator(".pv-now h2").nth(1)).to_have_text("Welcome")
    context.close()


def test_b_or_full_stop_blanks_the_stage_from_either_window(browser, live_presenter):
    context, view = presenter_view(browser, *live_presenter)
    with context.expect_page() as opened:
        view.get_by_role("link", name="Open the stage").click()
    stage = opened.value
    stage.wait_for_load_state()
    blank = stage.locator("[data-blank]")
    expect(blank).to_be_hidden()
    stage.keyboard.press("b")
    expect(blank).to_be_visible()
    stage.keyboard.press(".")
    expect(blank).to_be_hidden()
    view.keyboard.press("B")  # the presenter view blanks the stage too
    expect(blank).to_be_visible()
    expect(view.get_by_role("button", name="Blank the stage (B)")).to_have_attribute("aria-pressed", "true")
    view.keyboard.press("B")
    expect(blank).to_be_hidden()
    # The stage's own keys drive the session: one mirrored screen needs no other window.
    press(stage, "ArrowRight")
    expect(stage.locator(".stage-content h2").first).to_have_text("Welcome")
    expect(view.locator(".pv-now h2").nth(1)).to_have_text("Welcome")  # the presenter view follows
    stage.keyboard.press("m")
    expect(stage.locator("[data-drawer] [data-action=next]")).to_be_visible()
    expect(stage.get_by_text("Questions from pupils")).to_have_count(0)
    context.close()


def test_devices_and_results_open_over_the_view_and_close_back_to_it(browser, live_presenter):
    context, view = presenter_view(browser, *live_presenter)
    for name, heading in (("Devices", "Devices"), ("Results", "Results")):
        view.get_by_role("link", name=name, exact=True).click()
        dialog = view.get_by_role("dialog", name=name)
        expect(dialog).to_be_visible()
        expect(view.frame_locator("dialog iframe").locator("h1")).to_contain_text(heading)
        view.get_by_role("button", name="Close", exact=True).click()
        expect(dialog).to_be_hidden()
    # A link in the dialog's page back to the view closes the dialog instead of nesting the view.
    view.get_by_role("link", name="Devices", exact=True).click()
    view.frame_locator("dialog iframe").get_by_role("link", name="Back to the session").click()
    expect(view.get_by_role("dialog")).to_be_hidden()
    press(view, "ArrowRight")
    context.close()
