"""The suite's markers do what the README says: `-m "not browser"` leaves out every browser test,
and the standalone app is built only by `-m standalone`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workshop.settings import PROJECT_ROOT


def collect(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )


def test_not_browser_selects_no_browser_test():
    result = collect("-m", "not browser", "tests/browser")
    assert result.returncode == 5, result.stdout + result.stderr  # 5: no test selected
    assert "deselected" in result.stdout


@pytest.mark.parametrize("selection", [[], ["-m", "not browser"]])
def test_the_standalone_app_is_built_only_when_asked_for(selection):
    result = collect(*selection, "tests/test_standalone.py")
    assert result.returncode == 5, result.stdout + result.stderr
    asked = collect("-m", "standalone", "tests/test_standalone.py")
    assert asked.returncode == 0 and "test_it_freezes_every_language" in asked.stdout, asked.stdout
