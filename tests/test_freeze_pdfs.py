"""PDFs in the offline copy, with a stand-in browser on PATH (tests/fake_browser.py): a sheet
the browser refuses costs that PDF only, an unchanged sheet is not printed again, Ctrl+C
stops every browser process at once, and a copy killed halfway is marked and made again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from workshop.cli import main
from workshop.offline import MARKER, UNFINISHED

from content_tree import DIRECTORY_FILE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the stand-in browser is a shell script")
FAKE = Path(__file__).with_name("fake_browser.py")
MODES = ["devtools", "sheets"]
POSTER = "en/print/help-poster/help-poster.pdf"


@pytest.fixture
def fake_env(tmp_path, tiny_root):
    """The environment of a freeze that finds the stand-in browser first on PATH."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    chromium = bin_folder / "chromium"
    chromium.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n', encoding="utf-8")
    chromium.chmod(0o755)
    return {
        "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        "WORKSHOP_LANGUAGES": '["en"]',
        "WORKSHOP_PDFS": "true",
        "WORKSHOP_DATA_DIR": str(tmp_path / "data"),
        "FAKE_LOG": str(tmp_path / "printed.log"),
        "FAKE_BROWSER_MODE": "devtools",
    }


def freeze(tiny_root, env, *args):
    return CliRunner().invoke(main, ["--content", str(tiny_root), "freeze", *args], env=env)


def printed(env) -> list[str]:
    log = Path(env["FAKE_LOG"])
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def marker(folder: Path) -> dict:
    return json.loads((folder / MARKER).read_text(encoding="utf-8"))


@pytest.mark.parametrize("mode", MODES)
def test_a_pdf_the_browser_refuses_is_left_out_with_a_warning(tiny_root, fake_env, tmp_path, mode):
    folder = tmp_path / "copy"
    result = freeze(
        tiny_root, {**fake_env, "FAKE_BROWSER_MODE": mode, "FAKE_FAIL": "help-poster"}, str(folder)
    )
    assert result.exit_code == 0, result.output
    assert "Warning: 1 PDF is missing; those printables are in the copy as pages:" in result.output
    assert f"  {POSTER}: " in result.output and "--no-pdfs" in result.output
    assert "PDFs: 6, printed with Chromium" in result.output
    assert not (folder / POSTER).exists() and (folder / "en/print/help-card/help-cards.pdf").is_file()
    with zipfile.ZipFile(tmp_path / "copy.zip") as archive:
        names = archive.namelist()
    assert "copy/en/print/help-card/help-cards.pdf" in names and f"copy/{POSTER}" not in names
    download = (folder / "en/download/index.html").read_text(encoding="utf-8")
    assert "help-cards.pdf" in download and "help-poster.pdf" not in download  # no link to nothing
    assert marker(folder)["finished"] and POSTER not in marker(folder)["files"]


def test_a_browser_that_makes_no_pdf_at_all_still_gives_the_copy(tiny_root, fake_env, tmp_path):
    result = freeze(tiny_root, {**fake_env, "FAKE_FAIL": "file:"}, str(tmp_path / "copy"))
    assert result.exit_code == 0, result.output
    assert "Warning: 7 PDFs are missing" in result.output and (tmp_path / "copy.zip").is_file()


def test_an_unchanged_sheet_is_not_printed_again(tiny_root, fake_env, tmp_path):
    folder = tmp_path / "copy"
    assert freeze(tiny_root, fake_env, str(folder)).exit_code == 0
    assert len(printed(fake_env)) == 7
    result = freeze(tiny_root, fake_env, str(folder))
    assert result.exit_code == 0 and printed(fake_env) == []
    assert "PDFs: 7 (7 unchanged, kept from the earlier copy)" in result.output
    (tiny_root / "guide" / "facilitator.md").write_text("## Changed\n\nNew advice.\n", encoding="utf-8")
    assert freeze(tiny_root, fake_env, str(folder)).exit_code == 0
    assert [address.split("/en/")[1] for address in printed(fake_env)] == ["print/guide/index.html"]


def test_no_pdfs_and_one_language_on_request(tiny_root, fake_env, tmp_path):
    folder = tmp_path / "copy"
    env = {**fake_env, "WORKSHOP_LANGUAGES": '["en", "fr"]'}
    result = freeze(tiny_root, env, str(folder), "--lang", "fr", "--no-pdfs")
    assert result.exit_code == 0, result.output
    assert (folder / "fr" / "index.html").is_file() and not (folder / "en").exists()
    assert printed(fake_env) == [] and not list(folder.rglob("*.pdf"))
    assert "PDFs:" not in result.output and "No PDFs" not in result.output
    refused = freeze(tiny_root, env, str(tmp_path / "other"), "--lang", "xx")
    assert refused.exit_code == 1 and "There is no language 'xx' in this workshop: choose among en, fr." in (
        refused.output
    )
    assert not (tmp_path / "other").exists()


def start_freeze(tiny_root, env, folder: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "workshop", "--content", str(tiny_root), "freeze", str(folder)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return subprocess.Popen(command, env={**os.environ, **env}, **quiet)


def hanging_browsers(pids: Path, count: int, freezer: subprocess.Popen) -> list[int]:
    """The stand-in browsers' and their helpers' process ids, once `count` are printing."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and freezer.poll() is None:
        lines = pids.read_text(encoding="utf-8").splitlines() if pids.exists() else []
        if len(lines) >= count:
            return [int(pid) for line in lines for pid in line.split()]
        time.sleep(0.2)
    raise AssertionError(f"no browser printing; the freeze ended with {freezer.returncode}")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_stops_every_browser_process_at_once(tiny_root, fake_env, tmp_path, mode):
    pids = tmp_path / "pids"
    env = {**fake_env, "FAKE_BROWSER_MODE": mode, "FAKE_HANG": str(pids)}
    freezer = start_freeze(tiny_root, env, tmp_path / "copy")
    browsers = hanging_browsers(pids, 2 if mode == "sheets" else 1, freezer)  # two at once, or one
    freezer.send_signal(signal.SIGINT)
    try:
        freezer.wait(timeout=60)  # not the browsers' 120 s
    finally:
        freezer.kill()
        for pid in browsers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert freezer.returncode != 0
    assert [pid for pid in browsers if alive(pid)] == []
    assert (tmp_path / "copy" / UNFINISHED).is_file() and not (tmp_path / "copy.zip").exists()


def test_a_copy_killed_halfway_is_marked_and_the_next_freeze_makes_it_whole(tiny_root, fake_env, tmp_path):
    folder, pids = tmp_path / "copy", tmp_path / "pids"
    freezer = start_freeze(tiny_root, {**fake_env, "FAKE_HANG": str(pids)}, folder)
    browsers = hanging_browsers(pids, 1, freezer)
    freezer.kill()  # as a power cut or the task manager would: nothing runs after this
    freezer.wait(timeout=30)
    for pid in browsers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert (folder / "en" / "index.html").is_file()  # pages written, but:
    assert (folder / UNFINISHED).is_file() and "not finished" in (folder / UNFINISHED).read_text()
    assert marker(folder)["finished"] is False and not (tmp_path / "copy.zip").exists()
    result = freeze(tiny_root, fake_env, str(folder))
    assert result.exit_code == 0, result.output
    assert not (folder / UNFINISHED).exists() and marker(folder)["finished"]
    assert (tmp_path / "copy.zip").is_file() and "PDFs: 7," in result.output
