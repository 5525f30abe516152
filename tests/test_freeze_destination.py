"""`workshop freeze DEST` never deletes or overwrites what it did not write: it writes into a new
or empty folder, or over an earlier copy it marked, and refuses anything else untouched."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop.cli import main
from workshop.offline import MARKER

from content_tree import DIRECTORY_FILE
from helpers import no_permission_override, workshop_environment


@pytest.fixture
def run(tiny_root):
    def invoke(*args):
        env = {
            "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
            "WORKSHOP_PDFS": "false",
            "WORKSHOP_LANGUAGES": '["en"]',
        }
        return CliRunner().invoke(main, ["--content", str(tiny_root), *args], env=env)

    return invoke


def teachers_folder(folder: Path) -> dict[str, bytes]:
    (folder / "my-photos").mkdir(parents=True)
    (folder / "my-photos" / "holiday.jpg").write_bytes(b"\xff\xd8 a photo")
    (folder / "Lesson notes.docx").write_bytes(b"PK notes")
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def test_a_folder_of_the_teachers_files_is_refused_and_left_as_it_was(tiny_root, tmp_path):
    """The real command, as a teacher would type it with a USB stick's folder."""
    stick = tmp_path / "stick"
    before = teachers_folder(stick)
    result = subprocess.run(
        [sys.executable, "-m", "workshop", "--content", str(tiny_root), "freeze", str(stick)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**workshop_environment(tiny_root, tmp_path / "data"), "WORKSHOP_PDFS": "false"},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "already holds files the workshop did not write" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert snapshot(stick) == before
    # No zip either, and no data folder: freeze only reads the content.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["content", "stick"]


def test_a_zip_of_the_same_name_that_is_not_ours_is_refused(run, tmp_path):
    (tmp_path / "copy.zip").write_bytes(b"the teacher's own archive")
    result = run("freeze", str(tmp_path / "copy"))
    assert result.exit_code == 1 and "copy.zip already exists" in result.output
    assert (tmp_path / "copy.zip").read_bytes() == b"the teacher's own archive"
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize("system_file", [None, "System Volume Information/IndexerVolumeGuid", ".DS_Store"])
def test_a_new_or_empty_folder_takes_the_copy(run, tmp_path, system_file):
    folder = tmp_path / "empty"
    folder.mkdir()
    if system_file:  # what Windows or macOS put on an empty stick is not a teacher's file
        (folder / system_file).parent.mkdir(parents=True, exist_ok=True)
        (folder / system_file).write_bytes(b"system")
    result = run("freeze", str(folder))
    assert result.exit_code == 0, result.output
    assert (folder / "en" / "help" / "index.html").is_file() and (folder / MARKER).is_file()
    if system_file:
        assert (folder / system_file).read_bytes() == b"system"


def test_an_earlier_copy_is_replaced_and_the_teachers_files_beside_it_kept(run, tmp_path):
    folder = tmp_path / "copy"
    assert run("freeze", str(folder)).exit_code == 0
    (folder / "Lesson notes.docx").write_bytes(b"PK notes")  # the teacher adds a file
    (folder / "en" / "old-page").mkdir()
    (folder / "en" / "old-page" / "index.html").write_text("<p>a page the content no longer has</p>")
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    marker["files"].append("en/old-page/index.html")  # as if the earlier copy had written it
    marker["files"].append("../outside.txt")  # a marker edited to point elsewhere is not obeyed
    (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("not the copy's")
    result = run("freeze", str(folder))
    assert result.exit_code == 0, result.output
    assert (folder / "Lesson notes.docx").read_bytes() == b"PK notes"
    assert not (folder / "en" / "old-page").exists()
    assert (tmp_path / "outside.txt").read_text() == "not the copy's"
    with zipfile.ZipFile(tmp_path / "copy.zip") as archive:
        names = archive.namelist()
    assert "copy/en/help/index.html" in names and "copy/Lesson notes.docx" not in names


def test_a_teachers_file_where_the_new_copy_would_write_is_refused(run, tmp_path):
    folder = tmp_path / "copy"
    assert run("freeze", str(folder)).exit_code == 0
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    marker["files"].remove("en/help/index.html")  # so that file is not the earlier copy's
    (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (folder / "en" / "help" / "index.html").write_text("the teacher's own page")
    result = run("freeze", str(folder))
    assert result.exit_code == 1 and "help/index.html was not written by `workshop freeze`" in result.output
    assert (folder / "en" / "help" / "index.html").read_text() == "the teacher's own page"


@pytest.mark.skipif(sys.platform != "linux", reason="file modes as on Linux")
def test_a_folder_that_cannot_be_written_gets_one_plain_sentence(tiny_root, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "workshop", "--content", str(tiny_root), "freeze", str(locked / "copy")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**workshop_environment(tiny_root, tmp_path / "data"), "WORKSHOP_PDFS": "false"},
            preexec_fn=no_permission_override,
        )
    finally:
        locked.chmod(0o700)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Could not write the offline copy to {locked / 'copy'} (Permission denied): "
        "choose a folder you can write to, on a disk with room."
    ]


def test_a_port_out_of_range_is_a_plain_usage_error(run):
    result = run("serve", "--port", "70000")
    assert result.exit_code == 2 and "70000 is not in the range" in result.output
    assert "Traceback" not in result.output


def test_a_marker_that_cannot_be_read_is_not_trusted(run, tmp_path):
    folder = tmp_path / "copy"
    before = teachers_folder(folder)
    (folder / MARKER).write_text("{not json", encoding="utf-8")
    result = run("freeze", str(folder))
    assert result.exit_code == 1 and "already holds files the workshop did not write" in result.output
    assert snapshot(folder) == {**before, MARKER: b"{not json"}


@pytest.mark.parametrize("planted", ["static", "en/help/index.html"])
def test_a_link_planted_in_an_earlier_copy_is_refused_and_nothing_written_through_it(run, tmp_path, planted):
    folder, elsewhere = tmp_path / "copy", tmp_path / "teachers-folder"
    assert run("freeze", str(folder)).exit_code == 0
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("the teacher's own page")
    link = folder / planted
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    try:
        link.symlink_to(elsewhere if planted == "static" else elsewhere / "index.html")
    except OSError:
        pytest.skip("this system does not let this user make links")
    before = snapshot(elsewhere)
    result = run("freeze", str(folder))
    assert result.exit_code == 1, result.output
    assert f"{link} is a link to somewhere else, and the copy never writes through a link" in result.output
    assert snapshot(elsewhere) == before and link.is_symlink()


def test_freeze_needs_no_data_folder_and_makes_no_database(tiny_root, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("not a folder")
    env = {
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        "WORKSHOP_PDFS": "false",
        "WORKSHOP_LANGUAGES": '["en"]',
        "WORKSHOP_DATA_DIR": str(not_a_folder / "data"),  # can never be made
    }
    result = CliRunner().invoke(
        main, ["--content", str(tiny_root), "freeze", str(tmp_path / "copy")], env=env
    )
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file", "content", "copy", "copy.zip"]
    assert not list(tmp_path.rglob("*.db"))
