"""The only module that touches SQLite: live sessions, anonymous devices, answers, purge, and
the counts a purged session leaves for the season report.

Connections are kept open in a small pool and lent to one request at a time: opening one per
request cost half of a poll's time, and one per server thread would hold thousands of files
open when a thousand devices' polls each wait on a thread of their own. WAL lets pupils'
answers be written while the presenter reads results, and the busy timeout makes concurrent
writers wait instead of failing. Nothing lives only in memory: a server killed mid-lesson
restarts exactly where it was.

The file is checked at start-up (a damaged one is set aside, never replaced in silence), is
readable by its owner only, and is checkpointed while serving and on every clean stop, so
`workshop.db` alone holds the lesson. Deleted text is overwritten, in the WAL as well.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flask import Flask, current_app, g
from sqlite_utils import Database

from .errors import StartupError
from .lesson import CHECK_AFTER, CHECK_BEFORE, Position
from .settings import cannot_write, data_folder

log = logging.getLogger(__name__)

# Join codes: no 0/O, 1/I/L, so a code read off a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5
BUSY_TIMEOUT_MS = 10_000
# Fewer devices than this answering a statement of the before-and-after check both times, and
# its figures could point at a pupil: they are never shown, and never kept for the season report.
FEWEST_DEVICES_SHOWN = 5
# A device is here if it asked for anything in the last two minutes (a phone polls every few
# seconds while its screen is on). Its "last seen" is written at most every 30 s, so polls
# stay reads.
PRESENT_SECONDS = 120
SEEN_EVERY_SECONDS = 30
CHECKPOINT_EVERY_SECONDS = 60
# SQLite runs one statement at a time per process anyway (the GIL and its own locks): more
# connections than this only cost open files.
POOLED_CONNECTIONS = 16


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
    with_check: bool  # the before-and-after check is part of this lesson

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class Device:
    """A pupil's device as the presenter sees it: a number in joining order, nothing more."""

    number: int
    present: bool
    answers: int


PURGE_EVERY_SECONDS = 3600


def init_app(app: Flask) -> None:
    for name in ("RETENTION_DAYS", "REPORT_RETENTION_DAYS"):
        if app.config[name] < 0:
            raise StartupError(f"{name} must be 0 or more days, not {app.config[name]}.")
    app.extensions["workshop.database_path"] = database_path(app)
    prepare(app.extensions["workshop.database_path"])
    app.extensions["workshop.last_purge"] = now()
    app.before_request(_purge_now_and_then)
    app.teardown_appcontext(give_back)


def _purge_now_and_then() -> None:
    """Old sessions go even when the laptop runs for days: at most one purge an hour."""
    if now() - current_app.extensions["workshop.last_purge"] > PURGE_EVERY_SECONDS:
        current_app.extensions["workshop.last_purge"] = now()
        with lent() as database:  # given back at once: this request may be a poll that waits
            purge(database, current_app.config["RETENTION_DAYS"], current_app.config["REPORT_RETENTION_DAYS"])


def database_path(app: Flask) -> Path:
    return data_folder(app) / "workshop.db"


def open_database(path: Path) -> Database:
    # check_same_thread off: a pooled connection serves one request at a time, on any thread.
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")  # an acknowledged answer survives a power cut
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted rows (a purged session, a deleted question) are overwritten with zeros, not
        # left readable in free pages: some builds of SQLite do this by default, not all.
        connection.execute("PRAGMA secure_delete = ON")
    except BaseException:
        connection.close()  # a file still open could not be set aside on Windows
        raise
    return Database(connection)


def prepare(path: Path) -> None:
    """Check the database and bring its schema up to date, at start-up. A damaged file, or an
    empty one where a database was expected, is set aside (renamed, never deleted): it is not
    replaced by an empty database in silence. Raises StartupError with what to do."""
    if path.exists() and path.stat().st_size == 0 and not _has_content(_companion(path, "-wal")):
        raise StartupError(set_aside(path, "empty"))
    if not path.exists():
        _create_owner_only(path)
    if _damaged_else_migrated(path):
        raise StartupError(set_aside(path, "damaged"))
    for file in (path, _companion(path, "-wal"), _companion(path, "-shm")):
        if file.exists():
            file.chmod(0o600)  # older versions made them readable by every user of the laptop


def _damaged_else_migrated(path: Path) -> bool:
    """True if the file is damaged; otherwise its schema is brought up to date."""
    try:
        with closing(open_database(path).conn) as connection:
            database = Database(connection)
            verdict = [row[0] for row in database.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                return True
            migrate(database)
            checkpoint(database)
    except sqlite3.DatabaseError as error:
        if (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return True
        raise StartupError(cannot_write(path.parent, error)) from error
    return False


def set_aside(path: Path, why: str) -> str:
    """Rename a database that cannot be used (with its WAL) and say so, in one sentence."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}-{why}-{stamp}{path.suffix}")
    try:
        for suffix in ("", "-wal", "-shm"):
            if _companion(path, suffix).exists():
                _companion(path, suffix).rename(_companion(aside, suffix))
    except OSError as error:
        return (
            f"The database {path} is {why} and could not be set aside ({error.strerror}): "
            "move it out of the folder and start the workshop again."
        )
    return (
        f"The database {path} was {why}: it was set aside as {aside.name} (nothing was deleted); "
        "start the workshop again to begin with a new database."
    )


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _create_owner_only(path: Path) -> None:
    """An empty file readable by this user only; SQLite gives its WAL the same permissions."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise StartupError(cannot_write(path.parent, error)) from error


def checkpoint(database: Database, mode: str = "TRUNCATE") -> None:
    """Copy the WAL into the database file. TRUNCATE also empties the WAL, so rows deleted
    before it are gone from both files; PASSIVE never makes a reader or writer wait."""
    database.execute(f"PRAGMA wal_checkpoint({mode})")


def checkpoint_regularly(path: Path, seconds: float = CHECKPOINT_EVERY_SECONDS) -> Callable[[], None]:
    """Checkpoint every `seconds` while the server runs, so that `workshop.db` alone holds the
    lesson; the function returned stops that and makes a last checkpoint that empties the WAL."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(seconds):
            _checkpoint_file(path, "PASSIVE")

    thread = threading.Thread(target=run, name="checkpoint", daemon=True)
    thread.start()

    def finish() -> None:
        stop.set()
        thread.join(timeout=BUSY_TIMEOUT_MS / 1000)
        _checkpoint_file(path, "TRUNCATE")

    return finish


def _checkpoint_file(path: Path, mode: str) -> None:
    try:
        with closing(open_database(path).conn) as connection:
            checkpoint(Database(connection), mode)
    except sqlite3.Error as error:  # a full disk, say: the WAL still holds everything
        log.warning("Could not checkpoint the database: %s", error)


class ConnectionPool:
    """At most POOLED_CONNECTIONS open connections to one file, each lent to one borrower at a time."""

    def __init__(self, path: Path):
        self.path = path
        self._idle: queue.LifoQueue[Database] = queue.LifoQueue()
        self._room = threading.BoundedSemaphore(POOLED_CONNECTIONS)

    def borrow(self) -> Database:
        self._room.acquire()  # a request beyond the pool's size waits for a connection to come back
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return open_database(self.path)

    def give_back(self, database: Database) -> None:
        self._idle.put(database)
        self._room.release()

    @contextmanager
    def connection(self) -> Iterator[Database]:
        database = self.borrow()
        try:
            yield database
        finally:
            self.give_back(database)


_pools: dict[Path, ConnectionPool] = {}
_pools_lock = threading.Lock()


def pool(path: Path) -> ConnectionPool:
    """The one pool of connections to this file in this process."""
    with _pools_lock:
        return _pools.setdefault(path, ConnectionPool(path))


def db() -> Database:
    """The connection this request (or app context) borrowed, borrowed on first use."""
    if "workshop_database" not in g:
        # The path is found (and its folder made) once, by init_app.
        g.workshop_database = pool(current_app.extensions["workshop.database_path"]).borrow()
    return g.workshop_database


def lent() -> AbstractContextManager[Database]:
    """A connection for a moment, given back at once: for a request that then waits."""
    return pool(current_app.extensions["workshop.database_path"]).connection()


def give_back(_error: BaseException | None = None) -> None:
    """Give back the connection this request borrowed, if any: at its end, or before it waits
    (an open event stream holds no connection between two steps)."""
    database = g.pop("workshop_database", None)
    if database is not None:
        pool(current_app.extensions["workshop.database_path"]).give_back(database)


def migrate(database: Database) -> None:
    """Create or upgrade the schema; `user_version` records how far a file has come."""
    version = database.execute("PRAGMA user_version").fetchone()[0]
    for number, statements in enumerate(MIGRATIONS, start=1):
        if version < number:
            with transaction(database):
                for statement in statements.split(";"):
                    if statement.strip():
                        database.execute(statement)
                database.execute(f"PRAGMA user_version = {number}")


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

# Version 2: when each device was last seen (who is here now); anonymous questions lose the
# device id that linked them to that device's answers, their time is kept to the minute only,
# and the presenter can hide them.
_SCHEMA_2 = """
ALTER TABLE participants ADD COLUMN last_seen REAL NOT NULL DEFAULT 0;
UPDATE participants SET last_seen = joined_at;
CREATE INDEX participants_present ON participants(session_code, last_seen);
CREATE TABLE pupil_questions_2 (
    id INTEGER PRIMARY KEY,
    session_code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    text TEXT NOT NULL,
    asked_at REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0
);
INSERT INTO pupil_questions_2 (id, session_code, text, asked_at)
    SELECT id, session_code, text, CAST(asked_at / 60 AS INTEGER) * 60 FROM pupil_questions;
DROP TABLE pupil_questions;
ALTER TABLE pupil_questions_2 RENAME TO pupil_questions;
CREATE INDEX pupil_questions_by_session ON pupil_questions(session_code)
"""

# Version 3: whether a session has the before-and-after check, and what a session leaves behind
# when it is purged, for the season report: counts only, no device id, no session code, no free
# text.
_SCHEMA_3 = """
ALTER TABLE sessions ADD COLUMN with_check INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS session_aggregates (
    id INTEGER PRIMARY KEY,
    held_at REAL NOT NULL,
    module_id TEXT NOT NULL,
    band TEXT NOT NULL,
    with_check INTEGER NOT NULL,
    pupils INTEGER NOT NULL,
    languages TEXT NOT NULL,
    pupil_questions INTEGER NOT NULL,
    shifts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_aggregates_by_date ON session_aggregates(held_at);
"""
# Version 4: how many anonymous questions a session was asked, counted as they arrive, so that
# deleting one (its text goes for good) leaves the season report's count as it was.
_SCHEMA_4 = """
ALTER TABLE sessions ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET questions_asked =
    (SELECT COUNT(*) FROM pupil_questions WHERE session_code = sessions.code)
"""
# Each upgrades a file from the version before it.
MIGRATIONS = (_SCHEMA_1, _SCHEMA_2, _SCHEMA_3, _SCHEMA_4)
SCHEMA_VERSION = len(MIGRATIONS)


@writes
def create_session(
    database: Database, module_id: str, band: str, position: Position, with_check: bool = False
) -> LiveSession:
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
            "with_check": int(with_check),
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
        with_check=bool(values["with_check"]),
    )


@dataclass(frozen=True)
class SessionMark:
    """What a pupil's device polls for: a session's version, whether it ended, who is here."""

    version: int
    ended: bool
    present: int


def session_marks(database: Database, codes: list[str]) -> dict[str, SessionMark]:
    """The marks of these sessions in one query, by code; a code with no session is left out."""
    placeholders = ", ".join("?" for _ in codes)
    rows = database.execute(
        f"""SELECT code, version, ended_at IS NOT NULL,
               (SELECT COUNT(*) FROM participants WHERE session_code = code AND last_seen >= ?)
           FROM sessions WHERE code IN ({placeholders})""",
        [now() - PRESENT_SECONDS, *codes],
    )
    return {code: SessionMark(version, bool(ended), present) for code, version, ended, present in rows}


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


def rejoin(database: Database, code: str, participant_id: str | None, lang: str) -> str | None:
    """The device's anonymous id if it has joined this session, else None (see add_participant).

    Every page load of a pupil comes here, a whole class at once when the step changes, so a
    known device in an unchanged language, seen recently, only reads: a write would queue
    behind the others.
    """
    row = database.execute(
        "SELECT lang, last_seen FROM participants WHERE id = ? AND session_code = ?",
        [participant_id or "", code],
    ).fetchone()
    if row is None:
        return None
    if row[0] != lang or _stale(row[1]):
        _set_participant(database, participant_id, lang=lang, last_seen=now())
    return participant_id


def seen(database: Database, code: str, participant_id: str) -> None:
    """This device is still here (its state polls come here): noted at most every 30 s."""
    row = database.execute(
        "SELECT last_seen FROM participants WHERE id = ? AND session_code = ?", [participant_id, code]
    ).fetchone()
    if row and _stale(row[0]):
        _set_participant(database, participant_id, last_seen=now())


def _stale(last_seen: float) -> bool:
    return now() - last_seen > SEEN_EVERY_SECONDS


@writes
def add_participant(database: Database, code: str, lang: str) -> str:
    """A new device in this session, with a new random id."""
    # Random, not counted: an id must not tell who joined first, nor be guessed to answer for
    # someone else.
    participant_id = secrets.token_urlsafe(16)
    joined = now()
    database["participants"].insert(
        {"id": participant_id, "session_code": code, "lang": lang, "joined_at": joined, "last_seen": joined}
    )
    return participant_id


@writes
def _set_participant(database: Database, participant_id: str, **changes) -> None:
    assignments = ", ".join(f"{column} = ?" for column in changes)
    database.execute(
        f"UPDATE participants SET {assignments} WHERE id = ?", [*changes.values(), participant_id]
    )


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
    """Every device that took part (the presenter's removals aside), here now or not."""
    return database.execute("SELECT COUNT(*) FROM participants WHERE session_code = ?", [code]).fetchone()[0]


def present_count(database: Database, code: str) -> int:
    """The devices here now: "N joined" on the projector, not every cookie ever seen."""
    return database.execute(
        "SELECT COUNT(*) FROM participants WHERE session_code = ? AND last_seen >= ?",
        [code, now() - PRESENT_SECONDS],
    ).fetchone()[0]


def devices(database: Database, code: str) -> list[Device]:
    """A session's devices in the order they joined, each with how many answers it gave."""
    rows = database.execute(
        """SELECT p.rowid, p.last_seen, COUNT(a.question_key) FROM participants p
           LEFT JOIN answers a ON a.participant_id = p.id
           WHERE p.session_code = ? GROUP BY p.id ORDER BY p.rowid""",
        [code],
    )
    since = now() - PRESENT_SECONDS
    return [Device(number, last_seen >= since, answers) for number, last_seen, answers in rows]


@writes
def remove_device(database: Database, code: str, number: int | None) -> None:
    """The presenter removes a device: its answers and votes leave every count with it."""
    with transaction(database):
        database.execute("DELETE FROM participants WHERE rowid = ? AND session_code = ?", [number, code])


@writes
def reset_answers(database: Database, code: str, question_key: str) -> None:
    """Delete every answer to one question; devices see the change through `version`."""
    with transaction(database):
        database.execute(
            "DELETE FROM answers WHERE session_code = ? AND question_key = ?", [code, question_key]
        )
        database.execute("UPDATE sessions SET version = version + 1 WHERE code = ?", [code])


@writes
def add_pupil_question(database: Database, code: str, text: str) -> None:
    """An anonymous question: stored with no device id, and its time to the minute only, so
    nothing ties it to the answers of the device that sent it."""
    with transaction(database):
        database.execute(
            "INSERT INTO pupil_questions (session_code, text, asked_at) VALUES (?, ?, ?)",
            [code, text, now() // 60 * 60],
        )
        database.execute("UPDATE sessions SET questions_asked = questions_asked + 1 WHERE code = ?", [code])


def pupil_questions(database: Database, code: str) -> list[dict]:
    """A session's pupil questions, oldest first, without the devices that sent them."""
    return list(
        database.query(
            "SELECT id, text, asked_at, hidden FROM pupil_questions WHERE session_code = ? ORDER BY id",
            [code],
        )
    )


def shown_question_count(database: Database, code: str) -> int:
    """Questions the presenter has not hidden: the number on the console's button."""
    return database.execute(
        "SELECT COUNT(*) FROM pupil_questions WHERE session_code = ? AND hidden = 0", [code]
    ).fetchone()[0]


def check_distributions(database: Database, code: str) -> tuple[int, dict[str, tuple[Counter, Counter]]]:
    """How many devices answered the before-and-after check both times, and for each statement,
    how many of those that answered it both times picked each point of the scale, before and
    after. No device id leaves here."""
    devices, distributions = 0, {}
    for before, after in database.execute(
        """SELECT b.choice_ids, a.choice_ids FROM answers b JOIN answers a
           ON a.session_code = b.session_code AND a.participant_id = b.participant_id
           WHERE b.session_code = ? AND b.question_key = ? AND a.question_key = ?""",
        [code, CHECK_BEFORE, CHECK_AFTER],
    ):
        points_before, points_after = _check_points(before), _check_points(after)
        both = points_before.keys() & points_after.keys()
        devices += bool(both)
        for statement_id in both:
            counts = distributions.setdefault(statement_id, (Counter(), Counter()))
            counts[0][points_before[statement_id]] += 1
            counts[1][points_after[statement_id]] += 1
    return devices, distributions


def check_choice_ids(points: dict[str, int]) -> list[str]:
    """A device's answers to one stage of the check, as the `answers` table keeps them."""
    return [f"{statement_id}:{point}" for statement_id, point in sorted(points.items())]


def _check_points(choice_ids: str) -> dict[str, int]:
    answered = (item.partition(":") for item in choice_ids.split(","))
    return {statement_id: int(point) for statement_id, _, point in answered if point.isdigit()}


def session_aggregate(database: Database, code: str) -> dict | None:
    """What a session adds to the season report, or None if no pupil's device joined it.

    Counts only: pupils by language, anonymous questions (never their text), and the
    before-and-after answers of statements that enough devices answered both times.
    """
    session = get_session(database, code)
    languages = dict(
        database.execute(
            "SELECT lang, COUNT(*) FROM participants WHERE session_code = ? GROUP BY lang ORDER BY lang",
            [code],
        ).fetchall()
    )
    if session is None or not languages:
        return None
    # Every question asked, deleted ones too (their text is gone; the count stays).
    asked = database.execute("SELECT questions_asked FROM sessions WHERE code = ?", [code])
    shifts = {
        statement_id: {"before": _counts(before), "after": _counts(after)}
        for statement_id, (before, after) in check_distributions(database, code)[1].items()
        if before.total() >= FEWEST_DEVICES_SHOWN
    }
    return {
        "held_at": session.created_at,
        "module_id": session.module_id,
        "band": session.band,
        "with_check": session.with_check,
        "pupils": sum(languages.values()),
        "languages": languages,
        "pupil_questions": asked.fetchone()[0],
        "shifts": shifts,
    }


def _counts(points: Counter) -> dict[str, int]:
    return {str(point): points[point] for point in sorted(points)}


def season_aggregates(database: Database, start: float, end: float) -> list[dict]:
    """Every session held from `start` to before `end`: those still stored, then those kept
    from purged sessions, each as `session_aggregate` describes it."""
    codes = database.execute(
        "SELECT code FROM sessions WHERE created_at >= ? AND created_at < ? ORDER BY created_at", [start, end]
    ).fetchall()
    stored = [aggregate for (code,) in codes if (aggregate := session_aggregate(database, code))]
    kept = database.query(
        "SELECT * FROM session_aggregates WHERE held_at >= ? AND held_at < ? ORDER BY held_at", [start, end]
    )
    return stored + [_aggregate(row) for row in kept]


def _aggregate(row: dict) -> dict:
    return {
        "held_at": row["held_at"],
        "module_id": row["module_id"],
        "band": row["band"],
        "with_check": bool(row["with_check"]),
        "pupils": row["pupils"],
        "languages": json.loads(row["languages"]),
        "pupil_questions": row["pupil_questions"],
        "shifts": json.loads(row["shifts"]),
    }


def _keep_aggregate(database: Database, code: str) -> None:
    aggregate = session_aggregate(database, code)
    if aggregate is None:
        return
    row = {**aggregate, "languages": _json(aggregate["languages"]), "shifts": _json(aggregate["shifts"])}
    # A plain INSERT: sqlite-utils' insert would commit the purge's transaction half-way.
    database.execute(
        f"INSERT INTO session_aggregates ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )


@writes
def hide_pupil_question(database: Database, code: str, question_id: int | None, hidden: bool) -> None:
    with transaction(database):
        database.execute(
            "UPDATE pupil_questions SET hidden = ? WHERE id = ? AND session_code = ?",
            [int(hidden), question_id, code],
        )
        if hidden:
            _off_the_projector(database, code, question_id)


@writes
def delete_pupil_question(database: Database, code: str, question_id: int | None) -> None:
    """Gone for good: overwritten in the database, and the WAL emptied of it too."""
    with transaction(database):
        database.execute("DELETE FROM pupil_questions WHERE id = ? AND session_code = ?", [question_id, code])
        _off_the_projector(database, code, question_id)
    checkpoint(database)


def _off_the_projector(database: Database, code: str, question_id: int | None) -> None:
    database.execute(
        """UPDATE sessions SET shown_question = NULL, version = version + 1
           WHERE code = ? AND shown_question = ?""",
        [code, question_id],
    )


@writes
def purge(database: Database, retention_days: float, report_retention_days: float | None = None) -> int:
    """Delete sessions older than the retention period, with everything recorded in them; the
    WAL is emptied afterwards, so their text is gone from it as well.

    Each keeps its counts for the season report (no device id), until those are older than
    `report_retention_days` too.
    """
    if retention_days < 0 or (report_retention_days is not None and report_retention_days < 0):
        raise ValueError("retention periods must be 0 days or more")
    cutoff = now() - retention_days * 86400
    with transaction(database):
        old = database.execute("SELECT code FROM sessions WHERE created_at < ?", [cutoff]).fetchall()
        for (code,) in old:
            _keep_aggregate(database, code)
        deleted = database.execute("DELETE FROM sessions WHERE created_at < ?", [cutoff]).rowcount
        if report_retention_days is not None:
            database.execute(
                "DELETE FROM session_aggregates WHERE held_at < ?", [now() - report_retention_days * 86400]
            )
    checkpoint(database)
    return deleted


def purge_folder(app: Flask, retention_days: float) -> int:
    database = open_database(database_path(app))
    try:
        return purge(database, retention_days, app.config["REPORT_RETENTION_DAYS"])
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
