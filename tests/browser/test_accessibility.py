"""WCAG 2.2 AA, checked by axe-core and by hand-written checks, on every kind of page."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from workshop.lesson import Lesson, Position, StepKind
from workshop.settings import PROJECT_ROOT, defaults
from workshop.store import Phase

from helpers import running_server
from presenting import click_next, press, start_live

# English and one other language, as soon as a second one is configured.
LANGUAGES = defaults()["LANGUAGES"][:2]
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from content_tree import DIRECTORY_FILE

    env = {"WORKSHOP_DIRECTORY_FILE": "directory/luxembourg.toml"}
    assert env["WORKSHOP_DIRECTORY_FILE"] != DIRECTORY_FILE
    with running_server(PROJECT_ROOT, data_dir=tmp_path_factory.mktemp("a11y"), env=env) as server:
        yield server


def violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_RULES)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


def start_live_session(browser, server, lang):
    presenter, console, code = start_live(
        browser,
        server.presenter_url,
        "13-16",
        "online-friends",
        viewport={"width": 1280, "height": 800},
        bypass_csp=True,
    )
    pupil = browser.new_context(viewport={"width": 360, "height": 700}, bypass_csp=True)
    phone = pupil.new_page()
    phone.goto(f"{server.base_url}{lang}/live/{code}/")
    return presenter, console, pupil, phone, code


# How Chromium reports a reload cut short by the page's own: the navigation aborted, or the
# page it was sent to already replaced.
RACED_RELOAD = ("ERR_ABORTED", "Not attached to an active page")


def reload(phone):
    """Reload a pupil's page, which may be reloading itself already: it does when its poll sees
    that the presenter moved on, and the two reloads then race."""
    try:
        phone.reload()
    except PlaywrightError as error:
        if not any(sign in str(error) for sign in RACED_RELOAD):
            raise
        phone.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_type_passes_axe(browser, server, lang):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    base = f"{server.base_url}{lang}/"
    found = {}
    for name, url in [
        ("home", ""),
        ("module", "modules/online-friends/"),
        ("slides", "modules/online-friends/13-16/slides/"),
        ("speaker", "modules/online-friends/13-16/speaker/"),
        ("quiz", "quizzes/online-friends/"),
        ("scenario", "scenarios/lea-new-friend/"),
        ("scenario choice", "scenarios/lea-new-friend/start/move-app/"),
        ("help", "help/"),
        ("guide", "guide/"),
        ("join", "join/"),
    ]:
        page.goto(base + url)
        found[name] = violations(page)
    context.close()

    presenter, console, pupil, phone, code = start_live_session(browser, server, lang)
    found["presenter lobby"] = violations(console)
    # Through the seven opening slides and the before-and-after check (open, closed, thank you)
    # to the quiz's first question.
    click_next(console, 11)
    reload(phone)
    expect(phone.locator('input[name="choice"]').first).to_be_visible()
    found["pupil question"] = violations(phone)
    phone.locator("label.choice").first.click()  # one tap sends
    expect(phone.locator("[data-status]")).not_to_be_empty()
    click_next(console, 2)
    reload(phone)
    found["pupil result"] = violations(phone)
    found["presenter view"] = violations(console)
    console.goto(f"{server.base_url}{lang}/presenter/sessions/{code}/stage/")
    found["stage"] = violations(console)
    console.goto(f"{server.base_url}{lang}/presenter/sessions/{code}/results/")
    found["results"] = violations(console)
    presenter.close()
    pupil.close()
    assert {name: v for name, v in found.items() if v} == {}


# The kinds of step a live lesson goes through: each page is scanned at the first of each.
LIVE_KINDS = {
    "lobby",
    "slide",
    "check open",
    "check revealed",
    "question open",
    "question revealed",
    "story vote open",
    "story vote revealed",
    "end",
}


def key_path(lesson):
    """(position, phase) after each press of the clicker, from the lobby to the end."""
    position, phase = Position(item=-1), Phase.LOBBY
    yield position, phase
    while lesson.step_at(position).kind != StepKind.END:
        step = lesson.step_at(position)
        if step.question_key and phase in (Phase.OPEN, Phase.CLOSED):
            phase = Phase.CLOSED if phase == Phase.OPEN else Phase.REVEALED
        else:
            position = lesson.next_position(position)
            step = lesson.step_at(position)
            phase = (
                Phase.OPEN if step.question_key else Phase.END if step.kind == StepKind.END else Phase.SLIDE
            )
        yield position, phase


def kind_of(step, phase) -> str:
    if step.kind in (StepKind.LOBBY, StepKind.END):
        return str(step.kind)
    if not step.question_key:
        return "slide"
    return f"{'check' if step.check else 'story vote' if step.is_story_vote else 'question'} {phase}"


def test_every_live_page_passes_axe_at_every_kind_of_step(browser, server, builtin_content):
    """The phone, the stage and the presenter view, each step put in place live as the presenter
    presses the clicker's key, from the lobby through the check, a question and a story vote
    (open and revealed) to the end. In English: the page types above are scanned in two languages."""
    lang = "en"
    presenter, console, pupil, phone, code = start_live_session(browser, server, lang)
    console.set_viewport_size({"width": 1366, "height": 768})
    stage = presenter.new_page()
    stage.set_viewport_size({"width": 1280, "height": 720})
    stage.goto(f"{server.base_url}{lang}/presenter/sessions/{code}/stage/")
    lesson = Lesson(
        builtin_content, builtin_content.modules_by_id["online-friends"], "13-16", with_check=True
    )
    found, scanned = {}, set()
    for presses, (position, phase) in enumerate(key_path(lesson)):
        if presses:
            press(console)
        kind = kind_of(lesson.step_at(position), phase)
        if kind not in LIVE_KINDS or kind in scanned:
            continue
        scanned.add(kind)
        version = console.locator("[data-live-window]").get_attribute("data-version")
        for name, page in (("phone", phone), ("stage", stage)):
            # Each window has the step once its version is the presenter view's.
            shown = page.locator("[data-part=step]" if name == "phone" else "[data-live-window]")
            expect(shown).to_have_attribute("data-version", version)
        for name, page in (("phone", phone), ("stage", stage), ("presenter view", console)):
            found[f"{name}, {kind}"] = violations(page)
    presenter.close()
    pupil.close()
    assert scanned == LIVE_KINDS
    assert {name: v for name, v in found.items() if v} == {}


def test_keyboard_only_pupil_joins_answers_and_sees_the_result(browser, server):
    presenter, console, pupil, phone, code = start_live_session(browser, server, "en")
    phone.goto(f"{server.base_url}en/join/")
    phone.keyboard.press("Tab")  # skip link
    phone.keyboard.press("Tab")
    while phone.evaluate("document.activeElement.id") != "code":
        phone.keyboard.press("Tab")
    phone.keyboard.type(code.lower())
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    click_next(console, 11)  # to the quiz's first question, as above
    reload(phone)
    while phone.evaluate("document.activeElement.name") != "choice":
        phone.keyboard.press("Tab")
    phone.keyboard.press("ArrowDown")  # in a radio group, arrow keys choose, and a choice is sent
    expect(phone.locator("[data-status]")).to_have_text("✓ Sent: B")
    click_next(console, 2)
    expect(phone.locator("li.mine")).to_have_count(1, timeout=10_000)  # the result, with their answer
    expect(phone.locator("li.mine .feedback, li.mine p").first).to_be_visible()
    presenter.close()
    pupil.close()


def test_keyboard_only_self_paced_quiz(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}en/quizzes/online-friends/")
    while page.evaluate("document.activeElement.name") != "secret-chat":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#secret-chat .feedback.right")).to_be_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is always visible
    expect(page.locator(".score-count")).to_have_text("1")
    context.close()


@pytest.mark.parametrize(
    "url",
    [
        *["en/join/", "en/help/", "en/quizzes/online-friends/", "en/scenarios/lea-new-friend/"],
        # The printables are pages too, opened on a phone from the offline copy.
        *["en/print/help-poster/", "en/print/help-card/", "en/print/modules/online-friends/worksheet/"],
        "en/print/modules/sextortion/parents/",
    ],
)
def test_reflows_at_320_px_and_targets_are_at_least_24_px(browser, server, url):
    """320 CSS px is a 1280 px window at 400% zoom (WCAG 1.4.10); 2.5.8 asks for 24x24 targets."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(server.base_url + url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    small = page.evaluate("""() => [...document.querySelectorAll(
            'button, input, select, textarea, label, .button, nav a, .help-link')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
        .filter(([_, r]) => r.width < 24 || r.height < 24)
        .map(([html]) => html)""")
    assert small == []
    context.close()


def test_nothing_is_requested_from_anywhere_but_the_laptop(browser, server):
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    for url in [
        "",
        "en/",
        "en/help/",
        "en/modules/online-friends/13-16/slides/",
        "en/quizzes/online-friends/",
        "en/scenarios/lea-new-friend/",
        "en/join/",
    ]:
        page.goto(server.base_url + url)
    page.goto(server.presenter_url)
    context.close()
    assert requests and all(url.startswith(server.base_url) for url in requests), requests
