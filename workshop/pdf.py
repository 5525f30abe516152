"""Printables as PDF files, drawn headless by an installed Chrome, Edge or Chromium (no network).

Presenters' laptops run Windows and macOS as often as Linux, where these browsers are installed
in known folders and rarely on PATH, so both are searched. The same engine prints the pages
the way the browser's own Print does, page numbers included (the print stylesheet asks for them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

# Commands on PATH, in the order tried: Linux installs put them there.
ON_PATH = (
    ("Chromium", "chromium"),
    ("Chromium", "chromium-browser"),
    ("Google Chrome", "google-chrome"),
    ("Google Chrome", "google-chrome-stable"),
    ("Microsoft Edge", "microsoft-edge"),
    ("Microsoft Edge", "microsoft-edge-stable"),
)
# Where the installers put them on Windows, below Program Files (x86 too) or the user's AppData.
WINDOWS = (
    ("Google Chrome", r"Google\Chrome\Application\chrome.exe"),
    ("Microsoft Edge", r"Microsoft\Edge\Application\msedge.exe"),
    ("Chromium", r"Chromium\Application\chrome.exe"),
)
WINDOWS_ROOTS = ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
# macOS app bundles, in /Applications or the user's own ~/Applications.
MACOS = (
    ("Google Chrome", "Google Chrome.app/Contents/MacOS/Google Chrome"),
    ("Microsoft Edge", "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    ("Chromium", "Chromium.app/Contents/MacOS/Chromium"),
)
# Linux packages that are not always on PATH (a desktop launcher is enough for their users).
LINUX = (
    ("Google Chrome", "/opt/google/chrome/chrome"),
    ("Microsoft Edge", "/opt/microsoft/msedge/msedge"),
    ("Chromium", "/snap/bin/chromium"),
)
INSTALL_HINT = (
    "Install Google Chrome, Microsoft Edge or Chromium (on Windows, Edge comes with the system; "
    "on Debian or Ubuntu: sudo apt install chromium), then make the copy again."
)

# No background traffic: the laptop may have no network and the kit must not need one.
QUIET = [
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-pdf-header-footer",
]
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Browser:
    name: str
    path: str

    def __str__(self) -> str:
        return f"{self.name} ({self.path})"


def find_browser() -> Browser | None:
    """The first installed Chrome, Edge or Chromium that can print, or None."""
    return next((browser for browser in candidates() if Path(browser.path).is_file()), None)


def candidates(platform: str = sys.platform, environ: Mapping[str, str] = os.environ) -> Iterator[Browser]:
    """Where Chrome, Edge and Chromium may be on this kind of system, in the order tried."""
    for name, command in ON_PATH:
        if found := shutil.which(command):
            yield Browser(name, found)
    if platform == "win32":
        roots = [environ[variable] for variable in WINDOWS_ROOTS if environ.get(variable)]
        yield from (Browser(name, str(PureWindowsPath(root, rel))) for name, rel in WINDOWS for root in roots)
    elif platform == "darwin":
        roots = ["/Applications", f"{environ.get('HOME', '~')}/Applications"]
        yield from (Browser(name, str(PurePosixPath(root, rel))) for name, rel in MACOS for root in roots)
    else:
        yield from (Browser(name, path) for name, path in LINUX)


def render(
    pages: list[tuple[Path, Path]],
    browser: Browser,
    at_once: int = 2,
    printed: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Print each (html, pdf) pair, `at_once` browsers at a time; return the PDFs not made.

    `printed` hears of every PDF as it is done (or given up), for progress.
    """
    sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []

    def one(pair: tuple[Path, Path]) -> Path | None:
        html, target = pair
        # Each browser gets its own profile; a helper process still holding a file in it must
        # not fail the whole copy (Windows refuses to delete open files).
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            command = [
                browser.path,
                *QUIET,
                *sandbox,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={target}",
                html.as_uri(),
            ]
            with contextlib.suppress(subprocess.TimeoutExpired):  # then it made no PDF: reported
                subprocess.run(
                    command, capture_output=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT_SECONDS
                )
        if printed:
            printed(target)
        return None if target.exists() and target.stat().st_size > 0 else target

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return [failed for failed in pool.map(one, pages) if failed]
