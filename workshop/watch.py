"""Holding a pupil's request until the live session moves on, in one server process or several.

A device follows the session on an event stream that stays open (or, where it cannot, asks for
the state naming the version it shows: long polling); either waits here until the session's
version differs, or WAIT_SECONDS pass. The database is the truth: one watcher thread
per process reads the marks of every session someone waits on, in one query every
CHECK_SECONDS, and wakes that session's waiters. A thousand held polls cost one query per tick
rather than a thousand, and a change made by another process is seen as soon as one made here.
A second thread asks, once a second, whether the devices of the waiting streams and polls hung
up, and wakes the session's waiters when one did: a phone that left gives its place back. Every
SEEN_EVERY_SECONDS it also notes the devices of the waiting streams as still here, a class in
one write, so that no step's push waits on a thousand writes of "still here".
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
from .errors import storage_problem
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
NoteSeen = Callable[[str, list[str]], None]


def init_app(app: Flask) -> None:
    path = app.extensions["workshop.database_path"]

    def read_marks(codes: list[str]) -> dict[str, SessionMark]:
        with store.pool(path).connection() as database:
            return store.session_marks(database, codes)

    def note_seen(code: str, device_ids: list[str]) -> None:
        with store.pool(path).connection() as database:
            store.seen_all(database, code, device_ids)

    app.extensions["workshop.watch"] = SessionWatch(
        read_marks, note_seen, app.config["HELD_POLLS"], app.config["ADDRESS_STREAMS"]
    )


class SessionWatch:
    """The sessions this process's held polls wait on, and the latest mark of each."""

    def __init__(self, read_marks: ReadMarks, note_seen: NoteSeen, limit: int, per_address: int):
        self._read_marks = read_marks
        self._note_seen = note_seen
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
        # The waiters that can tell when their device hung up, or that wait for a device, by
        # session: their devices asked whether they hung up, and noted as here, by one thread
        # in one pass, rather than each waiter waking every second to ask (a thousand wake-ups
        # a second took the server's time from the answers) and each woken stream writing
        # "still here" (a thousand writes held up the step's push).
        self._devices: dict[str, dict[int, Device]] = {}
        self._devices_noted_at = time.monotonic()
        self._watcher: tuple[int, threading.Thread] | None = None
        self._device_watcher: tuple[int, threading.Thread] | None = None

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
        device_id: str | None = None,
        leading: bool = False,
    ) -> SessionMark | None:
        """The session's mark once its version is not `shown_version`, or after `timeout`
        seconds (WAIT_SECONDS unless given), or as soon as `gone()` says the device hung up. A
        `leading` waiter (a presenter's window) is woken before the others. The device
        `device_id` is noted as here at least every SEEN_EVERY_SECONDS while it waits.

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
            device = Device(gone, device_id) if gone is not None or device_id is not None else None
            return self._wait_for_change(code, shown_version, mark, timeout, poll_address, device, leading)

    def _wait_for_change(
        self, code, shown_version, mark, timeout, poll_address: str | None, device, leading: bool
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
        if device is not None:
            self._devices.setdefault(code, {})[id(device)] = device
        self._start_watcher()
        try:
            while (
                self._unchanged(mark, shown_version)
                and not (device and device.left)
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
            if device is not None:
                del self._devices[code][id(device)]
                if not self._devices[code]:
                    del self._devices[code]
            if not self._waiting[code]:
                del self._waiting[code]
                self._changed.pop(code, None)
                self._leading.pop(code, None)
        return mark

    @staticmethod
    def _unchanged(mark: SessionMark | None, shown_version: int) -> bool:
        return mark is not None and mark.version == shown_version and not mark.ended

    def _start_watcher(self) -> None:
        """The watcher, and the thread that looks after the waiting devices: its own, as each
        ask waits its turn for the GIL on a busy server, and a thousand of them must never hold
        up the reading of the marks, and with it the next step."""
        self._watcher = self._started(self._watcher, self._watch, "workshop-session-watch")
        self._device_watcher = self._started(
            self._device_watcher, self._watch_devices, "workshop-waiting-devices"
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

    def _watch_devices(self) -> None:
        """Every GONE_CHECK_SECONDS, while anyone waits, wake the waiters whose device hung up;
        every SEEN_EVERY_SECONDS, note the waiting devices as here."""
        while True:
            time.sleep(GONE_CHECK_SECONDS)
            with self._lock:
                if not self._waiting:
                    self._device_watcher = None
                    return
            self._wake_hung_up()
            if time.monotonic() - self._devices_noted_at >= store.SEEN_EVERY_SECONDS:
                self._note_waiting_devices()

    def _waiting_devices(self) -> list[tuple[str, Device]]:
        with self._lock:
            return [(code, device) for code, by_id in self._devices.items() for device in by_id.values()]

    def _wake_hung_up(self) -> None:
        """Ask every waiter's device whether it hung up, outside the lock (each asks its own
        connection), and wake the sessions of those that did."""
        left = set()
        for code, device in self._waiting_devices():  # every one is asked: several may have left at once
            if device.hung_up():
                left.add(code)
        if not left:
            return
        with self._lock:
            for code in left:
                # Rare (a phone left): every waiter of the session wakes and looks at its own.
                for conditions in (self._leading, self._changed):
                    if code in conditions:
                        conditions[code].notify_all()

    def _note_waiting_devices(self) -> None:
        """Note the devices that wait as here, one write per session."""
        self._devices_noted_at = time.monotonic()
        by_session: dict[str, list[str]] = {}
        for code, device in self._waiting_devices():
            if device.device_id is not None:
                by_session.setdefault(code, []).append(device.device_id)
        for code, device_ids in by_session.items():
            try:
                self._note_seen(code, device_ids)
            except sqlite3.Error as error:  # a disk refusing writes: the next round tries again
                storage_problem(error)

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


class Device:
    """A waiter's device: how to tell that it hung up, whether it was found to, and its id in
    the session (None where it has none: a presenter's window)."""

    def __init__(self, gone: Callable[[], bool] | None, device_id: str | None):
        self._gone = gone
        self.device_id = device_id
        self.left = False

    def hung_up(self) -> bool:
        """True the first time the device is found gone."""
        if self.left or self._gone is None or not self._gone():
            return False
        self.left = True
        return True
