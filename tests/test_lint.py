"""The code stays in the shape ruff checks (configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from workshop.settings import PROJECT_ROOT


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the test dependencies"
    result = subprocess.run(
        [ruff, *command, "workshop", "tests", "bench", "packaging", "setup.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
