"""The offline copy as a zip from the live app: built in the background when the presenter
asks (every language or some, with PDFs or without), then cached until the content, the
catalogs or the code change. Each choice keeps its copy's folder between builds, so a new
build prints again only the PDFs whose pages changed.

A build must never slow down a lesson on the same laptop, so it is `workshop freeze` in a
separate process, at low priority, with one browser printing at a time. It reports its
progress to a file the download page reads, and it stops when the server stops: it watches
the pipe the server holds open to it, which closes however the server ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from flask import Flask

from .settings import data_folder

CONTENT_FOLDERS = ("slides", "quizzes", "scenarios", "statements", "directory", "guide")
PACKAGE = Path(__file__).resolve().parent
# The choices being built, each with the fingerprint of what it is built from.
_building: dict[str, str] = {}
_lock = threading.Lock()
# Walking every file of the package and the content takes a while: the download page and the
# status it polls use the fingerprint worked out at most this many seconds ago.
FINGERPRINT_SECONDS = 10


@dataclass(frozen=True)
class Choice:
    """What the presenter asked the copy to hold."""

    languages: tuple[str, ...]
    pdfs: bool

    @property
    def name(self) -> str:
        return "+".join(self.languages) + ("-pdfs" if self.pdfs else "-pages")

    @classmethod
    def from_name(cls, name: str) -> Choice | None:
        languages, _, kind = name.rpartition("-")
        return cls(tuple(languages.split("+")), kind == "pdfs") if kind in ("pdfs", "pages") else None


@dataclass(frozen=True)
class OfflineCopy:
    path: Path
    size_bytes: int
    choice: Choice


@dataclass(frozen=True)
class BuildStatus:
    """How far a build is: stage "starting", "pages", "pdfs", "zip", or "failed" (with why)."""

    stage: str
    done: int = 0
    total: int = 0
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.stage == "failed"


def fingerprint(app: Flask) -> str:
    """Changes whenever anything the copy is made from changes (seen within FINGERPRINT_SECONDS)."""
    with _lock:
        worked_out_at, key = app.extensions.get("workshop.fingerprint", (None, ""))
    if worked_out_at is not None and time.monotonic() - worked_out_at < FINGERPRINT_SECONDS:
        return key
    key = _fingerprint(app)
    with _lock:
        app.extensions["workshop.fingerprint"] = (time.monotonic(), key)
    return key


def _fingerprint(app: Flask) -> str:
    content = Path(app.config["CONTENT_DIR"])
    files = [p for folder in CONTENT_FOLDERS for p in (content / folder).rglob("*")]
    files += list(Path(app.config["TRANSLATIONS_DIR"]).rglob("*.po"))
    files += [p for p in PACKAGE.rglob("*") if "__pycache__" not in p.parts]
    digest = hashlib.blake2s(json.dumps(app.config["LANGUAGES"]).encode(), digest_size=10)
    for path in sorted(f for f in files if f.is_file()):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def folder(app: Flask) -> Path:
    return data_folder(app) / "offline"


def every_language(app: Flask) -> Choice:
    return Choice(tuple(app.config["LANGUAGES"]), app.config["PDFS"])


def current_copies(app: Flask) -> list[OfflineCopy]:
    """The zips built for what the app serves now, one per choice, every language first."""
    prefix = f"offline-{fingerprint(app)}-"
    copies = []
    for path in folder(app).glob(f"{prefix}*.zip"):
        choice = Choice.from_name(path.stem.removeprefix(prefix))
        if choice:
            copies.append(OfflineCopy(path, path.stat().st_size, choice))
    return sorted(copies, key=lambda copy: (-len(copy.choice.languages), copy.choice.name))


def build_status(app: Flask) -> BuildStatus | None:
    """A build of the current copy: running, or failed last time; None when there is none."""
    key = fingerprint(app)
    with _lock:
        running = [name for name, building in _building.items() if building == key]
    if running:
        return read_status(folder(app) / f"progress-{key}-{running[0]}.json") or BuildStatus("starting")
    for path in sorted(folder(app).glob(f"progress-{key}-*.json")):
        status = read_status(path)
        if status and status.failed:
            return status
    return None  # a build cut short by a stop is no build


def start_build(app: Flask, choice: Choice) -> None:
    """Build this choice's copy in the background, unless it is being built already."""
    key = fingerprint(app)
    with _lock:
        if choice.name in _building:
            return
        _building[choice.name] = key
    target = folder(app)
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob(f"progress-{key}-*.json"):
        old.unlink(missing_ok=True)  # an earlier failure is news no more
    progress = target / f"progress-{key}-{choice.name}.json"
    write_status(progress, BuildStatus("starting"))
    build = target / f"build-{choice.name}"
    command, env = freeze_command(app, build / "safe-online-workshop", progress, choice)
    threading.Thread(target=_build, args=(command, env, build, key, choice, progress), daemon=True).start()


def freeze_command(
    app: Flask, destination: Path, progress: Path, choice: Choice
) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "WORKSHOP_DIRECTORY_FILE": app.config["DIRECTORY_FILE"],
        "WORKSHOP_TRANSLATIONS_DIR": app.config["TRANSLATIONS_DIR"],
        "WORKSHOP_LANGUAGES": json.dumps(app.config["LANGUAGES"]),
        "WORKSHOP_PDFS": json.dumps(app.config["PDFS"]),
    }
    # The standalone app is its own `workshop` command; otherwise this Python runs the package.
    workshop = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "workshop"]
    command = [
        *workshop,
        *["--content", app.config["CONTENT_DIR"]],
        *["freeze", str(destination), "--background", str(progress)],
        *[option for lang in choice.languages for option in ("--lang", lang)],
        *([] if choice.pdfs else ["--no-pdfs"]),
    ]
    return command, env


def _build(
    command: list[str], env: dict[str, str], build: Path, key: str, choice: Choice, progress: Path
) -> None:
    target = build.parent
    try:
        build.mkdir(parents=True, exist_ok=True)
        # stdin stays open for as long as this server runs: its end tells the build to stop.
        with subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            errors = process.stderr.read()
            finished = process.wait() == 0
        if finished:
            (build / "safe-online-workshop.zip").replace(target / f"offline-{key}-{choice.name}.zip")
            progress.unlink(missing_ok=True)
            _remove_older_copies(target, key)
        else:
            lines = [line for line in errors.splitlines() if line.strip()]
            write_status(progress, BuildStatus("failed", message=lines[-1] if lines else ""))
    finally:
        with _lock:
            _building.pop(choice.name, None)


def _remove_older_copies(target: Path, key: str) -> None:
    """The zips and progress of what the app no longer serves; each choice's folder is kept."""
    for old in target.glob("offline-*.zip"):
        if not old.stem.startswith(f"offline-{key}-"):
            with contextlib.suppress(PermissionError):  # Windows: being downloaded; it goes next time
                old.unlink()
    for old in target.glob("progress-*.json"):
        if not old.stem.startswith(f"progress-{key}-"):
            old.unlink(missing_ok=True)


def write_status(path: Path, status: BuildStatus) -> None:
    """Replace the status file whole, so that a reader never sees half of it."""
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(status)), encoding="utf-8")
    with contextlib.suppress(PermissionError):  # Windows, while the page reads it: the next will do
        partial.replace(path)


def read_status(path: Path) -> BuildStatus | None:
    try:
        return BuildStatus(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


# The build's own side, in the `workshop freeze --background` process.


def background_progress(path: Path):
    """Run as the download page's build: lower this process's priority (the browsers it starts
    inherit it), stop when the server does, and report progress to `path`."""
    below_normal = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", 10)  # Windows' class, or nice 10
    psutil.Process().nice(below_normal)
    threading.Thread(target=_stop_with_the_server, daemon=True).start()
    return lambda stage, done, total: write_status(path, BuildStatus(stage, done, total))


def _stop_with_the_server() -> None:
    # Standard input is the pipe from the server: reading it ends when the server closes it or
    # is gone. The file descriptor itself is read, not sys.stdin, whose lock a thread still
    # waiting here would hold while the interpreter shuts down after a finished build.
    while os.read(0, 1024):
        pass
    for child in psutil.Process().children(recursive=True):  # the browser printing now
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    os._exit(1)
