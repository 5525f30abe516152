"""The presenter view on a laptop's screen (1024x768 and 1366x768): at every step of every module,
however long the step and its speaker notes, the view fits the window: every control, the notes
and what comes next are on the one screen (the notes scroll in their own box), and the keyboard
reaches the controls before the step's own text."""

from __future__ import annotations

import pytest
from test_stage_fit import MODULES, walk

from workshop import store
from workshop.lesson import Position

LAPTOP = {"width": 1024, "height": 768}
WIDE_LAPTOP = {"width": 1366, "height": 768}

# The controls below the window's bottom edge, by their text; the notes and "Next" with less
# than two lines of their own on screen; a page that scrolls.
BELOW_THE_FOLD = """() => {
  const below = [...document.querySelectorAll('.pv-now .controls .button')]
    .filter(control => control.getBoundingClientRect().bottom > innerHeight)
    .map(control => control.textContent.trim());
  for (const part of ['.pv-notes > h2', '.pv-next > h2']) {
    const title = document.querySelector(part);
    if (title.getBoundingClientRect().bottom + 40 > innerHeight) below.push(title.textContent.trim());
  }
  if (document.documentElement.scrollHeight > innerHeight + 1) below.push('the page scrolls');
  return below;
}"""


@pytest.mark.parametrize("module_id", MODULES)
def test_every_control_is_on_the_first_screen_of_a_small_laptop(
    browser, builtin_server, builtin_content, module_id
):
    server, database = builtin_server
    module = builtin_content.modules_by_id[module_id]
    context = browser.new_context(viewport=LAPTOP)
    view = context.new_page()
    view.goto(server.presenter_url)
    problems = []
    for band in module.age_bands:
        session = store.create_session(database, module.id, band, Position(item=-1), with_check=True)
        for position, phase in walk(builtin_content, module, band):
            store.update_session(database, session.code, position=position, phase=phase)
            view.goto(
                f"{server.base_url}en/presenter/sessions/{session.code}/", wait_until="domcontentloaded"
            )
            for size in (LAPTOP, WIDE_LAPTOP):
                view.set_viewport_size(size)
                if below := view.evaluate(BELOW_THE_FOLD):
                    problems.append(f"{band} {position} {phase} at {size['width']}: {below}")
            view.set_viewport_size(LAPTOP)
    context.close()
    assert problems == [], "\n".join(problems)


def test_the_keyboard_reaches_the_controls_before_the_step(browser, builtin_server, builtin_content):
    server, database = builtin_server
    session = store.create_session(database, "online-friends", "10-12", Position(item=-1))
    context = browser.new_context(viewport=LAPTOP)
    view = context.new_page()
    view.goto(server.presenter_url)
    view.goto(f"{server.base_url}en/presenter/sessions/{session.code}/")
    order = view.evaluate(
        """() => [...document.querySelectorAll('.pv-now .controls .button, .pv-now .mini-stage')]
             .map(element => element.classList.contains('mini-stage') ? 'step' : 'control')"""
    )
    context.close()
    assert order.index("step") > order.index("control"), order
