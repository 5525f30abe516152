"""Every step of every module and age band fits the projector as it arrives: nothing cut off,
no scrolling. The lessons are walked with the before-and-after check, where a module has one.

The stage is walked as a class sees it: opened once, then each step put in place live, without
a reload, in two stage windows at once (1280x720 and 1024x768) in each of the five languages.
The clicker's key, pressed on the stage, walks the lesson; the story branches it does not take
are reached by moving the session in the store, which the stage hears of on its event stream
like any other change.
"""

from __future__ import annotations

import pytest

from workshop import store
from workshop.lesson import Lesson, Position, StepKind
from workshop.settings import PROJECT_ROOT, defaults
from workshop.store import Phase

SIZES = [(1280, 720), (1024, 768)]
QUESTION_PHASES = (Phase.OPEN, Phase.CLOSED, Phase.REVEALED)

# Everything that sticks out of the window or out of the step's box; and on a screen with the
# help box, whether the phone numbers are its largest text and 116 111 comes first.
MEASURE = """async (version) => {
  // First the step: until the window shows another version than `version` (10 s at most).
  const shown = () => document.querySelector('[data-live-window]').dataset.version;
  const until = Date.now() + 10000;
  while (shown() === version && Date.now() < until) await new Promise(done => setTimeout(done, 5));
  if (shown() === version) return {problems: ['the step never arrived'], size: 99, small: 99, version};
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
  const small = [...document.querySelectorAll('.stage-content .kicker, .stage-content .hint')].map(size);
  return {problems, size: content ? size(content) : 0, small: Math.min(99, ...small), version: shown()};
}"""


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


class Stages:
    """The stage open in one window per size, all showing the same session."""

    def __init__(self, browser, server, lang):
        self.server, self.lang = server, lang
        self.context = browser.new_context()
        self.pages = [self.context.new_page() for _ in SIZES]
        for page, (width, height) in zip(self.pages, SIZES, strict=True):
            page.set_viewport_size({"width": width, "height": height})
        self.pages[0].goto(server.presenter_url)
        self.problems: list[str] = []
        self.smallest = 99.0

    def open(self, code):
        for page in self.pages:
            page.goto(f"{self.server.base_url}{self.lang}/presenter/sessions/{code}/stage/")
        self.version = None  # measured as loaded

    def arrive(self, move, where):
        """Do what moves the session on, and measure each window once it has put the step in place."""
        move()
        self.measure(where)

    def measure(self, where):
        versions = set()
        for page, (width, height) in zip(self.pages, SIZES, strict=True):
            # One call per window, which waits for the step itself: the walk stays quick.
            found = page.evaluate(MEASURE, self.version)
            versions.add(found["version"])
            self.problems += [f"{where} at {width}x{height}: {problem}" for problem in found["problems"]]
            if width == 1280:
                self.smallest = min(self.smallest, found["size"])
                if found["small"] < 18:
                    self.problems.append(f"{where}: a kicker or hint of {found['small']:.1f} px")
        self.version = max(versions, key=int)


@pytest.mark.parametrize("lang", defaults()["LANGUAGES"])
@pytest.mark.parametrize("module_id", MODULES)
def test_every_step_fits_the_projector_as_it_arrives(
    browser, builtin_server, builtin_content, lang, module_id
):
    server, database = builtin_server
    module = builtin_content.modules_by_id[module_id]
    stages = Stages(browser, server, lang)
    stage = stages.pages[0]
    for band in module.age_bands:
        lesson = Lesson(builtin_content, module, band, with_check=True)
        session = store.create_session(database, module.id, band, Position(item=-1), with_check=True)
        stages.open(session.code)
        stages.measure(f"{band} lobby, loaded")
        seen = {(Position(item=-1), Phase.LOBBY)}
        # The clicker, pressed on the stage: each question closes, shows its results, moves on.
        while (now := store.get_session(database, session.code)).phase != Phase.END:
            stages.arrive(
                lambda: stage.keyboard.press("ArrowRight"), f"{band} after {now.position} {now.phase}"
            )
            now = store.get_session(database, session.code)
            seen.add((now.position, now.phase))
        # The branches the clicker did not take, each step put in place as it arrives.
        for position, phase in walk(builtin_content, module, band):
            if (position, phase) in seen:
                continue
            step = lesson.step_at(position)
            key = step.question_key if phase == Phase.OPEN else ""

            def move(position=position, phase=phase, key=key, code=session.code):
                store.update_session(database, code, position=position, phase=phase, open_key=key)

            stages.arrive(move, f"{band} {position} {phase} ({StepKind(step.kind)})")
    stages.context.close()
    assert stages.problems == [], "\n".join(stages.problems)
    # The back row can still read the smallest step's text.
    assert stages.smallest >= 18, stages.smallest
