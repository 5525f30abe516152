"""The standalone app for presenters without Python, built with packaging/build_standalone.py:
it starts, serves every language, freezes, and builds the download page's zip by itself.

The build takes a while, so these tests run on their own (`pytest -m standalone`, a step of
.ci/run after the test suite), once per run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workshop.settings import PROJECT_ROOT, defaults

from helpers import html_lang

pytestmark = pytest.mark.standalone
LANGUAGES = defaults()["LANGUAGES"]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    build = [sys.executable, str(PROJECT_ROOT / "packaging" / "build_standalone.py"), "--dist", str(dist)]
    subprocess.run(build, check=True, capture_output=True, timeout=1200)
    program = "safe-online-workshop.exe" if os.name == "nt" else "safe-online-workshop"
    return dist / "safe-online-workshop" / program


@pytest.fixture
def env(tmp_path):
    """No Python setting leaks in: the app must carry all it needs."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "PYTHON", "VIRTUAL_ENV"))}
    return {**clean, "WORKSHOP_DATA_DIR": str(tmp_path / "data"), "WORKSHOP_PDFS": "false"}


def translation(lang: str, source: str) -> str:
    with (PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)[source].string


def test_it_freezes_every_language(app, env, tmp_path):
    command = [str(app), "freeze", str(tmp_path / "copy")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    for lang in LANGUAGES:
        home = (tmp_path / "copy" / lang / "index.html").read_text(encoding="utf-8")
        assert html_lang(home) == lang and translation(lang, "Get help") in home


def test_it_serves_every_language_and_builds_the_download_by_itself(app, env, tmp_path):
    env = {**env, "WORKSHOP_LANGUAGES": json.dumps(LANGUAGES)}
    server = subprocess.Popen(
        [str(app), "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        presenter_url = [server.stdout.readline() for _ in range(2)][1].split()[-1]
        base = presenter_url.split("presenter/")[0]
        for lang in LANGUAGES:
            with urllib.request.urlopen(f"{base}{lang}/help/", timeout=10) as response:
                assert translation(lang, "Get help") in response.read().decode()
        # The download page's build runs the app itself again, as `freeze --background`.
        presenter = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        presenter.open(presenter_url, timeout=30)
        page = presenter.open(base + "en/download/", timeout=30).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        every_language = "".join(f"&lang={lang}" for lang in LANGUAGES)
        presenter.open(base + "en/download/build", data=f"csrf={csrf}{every_language}".encode(), timeout=30)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with presenter.open(base + "download/status.json", timeout=10) as response:
                status = json.load(response)
            assert (status["build"] or {}).get("stage") != "failed", status
            if status["ready"]:
                break
            time.sleep(1)
        assert status["ready"], status
        page = presenter.open(base + "en/download/", timeout=30).read().decode()
        assert re.search(r'href="/download/offline-[\w+-]+\.zip"', page)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
