"""The code stays in the shape ruff checks (configured in pyproject.toml)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from workshop.settings import PROJECT_ROOT


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    assert importlib.util.find_spec("ruff"), "ruff is part of the test dependencies"
    # The ruff installed with the test dependencies, next to this Python: the one on PATH may
    # be another version, or missing when the virtual environment is not activated.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "workshop", "tests", "bench", "packaging", "setup.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
