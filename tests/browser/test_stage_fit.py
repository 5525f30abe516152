"""Every step of every module and age band fits the projector: nothing cut off, no scrolling.
The lessons are walked with the before-and-after check, where a module has one.

The stage is walked by URL: the test moves a real session through the store, as the server's
own rules would, and loads the stage at each step, in each state a question goes through. Each
page is measured at 1280x720, then at 1024x768 in the same page (the stage fits itself again
when the window changes size).
"""

from __future__ import annotations

import pytest

from workshop import store
from workshop.lesson import Lesson, Position
from workshop.settings import PROJECT_ROOT
from workshop.store import Phase

SIZES = [(1280, 720), (1024, 768)]
# The longest language (German) beside English: all five at both sizes would add five minutes
# to the suite (French, Luxembourgish and Portuguese are shorter than German throughout).
LANGUAGES = {"en": SIZES, "de": SIZES}
QUESTION_PHASES = (Phase.OPEN, Phase.CLOSED, Phase.REVEALED)

# Everything that sticks out of the window or out of the step's box; and on a screen with the
# help box, whether the phone numbers are its largest text and 116 111 comes first.
MEASURE = """() => {
  const problems = [];
  const width = innerWidth, height = innerHeight, page = document.documentElement;
  if (page.scrollHeight > height + 1 || page.scrollWidth > width + 1) {
    problems.push(`page is ${page.scrollWidth}x${page.scrollHeight}`);
  }
  for (const box of document.querySelectorAll('[data-fit]')) {
    const step = box.firstElementChild;
    if (box.scrollHeight > box.clientHeight + 1) {
      problems.push(`step ${box.scrollHeight} > ${box.clientHeight} px high`);
    }
    if (step.scrollWidth > step.clientWidth + 1) {
      problems.push(`step ${step.scrollWidth} > ${step.clientWidth} px wide`);
    }
  }
  for (const element of document.querySelectorAll('.stage-inner *')) {
    if (!element.getClientRects().length || element.closest('.visually-hidden')) continue;
    const r = element.getBoundingClientRect();
    if (r.bottom > height + 1 || r.right > width + 1 || r.top < -1 || r.left < -1) {
      problems.push(`cut off: ${element.outerHTML.slice(0, 80)}`);
    }
  }
  const size = (element) => parseFloat(getComputedStyle(element).fontSize);
  const numbers = [...document.querySelectorAll('.stage-content .help-number:not(.help-web)')];
  if (numbers.length) {
    if (numbers[0].textContent.trim() !== '116 111') problems.push('116 111 is not the first number');
    const largest = Math.max(...numbers.map(size));
    const texts = [...document.querySelectorAll('.stage-content *')].filter(e =>
      !e.closest('.help-number') && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
    const bigger = texts.filter(e => size(e) > largest + 0.5).map(e => e.textContent.trim().slice(0, 40));
    if (bigger.length) problems.push(`larger than the help numbers: ${bigger}`);
  }
  const content = document.querySelector('.stage-content');
  return {problems, size: content ? size(content) : 0};
}"""

# The stage fits itself again on "resize", which the browser sends before the next frame.
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(done))"


def walk(content, module, band):
    """(position, phase) for every step: a question in each of its states, the lobby and the end."""
    lesson = Lesson(content, module, band, with_check=True)
    yield Position(item=-1), Phase.LOBBY
    for position in lesson.positions():
        step = lesson.step_at(position)
        for phase in QUESTION_PHASES if step.question_key else (Phase.SLIDE,):
            yield position, phase
    yield lesson.end, Phase.END


MODULES = [path.name for path in sorted((PROJECT_ROOT / "slides").iterdir()) if path.is_dir()]


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("module_id", MODULES)
def test_every_step_fits_the_projector(browser, builtin_server, builtin_content, lang, module_id):
    server, database = builtin_server
    module = builtin_content.modules_by_id[module_id]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(server.presenter_url)
    problems, smallest = [], {}
    for band in module.age_bands:
        session = store.create_session(database, module.id, band, Position(item=-1), with_check=True)
        stage = f"{server.base_url}{lang}/presenter/sessions/{session.code}/stage/"
        for position, phase in walk(builtin_content, module, band):
            store.update_session(database, session.code, position=position, phase=phase)
            page.set_viewport_size({"width": 1280, "height": 720})
            # The stage's scripts run before DOMContentLoaded: the step is fitted by then.
            page.goto(stage, wait_until="domcontentloaded")
            for width, height in LANGUAGES[lang]:
                page.set_viewport_size({"width": width, "height": height})
                page.evaluate(NEXT_FRAME)
                found = page.evaluate(MEASURE)
                where = f"{band} {position} {phase} at {width}x{height}"
                problems += [f"{where}: {problem}" for problem in found["problems"]]
                smallest[width] = min(smallest.get(width, 99), found["size"])
    context.close()
    assert problems == [], "\n".join(problems)
    # The back row can still read the smallest step's text.
    assert smallest[1280] >= 18, smallest
