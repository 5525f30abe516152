"""Where the kit's files are, said plainly: the content folder in use, a kit folder it is run
from whose files differ from that (edits there would be ignored), and the workshop already
running on this computer, which a second start opens instead of failing on its port."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

from .download import CONTENT_FOLDERS

RUNNING_FILE = "running.json"


def edits_ignored(content_dir: Path, here: Path) -> list[str]:
    """The content files of the kit folder `here` that differ from those in use (relative
    paths, sorted); empty when `here` is no kit folder or is the content in use."""
    if not all((here / folder).is_dir() for folder in ("slides", "quizzes")):
        return []
    if here.resolve() == content_dir.resolve():
        return []
    differ = []
    for folder in (*CONTENT_FOLDERS, "translations"):
        mine = {p.relative_to(here) for p in (here / folder).rglob("*") if _content_file(p)}
        used = {p.relative_to(content_dir) for p in (content_dir / folder).rglob("*") if _content_file(p)}
        for name in mine | used:
            if (
                name not in mine
                or name not in used
                or (here / name).read_bytes() != (content_dir / name).read_bytes()
            ):
                differ.append(name.as_posix())
    return sorted(differ)


def _content_file(path: Path) -> bool:
    # Compiled catalogs are made on each computer, and caches are not content.
    return path.is_file() and path.suffix not in (".mo", ".pyc") and "__pycache__" not in path.parts


def edits_ignored_note(content_dir: Path, here: Path) -> str:
    """Two plain lines when this folder's content differs from the content in use, else ""."""
    differ = edits_ignored(content_dir, here)
    if not differ:
        return ""
    count = len(differ)
    return (
        f"  Note: this folder's content differs from the content in use ({count} file"
        f"{'s' if count != 1 else ''}, for example {differ[0]}), so edits here are not shown.\n"
        "  To use this folder's files, run the command with --content . (for example: "
        "workshop --content . serve)."
    )


@dataclass(frozen=True)
class Running:
    """The workshop serving from this data folder: enough to open its presenter's page."""

    pid: int
    started: float  # the process's creation time, so a reused process id is not mistaken
    port: int
    presenter_url: str


def note_running(folder: Path, port: int, presenter_url: str) -> Path:
    """Record this server in the data folder (readable by this user only, as the key is in it)."""
    path = folder / RUNNING_FILE
    record = {
        "pid": os.getpid(),
        "started": psutil.Process().create_time(),
        "port": port,
        "presenter_url": presenter_url,
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(record, file)
    return path


def note_new_key(folder: Path, key: str) -> None:
    """After a sign-out, this server's record names the presenter's page with the key that
    signs in now: a second start would otherwise open a page that refuses the old one."""
    found = running(folder)
    if found is not None and found.pid == os.getpid():
        note_running(folder, found.port, f"{found.presenter_url.split('?')[0]}?key={key}")


def forget_running(path: Path) -> None:
    """Remove this server's record, and only this server's."""
    found = running(path.parent)
    if found and found.pid == os.getpid():
        path.unlink(missing_ok=True)


def running(folder: Path) -> Running | None:
    """The workshop still running from this data folder, if its record is there and true."""
    try:
        found = Running(**json.loads((folder / RUNNING_FILE).read_text(encoding="utf-8")))
        alive = psutil.Process(found.pid).create_time() == found.started
    except (OSError, ValueError, TypeError, psutil.Error):
        return None
    return found if alive else None
