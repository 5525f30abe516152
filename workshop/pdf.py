"""Printables as PDF files, drawn headless by an installed Chrome, Edge or Chromium (no network).

Presenters' laptops run Windows and macOS as often as Linux, where these browsers are installed
in known folders and rarely on PATH, so both are searched. The same engine prints the pages
the way the browser's own Print does, page numbers included (the print stylesheet asks for them).

One browser prints every sheet, driven over the DevTools protocol through two pipes (no port
is opened, so no other program on the laptop can drive it). Where that cannot start (Windows,
whose Python cannot hand a program the pipes it expects; a browser whose policy forbids being
driven), each sheet is printed by a browser of its own with `--print-to-pdf`, slower but
the same output. Either way each browser runs in a process group of its own and is stopped,
its helpers too, when it overruns or when the copy is interrupted.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import psutil

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
# A browser that has not answered over the DevTools pipes by then will not: print sheet by sheet.
START_SECONDS = 20
# What a sheet becomes: A4 as its print stylesheet asks, tagged for screen readers, as the
# browser's Print and `--print-to-pdf` make it.
PRINT_OPTIONS = {"preferCSSPageSize": True, "generateTaggedPDF": True}
# Resolves once the page's web fonts are loaded: a sheet printed before would use a fallback.
FONTS_READY = "document.fonts.ready.then(() => true)"

Failures = dict[Path, str]
# A process gone already, or not ours to stop; a pipe closed already.
GONE = (OSError, psutil.Error)
Printed = Callable[[Path], None]


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
    printed: Printed | None = None,
) -> Failures:
    """Print each (html, pdf) pair; return the PDFs not made, each with why.

    `printed` hears of every PDF as it is done (or given up), for progress; `at_once` is how
    many browsers print side by side when each sheet needs a browser of its own.
    """
    printed = printed or (lambda target: None)
    if pages and os.name == "posix":
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            try:
                devtools = DevTools.start(browser, profile)
            except DevToolsUnavailable:
                pass  # printed sheet by sheet below
            else:
                with devtools:
                    return devtools.print_all(pages, printed)
    return _print_sheet_by_sheet(pages, browser, at_once, printed)


def _flags(profile: str) -> list[str]:
    sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [*QUIET, *sandbox, f"--user-data-dir={profile}"]


def _made(target: Path) -> bool:
    return target.is_file() and target.stat().st_size > 0


def stop_tree(pid: int) -> None:
    """Kill a browser and every process it started, at once, on any system."""
    if hasattr(os, "killpg"):  # its group: helpers that left the tree, or whose browser ended
        with contextlib.suppress(*GONE):
            os.killpg(pid, signal.SIGKILL)
    try:
        top = psutil.Process(pid)
        family = [top, *top.children(recursive=True)]
    except psutil.Error:
        return
    for process in family:
        with contextlib.suppress(*GONE):
            process.kill()
    psutil.wait_procs(family, timeout=5)


def _own_group() -> dict:
    """Popen's arguments for a process group of its own: the terminal's Ctrl+C is not sent to
    the browser (the kit stops it, whole), as it would be on Windows to the whole console."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _print_sheet_by_sheet(
    pages: list[tuple[Path, Path]], browser: Browser, at_once: int, printed: Printed
) -> Failures:
    """One browser per sheet, `at_once` side by side; Ctrl+C stops them all at once."""
    running: set[int] = set()
    lock = threading.Lock()
    stopping = threading.Event()

    def one(pair: tuple[Path, Path]) -> str:
        html, target = pair
        if stopping.is_set():
            return "stopped"
        # Each browser gets its own profile; a helper process still holding a file in it must
        # not fail the whole copy (Windows refuses to delete open files).
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            command = [browser.path, *_flags(profile), f"--print-to-pdf={target}", html.as_uri()]
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                **_own_group(),
            )
            with lock:
                running.add(process.pid)
            try:
                process.wait(timeout=TIMEOUT_SECONDS)
                why = "" if _made(target) else f"{browser.name} made no PDF"
            except subprocess.TimeoutExpired:
                why = f"{browser.name} took longer than {TIMEOUT_SECONDS} s"
            finally:
                stop_tree(process.pid)  # its helpers too, whether it finished or not
                with lock:
                    running.discard(process.pid)
        printed(target)
        return why

    failures: Failures = {}
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        futures = {pool.submit(one, pair): pair[1] for pair in pages}
        try:
            pending = set(futures)
            while pending:
                # Woken twice a second: Ctrl+C reaches this thread even where a wait cannot be
                # interrupted (Windows).
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                failures.update({futures[f]: f.result() for f in done if f.result()})
        except BaseException:
            stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with lock:
                for pid in list(running):
                    stop_tree(pid)
            raise
    return failures


class DevToolsUnavailable(Exception):
    """The browser cannot be driven over the DevTools pipes; print sheet by sheet instead."""


class DevTools:
    """One headless browser, driven over the DevTools protocol on the pipes it reads as file
    descriptors 3 and 4: JSON messages, each ended by a NUL byte."""

    def __init__(self, pid: int, commands: int, answers: int):
        self.pid, self.commands, self.answers = pid, commands, answers
        self.buffer, self.events, self.last_id, self.session = b"", [], 0, ""

    @classmethod
    def start(cls, browser: Browser, profile: str) -> DevTools:
        to_browser, commands = os.pipe()
        answers, from_browser = os.pipe()
        arguments = [browser.path, *_flags(profile), "--remote-debugging-pipe", "--no-startup-window"]
        quiet = (os.O_WRONLY, 0)
        try:
            pid = os.posix_spawn(
                browser.path,
                arguments,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, to_browser, 3),
                    (os.POSIX_SPAWN_DUP2, from_browser, 4),
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, *quiet),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, *quiet),
                ],
                setpgroup=0,  # its own group: see _own_group
            )
        except OSError as error:
            for end in (to_browser, commands, answers, from_browser):
                os.close(end)
            raise DevToolsUnavailable(str(error)) from error
        os.close(to_browser)
        os.close(from_browser)
        devtools = cls(pid, commands, answers)
        try:
            devtools.call("Browser.getVersion", deadline=time.monotonic() + START_SECONDS)
            devtools.session = devtools.new_tab()
        except (DevToolsUnavailable, PrintFailed, OSError) as error:
            devtools.close()
            raise DevToolsUnavailable(str(error)) from error
        return devtools

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *error) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and its helpers (Ctrl+C included), and close the pipes."""
        stop_tree(self.pid)
        with contextlib.suppress(*GONE):
            os.waitpid(self.pid, 0)
        for end in (self.commands, self.answers):
            with contextlib.suppress(*GONE):
                os.close(end)

    def send(self, method: str, session: str | None = None, **params) -> int:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        return self.last_id

    def receive(self, deadline: float) -> dict:
        """The browser's next message; DevToolsUnavailable if it is gone or past the deadline."""
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                raise DevToolsUnavailable("no answer in time")
            chunk = os.read(self.answers, 1 << 20)
            if not chunk:
                raise DevToolsUnavailable("the browser stopped")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, deadline: float = 0, **params) -> dict:
        """Send a command and wait for its answer; events that come meanwhile are kept."""
        deadline = deadline or time.monotonic() + TIMEOUT_SECONDS
        sent = self.send(method, session, **params)
        while True:
            message = self.receive(deadline)
            if message.get("id") == sent:
                if "error" in message:
                    raise PrintFailed(message["error"].get("message", "error"))
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, session: str, deadline: float) -> None:
        while True:
            for message in self.events:
                if message.get("method") == event and message.get("sessionId") == session:
                    self.events.remove(message)
                    return
            self.events.append(self.receive(deadline))

    def new_tab(self) -> str:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session)
        return session

    def print_all(self, pages: list[tuple[Path, Path]], printed: Printed) -> Failures:
        """Print every sheet in one tab, each as soon as its page and fonts have loaded."""
        failures: Failures = {}
        for number, (html, target) in enumerate(pages):
            try:
                self.print_one(self.session, html, target)
            except PrintFailed as error:
                failures[target] = f"{error}"
            except DevToolsUnavailable as error:
                failures[target] = f"no PDF ({error})"
                try:  # a sheet that overran: the next one gets a new tab
                    self.session = self.fresh_tab(self.session)
                except (DevToolsUnavailable, PrintFailed):
                    failures.update({t: "the browser stopped" for _, t in pages[number + 1 :]})
                    break
            printed(target)
        return failures

    def fresh_tab(self, stuck: str) -> str:
        self.send("Target.detachFromTarget", sessionId=stuck)
        self.events = []
        return self.new_tab()

    def print_one(self, session: str, html: Path, target: Path) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        self.events = [e for e in self.events if e.get("sessionId") != session]
        self.call("Page.navigate", session, deadline, url=html.as_uri())
        self.wait_for("Page.loadEventFired", session, deadline)
        self.call("Runtime.evaluate", session, deadline, expression=FONTS_READY, awaitPromise=True)
        data = self.call("Page.printToPDF", session, deadline, **PRINT_OPTIONS)["data"]
        target.write_bytes(base64.b64decode(data))


class PrintFailed(Exception):
    """The browser answered a command with an error."""
