"""Browser tests: Debian's Chromium driven by Playwright, against a real server or file://."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workshop import create_app, store
from workshop.content import loaded_content
from workshop.settings import PROJECT_ROOT

from helpers import running_server

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("WORKSHOP_CHROMIUM", "/usr/bin/chromium")
# No background traffic: the machine may have no network, and the kit must not need one.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `browser`, so `-m "not browser"` leaves them out.

    A `pytestmark` here would do nothing: pytest reads it from test modules, not from a conftest.
    """
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: CI must install Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def live_server(tiny_root):
    """The real server on the tiny content; yields its base URL."""
    with running_server(tiny_root) as server:
        assert "is running" in server.lines[0], server.lines
        yield server.base_url


@pytest.fixture(scope="module")
def builtin_server(tmp_path_factory):
    """The real server on the built-in content, for one test module: (the server, its database)."""
    data = tmp_path_factory.mktemp("builtin")
    env = {"WORKSHOP_DIRECTORY_FILE": "directory/luxembourg.toml"}
    with running_server(PROJECT_ROOT, data_dir=data, env=env) as server:
        yield server, store.open_database(data / "workshop.db")


@pytest.fixture(scope="module")
def builtin_content(tmp_path_factory):
    """The built-in content, as the app loads it."""
    return loaded_content(create_app({"DATA_DIR": str(tmp_path_factory.mktemp("content")), "PDFS": False}))


@pytest.fixture
def live_presenter(tiny_root, tmp_path):
    """The real server on the tiny content: (its base URL, the presenter's sign-in URL)."""
    with running_server(tiny_root, data_dir=tmp_path / "live") as server:
        yield server.base_url, server.presenter_url
