"""The only module that touches SQLite: live sessions, anonymous devices, answers, purge.

Each of waitress's threads keeps one connection of its own: a connection must not cross
threads, and opening one per request cost half of a poll's time. WAL lets pupils' answers be
written while the presenter reads results, and the busy timeout makes concurrent writers wait
instead of failing. Nothing lives only in memory: a server killed mid-lesson restarts exactly
where it was.
"""

from __future__ import annotations

import functools
import json
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flask import Flask, current_app
from sqlite_utils import Database

from .lesson import Position
from .settings import data_folder

# Join codes: no 0/O, 1/I/L, so a code read off a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5
BUSY_TIMEOUT_MS = 10_000
SCHEMA_VERSION = 1


class Phase(StrEnum):
    """Where a live session's current step is; `sessions.phase` holds these values."""

    LOBBY = "lobby"  # the join screen, before the first step
    SLIDE = "slide"  # a step nobody answers: a slide or a story's ending
    OPEN = "open"  # pupils can answer the current question or story vote
    CLOSED = "closed"  # answering has stopped, the results are not shown yet
    REVEALED = "revealed"  # the results and the right answer are shown
    END = "end"  # the thank-you screen after the last step
    ENDED = "ended"  # the presenter ended the session


@dataclass(frozen=True)
class LiveSession:
    """One row of `sessions`: a live session as the store keeps it."""

    code: str
    module_id: str
    band: str
    position: Position
    trail: tuple[Position, ...]  # the positions the class came through, for "Back"
    phase: Phase
    open_key: str  # the question_key pupils can answer now; empty when none can
    shown_question: int | None  # the pupil question on the projector, by its id
    chart_hidden: bool
    version: int  # bumped by every change: devices poll it to know when to reload
    created_at: float
    ended_at: float | None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


PURGE_EVERY_SECONDS = 3600


def init_app(app: Flask) -> None:
    app.extensions["workshop.database_path"] = database_path(app)
    database = open_database(app.extensions["workshop.database_path"])
    migrate(database)
    database.conn.close()
    app.extensions["workshop.last_purge"] = now()
    app.before_request(_purge_now_and_then)


def _purge_now_and_then() -> None:
    """Old sessions go even when the laptop runs for days: at most one purge an hour."""
    if now() - current_app.extensions["workshop.last_purge"] > PURGE_EVERY_SECONDS:
        current_app.extensions["workshop.last_purge"] = now()
        purge(db(), current_app.config["RETENTION_DAYS"])


def database_path(app: Flask) -> Path:
    return data_folder(app) / "workshop.db"


def open_database(path: Path) -> Database:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")  # an acknowledged answer survives a power cut
    connection.execute("PRAGMA foreign_keys = ON")
    return Database(connection)


_per_thread = threading.local()


def db() -> Database:
    """This thread's connection to the app's database, opened on first use."""
    path = current_app.extensions["workshop.database_path"]  # found (and its folder made) once, by init_app
    connections = _per_thread.__dict__.setdefault("connections", {})
    if path not in connections:
        connections[path] = open_database(path)
    return connections[path]


def migrate(database: Database) -> None:
    """Create or upgrade the schema; `user_version` records how far a file has come."""
    version = database.execute("PRAGMA user_version").fetchone()[0]
    if version < 1:
        with transaction(database):
            for statement in _SCHEMA_1.split(";"):
                if statement.strip():
                    database.execute(statement)
            database.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# SQLite lets one writer in at a time and makes the others sleep and retry, in steps of up
# to 100 ms; queueing this process's writers on a lock instead keeps an answer's wait short.
_write_lock = threading.Lock()


def writes(function):
    """Run a function that writes while holding this process's write lock."""

    @functools.wraps(function)
    def one_at_a_time(*args, **kwargs):
        with _write_lock:
            return function(*args, **kwargs)

    return one_at_a_time


@contextmanager
def transaction(database: Database) -> Iterator[None]:
    """All or nothing; IMMEDIATE takes the write lock up front so two writers queue, not fail."""
    database.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        database.execute("ROLLBACK")
        raise
    database.execute("COMMIT")


# Schema 1 as files were first made with it: it is never edited (a change is a new migration),
# so the phase's default stays the literal value of Phase.LOBBY.
_SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS sessions (
    code TEXT PRIMARY KEY,
    module_id TEXT NOT NULL,
    band TEXT NOT NULL,
    position TEXT NOT NULL,
    trail TEXT NOT NULL DEFAULT '[]',
    phase TEXT NOT NULL DEFAULT 'lobby',
    open_key TEXT NOT NULL DEFAULT '',
    shown_question INTEGER,
    chart_hidden INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    ended_at REAL
);
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY,
    session_code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    joined_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_by_session ON participants(session_code);
CREATE TABLE IF NOT EXISTS answers (
    session_code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    choice_ids TEXT NOT NULL,
    answered_at REAL NOT NULL,
    PRIMARY KEY (session_code, participant_id, question_key)
);
CREATE TABLE IF NOT EXISTS pupil_questions (
    id INTEGER PRIMARY KEY,
    session_code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    asked_at REAL NOT NULL,
    on_projector INTEGER NOT NULL DEFAULT 0
);
"""


@writes
def create_session(database: Database, module_id: str, band: str, position: Position) -> LiveSession:
    """A new session under a fresh join code."""
    code = new_code(database)
    database["sessions"].insert(
        {
            "code": code,
            "module_id": module_id,
            "band": band,
            "position": _json(position.as_json()),
            "phase": Phase.LOBBY,
            "created_at": now(),
        }
    )
    return get_session(database, code)


def get_session(database: Database, code: str) -> LiveSession | None:
    """The session with this code, or None."""
    rows = list(database.query("SELECT * FROM sessions WHERE code = ?", [code]))
    return _session(rows[0]) if rows else None


def _session(values: dict) -> LiveSession:
    return LiveSession(
        code=values["code"],
        module_id=values["module_id"],
        band=values["band"],
        position=Position.from_json(json.loads(values["position"])),
        trail=tuple(Position.from_json(position) for position in json.loads(values["trail"])),
        phase=Phase(values["phase"]),
        open_key=values["open_key"],
        shown_question=values["shown_question"],
        chart_hidden=bool(values["chart_hidden"]),
        version=values["version"],
        created_at=values["created_at"],
        ended_at=values["ended_at"],
    )


def recent_sessions(database: Database, limit: int = 20) -> list[LiveSession]:
    """The latest sessions first."""
    rows = database.query("SELECT * FROM sessions ORDER BY created_at DESC LIMIT ?", [limit])
    return [_session(row) for row in rows]


@writes
def update_session(database: Database, code: str, **changes) -> None:
    """Change a session's columns; every change bumps `version`, which pupils' devices poll."""
    columns = {key: _stored(key, value) for key, value in changes.items()}
    # Column names come from the callers' keyword arguments, never from a request; values are
    # always parameters.
    assignments = ", ".join(f"{column} = ?" for column in columns)
    database.execute(
        f"UPDATE sessions SET {assignments}, version = version + 1 WHERE code = ?", [*columns.values(), code]
    )


def join(database: Database, code: str, participant_id: str | None, lang: str) -> str:
    """The device's anonymous id in this session: the one it has, or a new random one.

    Every page load of a pupil comes here, a whole class at once when the step changes, so a
    known device in an unchanged language only reads: a write would queue behind the others.
    """
    row = database.execute(
        "SELECT lang FROM participants WHERE id = ? AND session_code = ?", [participant_id or "", code]
    ).fetchone()
    if row is None:
        return _add_participant(database, code, lang)
    if row[0] != lang:
        _set_participant_lang(database, participant_id, lang)
    return participant_id


@writes
def _add_participant(database: Database, code: str, lang: str) -> str:
    # Random, not counted: an id must not tell who joined first, nor be guessed to answer for
    # someone else.
    participant_id = secrets.token_urlsafe(16)
    database["participants"].insert(
        {"id": participant_id, "session_code": code, "lang": lang, "joined_at": now()}
    )
    return participant_id


@writes
def _set_participant_lang(database: Database, participant_id: str, lang: str) -> None:
    database.execute("UPDATE participants SET lang = ? WHERE id = ?", [lang, participant_id])


def is_participant(database: Database, code: str, participant_id: str) -> bool:
    """Whether this device joined this session (ids are per session)."""
    return bool(
        database.execute(
            "SELECT 1 FROM participants WHERE id = ? AND session_code = ?", [participant_id, code]
        ).fetchone()
    )


@writes
def record_answer(
    database: Database, code: str, participant_id: str, question_key: str, choice_ids: list[str]
) -> bool:
    """Store or replace this device's answer, only while that question is open: one statement,
    so a presenter closing the question at the same moment cannot let a late answer in."""
    cursor = database.execute(
        """INSERT INTO answers (session_code, participant_id, question_key, choice_ids, answered_at)
           SELECT ?, ?, ?, ?, ? WHERE EXISTS (
               SELECT 1 FROM sessions WHERE code = ? AND open_key = ? AND phase = ?
               AND ended_at IS NULL)
           ON CONFLICT (session_code, participant_id, question_key)
           DO UPDATE SET choice_ids = excluded.choice_ids, answered_at = excluded.answered_at""",
        [code, participant_id, question_key, ",".join(choice_ids), now(), code, question_key, Phase.OPEN],
    )
    return cursor.rowcount == 1


def answer_of(database: Database, code: str, participant_id: str, question_key: str) -> list[str]:
    """The choices this device sent for a question, or none."""
    row = database.execute(
        "SELECT choice_ids FROM answers WHERE session_code = ? AND participant_id = ? AND question_key = ?",
        [code, participant_id, question_key],
    ).fetchone()
    return row[0].split(",") if row else []


def choice_counts(database: Database, code: str, question_key: str) -> tuple[int, Counter]:
    """How many devices answered, and how often each choice was picked."""
    counts: Counter = Counter()
    answered = 0
    for (choice_ids,) in database.execute(
        "SELECT choice_ids FROM answers WHERE session_code = ? AND question_key = ?", [code, question_key]
    ):
        answered += 1
        counts.update(choice_ids.split(","))
    return answered, counts


def all_choice_counts(database: Database, code: str) -> dict[str, tuple[int, Counter]]:
    """choice_counts for every question of a session at once, by question_key."""
    results: dict[str, tuple[int, Counter]] = {}
    for question_key, choice_ids in database.execute(
        "SELECT question_key, choice_ids FROM answers WHERE session_code = ?", [code]
    ):
        answered, counts = results.get(question_key, (0, Counter()))
        counts.update(choice_ids.split(","))
        results[question_key] = (answered + 1, counts)
    return results


def participant_count(database: Database, code: str) -> int:
    """How many devices joined a session."""
    return database.execute("SELECT COUNT(*) FROM participants WHERE session_code = ?", [code]).fetchone()[0]


@writes
def reset_answers(database: Database, code: str, question_key: str) -> None:
    """Delete every answer to one question; devices see the change through `version`."""
    with transaction(database):
        database.execute(
            "DELETE FROM answers WHERE session_code = ? AND question_key = ?", [code, question_key]
        )
        database.execute("UPDATE sessions SET version = version + 1 WHERE code = ?", [code])


@writes
def add_pupil_question(database: Database, code: str, participant_id: str, text: str) -> None:
    """Keep a pupil's question; the device's id only counts its questions, it is never shown."""
    database["pupil_questions"].insert(
        {"session_code": code, "participant_id": participant_id, "text": text, "asked_at": now()}
    )


def pupil_questions(database: Database, code: str) -> list[dict]:
    """A session's pupil questions, oldest first, without the devices that sent them."""
    return list(
        database.query(
            "SELECT id, text, asked_at FROM pupil_questions WHERE session_code = ? ORDER BY id", [code]
        )
    )


def recent_questions_by(database: Database, participant_id: str, since: float) -> int:
    """How many questions one device sent since a time, for the rate limit on questions."""
    return database.execute(
        "SELECT COUNT(*) FROM pupil_questions WHERE participant_id = ? AND asked_at > ?",
        [participant_id, since],
    ).fetchone()[0]


@writes
def purge(database: Database, retention_days: float) -> int:
    """Delete sessions older than the retention period, with everything recorded in them."""
    cutoff = now() - retention_days * 86400
    with transaction(database):
        return database.execute("DELETE FROM sessions WHERE created_at < ?", [cutoff]).rowcount


def purge_folder(app: Flask, retention_days: float) -> int:
    database = open_database(database_path(app))
    try:
        return purge(database, retention_days)
    finally:
        database.conn.close()


def new_code(database: Database) -> str:
    """A join code no session has."""
    # 31 characters in 5 places make 28 million codes: a collision is rare, and retried.
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not database.execute("SELECT 1 FROM sessions WHERE code = ?", [code]).fetchone():
            return code


def now() -> float:
    """Seconds since the epoch, as every time in the database is kept."""
    return time.time()


def _stored(column: str, value):
    """A session's value as its column holds it: positions as JSON text."""
    if column == "position":
        return _json(value.as_json())
    if column == "trail":
        return _json([position.as_json() for position in value])
    return value


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
