"""The store on a real SQLite file: schema, one answer per device, purge."""

from __future__ import annotations

import pytest

from workshop import store
from workshop.lesson import LOBBY, Position


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "workshop.db"
    database = store.open_database(path)
    store.migrate(database)
    yield database
    database.conn.close()


def test_schema_is_created_in_an_empty_file_in_wal_mode(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    database = store.open_database(path)
    store.migrate(database)
    store.migrate(database)  # a second start changes nothing
    assert database.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"sessions", "participants", "answers", "pupil_questions"} <= set(database.table_names())
    database.conn.close()


def test_codes_avoid_characters_that_look_alike(database):
    codes = {store.create_session(database, "m", "10-12", LOBBY).code for _ in range(50)}
    assert len(codes) == 50
    assert not any(set(code) & set("0O1IL") for code in codes)


def open_question(database, key="quiz:q:one"):
    session = store.create_session(database, "m", "10-12", Position(item=0))
    store.update_session(database, session.code, phase="open", open_key=key)
    return session.code, key


def test_a_changed_answer_replaces_the_first(database):
    code, key = open_question(database)
    device = store.add_participant(database, code, "en")
    assert store.record_answer(database, code, device, key, ["a"])
    assert store.record_answer(database, code, device, key, ["b"])
    assert store.choice_counts(database, code, key) == (1, {"b": 1})
    assert store.answer_of(database, code, device, key) == ["b"]


def test_an_answer_to_a_closed_question_is_not_stored(database):
    code, key = open_question(database)
    device = store.add_participant(database, code, "en")
    store.update_session(database, code, phase="closed", open_key="")
    assert not store.record_answer(database, code, device, key, ["a"])
    assert not store.record_answer(database, code, device, "quiz:q:other", ["a"])
    assert store.choice_counts(database, code, key) == (0, {})


def test_a_device_keeps_its_id_and_can_change_language(database):
    code, _ = open_question(database)
    device = store.add_participant(database, code, "en")
    assert store.rejoin(database, code, device, "fr") == device
    assert database.execute("SELECT lang FROM participants").fetchall() == [("fr",)]
    other_code, _ = open_question(database)
    assert store.rejoin(database, other_code, device, "en") is None  # ids are per session
    assert store.rejoin(database, code, None, "en") is None


def test_a_device_reloading_in_the_same_language_writes_nothing(database):
    """A whole class reloads at each step: those page loads must not queue up as writes."""
    code, _ = open_question(database)
    device = store.add_participant(database, code, "en")
    changes = database.conn.total_changes
    assert store.rejoin(database, code, device, "en") == device
    store.seen(database, code, device)
    assert database.conn.total_changes == changes


def test_a_class_of_waiting_devices_is_noted_as_here_in_one_write(database):
    """More devices than one statement takes, and only this session's: a device of another
    session among the ids stays as it was."""
    code, _ = open_question(database)
    other_code, _ = open_question(database)
    devices = [store.add_participant(database, code, "en") for _ in range(store.SEEN_PER_STATEMENT * 2 + 1)]
    elsewhere = store.add_participant(database, other_code, "en")
    database.execute("UPDATE participants SET last_seen = 0")
    store.seen_all(database, code, [*devices, elsewhere])
    assert store.present_count(database, code) == len(devices)
    assert store.present_count(database, other_code) == 0


def test_unknown_or_removed_device_cannot_answer(database):
    code, key = open_question(database)
    assert store.record_answer(database, code, "made-up", key, ["a"]) is False
    device = store.add_participant(database, code, "en")
    store.remove_devices(database, code, 1)
    assert store.record_answer(database, code, device, key, ["a"]) is False
    assert database.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


def test_purge_removes_old_sessions_with_everything_in_them(database):
    old_code, key = open_question(database)
    device = store.add_participant(database, old_code, "en")
    store.record_answer(database, old_code, device, key, ["a"])
    store.add_pupil_question(database, old_code, "Is it OK to block someone?")
    database.execute("UPDATE sessions SET created_at = created_at - 31 * 86400 WHERE code = ?", [old_code])
    new_code, _ = open_question(database)
    assert store.purge(database, 30) == 1
    assert store.get_session(database, old_code) is None
    assert store.get_session(database, new_code) is not None
    for table in ("participants", "answers", "pupil_questions"):
        assert database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
