"""The presenter view on a small laptop screen (1024x768): at every step of every module, however
long the step and its speaker notes, every control is on the first screen, and the keyboard
reaches the controls before the step's own text."""

from __future__ import annotations

import pytest

from workshop import create_app, store
from workshop.content import loaded_content
from workshop.lesson import Lesson, Position
from workshop.settings import PROJECT_ROOT
from workshop.store import Phase

from helpers import running_server

LAPTOP = {"width": 1024, "height": 768}
QUESTION_PHASES = (Phase.OPEN, Phase.CLOSED, Phase.REVEALED)
MODULES = [path.name for path in sorted((PROJECT_ROOT / "slides").iterdir()) if path.is_dir()]

# The controls below the window's bottom edge, by their text.
BELOW_THE_FOLD = """() => [...document.querySelectorAll('.pv-now .controls .button')]
  .filter(control => control.getBoundingClientRect().bottom > innerHeight)
  .map(control => control.textContent.trim())"""


@pytest.fixture(scope="module")
def presenter_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("presenter-view")
    env = {"WORKSHOP_DIRECTORY_FILE": "directory/luxembourg.toml"}
    with running_server(PROJECT_ROOT, data_dir=data, env=env) as server:
        yield server, store.open_database(data / "workshop.db")


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    return loaded_content(create_app({"DATA_DIR": str(tmp_path_factory.mktemp("content")), "PDFS": False}))


def states(lesson: Lesson):
    """(position, phase) for every step, a question in each of its states."""
    for position in lesson.positions():
        for phase in QUESTION_PHASES if lesson.step_at(position).question_key else (Phase.SLIDE,):
            yield position, phase


@pytest.mark.parametrize("module_id", MODULES)
def test_every_control_is_on_the_first_screen_of_a_small_laptop(
    browser, presenter_server, content, module_id
):
    server, database = presenter_server
    module = content.modules_by_id[module_id]
    context = browser.new_context(viewport=LAPTOP)
    view = context.new_page()
    view.goto(server.presenter_url)
    problems = []
    for band in module.age_bands:
        session = store.create_session(database, module.id, band, Position(item=-1), with_check=True)
        lesson = Lesson(content, module, band, with_check=True)
        for position, phase in states(lesson):
            store.update_session(database, session.code, position=position, phase=phase)
            view.goto(
                f"{server.base_url}en/presenter/sessions/{session.code}/", wait_until="domcontentloaded"
            )
            if below := view.evaluate(BELOW_THE_FOLD):
                problems.append(f"{band} {position} {phase}: {below}")
    context.close()
    assert problems == [], "\n".join(problems)


def test_the_keyboard_reaches_the_controls_before_the_step(browser, presenter_server, content):
    server, database = presenter_server
    module = content.modules_by_id["online-friends"]
    session = store.create_session(database, module.id, "10-12", Position(item=-1))
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
