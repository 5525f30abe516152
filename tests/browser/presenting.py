"""The presenter's side of a live session in the browser tests: start one, and move it on."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect


def start_live(
    browser: Browser, presenter_url: str, band: str, module: str = "", **options
) -> tuple[BrowserContext, Page, str]:
    """The presenter signs in and starts a live session for an age band (of `module`, or of the
    only module offering that button): their browser, the presenter view and the join code."""
    context = browser.new_context(**options)
    view = context.new_page()
    view.goto(presenter_url)
    start_forms = view.locator(f'form.start-form:has(input[value="{module}"])') if module else view
    start_forms.get_by_role("button", name=f"Start live, ages {band}").click()
    view.wait_for_load_state()  # the presenter view's keys work once its script has run
    return context, view, view.locator(".join-code strong").inner_text()


def moves_on(view: Page, action: Callable[[], None]) -> None:
    """Do what moves the session on, and wait until the next step is put in place."""
    window = view.locator("[data-live-window]")
    before = window.get_attribute("data-version")
    action()
    expect(window).not_to_have_attribute("data-version", before)


def press(view: Page, key: str = "ArrowRight", times: int = 1) -> None:
    """The clicker's key, pressed `times` times, each once the step before it is in place."""
    for _ in range(times):
        moves_on(view, lambda: view.keyboard.press(key))


def click_next(view: Page, times: int = 1) -> None:
    """The presenter view's first forward button (Next, Close answering or Show results)."""
    for _ in range(times):
        moves_on(view, lambda: view.locator('[data-part] button[data-action="next"]').first.click())
