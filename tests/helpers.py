"""Small readers of rendered HTML for assertions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask, url_for

from workshop.offline import public_pages


def all_public_urls(app: Flask) -> list[str]:
    content = app.extensions["workshop.content"]
    with app.test_request_context():
        return [
            url_for(endpoint, **args) for endpoint, args in public_pages(content, app.config["LANGUAGES"])
        ]


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', html)
    return match.group(1) if match else ""


class TextOf(HTMLParser):
    """The visible text of a page (scripts and styles left out), whitespace folded."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible_text(html: str) -> str:
    return TextOf(html).text


@contextmanager
def running_server(
    content_root: Path, *options: str, lines: int = 3, data_dir: Path | None = None
) -> Iterator[list[str]]:
    """`workshop serve` in its own process on a free loopback port; yields its first lines."""
    from content_tree import DIRECTORY_FILE

    env = {
        **os.environ,
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        "WORKSHOP_DATA_DIR": str(data_dir or content_root.parent / "data"),
    }
    command = [sys.executable, "-m", "workshop", "--content", str(content_root), "serve", "--port", "0"]
    server = subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        yield [server.stdout.readline() for _ in range(lines)]
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
