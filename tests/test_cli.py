"""The `workshop` command: check, serve and freeze, as a presenter or author runs them."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop import network
from workshop.cli import main
from workshop.settings import PROJECT_ROOT

from content_tree import DIRECTORY_FILE, TINY, write_tree
from helpers import running_server, workshop_environment


@pytest.fixture
def run(tiny_root):
    """Run `workshop --content <tiny tree> ARGS` in-process."""

    def invoke(*args, root=tiny_root, env=None):
        runner = CliRunner()
        return runner.invoke(
            main,
            ["--content", str(root), *args],
            env={
                "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
                "WORKSHOP_PDFS": "false",
                "WORKSHOP_LANGUAGES": '["en"]',
                **(env or {}),
            },
        )

    return invoke


@pytest.fixture
def broken_root(tmp_path):
    files = {**TINY, "slides/tiny/forgotten.md": TINY["slides/tiny/law.md"]}
    files["quizzes/tiny-quiz.toml"] = files["quizzes/tiny-quiz.toml"].replace(
        'kind = "single"', 'kind = "essay"'
    )
    return write_tree(tmp_path / "broken", files)


def test_check_passes_on_good_content(run):
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "Content OK. Modules: 1, quizzes: 1, scenarios: 1, help services: 2." in result.output


def test_check_lists_every_problem_and_fails(run, broken_root):
    result = run("check", root=broken_root)
    assert result.exit_code == 1
    assert "The content has 2 problems:" in result.output
    assert "slides/tiny/forgotten.md: not in the plan of module.toml" in result.output
    assert "quizzes/tiny-quiz.toml: questions[secret].kind: 'essay' is not one of" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_broken_content_with_the_same_list(run, broken_root):
    result = run("serve", "--port", "0", root=broken_root)
    assert result.exit_code == 1
    assert "slides/tiny/forgotten.md: not in the plan of module.toml" in result.output
    assert "is running" not in result.output


def test_serve_says_clearly_when_the_port_is_taken(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"Port {port} is already in use" in result.output
    assert "Traceback" not in result.output


def test_freeze_writes_the_copy_and_its_zip_and_shows_how_far_it_is(run, tmp_path):
    result = run("freeze", str(tmp_path / "copy"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy" / "en" / "quizzes" / "tiny-quiz" / "index.html").is_file()
    assert (tmp_path / "copy.zip").is_file()
    progress = re.findall(r"^  Writing files: (\d+) of (\d+)$", result.output, re.M)
    assert progress[0][0] == "1" and progress[-1][0] == progress[-1][1]  # from the first to the last
    assert "  Making the zip..." in result.output
    assert re.search(r"^Wrote 27 pages to .+ in \d+ s\.$", result.output, re.M)


def test_freeze_without_a_browser_says_what_to_install(run, tmp_path):
    """No Chrome, Edge or Chromium where this system keeps them (none on PATH, here)."""
    result = run("freeze", str(tmp_path / "copy"), env={"WORKSHOP_PDFS": "true", "PATH": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "No PDFs: no Chrome, Edge or Chromium was found." in result.output
    assert "Install Google Chrome, Microsoft Edge or Chromium" in result.output
    assert not list((tmp_path / "copy").rglob("*.pdf"))


def test_serve_runs_a_real_server(tiny_root):
    """`python -m workshop serve` starts waitress and prints where to go."""
    with running_server(tiny_root) as server:
        lines = server.lines
        assert lines[0].strip() == "Safe Online Workshop is running."
        presenter_url = lines[1].split()[-1]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/presenter/\?key=[\w-]{32}", presenter_url)
        base = presenter_url.split("presenter/")[0]
        with urllib.request.urlopen(base + "en/help/", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Server"] == "workshop"
            assert "KannerJugendtelefon" in response.read().decode()


def test_serve_lan_prints_the_pupils_address_and_a_qr_code(tiny_root):
    with running_server(tiny_root, "--lan", lines=5) as server:
        lines = server.lines
        assert lines[3].startswith("  Pupils open http://")
        lan_url = lines[3].split()[2]
        assert "█" in lines[4] or "▀" in lines[4]  # the QR code, drawn in the terminal
        presenter = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with presenter.open(lines[1].split()[-1], timeout=10) as home:  # signs in, then home
            html = home.read().decode()
        assert lan_url in html and "<svg" in html


def test_version(run):
    from workshop import __version__

    result = run("--version")
    assert result.exit_code == 0 and result.output == f"Safe Online Workshop, version {__version__}\n"


def test_check_warns_when_a_language_has_no_catalog_in_the_content_folder(run):
    """Another content folder carries its own translations/; a language without one is English."""
    result = run("check", env={"WORKSHOP_LANGUAGES": '["en", "fr"]'})
    assert result.exit_code == 0, result.output
    assert "translations/fr/LC_MESSAGES/messages.po: missing, so fr pages show English" in result.output
    assert "translations/en/" not in result.output  # English pages need no catalog


def test_check_names_a_broken_catalog_and_fails(run, tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", translations, ignore=shutil.ignore_patterns("*.mo"))
    po = translations / "fr" / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("msgstr ") and i > 20)
    lines.insert(number, "a translator's stray line")  # becomes line number + 1
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"WORKSHOP_LANGUAGES": '["en", "fr"]', "WORKSHOP_TRANSLATIONS_DIR": str(translations)}
    result = run("check", env=env)
    assert result.exit_code == 1
    assert f"{po}: line {number + 1}: " in result.output
    assert "Traceback" not in result.output


def test_serve_opens_the_presenters_page_signed_in(tiny_root, tmp_path):
    """The default browser (here a stand-in named by BROWSER, as Python's webbrowser allows)
    gets the very address serve prints."""
    opened = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.py"
    recorder.write_text(f"import sys, pathlib\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    command = [
        *[sys.executable, "-m", "workshop", "--content", str(tiny_root)],
        *["serve", "--port", "0"],
    ]
    env = {
        **os.environ,
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        "WORKSHOP_LANGUAGES": '["en"]',
        "BROWSER": f"{sys.executable} {recorder} %s",
    }
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        presenter_url = [process.stdout.readline() for _ in range(2)][1].split()[-1]
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert opened.read_text() == presenter_url
        signed_in = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with signed_in.open(presenter_url, timeout=10) as home:
            assert home.url.endswith("/en/presenter/")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Windows and macOS always have a desktop")
def test_serve_with_no_desktop_says_to_open_the_address_itself(tiny_root, tmp_path):
    """On a computer with no display (a server, a remote terminal) there is no browser to open:
    serve says so instead of leaving the presenter waiting for one."""
    command = [sys.executable, "-m", "workshop", "--content", str(tiny_root), "serve", "--port", "0"]
    env = workshop_environment(tiny_root, tmp_path / "data")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        env.pop(name, None)
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path
    )
    try:
        lines = [process.stdout.readline() for _ in range(7)]
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    assert "No desktop to open a browser on: open the Presenter address above" in lines[5], lines
    assert lines[6].startswith("Press Ctrl+C")


def test_no_browser_means_none_is_opened(tiny_root, tmp_path):
    opened = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.py"
    recorder.write_text(f"import pathlib\npathlib.Path({str(opened)!r}).write_text('opened')\n")
    env = {"BROWSER": f"{sys.executable} {recorder} %s"}
    with running_server(tiny_root, env=env) as server:  # the helper passes --no-browser
        with urllib.request.urlopen(server.base_url + "en/help/", timeout=10) as response:
            assert response.status == 200
        time.sleep(1)
    assert not opened.exists()


NEEDS_ROOT = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="drops a privilege with setpriv, as root",
)


@NEEDS_ROOT
def test_a_port_that_needs_privilege_is_called_that(tiny_root, tmp_path):
    low = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    if low <= 80:
        pytest.skip("this system lets anyone use port 80")
    command = [
        *["setpriv", "--bounding-set", "-net_bind_service", "--inh-caps", "-net_bind_service"],
        *[sys.executable, "-m", "workshop", "--content", str(tiny_root)],
        *["serve", "--port", "80", "--no-browser"],
    ]
    env = {**os.environ, "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE, "WORKSHOP_LANGUAGES": '["en"]'}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Port 80 is reserved for the system administrator" in result.stderr
    assert "already in use" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("unshare"),
    reason="a network namespace with no network needs unshare, as root",
)
def test_serve_lan_with_no_network_says_so_and_shows_no_loopback_qr(tiny_root, tmp_path):
    """In a network namespace that has only loopback, as a laptop not yet on the Wi-Fi."""
    command = [
        *["unshare", "--net"],
        *[sys.executable, "-m", "workshop", "--content", str(tiny_root), "serve", "--lan", "--port", "0"],
        "--no-browser",
    ]
    env = {**os.environ, "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE, "WORKSHOP_LANGUAGES": '["en"]'}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines = []  # up to the last line serve prints before serving (or the end, if it stopped)
        while not lines or (lines[-1] and "Press Ctrl+C" not in lines[-1]):
            lines.append(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    printed = "".join(lines)
    assert "No network: this computer is not connected to one" in printed, printed
    assert "Pupils open" not in printed and "█" not in printed and "▀" not in printed
    assert "Press Ctrl+C to stop." in printed


def test_serve_address_gives_pupils_the_address_the_presenter_picked(tiny_root):
    mine = network.lan_addresses()
    if not mine:
        pytest.skip("this computer has no network address to pick")
    with running_server(tiny_root, "--address", mine[-1].ip, lines=5) as server:
        join = f"http://{mine[-1].ip}:{server.base_url.rstrip('/').rsplit(':', 1)[1]}/join"
        assert server.lines[3].strip() == f"Pupils open {join} (same network), or scan:"
        presenter = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with presenter.open(server.presenter_url, timeout=10) as home:
            assert join in home.read().decode()
