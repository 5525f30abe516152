"""Holding a pupil's request until the live session moves on, in one server process or several.

A device follows the session on an event stream that stays open (or, where it cannot, asks for
the state naming the version it shows: long polling); either waits here until the session's
version differs, or WAIT_SECONDS pass. The database is the truth: one watcher thread
per process reads the marks of every session someone waits on, in one query every
CHECK_SECONDS, and wakes that session's waiters. A thousand held polls cost one query per tick
rather than a thousand, and a change made by another process is seen as soon as one made here.
A second thread asks, once a second, whether the devices of the waiting streams and polls hung
up, and wakes the session's waiters when one did: a phone that left gives its place back.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask

from . import store
from .store import SessionMark

CHECK_SECONDS = 0.1
# Under the 30 s after which some phones' browsers and Wi-Fi access points drop a quiet request.
WAIT_SECONDS = 20.0
# Beyond this many marks remembered, those of sessions nobody waits on are forgotten.
REMEMBERED_SESSIONS = 1000
# How often the watcher looks whether the devices of waiting streams and polls are still
# connected: a phone that left frees its place within this, not at the next sign of life.
GONE_CHECK_SECONDS = 1.0
# Held polls woken at once when their session changes; each one that leaves wakes the next.
# A thousand threads woken together all fight for the GIL, and each one's answer waits for all.
WOKEN_AT_ONCE = 32

ReadMarks = Callable[[list[str]], dict[str, SessionMark]]


def init_app(app: Flask) -> None:
    path = app.extensions["workshop.database_path"]

    def read_marks(codes: list[str]) -> dict[str, SessionMark]:
        with store.pool(path).connection() as database:
            return store.session_marks(database, codes)

    app.extensions["workshop.watch"] = SessionWatch(
        read_marks, app.config["HELD_POLLS"], app.config["ADDRESS_STREAMS"]
    )


class SessionWatch:
    """The sessions this process's held polls wait on, and the latest mark of each."""

    def __init__(self, read_marks: ReadMarks, limit: int, per_address: int):
        self._read_marks = read_marks
        self.limit = limit  # held polls and open streams at once in this process, a thread each
        # ... of which one network address may have: one script cannot take every place.
        self.per_address = per_address
        self._lock = threading.Lock()
        self._changed: dict[str, threading.Condition] = {}
        # The presenter's windows (the stage, the presenter view): woken all at once, before the
        # class, so the projector never shows a step after the phones.
        self._leading: dict[str, threading.Condition] = {}
        self._waiting: Counter[str] = Counter()  # by session: the polls and streams waiting now
        # By network address: polls held now, and event streams open now, waiting or not.
        self._places: Counter[str] = Counter()
        self._held = 0  # their sum, kept as they change: every request asks for it
        self._marks: dict[str, tuple[float, SessionMark]] = {}
        # The waiters that can tell when their device hung up, by session: asked by the watcher,
        # all in one pass, rather than each waking every second to ask (a thousand wake-ups a
        # second took the server's time from the answers).
        self._hang_ups: dict[str, dict[int, HangUp]] = {}
        self._watcher: tuple[int, threading.Thread] | None = None
        self._hang_up_watcher: tuple[int, threading.Thread] | None = None

    def current(self, code: str) -> SessionMark | None:
        """The session's mark, read at most CHECK_SECONDS ago; None if there is no such session."""
        with self._lock:
            read_at, mark = self._marks.get(code, (0.0, None))
        if time.monotonic() - read_at < CHECK_SECONDS:
            return mark
        mark = self._read_marks([code]).get(code)
        if mark is not None:
            with self._lock:
                self._remember({code: mark})
        return mark

    @property
    def held(self) -> int:
        """How many polls this process holds now, and streams it keeps open."""
        return self._held

    def has_room(self, address: str = "") -> bool:
        """Whether one more poll could be held, or stream kept open, now (for this address)."""
        return self.held < self.limit and self._places[address] < self.per_address

    @contextmanager
    def stream(self, address: str) -> Iterator[bool]:
        """A place for an event stream for as long as it stays open: True if there is one."""
        with self._lock:
            taken = self.has_room(address)
            if taken:
                self._take_place(address)
        try:
            yield taken
        finally:
            if taken:
                with self._lock:
                    self._give_place(address)

    def _take_place(self, address: str) -> None:
        self._places[address] += 1
        self._held += 1

    def _give_place(self, address: str) -> None:
        self._places[address] -= 1
        self._held -= 1
        if not self._places[address]:
            del self._places[address]

    def wait(
        self,
        code: str,
        shown_version: int,
        timeout: float | None = None,
        *,
        address: str = "",
        streaming: bool = False,
        gone: Callable[[], bool] | None = None,
        leading: bool = False,
    ) -> SessionMark | None:
        """The session's mark once its version is not `shown_version`, or after `timeout`
        seconds (WAIT_SECONDS unless given), or as soon as `gone()` says the device hung up. A
        `leading` waiter (a presenter's window) is woken before the others.

        Returns at once when it has moved on already, has ended, or (for a poll from `address`;
        an open stream has its place already) there is no place for one more.
        """
        mark = self.current(code)
        if mark is None or not self._unchanged(mark, shown_version):
            return mark
        with self._lock:
            if not streaming and not self.has_room(address):
                return mark
            poll_address = None if streaming else address
            return self._wait_for_change(code, shown_version, mark, timeout, poll_address, gone, leading)

    def _wait_for_change(
        self, code, shown_version, mark, timeout, poll_address: str | None, gone, leading: bool
    ):
        """The waiting itself (the caller holds the lock); a poll takes a place while it waits."""
        deadline = time.monotonic() + (WAIT_SECONDS if timeout is None else timeout)
        self._waiting[code] += 1
        if poll_address is not None:
            self._take_place(poll_address)
        conditions = self._leading if leading else self._changed
        changed = conditions.get(code)
        if changed is None:  # not made for every waiter: a thousand wait again after each step
            changed = conditions[code] = threading.Condition(self._lock)
        hang_up = HangUp(gone) if gone is not None else None
        if hang_up is not None:
            self._hang_ups.setdefault(code, {})[id(hang_up)] = hang_up
        self._start_watcher()
        try:
            while (
                self._unchanged(mark, shown_version)
                and not (hang_up and hang_up.seen)
                and (left := deadline - time.monotonic()) > 0
            ):
                changed.wait(left)
                mark = self._marks.get(code, (0.0, None))[1]
        finally:
            if not self._unchanged(mark, shown_version):
                changed.notify()  # the next waiter of this session goes on its way
            self._waiting[code] -= 1
            if poll_address is not None:
                self._give_place(poll_address)
            if hang_up is not None:
                del self._hang_ups[code][id(hang_up)]
                if not self._hang_ups[code]:
                    del self._hang_ups[code]
            if not self._waiting[code]:
                del self._waiting[code]
                self._changed.pop(code, None)
                self._leading.pop(code, None)
        return mark

    @staticmethod
    def _unchanged(mark: SessionMark | None, shown_version: int) -> bool:
        return mark is not None and mark.version == shown_version and not mark.ended

    def _start_watcher(self) -> None:
        """The watcher, and the thread that asks whether devices hung up: its own, as each ask
        waits its turn for the GIL on a busy server, and a thousand of them must never hold up
        the reading of the marks, and with it the next step."""
        self._watcher = self._started(self._watcher, self._watch, "workshop-session-watch")
        self._hang_up_watcher = self._started(
            self._hang_up_watcher, self._watch_hang_ups, "workshop-hang-ups"
        )

    @staticmethod
    def _started(record, target, name: str) -> tuple[int, threading.Thread]:
        # A process forked from this one (gunicorn --preload) has the thread's record but not
        # its thread: the pid tells them apart.
        if record and record[0] == os.getpid() and record[1].is_alive():
            return record
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return (os.getpid(), thread)

    def _watch(self) -> None:
        """Every CHECK_SECONDS, read the marks of the sessions someone waits on and wake their waiters."""
        while True:
            time.sleep(CHECK_SECONDS)
            with self._lock:
                codes = list(self._waiting)
                if not codes:
                    self._watcher = None  # nobody waits: the next waiter starts a new watcher
                    return
            try:
                marks = self._read_marks(codes)
            except sqlite3.Error:
                continue  # the database is busy or briefly unreadable: the next tick tries again
            self.take({code: marks.get(code) for code in codes})

    def _watch_hang_ups(self) -> None:
        """Every GONE_CHECK_SECONDS, while anyone waits, wake the waiters whose device hung up."""
        while True:
            time.sleep(GONE_CHECK_SECONDS)
            with self._lock:
                if not self._waiting:
                    self._hang_up_watcher = None
                    return
            self._wake_hung_up()

    def _wake_hung_up(self) -> None:
        """Ask every waiter's device whether it hung up, outside the lock (each asks its own
        connection), and wake the sessions of those that did."""
        with self._lock:
            waiting = [
                (code, hang_up) for code, by_id in self._hang_ups.items() for hang_up in by_id.values()
            ]
        left = set()
        for code, hang_up in waiting:  # every one is asked: several may have left at once
            if hang_up.ask():
                left.add(code)
        if not left:
            return
        with self._lock:
            for code in left:
                # Rare (a phone left): every waiter of the session wakes and looks at its own.
                for conditions in (self._leading, self._changed):
                    if code in conditions:
                        conditions[code].notify_all()

    def take(self, marks: dict[str, SessionMark | None]) -> None:
        """Remember freshly read marks, and wake the waiters of each session whose mark changed."""
        with self._lock:
            for code, mark in marks.items():
                before = self._marks.get(code, (0.0, None))[1]
                self._remember({code: mark})
                if mark != before and code in self._leading:
                    self._leading[code].notify_all()
                if mark != before and code in self._changed:
                    self._changed[code].notify(WOKEN_AT_ONCE)

    def _remember(self, marks: dict[str, SessionMark | None]) -> None:
        """Keep marks with the time they were read (the caller holds the lock)."""
        now = time.monotonic()
        for code, mark in marks.items():
            self._marks[code] = (now, mark)
        if len(self._marks) > REMEMBERED_SESSIONS:
            self._marks = {code: entry for code, entry in self._marks.items() if code in self._waiting}


class HangUp:
    """A waiter's way to tell that its device hung up, and whether the watcher saw it do so."""

    def __init__(self, gone: Callable[[], bool]):
        self._gone = gone
        self.seen = False

    def ask(self) -> bool:
        """True the first time the device is found gone."""
        if self.seen or not self._gone():
            return False
        self.seen = True
        return True
