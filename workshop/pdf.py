"""Printables as PDF files, drawn by headless Chromium where it is installed (no network)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No background traffic: the laptop may have no network and the kit must not need one.
QUIET = [
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-pdf-header-footer",
]


def chromium() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def render(pages: list[tuple[Path, Path]], browser: str) -> list[Path]:
    """Print each (html, pdf) pair; return the PDFs that could not be made."""
    sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []

    def one(pair: tuple[Path, Path]) -> Path | None:
        html, target = pair
        with tempfile.TemporaryDirectory() as profile:  # two Chromiums must not share one
            command = [
                browser,
                *QUIET,
                *sandbox,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={target}",
                html.as_uri(),
            ]
            try:
                subprocess.run(command, capture_output=True, timeout=120, check=False)
            except subprocess.TimeoutExpired:
                return target
        return None if target.exists() and target.stat().st_size > 0 else target

    with ThreadPoolExecutor(max_workers=2) as pool:
        return [failed for failed in pool.map(one, pages) if failed]
