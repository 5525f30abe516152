"""Pupils' questions on the presenter's screen in a real browser: a question arrives without
reloading, with its time; a marked one shows what to do now and no way onto the projector."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader


def test_a_question_arrives_without_reloading_and_a_marked_one_is_kept_off_the_projector(
    browser, live_presenter
):
    base, sign_in = live_presenter
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    presenter = context.new_page()
    presenter.goto(sign_in)
    presenter.get_by_role("button", name="Start live, ages 13-16").click()
    code = re.search(r"/sessions/([A-Z0-9]+)/", presenter.url).group(1)
    presenter.goto(f"{base}en/presenter/sessions/{code}/questions/")
    presenter.evaluate("window.notReloaded = true")
    phone = browser.new_context(viewport={"width": 360, "height": 640}).new_page()
    phone.goto(f"{base}en/live/{code}/")
    phone.get_by_text("Ask a question anonymously").click()
    for text in ("He keeps asking me for photos", "What is grooming?"):
        phone.fill("textarea[name=text]", text)
        phone.get_by_role("button", name="Send the question").click()
        expect(phone.locator("textarea[name=text]")).to_have_value("")
    marked = presenter.locator("li.marked", has_text="He keeps asking me for photos")
    marked.wait_for(timeout=10_000)
    assert presenter.evaluate("window.notReloaded") is True
    assert re.fullmatch(r"\d\d:\d\d", marked.locator("time").inner_text())
    assert marked.get_by_text("What to do now").is_visible()
    assert marked.get_by_role("button", name="Show on the projector").count() == 0
    general = presenter.locator("li", has_text="What is grooming?")
    general.get_by_role("button", name="Show on the projector").click()
    presenter.wait_for_url(re.compile(r"/confirm/show-question\?question=\d+"))
    assert presenter.get_by_role("button", name="Yes, show it").is_visible()
    context.close()
    phone.context.close()


LONGEST = {
    "school": "Lycée",
    "contact": "Ms Weber, school psychologist and SePAS team, ask at the office",
    "place": "Room 104, next to the library on the first floor of building B",
    "hours": "Every school day, 8:00-16:00, and Wednesday afternoon on request",
    "phone": "+352 26 12 34 56",
    "service1": "Planning familial Luxembourg, consultations for young",
    "service1_phone": "48 59 76",
    "service2": "Service psycho-social et d'accompagnement scolaires",
    "service2_phone": "247-75910",
}


def test_the_schools_help_cards_and_poster_print_on_one_a4_page_each(browser, live_presenter):
    """With the longest contact the form takes, nothing on a card is cut off and the poster stays one page."""
    base, sign_in = live_presenter
    context = browser.new_context()
    page = context.new_page()
    page.goto(sign_in)
    page.goto(f"{base}en/presenter/schools/")
    for field, text in LONGEST.items():
        page.fill(f"#{field}", text)
    page.get_by_role("button", name="Keep and use for the next session").click()
    for printable in ("help-card", "help-poster"):
        page.goto(f"{base}en/presenter/schools/1/{printable}/")
        pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
        assert len(pdf.pages) == 1, printable
        assert "Planning familial Luxembourg" in pdf.pages[0].extract_text(), printable
    page.set_viewport_size({"width": 688, "height": 1000})  # A4 within its margins
    page.emulate_media(media="print")
    cut = (
        "[...document.querySelectorAll('.help-card')].filter(c => c.scrollHeight > c.clientHeight + 1).length"
    )
    page.goto(f"{base}en/presenter/schools/1/help-card/")
    assert page.locator(".help-card").count() == 4 and page.evaluate(cut) == 0
    context.close()


def test_the_new_pages_pass_axe(browser, live_presenter):
    """The school's form (with its problems shown), the questions with a marked one, the note."""
    from axe_playwright_python.sync_playwright import Axe
    from test_accessibility import AXE_RULES

    base, sign_in = live_presenter
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(sign_in)
    page.goto(f"{base}en/presenter/schools/")
    page.fill("#school", "Lycée")
    page.fill("#contact", "Ms Weber")
    page.fill("#place", "Room 104")
    page.fill("#hours", "Every day")
    page.fill("#phone", "call me")
    page.get_by_role("button", name="Keep and use for the next session").click()
    found = {"schools, with a problem": Axe().run(page, options=AXE_RULES).response["violations"]}
    page.fill("#phone", "26 12 34")
    page.get_by_role("button", name="Keep and use for the next session").click()
    page.get_by_role("button", name="Start live, ages 13-16").click()
    code = re.search(r"/sessions/([A-Z0-9]+)/", page.url).group(1)
    phone = context.new_page()
    phone.goto(f"{base}en/live/{code}/")
    phone.get_by_text("Ask a question anonymously").click()
    phone.fill("textarea[name=text]", "He keeps asking me for photos")
    phone.get_by_role("button", name="Send the question").click()
    expect(phone.locator("textarea[name=text]")).to_have_value("")
    phone.goto(f"{base}en/live/{code}/help/")
    found["phone's help page"] = Axe().run(phone, options=AXE_RULES).response["violations"]
    for name, url in [("questions", "questions/"), ("note", "questions/1/note"), ("confirm", "confirm/end")]:
        page.goto(f"{base}en/presenter/sessions/{code}/{url}")
        found[name] = Axe().run(page, options=AXE_RULES).response["violations"]
    context.close()
    problems = {name: [v["id"] for v in found[name]] for name in found if found[name]}
    assert problems == {}
