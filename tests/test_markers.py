"""The suite's markers do what the README says: `-m "not browser"` leaves out every browser test."""

from __future__ import annotations

import subprocess
import sys

from workshop.settings import PROJECT_ROOT


def test_not_browser_selects_no_browser_test():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["-m", "not browser", "tests/browser"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 5, result.stdout + result.stderr  # 5: no test selected
    assert "deselected" in result.stdout
