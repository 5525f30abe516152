"""A lesson is never lost silently: an emptied database beside its WAL is set aside, not opened
(SQLite would delete the WAL); commands that only read change nothing on disk; a database
deleted or replaced under the running server stops answers with a plain message and is saved
aside; a disk refusing writes gives one plain sentence, and one log line per problem."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
from contextlib import closing
from pathlib import Path

import pytest
from test_live import Classroom
from test_restart import Browser, start_the_quiz

from workshop import create_app, kit, store
from workshop.lesson import Position

from helpers import running_server, signed_in, tiny_settings, workshop_environment

QUESTION = "quiz:tiny-quiz:secret"


def killed_servers_folder(folder: Path, sessions: int = 3) -> Path:
    """A data folder as a server killed mid-lesson leaves it: the sessions only in the WAL."""
    folder.mkdir(parents=True)
    writer = store.open_database(folder / "workshop.db")
    store.migrate(writer)
    store.checkpoint(writer)
    for number in range(sessions):
        store.create_session(writer, "tiny", "13-16", Position(item=number))
    copy = folder.with_name(folder.name + "-copy")
    copy.mkdir()
    for suffix in ("", "-wal", "-shm"):  # copied while the writer still holds them
        shutil.copyfile(folder / f"workshop.db{suffix}", copy / f"workshop.db{suffix}")
    writer.conn.close()
    shutil.rmtree(folder)
    copy.rename(folder)
    assert (folder / "workshop.db-wal").stat().st_size > 0
    return folder


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of the folder but SQLite's shared-memory index, which holds no data."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if not path.name.endswith("-shm")
    }


def workshop(tiny_root: Path, data: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workshop", "--content", str(tiny_root), *command],
        capture_output=True,
        text=True,
        timeout=60,
        env=workshop_environment(tiny_root, data),
    )


def test_an_emptied_database_beside_its_wal_is_set_aside_with_the_wal(tiny_root, tmp_path):
    data = killed_servers_folder(tmp_path / "data")
    wal = (data / "workshop.db-wal").read_bytes()
    (data / "workshop.db").write_bytes(b"")
    report = workshop(tiny_root, data, "report")
    assert report.returncode == 1 and "looks damaged" in report.stderr and "Traceback" not in report.stderr
    assert (data / "workshop.db-wal").read_bytes() == wal  # the report left it as it was
    started = workshop(tiny_root, data, "serve", "--port", "0", "--no-browser")
    assert started.returncode == 1 and "was damaged" in started.stderr, started.stderr
    (aside,) = data.glob("workshop-damaged-*.db")
    assert aside.read_bytes() == b""
    assert Path(f"{aside}-wal").read_bytes() == wal  # the lesson, kept for whoever can repair it
    assert not (data / "workshop.db").exists() and not (data / "workshop.db-wal").exists()


def test_a_wal_left_without_its_database_is_set_aside_not_erased(tiny_root, tmp_path):
    data = killed_servers_folder(tmp_path / "data")
    wal = (data / "workshop.db-wal").read_bytes()
    (data / "workshop.db").unlink()
    started = workshop(tiny_root, data, "serve", "--port", "0", "--no-browser")
    assert started.returncode == 1 and "was damaged" in started.stderr
    (aside,) = data.glob("workshop-damaged-*.db-wal")
    assert aside.read_bytes() == wal


def test_a_damaged_wal_is_found_and_set_aside_not_dropped_in_silence(tiny_root, tmp_path):
    """SQLite's recovery stops at a damaged frame and drops every later transaction quietly."""
    data = killed_servers_folder(tmp_path / "data")
    wal = bytearray((data / "workshop.db-wal").read_bytes())
    wal[32 + 24 + 100] ^= 0xFF  # a byte of the first frame's page
    (data / "workshop.db-wal").write_bytes(bytes(wal))
    before = fingerprint(data)
    report = workshop(tiny_root, data, "report")
    assert report.returncode == 1 and "looks damaged" in report.stderr
    assert fingerprint(data) == before
    started = workshop(tiny_root, data, "serve", "--port", "0", "--no-browser")
    assert started.returncode == 1 and "was damaged" in started.stderr
    (aside,) = data.glob("workshop-damaged-*.db-wal")
    assert aside.read_bytes() == bytes(wal)


def test_the_wal_of_a_workshop_serving_now_is_not_judged(tmp_path):
    """A running server may be half-way through writing a frame when the WAL is read."""
    data = killed_servers_folder(tmp_path / "data")
    wal = bytearray((data / "workshop.db-wal").read_bytes())
    wal[32 + 24 + 100] ^= 0xFF
    (data / "workshop.db-wal").write_bytes(bytes(wal))
    assert store._wal_damaged(data / "workshop.db")
    kit.note_running(data, 8000, "http://127.0.0.1:8000/presenter/?key=k")  # this process serves
    assert not store._wal_damaged(data / "workshop.db")


def test_a_healthy_wal_with_frames_from_before_its_restart_is_not_damaged(tmp_path):
    """A WAL starts again from its top after a checkpoint: older frames stay behind the new
    ones, with other salts, and are no loss."""
    database = store.open_database(tmp_path / "workshop.db")
    store.migrate(database)
    for number in range(20):
        store.create_session(database, "tiny", "13-16", Position(item=number))
    store.checkpoint(database, "PASSIVE")
    store.create_session(database, "tiny", "13-16", Position(item=99))
    assert not store._wal_drops_a_commit(tmp_path / "workshop.db-wal")
    database.conn.close()


def test_report_reads_a_killed_servers_lesson_and_changes_nothing(tiny_root, tmp_path):
    data = killed_servers_folder(tmp_path / "data")
    before = fingerprint(data)
    report = workshop(tiny_root, data, "report", "--csv")
    assert report.returncode == 0, report.stderr
    assert fingerprint(data) == before  # not checkpointed, not migrated, no secret key written


def test_report_on_a_new_laptop_creates_no_data_folder(tiny_root, tmp_path):
    data = tmp_path / "never-made"
    report = workshop(tiny_root, data, "report")
    assert report.returncode == 0 and "Sessions held: 0" in report.stdout, report.stdout + report.stderr
    assert not data.exists()


def test_report_refuses_a_damaged_database_with_a_sentence_and_leaves_it(tiny_root, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    damaged = b"SQLite format 3\x00" + b"\x13" * 8000
    (data / "workshop.db").write_bytes(damaged)
    report = workshop(tiny_root, data, "report")
    assert report.returncode == 1 and "cannot be read" in report.stderr and "Traceback" not in report.stderr
    assert [path.name for path in data.iterdir()] == ["workshop.db"]
    assert (data / "workshop.db").read_bytes() == damaged


def lose_the_file_mid_lesson(tiny_root: Path, data: Path, lose) -> tuple[str, list[str]]:
    """A real server: a pupil answers, `lose(database path)` happens, answers are refused
    within seconds; the server's log and every choice it acknowledged, in order."""
    presenter, pupil = Browser(), Browser()
    with running_server(tiny_root, data_dir=data) as server:
        _, code = start_the_quiz(presenter, server)
        answer = f"{server.base_url}en/live/{code}/answer"
        pupil.get(answer.replace("/answer", "/"))
        assert pupil.post(answer, body={"question": QUESTION, "choices": ["tell"]}) == 200
        acknowledged = ["tell"]
        lose(data / "workshop.db")
        assert "cannot save answers right now" in refusal(pupil, answer, acknowledged)
        server.process.terminate()
        log = server.process.communicate(timeout=15)[0]
    assert "Traceback" not in log
    return log, acknowledged


def test_a_database_deleted_under_the_running_server_stops_answers_and_is_saved(tiny_root, tmp_path):
    data = tmp_path / "data"
    log, acknowledged = lose_the_file_mid_lesson(tiny_root, data, Path.unlink)
    assert "was deleted while the workshop ran" in log
    assert not (data / "workshop.db").exists()  # no empty database made in its place
    (rescued,) = data.glob("workshop-rescued-*.db")
    with closing(sqlite3.connect(rescued)) as saved:
        # The last answer acknowledged, even one taken in the seconds before the server noticed.
        assert saved.execute("SELECT choice_ids FROM answers").fetchall() == [(acknowledged[-1],)]
    assert rescued.name in log


def test_a_database_replaced_under_the_running_server_is_left_as_it_is(tiny_root, tmp_path):
    replaced = {}

    def put_back_a_copy(path: Path) -> None:  # a backup put back, a sync tool's copy
        shutil.copyfile(path, tmp_path / "other.db")
        (tmp_path / "other.db").replace(path)
        replaced["bytes"] = path.read_bytes()

    data = tmp_path / "data"
    log, _ = lose_the_file_mid_lesson(tiny_root, data, put_back_a_copy)
    assert "was replaced by another file while the workshop ran" in log
    assert (data / "workshop.db").read_bytes() == replaced["bytes"]  # never checkpointed into
    assert list(data.glob("workshop-rescued-*.db"))


def refusal(pupil: Browser, answer: str, acknowledged: list[str] | None = None) -> str:
    """The message an answer gets once the server has noticed (it looks every 2 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        choice = "keep" if (acknowledged or ["keep"])[-1] == "tell" else "tell"
        try:
            pupil.post(answer, body={"question": QUESTION, "choices": [choice]})
            (acknowledged if acknowledged is not None else []).append(choice)
        except urllib.error.HTTPError as error:
            assert error.code == 503
            return json.loads(error.read())["error"]
        time.sleep(0.3)
    pytest.fail("answers were still taken 10 s after the database file went")


def test_a_disk_refusing_writes_gives_one_sentence_and_one_log_line(tiny_root, data_dir, caplog):
    """SQLite answers a read-only disk with SQLITE_READONLY; a read-only connection to the same
    file gets the very same error, which is how it is brought about here."""
    app = create_app(tiny_settings(tiny_root, data_dir))
    room = Classroom(app, signed_in(app))
    room.next(2)
    pupil = room.pupil()
    path = app.extensions["workshop.database_path"]
    store._pools[(path, False)] = store.ConnectionPool(path, read_only=True)
    try:
        with caplog.at_level(logging.WARNING):
            answers = [room.answer(pupil, QUESTION, ["tell"]) for _ in range(5)]
            moved = room.presenter.post(
                f"/en/presenter/sessions/{room.code}/next", data={"csrf": room.presenter.csrf}
            )
    finally:
        del store._pools[(path, False)]
    assert {response.status_code for response in answers} == {503}
    assert "cannot save answers right now" in answers[0].get_json()["error"]
    assert moved.status_code == 503 and "its disk refuses to write" in moved.get_data(as_text=True)
    lines = [record for record in caplog.records if "database cannot be used" in record.getMessage()]
    assert len(lines) == 1 and "readonly" in lines[0].getMessage()
    assert not any(record.exc_info for record in caplog.records)


def test_the_file_is_known_by_its_identity_where_windows_gives_no_file_number():
    """NTFS gives a file index as st_ino; a file system without one gives 0, and then the
    creation time (st_ctime on Windows) tells a new file from the old one."""
    numbered = os.stat_result((0o100600, 77, 5, 1, 0, 0, 10, 0, 0, 0))
    unnumbered = os.stat_result((0o100600, 0, 5, 1, 0, 0, 10, 0, 0, 0, 0.0, 0.0, 0.0, 1, 2, 3))
    assert store._identity(numbered) == (5, 77)
    assert store._identity(unnumbered) == (5, 3)
