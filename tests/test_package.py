"""The kit as a presenter installs it: the sdist and the wheel built from it, installed into a
fresh virtual environment, used from another folder, in every language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workshop.content import load_content
from workshop.settings import PROJECT_ROOT, defaults

from helpers import html_lang

LANGUAGES = defaults()["LANGUAGES"]
CONSTRAINTS = PROJECT_ROOT / "constraints.txt"


def run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **options
    )
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build`: the sdist, then the wheel built from the sdist alone."""
    folder = tmp_path_factory.mktemp("dist")
    # The build's own environment gets the same pinned setuptools and Babel as CI.
    env = {**os.environ, "PIP_CONSTRAINT": str(CONSTRAINTS)}
    run([sys.executable, "-m", "build", "--outdir", folder, PROJECT_ROOT], env=env)
    return folder


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """The folder of the `workshop` command, in a fresh venv that holds the wheel only."""
    folder = tmp_path_factory.mktemp("venv")
    venv.create(folder, with_pip=True)
    scripts = folder / ("Scripts" if os.name == "nt" else "bin")
    (wheel,) = dist.glob("*.whl")
    run([scripts / "python", "-m", "pip", "install", "-q", "-c", CONSTRAINTS, wheel])
    return scripts


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A folder far from the checkout, and an environment with no WORKSHOP_ setting in it;
    the user's data folder is a temporary one (platformdirs reads XDG_DATA_HOME on Linux)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WORKSHOP_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "user-data")
    env["WORKSHOP_PDFS"] = "false"  # printing is tested on its own; here only what is packaged counts
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    return folder, env


def translation(lang: str, domain: str, source: str) -> str:
    with (PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle)[source].string


def test_the_sdist_and_the_wheel_carry_the_content_and_the_compiled_catalogs(dist):
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.startswith("safe_online_workshop-")
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    for path in (
        "LICENSE",
        "slides/online-friends/module.toml",
        "statements/online-friends.toml",
        "translations/fr/LC_MESSAGES/content.po",
        "docs/field-test.md",  # the README's links work in the sdist too
        "packaging/build_standalone.py",
    ):
        assert path in in_sdist, path
    for folder in ("slides", "quizzes", "scenarios", "statements", "directory", "guide"):
        assert any(name.startswith(f"workshop/builtin/{folder}/") for name in in_wheel), folder
    for lang in LANGUAGES:
        for domain in ("messages", "content"):
            assert f"workshop/builtin/translations/{lang}/LC_MESSAGES/{domain}.mo" in in_wheel
    assert "workshop/templates/base.html" in in_wheel and "workshop/static/css/app.css" in in_wheel
    assert not any(name.startswith("tests/") for name in in_wheel)


def test_the_installed_kit_checks_and_freezes_every_language_from_another_folder(installed, elsewhere):
    folder, env = elsewhere
    builtin = load_content(PROJECT_ROOT, defaults()["DIRECTORY_FILE"])
    checked = run([installed / "workshop", "check"], cwd=folder, env=env)
    assert f"Content OK. Modules: {len(builtin.modules)}," in checked.stdout
    # The statements came along: without them no module would have its before-and-after check.
    assert f"Modules with a before-and-after check: {len(builtin.before_after)}." in checked.stdout
    assert "Warning" not in checked.stderr, checked.stderr
    # check only reads: it makes no data folder (serve makes it in the user's, below).
    assert not (Path(env["XDG_DATA_HOME"]) / "safe-online-workshop").exists()

    frozen = run([installed / "workshop", "freeze", "copy"], cwd=folder, env=env)
    assert "Wrote" in frozen.stdout
    for lang in LANGUAGES:
        home = (folder / "copy" / lang / "index.html").read_text(encoding="utf-8")
        assert html_lang(home) == lang
        assert translation(lang, "messages", "Get help") in home, lang
        assert translation(lang, "content", "Online friends and grooming") in home, lang


def test_the_installed_kit_serves_every_language(installed, elsewhere):
    folder, env = elsewhere
    server = subprocess.Popen(
        [installed / "workshop", "serve", "--port", "0", "--no-browser"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [server.stdout.readline() for _ in range(5)]
        base = re.search(r"(http://127\.0\.0\.1:\d+/)presenter/", lines[1]).group(1)
        # Its data lives in the user's data folder, not in the install, and it says where.
        data = Path(env["XDG_DATA_HOME"]) / "safe-online-workshop"
        assert lines[4].strip().startswith(f"Data:       {data} ") and (data / "workshop.db").is_file()
        for lang in LANGUAGES:
            with urllib.request.urlopen(f"{base}{lang}/help/", timeout=10) as response:
                html = response.read().decode()
            assert html_lang(html) == lang
            assert translation(lang, "messages", "Get help") in html, lang
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def test_the_installed_kit_keeps_a_translators_catalogs_and_names_a_kit_folders_edits(installed, elsewhere):
    """`translations update` on an installed kit emptied every content catalog; now it refuses
    with nothing changed. Run in a kit folder, check says its edits are not the content in use."""
    folder, env = elsewhere
    catalogs = sorted(
        installed.parent.glob("lib/python*/site-packages/workshop/builtin/translations/*/*/*.po")
    )
    before = [path.read_bytes() for path in catalogs]
    refused = subprocess.run(
        [installed / "workshop", "translations", "update"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "belong to the installed kit" in refused.stderr, refused.stderr
    assert catalogs and [path.read_bytes() for path in catalogs] == before
    kit = folder / "kit"
    for name in ("slides", "quizzes"):
        (kit / name).mkdir(parents=True)
    (kit / "slides" / "mine.md").write_text("An edit.\n", encoding="utf-8")
    checked = run([installed / "workshop", "check"], cwd=kit, env=env)
    assert "this folder's content differs from the content in use" in checked.stdout
    assert "--content ." in checked.stdout
