from __future__ import annotations

import pytest

from workshop import create_app

from content_tree import DIRECTORY_FILE, write_tree


@pytest.fixture
def tiny_root(tmp_path):
    return write_tree(tmp_path / "content")


@pytest.fixture
def tiny_app(tiny_root):
    return create_app({"CONTENT_DIR": str(tiny_root), "DIRECTORY_FILE": DIRECTORY_FILE, "TESTING": True})


@pytest.fixture
def app():
    """The app on the content the project ships."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
