"""Small readers of rendered HTML for assertions."""

from __future__ import annotations

import ctypes
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, url_for

from workshop.content import loaded_content
from workshop.offline import public_pages
from workshop.settings import PROJECT_ROOT


def all_public_urls(app: Flask) -> list[str]:
    content = loaded_content(app)
    with app.test_request_context():
        return [
            url_for(endpoint, **args) for endpoint, args in public_pages(content, app.config["LANGUAGES"])
        ]


def signed_in(app: Flask):
    """A test client signed in as the presenter, with its CSRF token as `.csrf`."""
    client = app.test_client()
    assert client.get(f"/presenter/?key={app.config['PRESENTER_KEY']}").status_code == 302
    page = client.get("/en/presenter/").get_data(as_text=True)
    client.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client


_phones = itertools.count(1)


def phone(app: Flask):
    """A test client as a pupil's phone on a classroom network: a network address of its own
    (the server counts devices per address), as every phone on the class's Wi-Fi has."""
    number = next(_phones)
    return from_address(app, f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")


def from_address(app: Flask, address: str):
    """A device with its own cookies, on this network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


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


class Server:
    """A running `workshop serve` process and what it printed."""

    def __init__(self, process: subprocess.Popen, lines: list[str]):
        self.process, self.lines = process, lines

    @property
    def presenter_url(self) -> str:
        return self.lines[1].split()[-1]

    @property
    def base_url(self) -> str:
        return self.presenter_url.split("presenter/")[0]


def workshop_environment(content_root: Path, data_dir: Path | None = None, env: dict | None = None) -> dict:
    """The environment a test's `workshop` process runs in: its own data folder."""
    from content_tree import DIRECTORY_FILE

    return {
        **os.environ,
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        # The tiny test content is written in English only.
        **({} if content_root == PROJECT_ROOT else {"WORKSHOP_LANGUAGES": '["en"]'}),
        "WORKSHOP_DATA_DIR": str(data_dir or content_root.parent / "data"),
        # A whole class of browser pages on this one computer, as a presenter rehearsing with
        # many tabs raises the setting; tests of the limit itself set it back.
        "WORKSHOP_ADDRESS_DEVICES": "200",
        **(env or {}),
    }


@contextmanager
def running_server(
    content_root: Path,
    *options: str,
    lines: int = 3,
    data_dir: Path | None = None,
    env: dict | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[Server]:
    """`workshop serve` in its own process on a free loopback port."""
    command = [
        *[sys.executable, "-m", "workshop", "--content", str(content_root)],
        *["serve", "--port", "0", "--no-browser"],
    ]
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=workshop_environment(content_root, data_dir, env),
        preexec_fn=preexec_fn,
    )
    try:
        yield Server(process, [process.stdout.readline() for _ in range(lines)])
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def no_permission_override() -> None:
    """Root ignores file modes: for a child process (Linux), drop that power, so that a folder
    made read-only for a test is read-only to it."""
    if os.geteuid() == 0:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl")


class Visitor:
    """A device on the real server from a network address of its own (any 127.x.y.z on Linux),
    keeping its cookies, with a new connection for each request."""

    def __init__(self, base_url: str, address: str = "127.0.0.1"):
        parts = urlsplit(base_url)
        self.host, self.port, self.address = parts.hostname, parts.port, address
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None
    ) -> http.client.HTTPResponse:
        """The response, its body already read into `.text`."""
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=10, source_address=(self.address, 0)
        )
        sent = {**(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> http.client.HTTPResponse:
        return self.request("GET", path)

    def post_form(self, path: str, form: dict) -> http.client.HTTPResponse:
        return self.request(
            "POST", path, urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_json(self, path: str, document) -> http.client.HTTPResponse:
        return self.request("POST", path, json.dumps(document), {"Content-Type": "application/json"})


def pseudo(text: str) -> str:
    """A stand-in translation that shows where a string came from: ‹text›, placeholders kept."""
    return f"‹{text}›"


def pseudo_catalogs(folder: Path, content, lang: str = "fr") -> Path:
    """Compiled catalogs for `lang` in which every interface and content string is ‹marked›."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from workshop.content.strings import content_strings
    from workshop.settings import PROJECT_ROOT

    with (PROJECT_ROOT / "translations" / "messages.pot").open("rb") as handle:
        interface = [message.id for message in read_po(handle) if message.id]
    for domain, messages in (("messages", interface), ("content", content_strings(content))):
        catalog = Catalog(locale=lang, domain=domain)
        for message in messages:
            catalog.add(message, pseudo(message))
        path = folder / lang / "LC_MESSAGES" / f"{domain}.mo"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_mo(handle, catalog)
    return folder


def tiny_settings(tiny_root: Path, data_dir: Path) -> dict:
    """The settings of the app on the tiny content, with its own data folder."""
    from content_tree import DIRECTORY_FILE

    return {
        "CONTENT_DIR": str(tiny_root),
        "DIRECTORY_FILE": DIRECTORY_FILE,
        "DATA_DIR": str(data_dir),
        "LANGUAGES": ["en"],  # the tiny content is written in English only
        # Printing PDFs with Chromium takes ten times as long as a freeze without them:
        # only the tests about PDFs (tests/browser/test_printing.py) turn them on.
        "PDFS": False,
        "TESTING": True,
    }


def database_at_version(path: Path, version: int):
    """A database file as the kit wrote it at an earlier schema version (the first `version`
    migrations, which are SQL alone), for testing the upgrade from it."""
    from workshop import store

    database = store.open_database(path)
    for schema in store.MIGRATIONS[:version]:
        for statement in schema.split(";"):
            if statement.strip():
                database.execute(statement)
    database.execute(f"PRAGMA user_version = {version}")
    return database
