"""The database tells the truth and forgets what it should: checked at start-up, set aside
(never deleted) when damaged, checkpointed so `workshop.db` alone holds the lesson, readable by
its owner only, and deleted text overwritten in the database and its WAL."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from workshop import store
from workshop.lesson import LOBBY, Position

from helpers import Visitor, no_permission_override, running_server, workshop_environment

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="file modes and resource limits as on Linux")


def start(content_root, data_dir, *command: str, preexec_fn=None, env=None) -> subprocess.CompletedProcess:
    """`workshop serve` (or another command) as a presenter starts it; expected to stop at once."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "workshop",
            "--content",
            str(content_root),
            *(command or ("serve", "--port", "0")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=workshop_environment(content_root, data_dir, env),
        preexec_fn=preexec_fn,
    )


def one_plain_sentence(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "is running" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if "could not compile" not in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_damaged_database_is_set_aside_not_replaced(tiny_root, data_dir):
    data_dir.mkdir()
    damaged = b"SQLite format 3\x00" + b"\x13" * 8000
    (data_dir / "workshop.db").write_bytes(damaged)
    message = one_plain_sentence(start(tiny_root, data_dir))
    assert "was damaged" in message and "(nothing was deleted)" in message
    aside = [path for path in data_dir.iterdir() if path.name.startswith("workshop-damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged and aside[0].name in message
    assert not (data_dir / "workshop.db").exists()
    with running_server(tiny_root, data_dir=data_dir) as server:  # the next start begins afresh
        assert Visitor(server.base_url).get("/en/help/").status == 200
    assert aside[0].read_bytes() == damaged


def test_a_database_damaged_inside_is_found_by_the_integrity_check(tiny_root, data_dir):
    data_dir.mkdir()
    database = store.open_database(data_dir / "workshop.db")
    store.migrate(database)
    for number in range(300):
        store.create_session(database, "tiny", "13-16", Position(item=number))
    database.conn.close()
    raw = bytearray((data_dir / "workshop.db").read_bytes())
    raw[2 * 4096 + 200 : 2 * 4096 + 600] = b"\xff" * 400  # a page of the sessions table, scribbled on
    (data_dir / "workshop.db").write_bytes(bytes(raw))
    message = one_plain_sentence(start(tiny_root, data_dir))
    assert "was damaged" in message
    assert [path.name for path in data_dir.glob("workshop-damaged-*.db")]


def test_an_empty_file_where_the_database_was_is_set_aside(tiny_root, data_dir):
    data_dir.mkdir()
    (data_dir / "workshop.db").touch()  # as a sync tool leaves a file it has not fetched yet
    message = one_plain_sentence(start(tiny_root, data_dir))
    assert "was empty" in message
    assert [path.stat().st_size for path in data_dir.glob("workshop-empty-*.db")] == [0]


def test_a_read_only_data_folder_gets_one_plain_sentence(tiny_root, data_dir):
    data_dir.mkdir()
    data_dir.chmod(0o500)
    try:
        message = one_plain_sentence(start(tiny_root, data_dir, preexec_fn=no_permission_override))
    finally:
        data_dir.chmod(0o700)
    assert f"cannot use its data folder {data_dir}" in message and "Permission denied" in message


def test_a_full_disk_gets_one_plain_sentence(tiny_root, data_dir):
    resource = pytest.importorskip("resource")

    def no_room():  # every write that makes a file longer fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    message = one_plain_sentence(start(tiny_root, data_dir, preexec_fn=no_room))
    assert "cannot use its data folder" in message and "disk is not full" in message


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_clean_stop_leaves_the_whole_lesson_in_workshop_db(tiny_root, data_dir, tmp_path, stop):
    # Ctrl+C as in a terminal: a test run started in the background ignores SIGINT, and its
    # children would inherit that.
    with running_server(tiny_root, data_dir=data_dir, preexec_fn=default_interrupt) as server:
        presenter = Visitor(server.base_url)
        presenter.get(server.presenter_url.removeprefix(server.base_url.rstrip("/")))
        home = presenter.get("/en/presenter/").text
        csrf = home.split('name="csrf" value="')[1].split('"')[0]
        presenter.post_form("/en/presenter/sessions/", {"csrf": csrf, "module": "tiny", "band": "13-16"})
        for mode in ("workshop.db", "workshop.db-wal", "workshop.db-shm"):
            assert stat.S_IMODE((data_dir / mode).stat().st_mode) == 0o600, mode
        assert (data_dir / "workshop.db-wal").stat().st_size > 0  # the session is in the WAL so far
        server.process.send_signal(stop)
        assert server.process.wait(timeout=30) == 0
        assert "Stopped." in server.process.stdout.read()
    wal = data_dir / "workshop.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "copy" / "workshop.db"  # the one file a presenter would copy
    alone.parent.mkdir()
    shutil.copy(data_dir / "workshop.db", alone)
    with sqlite3.connect(alone) as copy:
        assert copy.execute("SELECT module_id FROM sessions").fetchall() == [("tiny",)]


def default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_while_serving_the_wal_is_checkpointed_regularly(tmp_path):
    path = tmp_path / "workshop.db"
    database = store.open_database(path)
    store.migrate(database)
    store.checkpoint(database)  # the empty schema is in workshop.db; what follows goes to the WAL
    finish = store.checkpoint_regularly(path, seconds=0.05)
    try:
        store.create_session(database, "tiny", "13-16", LOBBY)
        copied = tmp_path / "copied.db"
        for _ in range(200):  # until the next checkpoint has copied it into workshop.db
            shutil.copy(path, copied)
            with sqlite3.connect(copied) as copy:
                if copy.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the session never reached workshop.db")
    finally:
        finish()
        database.conn.close()


def test_deleted_text_is_gone_from_the_database_and_its_wal(tmp_path):
    path = tmp_path / "workshop.db"
    database = store.open_database(path)
    store.migrate(database)
    assert database.execute("PRAGMA secure_delete").fetchone()[0] == 1
    old = store.create_session(database, "tiny", "13-16", Position(item=0))
    store.add_pupil_question(database, old.code, "MARKER-purged-question-text")
    kept = store.create_session(database, "tiny", "13-16", Position(item=0))
    store.add_pupil_question(database, kept.code, "MARKER-deleted-question-text")
    store.add_pupil_question(database, kept.code, "MARKER-kept-question-text")
    database.execute("UPDATE sessions SET created_at = created_at - 40 * 86400 WHERE code = ?", [old.code])
    assert store.purge(database, 30) == 1
    spam = next(q["id"] for q in store.pupil_questions(database, kept.code) if "deleted" in q["text"])
    store.delete_pupil_question(database, kept.code, spam)
    on_disk = b"".join(
        file.read_bytes() for file in tmp_path.iterdir() if file.name.startswith("workshop.db")
    )
    assert b"MARKER-purged" not in on_disk and b"MARKER-deleted" not in on_disk
    database.conn.close()
    with sqlite3.connect(path) as reopened:
        assert reopened.execute("SELECT text FROM pupil_questions").fetchall() == [
            ("MARKER-kept-question-text",)
        ]


def test_an_older_database_loses_the_link_from_questions_to_devices(tmp_path):
    """A file from version 1, where each question kept its device's id, is migrated."""
    path = tmp_path / "workshop.db"
    database = store.open_database(path)
    with store.transaction(database):
        for statement in store._SCHEMA_1.split(";"):
            if statement.strip():
                database.execute(statement)
        database.execute("PRAGMA user_version = 1")
    database.execute(
        "INSERT INTO sessions (code, module_id, band, position, created_at) "
        "VALUES ('AAAAA', 'tiny', '13-16', '{}', 0)"
    )
    database.execute("INSERT INTO participants VALUES ('DEVICE-ID-abcdef', 'AAAAA', 'en', 0)")
    database.execute(
        "INSERT INTO pupil_questions (session_code, participant_id, text, asked_at) "
        "VALUES ('AAAAA', 'DEVICE-ID-abcdef', 'Who can I tell?', 125)"
    )
    database.conn.close()
    assert path.read_bytes().count(b"DEVICE-ID-abcdef") == 3  # the device's row, its index, its question
    store.prepare(path)
    with sqlite3.connect(path) as migrated:
        questions = migrated.execute("SELECT text, asked_at FROM pupil_questions").fetchall()
        assert questions == [("Who can I tell?", 120)]
        columns = [row[1] for row in migrated.execute("PRAGMA table_info(pupil_questions)")]
    assert "participant_id" not in columns
    raw = path.read_bytes()
    assert raw.count(b"DEVICE-ID-abcdef") == 2  # the device's row and its index: no longer its question
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_negative_retention_is_refused_not_taken_as_delete_everything(tiny_root, data_dir):
    purge = start(tiny_root, data_dir, "purge", "--days", "-1")
    assert purge.returncode == 2 and "not in the range" in purge.stderr
    assert "Traceback" not in purge.stderr and "Deleted" not in purge.stdout
    setting = start(tiny_root, data_dir, env={"WORKSHOP_RETENTION_DAYS": "-1"})
    assert one_plain_sentence(setting) == "RETENTION_DAYS must be 0 or more days, not -1."
    kept_counts = start(tiny_root, data_dir, env={"WORKSHOP_REPORT_RETENTION_DAYS": "-1"})
    assert one_plain_sentence(kept_counts) == "REPORT_RETENTION_DAYS must be 0 or more days, not -1."
    with pytest.raises(ValueError):
        store.purge(store.open_database(tiny_root.parent / "workshop.db"), -1)
    with pytest.raises(ValueError):
        store.purge(store.open_database(tiny_root.parent / "workshop.db"), 30, -1)
