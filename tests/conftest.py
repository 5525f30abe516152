from __future__ import annotations

import pytest

from workshop import create_app, translations
from workshop.settings import PROJECT_ROOT

from content_tree import DIRECTORY_FILE, STATEMENTS, TINY, write_tree
from helpers import signed_in, tiny_settings


def pytest_configure(config):
    """Compile the catalogs once, before the test workers start: each app compiles what is out of
    date when it is made, and two workers writing the same catalog at once could let a third
    read half of one (in a fresh checkout, where no catalog is compiled yet)."""
    if not hasattr(config, "workerinput"):  # the main process, not a worker
        translations.compile_all(PROJECT_ROOT / "translations")


def pytest_collection_modifyitems(config, items):
    """Leave out the standalone app's tests unless `-m` names them (`pytest -m standalone`, a step
    of its own in .ci/run): building the app takes minutes and needs PyInstaller. A `-m "not
    standalone"` in addopts would not do: any other `-m`, such as `-m "not browser"`, replaces it."""
    if "standalone" in config.getoption("markexpr"):
        return
    left_out = [item for item in items if item.get_closest_marker("standalone")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("standalone")]


@pytest.fixture
def tiny_root(tmp_path):
    return write_tree(tmp_path / "content")


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def data_stays_in_the_test(monkeypatch, data_dir):
    """No test writes to this user's real data folder (the default DATA_DIR), nor do the
    servers and commands it starts."""
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(data_dir))


@pytest.fixture
def tiny_app(tiny_root, data_dir):
    return create_app(tiny_settings(tiny_root, data_dir))


@pytest.fixture
def tiny_app_with(tiny_root, data_dir):
    """Makes the tiny app with settings of the test's own."""
    return lambda **settings: create_app({**tiny_settings(tiny_root, data_dir), **settings})


@pytest.fixture
def checked_app(tmp_path, data_dir):
    """The tiny content with its module's before-and-after check."""
    root = write_tree(tmp_path / "checked-content", {**TINY, **STATEMENTS})
    return create_app(
        {
            "CONTENT_DIR": str(root),
            "DIRECTORY_FILE": DIRECTORY_FILE,
            "DATA_DIR": str(data_dir),
            "LANGUAGES": ["en"],
            "TESTING": True,
        }
    )


@pytest.fixture
def app(data_dir):
    """The app on the content the project ships."""
    return create_app({"DATA_DIR": str(data_dir), "PDFS": False, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def presenter(tiny_app):
    return signed_in(tiny_app)


@pytest.fixture
def room(tiny_app, presenter):
    """A live session of the tiny module (ages 13-16) and the means to move it on."""
    from test_live import Classroom

    return Classroom(tiny_app, presenter)


@pytest.fixture
def room_without_places(tiny_root, data_dir):
    """A live session on a server that holds no poll and keeps no stream open (HELD_POLLS 0):
    every device polls at its own pace."""
    from test_live import Classroom

    app = create_app({**tiny_settings(tiny_root, data_dir), "HELD_POLLS": 0})
    return Classroom(app, signed_in(app))
