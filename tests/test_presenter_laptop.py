"""The kit on a presenter's or translator's computer as it is: an installed kit's catalogs are
never rewritten, edits in a kit folder are not ignored in silence, any user name and any
console work, and a second start, a closed terminal or a wrong address are met plainly.
Where the code branches for Windows, the branch runs here under a simulated platform."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import segno
from click.testing import CliRunner
from test_teacher import start_build, wait_for_copy

from workshop import cli, create_app, kit, serve, translations
from workshop.settings import PACKAGE, PROJECT_ROOT

from helpers import Visitor, running_server, signed_in, tiny_settings, workshop_environment

LANGUAGES = ["en", "fr", "de", "lb", "pt"]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.po*")
    }


def test_translations_update_never_writes_into_an_installed_kit():
    installed = PACKAGE / "builtin" / "translations"
    with pytest.raises(translations.UpdateRefused, match="belong to the installed kit") as refused:
        translations.update(installed, LANGUAGES)
    assert "--content FOLDER" in str(refused.value) and "checkout" in str(refused.value)
    assert not installed.exists() or installed.is_dir()  # nothing made where nothing was


def test_translations_update_refuses_to_drop_most_of_a_catalog(tiny_root, data_dir):
    """The kit's catalogs beside content that is not theirs: the update would empty them."""
    shutil.copytree(
        PROJECT_ROOT / "translations", tiny_root / "translations", ignore=shutil.ignore_patterns("*.mo")
    )
    before = digest(tiny_root / "translations")
    result = CliRunner().invoke(
        cli.main,
        ["--content", str(tiny_root), "translations", "update"],
        env=workshop_environment(tiny_root, data_dir),
    )
    assert result.exit_code == 1
    assert "This update would drop" in result.output and "nothing was changed" in result.output
    assert digest(tiny_root / "translations") == before


def kit_folder(tmp_path: Path, tiny_root: Path) -> Path:
    """A kit folder whose content differs from the content in use by one edited slide."""
    folder = tmp_path / "kit"
    shutil.copytree(tiny_root, folder)
    (slide,) = sorted((folder / "slides").rglob("*.md"))[:1]
    slide.write_text(slide.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    return folder


def test_check_says_which_content_it_reads_and_that_a_kit_folders_edits_are_not_used(
    tiny_root, data_dir, tmp_path, monkeypatch
):
    folder = kit_folder(tmp_path, tiny_root)
    monkeypatch.chdir(folder)
    env = workshop_environment(tiny_root, data_dir)
    result = CliRunner().invoke(cli.main, ["--content", str(tiny_root), "check"], env=env)
    assert f"Content:    {tiny_root}" in result.output
    assert (
        "this folder's content differs from the content in use (1 file, for example slides/" in result.output
    )
    assert "workshop --content . serve" in result.output
    result = CliRunner().invoke(cli.main, ["--content", ".", "check"], env=env)
    assert "differs" not in result.output  # this folder is the content in use now


def test_a_folder_that_is_no_kit_gets_no_note(tiny_root, tmp_path):
    assert kit.edits_ignored(tiny_root, tmp_path) == []


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_any_user_name_and_a_console_that_cannot_print_it(tiny_root, tmp_path, encoding):
    """A data folder and an offline copy under `Łukasz` (not in cp1252), output to a file: no
    command stops; what cannot be printed becomes ?."""
    home = tmp_path / "Users" / "Łukasz"
    data, copy = home / "AppData" / "safe-online-workshop", home / "Desktop" / "copie été"
    env = workshop_environment(tiny_root, data, {"PYTHONIOENCODING": encoding, "WORKSHOP_PDFS": "false"})
    command = [sys.executable, "-m", "workshop", "--content", str(tiny_root)]
    for arguments in (["check"], ["report"], ["freeze", str(copy)]):
        result = subprocess.run([*command, *arguments], capture_output=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr.decode(encoding, "replace")
        assert b"Traceback" not in result.stderr
    if encoding == "cp1252":  # (click writes UTF-8 to a console that claims to be ASCII)
        assert b"Users\\?ukasz" in result.stdout.replace(b"/", b"\\")  # freeze's summary names the folder
    assert (copy / "index.html").exists()


def test_serve_under_an_unprintable_user_name_prints_its_data_folder(tiny_root, tmp_path):
    data = tmp_path / "Łukasz" / "data"
    with running_server(tiny_root, data_dir=data, env={"PYTHONIOENCODING": "cp1252"}) as server:
        lines = [line.strip() for line in until_ready(server)]
    assert f"Content:    {tiny_root}" in lines
    assert f"Data:       {tmp_path}{os.sep}?ukasz{os.sep}data (the lessons and the season report)" in lines


def until_ready(server) -> list[str]:
    """The lines a server printed up to "Press Ctrl+C to stop.", when it has begun serving."""
    lines = list(server.lines)
    while not lines[-1].startswith("Press Ctrl+C"):
        lines.append(server.process.stdout.readline())
    return lines


def test_an_address_this_computer_does_not_have_is_refused(tiny_root, data_dir):
    env = workshop_environment(tiny_root, data_dir)
    for address, says in (
        ("203.0.113.9", "is not an address of this computer"),
        ("not-an-ip", "not an IPv4"),
    ):
        result = CliRunner().invoke(
            cli.main, ["--content", str(tiny_root), "serve", "--address", address], env=env
        )
        assert result.exit_code == 2 and says in result.output, result.output
    assert not data_dir.exists()  # refused before anything was made


def test_a_second_start_opens_the_running_workshop_signed_in_even_after_a_sign_out(
    tiny_root, data_dir, tmp_path
):
    opened = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.py"
    recorder.write_text(f"import pathlib, sys\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    with running_server(tiny_root, data_dir=data_dir) as first:
        port = first.base_url.rstrip("/").rsplit(":", 1)[1]
        env = workshop_environment(tiny_root, data_dir, {"BROWSER": f"{sys.executable} {recorder} %s"})

        def second_start() -> str:
            """The address a second start opens in the browser."""
            opened.unlink(missing_ok=True)
            second = subprocess.run(
                [sys.executable, "-m", "workshop", "--content", str(tiny_root), "serve", "--port", port],
                capture_output=True,
                text=True,
                timeout=60,
                env=env,
            )
            assert second.returncode == 0, second.stderr
            assert "already running on this computer" in second.stdout and "--port" not in second.stderr
            deadline = time.monotonic() + 10
            while not opened.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            return opened.read_text()

        assert second_start() == first.presenter_url
        presenter = Visitor(first.base_url)
        before = urlsplit(first.presenter_url)
        assert presenter.get(f"{before.path}?{before.query}").status == 302
        csrf = re.search(r'name="csrf" value="([^"]+)"', presenter.get("/en/presenter/").text).group(1)
        assert presenter.post_form("/en/presenter/sign-out", {"csrf": csrf}).status == 302
        after = urlsplit(second_start())
        assert Visitor(first.base_url).get(f"{before.path}?{before.query}").status == 403  # the old key
        assert Visitor(first.base_url).get(f"{after.path}?{after.query}").status == 302  # signs in
    assert not (data_dir / kit.RUNNING_FILE).exists()  # the first one, stopped, forgot itself


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no terminal hang-up on Windows")
def test_closing_the_terminal_saves_like_ctrl_c(tiny_root, data_dir):
    with running_server(tiny_root, data_dir=data_dir) as server:
        until_ready(server)
        time.sleep(0.5)  # from the line printed to the handler set
        server.process.send_signal(signal.SIGHUP)
        output = server.process.communicate(timeout=15)[0]
    assert server.process.returncode == 0 and "Stopped." in output
    wal = data_dir / "workshop.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # the last checkpoint emptied it


def test_the_terminal_qr_code_is_black_on_white_whatever_the_theme():
    url = "http://192.168.1.20:8000/join"
    drawn = serve.terminal_qr(url, colours=True).splitlines()
    matrix = [
        [bool(dark) for dark in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=4)
    ]
    assert len(drawn) == (len(matrix) + 1) // 2
    for number, line in enumerate(drawn):
        assert line.startswith("\x1b[30;107m") and line.endswith("\x1b[0m")  # black on bright white
        cells = line.removeprefix("\x1b[30;107m").removesuffix("\x1b[0m")
        upper, lower = matrix[2 * number], (matrix + [[False] * len(matrix[0])])[2 * number + 1]
        expected = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
        assert cells == "".join(expected[pair] for pair in zip(upper, lower, strict=True))
    assert set(drawn[0].removeprefix("\x1b[30;107m").removesuffix("\x1b[0m")) == {" "}  # quiet zone


def test_on_a_simulated_windows_without_a_console_the_qr_code_needs_no_colours(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    drawn = serve.terminal_qr("http://192.168.1.20:8000/join", colours=True)
    assert "\x1b[" not in drawn and "█" in drawn


def test_the_windows_firewall_advice_names_public_networks_and_the_hotspot(
    monkeypatch, tiny_root, data_dir, capsys
):
    monkeypatch.setattr(sys, "platform", "win32")
    app = create_app(tiny_settings(tiny_root, data_dir))
    cli.tell_pupils(app, 8000, None)
    said = capsys.readouterr().out
    assert '"Public"' in said and "administrator" in said and "hotspot" in said


def test_no_404_for_the_icon_browsers_ask_for(tiny_root, data_dir):
    client = create_app(tiny_settings(tiny_root, data_dir)).test_client()
    assert client.get("/favicon.ico").status_code == 204


def test_the_standalone_extra_brings_what_the_build_runs():
    extras = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        requirement.split(">")[0].split("=")[0]
        for requirement in extras["optional-dependencies"]["standalone"]
    }
    assert {"pyinstaller", "build"} <= names


def test_the_standalone_app_keeps_its_window_open_when_the_app_fails(tmp_path, tiny_root):
    """Double-clicked (no arguments) with a setting the app cannot use: the window says so and
    waits for Enter instead of closing on a traceback nobody can read."""
    env = {
        **os.environ,
        "WORKSHOP_DATA_DIR": str(tmp_path / "data"),
        "WORKSHOP_RETENTION_DAYS": '"soon"',
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "packaging" / "standalone.py")],
        input="\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "The workshop stopped because of an error in the app" in result.stdout
    assert "Press Enter to close this window." in result.stdout


def test_the_download_pages_build_under_an_unprintable_user_name(tiny_root, tmp_path, monkeypatch):
    """The build runs with its output sent nowhere, which on Windows is the ANSI code page: a
    profile folder such as C:\\Users\\Łukasz made it fail after the zip was written."""
    monkeypatch.setenv("PYTHONIOENCODING", "cp1252")
    data = tmp_path / "Users" / "Łukasz" / "AppData" / "safe-online-workshop"
    app = create_app(tiny_settings(tiny_root, data))
    start_build(signed_in(app))
    copy = wait_for_copy(app)
    assert copy.path.is_file() and data in copy.path.parents
