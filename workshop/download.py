"""The offline copy as a zip from the live app: built once in the background, then cached
until the content, the catalogs or the code change.

The build runs `workshop freeze` in a separate, low-priority process, so preparing a zip
never slows down a live session on the same laptop.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from .settings import data_folder

CONTENT_FOLDERS = ("slides", "quizzes", "scenarios", "directory", "guide")
PACKAGE = Path(__file__).resolve().parent
_building: set[str] = set()
_lock = threading.Lock()


@dataclass(frozen=True)
class OfflineCopy:
    path: Path
    size_bytes: int


def fingerprint(app: Flask) -> str:
    """Changes whenever anything the copy is made from changes."""
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


def current_copy(app: Flask) -> OfflineCopy | None:
    """The zip for what the app serves now, or None while it is being (re)built."""
    key = fingerprint(app)
    path = folder(app) / f"offline-{key}.zip"
    if path.exists():
        return OfflineCopy(path, path.stat().st_size)
    start_build(app, key)
    return None


def start_build(app: Flask, key: str) -> None:
    with _lock:
        if key in _building:
            return
        _building.add(key)
    command, env = freeze_command(app, folder(app) / f"build-{key}" / "safe-online-workshop")
    threading.Thread(target=_build, args=(command, env, folder(app), key), daemon=True).start()


def freeze_command(app: Flask, destination: Path) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "WORKSHOP_DIRECTORY_FILE": app.config["DIRECTORY_FILE"],
        "WORKSHOP_TRANSLATIONS_DIR": app.config["TRANSLATIONS_DIR"],
        "WORKSHOP_LANGUAGES": json.dumps(app.config["LANGUAGES"]),
        "WORKSHOP_DATA_DIR": str(destination.parent / "data"),
        "WORKSHOP_PDFS": json.dumps(app.config["PDFS"]),
    }
    command = [
        sys.executable,
        "-m",
        "workshop",
        "--content",
        app.config["CONTENT_DIR"],
        "freeze",
        str(destination),
    ]
    return command, env


def _build(command: list[str], env: dict[str, str], target: Path, key: str) -> None:
    build = Path(command[-1]).parent
    try:
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        nice = (lambda: os.nice(10)) if hasattr(os, "nice") else None
        result = subprocess.run(command, env=env, capture_output=True, text=True, preexec_fn=nice)
        if result.returncode == 0:
            for old in target.glob("offline-*.zip"):
                old.unlink()
            Path(command[-1] + ".zip").replace(target / f"offline-{key}.zip")
    finally:
        shutil.rmtree(build, ignore_errors=True)
        with _lock:
            _building.discard(key)
