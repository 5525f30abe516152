"""The `workshop` command: check, serve and freeze, as a presenter or author runs them."""

from __future__ import annotations

import re
import socket
import urllib.request

import pytest
from click.testing import CliRunner

from workshop.cli import main

from content_tree import DIRECTORY_FILE, TINY, write_tree
from helpers import running_server


@pytest.fixture
def run(tiny_root):
    """Run `workshop --content <tiny tree> ARGS` in-process."""

    def invoke(*args, root=tiny_root):
        runner = CliRunner()
        return runner.invoke(
            main,
            ["--content", str(root), *args],
            env={
                "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
                "WORKSHOP_PDFS": "false",
                "WORKSHOP_LANGUAGES": '["en"]',
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


def test_freeze_writes_the_copy_and_its_zip(run, tmp_path):
    result = run("freeze", str(tmp_path / "copy"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy" / "en" / "quizzes" / "tiny-quiz" / "index.html").is_file()
    assert (tmp_path / "copy.zip").is_file()
    assert "Wrote 26 pages" in result.output


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
