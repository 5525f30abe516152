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
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flask import Flask, current_app, g, request
from sqlite_utils import Database

from .errors import StartupError, cannot_save, fail, storage_problem
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
    joining_locked: bool = False  # the presenter closed joining: no new device may join
    refused_devices: int = 0  # new devices refused because their address had joined enough
    # The class's before-and-after figures as JSON, kept once when the final check closed
    # (None until then); `figures_discarded` once the presenter reopened it: never a second set.
    kept_figures: str | None = None
    figures_discarded: bool = False
    school_id: int | None = None  # the school whose contact its help boxes name
    help_on_stage: bool = False  # the stage tells the whole class where to get help

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class Device:
    """A pupil's device as the presenter sees it: a number in joining order within the session
    (never reused), and a group shared with the devices that joined from the same network
    address (the address itself is never shown), nothing more."""

    number: int
    present: bool
    answers: int
    group: int


class RemovedDevice(Exception):
    """The presenter took this device out of the session: it may not join it again."""


PURGE_EVERY_SECONDS = 3600


def init_app(app: Flask) -> None:
    for name in ("RETENTION_DAYS", "REPORT_RETENTION_DAYS"):
        if app.config[name] < 0:
            raise StartupError(f"{name} must be 0 or more days, not {app.config[name]}.")
    if app.config["FREEZING"]:
        # The offline copy has no live sessions: its database is named, never opened or made,
        # nor the data folder.
        named = Path(app.config["DATA_DIR"] or app.instance_path) / "workshop.db"
        app.extensions["workshop.database_path"] = named
        return
    path = app.extensions["workshop.database_path"] = database_path(app)
    app.teardown_appcontext(give_back)
    if app.config["READ_ONLY"]:
        # check, report and translations change nothing on disk: no file is created, migrated,
        # checkpointed or set aside, even beside a running server.
        readable_as_it_is(path)
        pool(path, read_only=True)
        return
    prepare(path)
    app.extensions["workshop.last_purge"] = now()
    app.before_request(_purge_now_and_then)
    app.before_request(_refuse_writes_once_lost)


def _purge_now_and_then() -> None:
    """Old sessions go even when the laptop runs for days: at most one purge an hour."""
    if now() - current_app.extensions["workshop.last_purge"] > PURGE_EVERY_SECONDS:
        current_app.extensions["workshop.last_purge"] = now()
        with lent() as database:  # given back at once: this request may be a poll that waits
            purge(database, current_app.config["RETENTION_DAYS"], current_app.config["REPORT_RETENTION_DAYS"])


def database_path(app: Flask) -> Path:
    if app.config["READ_ONLY"]:  # the folder is not made either
        return Path(app.config["DATA_DIR"] or app.instance_path) / "workshop.db"
    return data_folder(app) / "workshop.db"


def open_database(path: Path, read_only: bool = False, create: bool = True) -> Database:
    """A connection to the database file. The server's connections are opened with `create`
    off, so a file deleted under a running server is not replaced by an empty one."""
    mode = "ro" if read_only else "rwc" if create else "rw"
    # check_same_thread off: a pooled connection serves one request at a time, on any thread.
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
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
    if not path.exists() and _has_content(_companion(path, "-wal")):
        # The database was deleted and its WAL left: a new file beside it would erase the WAL.
        raise StartupError(set_aside(path, "damaged"))
    if _wal_damaged(path):
        raise StartupError(set_aside(path, "damaged"))
    if path.exists() and path.stat().st_size == 0:
        # A database in WAL mode is never an empty file: beside a WAL with content it is
        # damaged, and SQLite would delete that WAL, and the lesson in it, on opening.
        raise StartupError(set_aside(path, "damaged" if _has_content(_companion(path, "-wal")) else "empty"))
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


WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums little- or big-endian


def _wal_damaged(path: Path) -> bool:
    """Whether the database's WAL would lose answers on opening; never judged while a workshop
    serves from this folder, whose WAL may hold a frame half-written at the moment it is read."""
    from .kit import running

    return running(path.parent) is None and _wal_drops_a_commit(_companion(path, "-wal"))


def _wal_drops_a_commit(wal: Path) -> bool:
    """True if the WAL holds a committed transaction that SQLite would drop without a word on
    opening: its recovery stops at the first damaged frame and ignores every frame after it.

    Frames left from before the WAL last restarted carry other salts and do not count; so a
    committed frame with this WAL's salts beyond what the checksums reach means lost answers.
    """
    try:
        data = wal.read_bytes()
    except OSError:
        return False
    if len(data) < 32:
        return False
    magic, _, page_size, _, *salts, check_1, check_2 = struct.unpack(">8I", data[:32])
    order, frame = ">" if magic & 1 else "<", 24 + page_size
    if magic not in WAL_MAGIC or _wal_checksum(data[:24], (0, 0), order) != (check_1, check_2):
        return len(data) > 32  # a WAL SQLite would ignore whole, frames and all
    checksum, chain, reached, committed = (check_1, check_2), True, 0, 0
    for number, offset in enumerate(range(32, len(data) - frame + 1, frame), start=1):
        _, commit, *frame_salts, frame_1, frame_2 = struct.unpack(">6I", data[offset : offset + 24])
        if frame_salts != salts:
            continue
        if chain:
            body = data[offset : offset + 8] + data[offset + 24 : offset + frame]
            checksum = _wal_checksum(body, checksum, order)
            chain = checksum == (frame_1, frame_2)
            reached = number if chain and commit else reached
        committed = number if commit else committed
    return committed > reached


def _wal_checksum(data: bytes, start: tuple[int, int], order: str) -> tuple[int, int]:
    """SQLite's WAL checksum: two running sums over the data as pairs of 32-bit words."""
    first, second = start
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for even, odd in zip(words[::2], words[1::2], strict=True):
        first = (first + even + second) & 0xFFFFFFFF
        second = (second + odd + first) & 0xFFFFFFFF
    return first, second


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


def readable_as_it_is(path: Path) -> None:
    """For a command that only reads: StartupError if the files are in a state that opening
    them would change (SQLite deletes a WAL beside an empty or missing database file)."""
    wal = _companion(path, "-wal")
    if (_has_content(wal) and not _has_content(path)) or _wal_damaged(path):
        raise StartupError(
            f"The database {path} looks damaged (its file is empty or missing, or its WAL is "
            "damaged). Nothing was changed: start `workshop serve` to set both files aside."
        )
    if _has_content(path) and _schema_version(path) > SCHEMA_VERSION:
        raise StartupError(
            f"The database {path} was written by a newer version of the workshop: update the "
            "workshop, or use another data folder. Nothing was changed."
        )


def _schema_version(path: Path) -> int:
    """The schema version a file says it has; 0 where it cannot be read (reading it later says
    why, in one sentence)."""
    try:
        with closing(open_database(path, read_only=True).conn) as connection:
            return connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def checkpoint_regularly(path: Path, seconds: float = CHECKPOINT_EVERY_SECONDS) -> Callable[[], None]:
    """Checkpoint every `seconds` while the server runs, so that `workshop.db` alone holds the
    lesson, and watch every few seconds that the file is still the one the server opened; the
    function returned stops that and makes a last checkpoint that empties the WAL."""
    stop = threading.Event()
    watch = FileWatch(path)

    tick = min(seconds, WATCH_EVERY_SECONDS)

    def run() -> None:
        since = 0.0
        while not stop.wait(tick) and not watch.lost():
            since += tick
            if since >= seconds:
                since = 0.0
                _checkpoint_file(path, "PASSIVE")

    thread = threading.Thread(target=run, name="checkpoint", daemon=True)
    thread.start()

    def finish() -> None:
        stop.set()
        thread.join(timeout=BUSY_TIMEOUT_MS / 1000)
        if not watch.lost():  # never into a file that replaced the server's own
            _checkpoint_file(path, "TRUNCATE")
        watch.close()

    return finish


def _checkpoint_file(path: Path, mode: str) -> None:
    try:
        with closing(open_database(path, create=False).conn) as connection:
            checkpoint(Database(connection), mode)
    except sqlite3.Error as error:  # a full disk, say: the WAL still holds everything
        log.warning("Could not checkpoint the database: %s", error)


WATCH_EVERY_SECONDS = 2
# Database files whose path no longer leads to the file the server opened: path -> what happened.
_lost: dict[Path, str] = {}


def lost(path: Path) -> str:
    """What happened to this database file while the server ran, or "" if nothing did."""
    return _lost.get(path, "")


def _identity(info: os.stat_result) -> tuple[int, int]:
    # The device and file number name a file on POSIX, and on Windows (the volume's serial
    # number and the file's index); a file system without file numbers gives 0: its creation
    # time then (st_ctime on Windows) tells a new file from the old one.
    return (info.st_dev, info.st_ino or info.st_ctime_ns)


class FileWatch:
    """Notices when the database's path no longer leads to the file the server opened (it was
    deleted, moved or replaced): answers then stop, and what the server holds is saved aside."""

    def __init__(self, path: Path):
        self.path = path
        self.descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self.opened = _identity(os.fstat(self.descriptor))
        # A reader kept open on the same file: after a deletion it still reads the lesson.
        self.keeper = open_database(path, read_only=True)
        self.keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def lost(self) -> bool:
        if self.path in _lost:
            return True
        try:
            now_there = _identity(self.path.stat())
        except FileNotFoundError:
            return self._lose("deleted")
        except OSError:
            return False  # cannot tell (a disk being unplugged says so on its own)
        return now_there != self.opened and self._lose("replaced by another file")

    def _lose(self, what: str) -> bool:
        _lost[self.path] = what  # answers are refused from now on...
        with _write_lock:  # ...and one being written is finished before the copy is made
            saved = self._save_aside()
        log.error(
            "The database %s was %s while the workshop ran: answers are no longer taken. %s "
            "Stop the workshop (Ctrl+C) and start it again.",
            self.path,
            what,
            saved,
        )
        return True

    def _save_aside(self) -> str:
        copy = self.path.with_name(
            f"{self.path.stem}-rescued-{time.strftime('%Y%m%d-%H%M%S')}{self.path.suffix}"
        )
        try:
            _create_owner_only(copy)
            with closing(sqlite3.connect(copy)) as target:
                self.keeper.conn.backup(target)
        except (sqlite3.Error, StartupError) as error:
            return f"What it held could not be saved ({error})."
        return f"What it held was saved as {copy.name}: rename it to {self.path.name} to go on with it."

    def close(self) -> None:
        self.keeper.conn.close()
        os.close(self.descriptor)


def _refuse_writes_once_lost() -> None:
    if request.method != "GET" and lost(current_app.extensions["workshop.database_path"]):
        fail(503, cannot_save())


class ConnectionPool:
    """At most POOLED_CONNECTIONS open connections to one file, each lent to one borrower at a time."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self._idle: queue.LifoQueue[Database] = queue.LifoQueue()
        self._room = threading.BoundedSemaphore(POOLED_CONNECTIONS)

    def borrow(self) -> Database:
        self._room.acquire()  # a request beyond the pool's size waits for a connection to come back
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return self._open()
        except BaseException:
            self._room.release()
            raise

    def _open(self) -> Database:
        if self.read_only and not self.path.exists():
            # Nothing stored yet: an empty database in memory reads as "no sessions", and no
            # file is made for it.
            database = Database(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))
            migrate(database)
            return database
        return open_database(self.path, read_only=self.read_only, create=False)

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


_pools: dict[tuple[Path, bool], ConnectionPool] = {}
_pools_lock = threading.Lock()


def pool(path: Path, read_only: bool = False) -> ConnectionPool:
    """The one pool of connections to this file in this process (one more for reading only)."""
    with _pools_lock:
        # Looked up first: every borrowed connection asks, and a pool is not cheap to make.
        found = _pools.get((path, read_only))
        if found is None:
            found = _pools[path, read_only] = ConnectionPool(path, read_only)
        return found


def _app_pool() -> ConnectionPool:
    # The path is found (and its folder made) once, by init_app.
    return pool(current_app.extensions["workshop.database_path"], current_app.config["READ_ONLY"])


def db() -> Database:
    """The connection this request (or app context) borrowed, borrowed on first use."""
    if "workshop_database" not in g:
        g.workshop_database = _app_pool().borrow()
    return g.workshop_database


def lent() -> AbstractContextManager[Database]:
    """A connection for a moment, given back at once: for a request that then waits."""
    return _app_pool().connection()


def give_back(_error: BaseException | None = None) -> None:
    """Give back the connection this request borrowed, if any: at its end, or before it waits
    (an open event stream holds no connection between two steps)."""
    database = g.pop("workshop_database", None)
    if database is not None:
        _app_pool().give_back(database)


def migrate(database: Database) -> None:
    """Create or upgrade the schema; `user_version` records how far a file has come."""
    version = database.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StartupError(
            f"The database {database.conn.execute('PRAGMA database_list').fetchone()[2]} was written by "
            "a newer version of the workshop: update the workshop, or start it with another data folder."
        )
    for number, migration in enumerate(MIGRATIONS, start=1):
        if version < number:
            statements, then = migration if isinstance(migration, tuple) else (migration, None)
            with transaction(database):
                for statement in statements.split(";"):
                    if statement.strip():
                        database.execute(statement)
                if then is not None:
                    then(database)
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
# Version 4: one pupil, one voice. Devices are numbered within their session and never
# renumbered; a removed device stays as a row with no answers, so it cannot join again and its
# number is never given to another; each remembers a key of the network address it joined from
# (a keyed hash, never the address), so devices are counted per address per session. A session
# can close joining, and keeps the class's before-and-after figures once, when the final check
# closes: nothing later (a late device, a removal, a reopened check) can change what was shown.
_SCHEMA_4 = """
ALTER TABLE participants ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN address_key TEXT NOT NULL DEFAULT '';
ALTER TABLE participants ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
UPDATE participants SET number = (
    SELECT COUNT(*) FROM participants AS earlier
    WHERE earlier.session_code = participants.session_code AND earlier.rowid <= participants.rowid);
CREATE INDEX participants_by_address ON participants(session_code, address_key);
ALTER TABLE sessions ADD COLUMN joining_locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN refused_devices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN kept_figures TEXT;
ALTER TABLE sessions ADD COLUMN figures_discarded INTEGER NOT NULL DEFAULT 0
"""


def _keep_figures_of_earlier_sessions(database: Database) -> None:
    """Sessions held before version 4 whose final check has closed keep their figures as they
    are now, once: from here on they are read like any other session's."""
    closed = database.execute(
        """SELECT DISTINCT s.code FROM sessions s JOIN answers a ON a.session_code = s.code
           WHERE s.with_check = 1 AND s.open_key != ? AND a.question_key = ?""",
        [CHECK_AFTER, CHECK_AFTER],
    ).fetchall()
    for (code,) in closed:
        _keep_figures(database, code)


# Version 5: the schools' own child-protection contacts, kept for next time, the school a
# session is held for, and whether the stage shows the class where to get help.
_SCHEMA_5 = """
CREATE TABLE IF NOT EXISTS school_contacts (
    id INTEGER PRIMARY KEY,
    school TEXT NOT NULL,
    contact TEXT NOT NULL,
    place TEXT NOT NULL,
    hours TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    services TEXT NOT NULL DEFAULT '[]',
    saved_at REAL NOT NULL
);
ALTER TABLE sessions ADD COLUMN school_id INTEGER REFERENCES school_contacts(id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN help_on_stage INTEGER NOT NULL DEFAULT 0
"""
# Version 6: how many anonymous questions a session was asked, counted as they arrive, so that
# deleting one (its text goes for good) leaves the season report's count as it was.
_SCHEMA_6 = """
ALTER TABLE sessions ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET questions_asked =
    (SELECT COUNT(*) FROM pupil_questions WHERE session_code = sessions.code)
"""
# Each upgrades a file from the version before it: SQL, or SQL and then a step in Python.
MIGRATIONS = (
    _SCHEMA_1,
    _SCHEMA_2,
    _SCHEMA_3,
    (_SCHEMA_4, _keep_figures_of_earlier_sessions),
    _SCHEMA_5,
    _SCHEMA_6,
)
SCHEMA_VERSION = len(MIGRATIONS)


@writes
def create_session(
    database: Database,
    module_id: str,
    band: str,
    position: Position,
    with_check: bool = False,
    school_id: int | None = None,
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
            "school_id": school_id,
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
        joining_locked=bool(values["joining_locked"]),
        refused_devices=values["refused_devices"],
        kept_figures=values["kept_figures"],
        figures_discarded=bool(values["figures_discarded"]),
        school_id=values["school_id"],
        help_on_stage=bool(values["help_on_stage"]),
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
               (SELECT COUNT(*) FROM participants
                WHERE session_code = code AND removed = 0 AND last_seen >= ?)
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
    """Change a session's columns; every change bumps `version`, which pupils' devices poll.

    A change that stops the final check taking answers keeps the class's figures in the same
    transaction: no answer can arrive between the last one counted and the figures kept.
    """
    columns = {key: _stored(key, value) for key, value in changes.items()}
    # Column names come from the callers' keyword arguments, never from a request; values are
    # always parameters.
    assignments = ", ".join(f"{column} = ?" for column in columns)
    with transaction(database):
        row = database.execute("SELECT open_key FROM sessions WHERE code = ?", [code]).fetchone()
        open_before = row[0] if row else ""
        database.execute(
            f"UPDATE sessions SET {assignments}, version = version + 1 WHERE code = ?",
            [*columns.values(), code],
        )
        if open_before == CHECK_AFTER and columns.get("open_key", CHECK_AFTER) != CHECK_AFTER:
            _keep_figures(database, code)


def _keep_figures(database: Database, code: str) -> None:
    """Keep the class's before-and-after figures, once: never where they are kept already, nor
    where the presenter discarded them (a second set would differ from the first by the devices
    that changed in between, and point at them)."""
    devices, distributions = check_distributions(database, code)
    figures = {
        "devices": devices,
        "statements": {
            statement_id: {"before": _counts(before), "after": _counts(after)}
            for statement_id, (before, after) in distributions.items()
        },
    }
    database.execute(
        """UPDATE sessions SET kept_figures = ?
           WHERE code = ? AND kept_figures IS NULL AND figures_discarded = 0""",
        [_json(figures), code],
    )


@writes
def discard_figures(database: Database, code: str) -> None:
    """The presenter reopens the final check: its kept figures are deleted, and none are kept
    again for this session."""
    database.execute(
        """UPDATE sessions SET kept_figures = NULL, figures_discarded = 1, version = version + 1
           WHERE code = ?""",
        [code],
    )


def rejoin(database: Database, code: str, participant_id: str | None, lang: str) -> str | None:
    """The device's anonymous id if it has joined this session, else None (see add_participant).

    Every page load of a pupil comes here, a whole class at once when the step changes, so a
    known device in an unchanged language, seen recently, only reads: a write would queue
    behind the others.
    """
    row = database.execute(
        "SELECT lang, last_seen, removed FROM participants WHERE id = ? AND session_code = ?",
        [participant_id or "", code],
    ).fetchone()
    if row is None:
        return None
    if row[2]:
        raise RemovedDevice(participant_id)
    if row[0] != lang or _stale(row[1]):
        _set_participant(database, participant_id, lang=lang, last_seen=now())
    return participant_id


def seen(database: Database, code: str, participant_id: str) -> None:
    """This device is still here (its state polls come here): noted at most every 30 s."""
    row = database.execute(
        "SELECT last_seen FROM participants WHERE id = ? AND session_code = ?", [participant_id, code]
    ).fetchone()
    if row and _stale(row[0]):
        try:
            _set_participant(database, participant_id, last_seen=now())
        except sqlite3.OperationalError as error:  # a disk refusing writes: the page still shows
            storage_problem(error)


# Ids per statement: old SQLite builds take at most 999 parameters.
SEEN_PER_STATEMENT = 500


@writes
def seen_all(database: Database, code: str, participant_ids: list[str]) -> None:
    """These devices (a class's open event streams) are still here: noted in one transaction."""
    with transaction(database):
        for start in range(0, len(participant_ids), SEEN_PER_STATEMENT):
            chunk = participant_ids[start : start + SEEN_PER_STATEMENT]
            database.execute(
                f"""UPDATE participants SET last_seen = ?
                   WHERE session_code = ? AND id IN ({", ".join("?" for _ in chunk)})""",
                [now(), code, *chunk],
            )


def _stale(last_seen: float) -> bool:
    return now() - last_seen > SEEN_EVERY_SECONDS


@writes
def add_participant(
    database: Database, code: str, lang: str, address_key: str = "", per_address: int | None = None
) -> str | None:
    """A new device in this session, with a new random id and the next number; None (and the
    refusal counted for the presenter) where `per_address` devices joined from its address
    already, or the presenter removed one that did: a removed device that drops its cookie is
    still kept out."""
    # Random, not counted: an id must not tell who joined first, nor be guessed to answer for
    # someone else. The number is only the presenter's name for the device on the devices page.
    participant_id = secrets.token_urlsafe(16)
    joined = now()
    with transaction(database):
        from_address, removed = _joined_from(database, code, address_key)
        if per_address is not None and (from_address >= per_address or removed):
            database.execute(
                "UPDATE sessions SET refused_devices = refused_devices + 1 WHERE code = ?", [code]
            )
            return None
        database.execute(
            """INSERT INTO participants
               (id, session_code, lang, joined_at, last_seen, address_key, number)
               VALUES (?, ?, ?, ?, ?, ?,
                   (SELECT COALESCE(MAX(number), 0) + 1 FROM participants WHERE session_code = ?))""",
            [participant_id, code, lang, joined, joined, address_key, code],
        )
    return participant_id


def _joined_from(database: Database, code: str, address_key: str) -> tuple[int, int]:
    """How many devices joined the session from this address, and how many of those were removed."""
    return database.execute(
        """SELECT COUNT(*), COALESCE(SUM(removed), 0) FROM participants
           WHERE session_code = ? AND address_key = ?""",
        [code, address_key],
    ).fetchone()


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
            "SELECT 1 FROM participants WHERE id = ? AND session_code = ? AND removed = 0",
            [participant_id, code],
        ).fetchone()
    )


@writes
def record_answer(
    database: Database, code: str, participant_id: str, question_key: str, choice_ids: list[str]
) -> bool:
    """Store or replace this device's answer, only while that question is open and the device
    is in the session: one statement, so a presenter closing the question or removing the device
    at the same moment cannot let a late answer in."""
    cursor = database.execute(
        """INSERT INTO answers (session_code, participant_id, question_key, choice_ids, answered_at)
           SELECT ?, ?, ?, ?, ? WHERE EXISTS (
               SELECT 1 FROM sessions WHERE code = ? AND open_key = ? AND phase = ?
               AND ended_at IS NULL)
           AND EXISTS (SELECT 1 FROM participants WHERE id = ? AND removed = 0)
           ON CONFLICT (session_code, participant_id, question_key)
           DO UPDATE SET choice_ids = excluded.choice_ids, answered_at = excluded.answered_at""",
        [
            *(code, participant_id, question_key, ",".join(choice_ids), now()),
            *(code, question_key, Phase.OPEN, participant_id),
        ],
    )
    return cursor.rowcount == 1


def answer_of(database: Database, code: str, participant_id: str, question_key: str) -> list[str]:
    """The choices this device sent for a question, or none."""
    row = database.execute(
        "SELECT choice_ids FROM answers WHERE session_code = ? AND participant_id = ? AND question_key = ?",
        [code, participant_id, question_key],
    ).fetchone()
    return row[0].split(",") if row else []


def answers_to(database: Database, code: str, question_key: str) -> dict[str, list[str]]:
    """The choices each device sent for a question, by device id (those that sent none left out)."""
    rows = database.execute(
        "SELECT participant_id, choice_ids FROM answers WHERE session_code = ? AND question_key = ?",
        [code, question_key],
    )
    return {participant_id: choice_ids.split(",") for participant_id, choice_ids in rows}


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
    return database.execute(
        "SELECT COUNT(*) FROM participants WHERE session_code = ? AND removed = 0", [code]
    ).fetchone()[0]


def present_count(database: Database, code: str) -> int:
    """The devices here now: "N joined" on the projector, not every cookie ever seen."""
    return database.execute(
        "SELECT COUNT(*) FROM participants WHERE session_code = ? AND removed = 0 AND last_seen >= ?",
        [code, now() - PRESENT_SECONDS],
    ).fetchone()[0]


def devices(database: Database, code: str) -> list[Device]:
    """A session's devices in the order they joined (removed ones left out), each with how many
    answers it gave and its group: devices that joined from one network address share a group,
    numbered by its first device."""
    rows = database.execute(
        """SELECT p.number, p.last_seen, COUNT(a.question_key),
               (SELECT MIN(number) FROM participants g
                WHERE g.session_code = p.session_code AND g.address_key = p.address_key)
           FROM participants p LEFT JOIN answers a ON a.participant_id = p.id
           WHERE p.session_code = ? AND p.removed = 0 GROUP BY p.id ORDER BY p.number""",
        [code],
    )
    since = now() - PRESENT_SECONDS
    return [Device(number, last_seen >= since, answers, group) for number, last_seen, answers, group in rows]


@writes
def remove_devices(database: Database, code: str, number: int, whole_group: bool = False) -> int:
    """The presenter removes a device, or every device that joined from its network address:
    their answers and votes leave every count, and they cannot join this session again (the
    rows stay, marked, so their numbers are never given to another device). Returns how many."""
    if whole_group:
        which = "address_key = (SELECT address_key FROM participants WHERE session_code = ? AND number = ?)"
        values = [code, code, number]
    else:
        which, values = "number = ?", [code, number]
    with transaction(database):
        removed = [
            participant_id
            for (participant_id,) in database.execute(
                f"SELECT id FROM participants WHERE session_code = ? AND removed = 0 AND {which}", values
            )
        ]
        for participant_id in removed:
            database.execute("DELETE FROM answers WHERE participant_id = ?", [participant_id])
            database.execute("UPDATE participants SET removed = 1 WHERE id = ?", [participant_id])
    return len(removed)


@writes
def lock_joining(database: Database, code: str, locked: bool) -> None:
    database.execute(
        "UPDATE sessions SET joining_locked = ?, version = version + 1 WHERE code = ?", [int(locked), code]
    )


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


def latest_question_id(database: Database, code: str) -> int:
    """The newest question's id (0 if none): the presenter's list fetches itself again when it changes."""
    row = database.execute("SELECT MAX(id) FROM pupil_questions WHERE session_code = ?", [code]).fetchone()
    return row[0] or 0


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
            """SELECT lang, COUNT(*) FROM participants WHERE session_code = ? AND removed = 0
               GROUP BY lang ORDER BY lang""",
            [code],
        ).fetchall()
    )
    if session is None or not languages:
        return None
    # Every question asked, deleted ones too (their text is gone; the count stays).
    asked = database.execute("SELECT questions_asked FROM sessions WHERE code = ?", [code])
    # The figures the class was shown, never the answers as they are now.
    kept = kept_figures(session) or {"statements": {}}
    shifts = {
        statement_id: counts
        for statement_id, counts in kept["statements"].items()
        if sum(counts["before"].values()) >= FEWEST_DEVICES_SHOWN
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


def kept_figures(session: LiveSession) -> dict | None:
    """The class's before-and-after figures as kept when its final check closed: the devices
    that answered both times, and per statement the devices at each point before and after;
    None where none are kept (not yet, discarded, or unreadable)."""
    try:
        figures = json.loads(session.kept_figures or "null")
        return (
            figures
            if isinstance(figures["statements"], dict) and isinstance(figures["devices"], int)
            else None
        )
    except (ValueError, TypeError, KeyError):
        return None


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
    database = open_database(database_path(app), create=False)
    try:
        return purge(database, retention_days, app.config["REPORT_RETENTION_DAYS"])
    finally:
        database.conn.close()


# The schools' own contacts


@dataclass(frozen=True)
class LocalService:
    """A local service a school names besides the national helplines."""

    name: str
    phone: str = ""


@dataclass(frozen=True)
class SchoolContact:
    """A school's child-protection contact as the presenter wrote it: plain text, never markup."""

    id: int
    school: str
    contact: str  # a role or a name
    place: str  # where pupils find them
    hours: str  # when
    phone: str
    services: tuple[LocalService, ...]


def _school(row: dict) -> SchoolContact:
    services = tuple(LocalService(**service) for service in json.loads(row["services"]))
    fields = ("id", "school", "contact", "place", "hours", "phone")
    return SchoolContact(**{name: row[name] for name in fields}, services=services)


def school_contacts(database: Database) -> list[SchoolContact]:
    """Every school kept, the one last saved or used first."""
    rows = database.query("SELECT * FROM school_contacts ORDER BY saved_at DESC, id DESC")
    return [_school(row) for row in rows]


def school_contact(database: Database, school_id: int | None) -> SchoolContact | None:
    """The school with this id, or None."""
    rows = list(database.query("SELECT * FROM school_contacts WHERE id = ?", [school_id]))
    return _school(rows[0]) if rows else None


@writes
def save_school_contact(database: Database, contact: SchoolContact) -> int:
    """Keep a school's contact (a new one when its id is 0) and return its id."""
    row = {
        "school": contact.school,
        "contact": contact.contact,
        "place": contact.place,
        "hours": contact.hours,
        "phone": contact.phone,
        "services": _json([vars(service) for service in contact.services]),
        "saved_at": now(),
    }
    if contact.id:
        database["school_contacts"].update(contact.id, row)
        return contact.id
    return database["school_contacts"].insert(row).last_pk


@writes
def delete_school_contact(database: Database, school_id: int | None) -> None:
    """Forget a school; its sessions stay, with the national helplines only."""
    database.execute("DELETE FROM school_contacts WHERE id = ?", [school_id])


@writes
def school_used(database: Database, school_id: int) -> None:
    """The school just picked for a session comes first next time."""
    database.execute("UPDATE school_contacts SET saved_at = ? WHERE id = ?", [now(), school_id])


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
