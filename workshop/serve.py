"""Running the workshop on the presenter's laptop with waitress, a real WSGI server.

The server is sized for a large class but guarded against one device holding it: each network
address may keep only a small share of the connections open, a request not sent in full within
seconds is closed, idle connections are closed soon, some connections are kept for the
presenter's own laptop, the process may open as many files as its connections need, and what
goes wrong is logged as one plain line.
"""

from __future__ import annotations

import errno
import io
import ipaddress
import logging
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections import Counter
from collections.abc import Callable

import segno
from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from .security import HEADERS
from .server_loop import ReportsChanges, SteadyLoop

# A class of pupils polling at once needs more than waitress's 4 threads and 100 connections,
# and poll() instead of select(): select() cannot watch more than 1024 sockets, and waitress
# crashes outright when a large class pushes it past that. Every held poll (watch.py) waits on
# a thread of its own, so the threads that answer requests come on top of those.
THREADS = 16
# The 1,000 pupils promised: each phone keeps its event stream open beside the connection its
# page came on (closed after IDLE_SECONDS), with room for answers and reconnecting devices.
CONNECTION_LIMIT = 3000
# Files the process needs besides its connections: the pooled database connections with their
# WAL and shared memory, templates, catalogs, static files being sent, the terminal.
RESERVED_FILES = 128
# select(), all Windows has, watches at most 512 sockets; past that waitress's loop stops.
WINDOWS_CONNECTION_LIMIT = 500
# Connections only the presenter's own laptop may take (it opens the printed 127.0.0.1 address):
# pupils' sockets never fill these, so the console always answers.
PRESENTER_RESERVE = 20
PRESENTER_ADDRESSES = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
# One network address never holds more than this share of the other connections, whatever
# ADDRESS_CONNECTIONS says: a handful of addresses cannot fill the server, Windows' included.
ADDRESS_SHARE = 1 / 20
# A phone polls every few seconds; a connection silent for 30 s is closed (a browser simply
# opens a new one). One that trickles a request (head and body) byte by byte stays far from
# silent, so a request must arrive whole within 10 s of its first byte, or of the connection
# opening (browsers drop a connection they opened and did not use after 10 s themselves).
# Both are checked every 2 s.
IDLE_SECONDS = 30
REQUEST_SECONDS = 10
CLEANUP_SECONDS = 2
log = logging.getLogger("waitress")


class PortInUse(Exception):
    """The port cannot be had; the message says why and what to do."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host and port that no other program can share, or PortInUse.

    The server gets this very socket, so the port is checked and taken in one step. On
    Windows SO_REUSEADDR would let a second server bind a port already in use, so the socket
    asks for it exclusively there; elsewhere SO_REUSEADDR only allows a quick restart.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortInUse(_port_problem(port, error)) from error
    return sock


# Windows reports a refused socket with its own code, not the POSIX one.
ACCESS_DENIED = {errno.EACCES, getattr(errno, "WSAEACCES", errno.EACCES)}


def _port_problem(port: int, error: OSError) -> str:
    other = 8000 if port < 1024 else port + 1
    if error.errno in ACCESS_DENIED and port < 1024 and os.name != "nt":
        return (
            f"Port {port} is reserved for the system administrator (ports below 1024 need special "
            f"rights). Choose another with --port, for example --port {other}."
        )
    if error.errno in ACCESS_DENIED:  # Windows also says this for ports it reserves itself
        return (
            f"Port {port} cannot be used: another program holds it, or the system reserves it. "
            f"Choose another with --port, for example --port {other}."
        )
    return (
        f"Port {port} is already in use (is the workshop already running?). "
        f"Choose another with --port, for example --port {other}."
    )


def quiet_queue_warnings() -> None:
    """waitress warns whenever requests queue for a moment: normal when a class answers at
    once, and alarming noise on a presenter's terminal."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def make_server(app: Flask, host: str, port: int):
    """A waitress server bound to host and port, or PortInUse with what to do about it."""
    listening = listening_socket(host, port)
    quiet_queue_warnings()
    plain_server_log()
    connections = connection_limit(open_file_limit(CONNECTION_LIMIT + RESERVED_FILES))
    return GuardedServer(
        app,
        listening,
        per_address=address_connections(app.config["ADDRESS_CONNECTIONS"], connections),
        # A trusted proxy carries a whole class's connections: the workshop counts the pupils
        # behind it by the addresses it names (security.TrustedProxies).
        proxies=frozenset(app.config["TRUSTED_PROXIES"]),
        # A held poll needs a connection too, so no more threads hold polls than can connect.
        threads=THREADS + min(app.config["HELD_POLLS"], connections),
        connection_limit=connections,
        asyncore_use_poll=True,
        ident="workshop",
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        # Refused as soon as the headers say so, before a byte of the body is read: waitress's
        # own limit is 1 GB, written to a temporary file first.
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1,
    )


def open_file_limit(wanted: int) -> int | None:
    """Raise this process's limit on open files towards `wanted` where the system allows it
    (the usual 1,024 is too few for a large class); the limit now in force, None if none."""
    try:
        import resource
    except ImportError:  # Windows: no such limit (select() has its own, see connection_limit)
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    # macOS refuses more than OPEN_MAX (10,240) even when the hard limit is "unlimited".
    for value in (ceiling, min(ceiling, 10_240)):
        if value <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (value, hard))
            return value
        except (ValueError, OSError):
            continue
    return soft


def connection_limit(open_files: int | None) -> int:
    """As many connections as promised, but never more than this process can open: running out
    of file descriptors made waitress log a traceback on every turn of its loop."""
    limit = CONNECTION_LIMIT if open_files is None else min(CONNECTION_LIMIT, open_files - RESERVED_FILES)
    if sys.platform == "win32":
        limit = min(limit, WINDOWS_CONNECTION_LIMIT)
    return max(limit, PRESENTER_RESERVE + 1)


def address_connections(setting: int, connections: int) -> int:
    """Connections one network address may hold: ADDRESS_CONNECTIONS, but never more than a small
    share of those the server holds for pupils (75 of 3,000; 24 of Windows' 500)."""
    share = int((connections - PRESENTER_RESERVE) * ADDRESS_SHARE)
    return max(1, min(setting, share))


def is_presenters_laptop(host: str) -> bool:
    try:
        return ipaddress.ip_address(host) in PRESENTER_ADDRESSES
    except ValueError:
        return False


class HeadedErrorTask(ErrorTask):
    """waitress's own answers (400, 413, 431, 501: a request it refused before the app saw it)
    carry the same security headers as the app's."""

    def execute(self) -> None:
        self.response_headers.extend(HEADERS.items())
        super().execute()


class CountedChannel(HTTPChannel, ReportsChanges):
    """A connection that tells the server when it is gone, so its address may open another,
    that says since when it has been receiving a request not yet whole, and that tells the
    server's loop when a worker thread changed it."""

    counted = True
    error_task_class = HeadedErrorTask

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receiving_since: float | None = time.monotonic()  # a new connection owes a request

    def received(self, data) -> bool:
        if self.receiving_since is None and data:
            self.receiving_since = time.monotonic()
        taken = super().received(data)
        if self.request is None:  # every request received so far is whole
            self.receiving_since = None
        return taken

    def too_slow(self, cutoff: float) -> bool:
        """Whether a request began before `cutoff` (monotonic) and is still not whole."""
        return self.receiving_since is not None and self.receiving_since < cutoff

    def check_client_disconnected(self) -> bool:
        """Whether the device hung up, asked every second for each response that waits (an event
        stream, a held poll: watch.py), so a phone that left gives its place back at once rather
        than at the stream's next failed write. waitress knows it only if its loop reads the
        connection while the response runs (channel_request_lookahead), and then every write to
        any phone walks a thousand more sockets: at 1,000 pupils answers waited three times as
        long. A peek at this one connection costs only the stream that asks; the loop does not
        read it meanwhile, so nothing is taken from it."""
        if not self.connected:
            return True
        try:
            return self.socket.recv(1, socket.MSG_PEEK) == b""  # the device closed it
        except BlockingIOError:
            return False  # nothing sent: still there
        except OSError:
            return True  # reset, or closed by the server

    def write_soon(self, data) -> int:
        self._changing()
        try:
            return super().write_soon(data)
        finally:
            if self.total_outbufs_len:
                # Left for the loop to send: waitress woke it, perhaps before it could know.
                self._changing(wake=True)

    def service(self) -> None:
        try:
            super().service()
        finally:
            # Ready for the next request, or to close: waitress woke the loop just before.
            self._changing(wake=True)

    def _changing(self, wake: bool = False) -> None:
        """Tell the server's loop (server_loop.SteadyLoop) to ask this connection again."""
        if self.server.loop is not None:
            self.server.loop.changed(self._fileno)
            if wake:
                self.server.pull_trigger()

    def del_channel(self, map=None) -> None:
        super().del_channel(map)
        if self.counted:
            self.counted = False
            self.server.release(self.addr[0])

    def handle_error(self) -> None:
        log.warning("Closed a connection from %s after an error: %s", self.addr[0], sys.exc_info()[1])
        self.handle_close()


class GuardedServer(TcpWSGIServer):
    """waitress, with a cap on the connections each network address holds open, a deadline for
    each request to arrive whole, and connections kept for the presenter's laptop: idle or
    trickling sockets from a few addresses cannot fill the server and shut a class out."""

    channel_class = CountedChannel

    def __init__(
        self,
        application,
        listening: socket.socket,
        per_address: int,
        proxies: frozenset = frozenset(),
        **options,
    ):
        self.per_address, self.proxies = per_address, proxies
        self.open_by_address: Counter = Counter()
        self.pupils_open = 0  # connections from addresses other than the presenter's laptop
        self.count_lock = threading.Lock()  # channels close on waitress's worker threads too
        self.loop = None if sys.platform == "win32" else SteadyLoop()
        # Serve on the socket listening_socket already bound, as create_server(sockets=...)
        # would: binding again would undo the exclusive hold on the port.
        address = (listening.family, listening.type, listening.proto, listening.getsockname())
        super().__init__(
            application,
            _sock=listening,
            bind_socket=False,
            sockinfo=address,
            sockets=[listening],
            **options,
        )

    def run(self) -> None:
        """Serve until stopped, as waitress does, on the loop that asks only the connections
        that changed (server_loop); on Windows, on waitress's own."""
        if self.loop is None:
            super().run()
            return
        try:
            self.loop.loop(self.adj.asyncore_loop_timeout, self._map)
        except (SystemExit, KeyboardInterrupt):  # as waitress: the threads end, then the call
            self.task_dispatcher.shutdown()

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
        except OSError as error:
            log.warning("Could not accept a connection: %s", error.strerror or error)
            return
        if accepted is None:
            return
        connection, address = accepted
        refused = self.admit(address[0])
        if refused:
            connection.close()
            log.warning("Closed new connections from %s: %s", address[0], refused)
            return
        try:
            self.set_socket_options(connection)
            self.channel_class(self, connection, address, self.adj, map=self._map)
        except OSError:  # the device hung up before it was accepted
            self.release(address[0])
            connection.close()

    def admit(self, host: str) -> str:
        """Count a new connection from `host`; if it may not have one, why not (and no count)."""
        pupil = not is_presenters_laptop(host)
        with self.count_lock:
            if host not in self.proxies and self.open_by_address[host] >= self.per_address:
                return f"it already holds {self.per_address} (ADDRESS_CONNECTIONS)."
            if pupil and self.pupils_open >= self.adj.connection_limit - PRESENTER_RESERVE:
                return "the server holds all the connections it keeps for pupils."
            self.open_by_address[host] += 1
            self.pupils_open += pupil
            return ""

    def release(self, host: str) -> None:
        with self.count_lock:
            self.open_by_address[host] -= 1
            self.pupils_open -= not is_presenters_laptop(host)
            if self.open_by_address[host] <= 0:
                del self.open_by_address[host]

    def maintenance(self, now: float) -> None:
        """Besides waitress's closing of silent connections, close those whose request has not
        arrived whole within REQUEST_SECONDS (a trickle keeps a connection from being silent)."""
        super().maintenance(now)
        cutoff = time.monotonic() - REQUEST_SECONDS
        for channel in list(self.active_channels.values()):
            if channel.too_slow(cutoff):
                channel.will_close = True
        if self.loop is not None:
            self.loop.sweep()  # the connections marked to be closed are closed at once

    def handle_error(self) -> None:
        log.warning("The server closed a connection after an error: %s", sys.exc_info()[1])


def plain_server_log() -> None:
    if not any(isinstance(existing, OneLine) for existing in log.filters):
        log.addFilter(OneLine())


class OneLine(logging.Filter):
    """The server's problems as one plain line each, not tracebacks, and the same kind of line
    at most every 10 s: under attack the terminal must stay readable for the presenter."""

    EVERY_SECONDS = 10

    def __init__(self):
        super().__init__()
        self.last_written: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
            record.args, record.exc_info, record.exc_text = (), None, None
        now = time.monotonic()
        kind = str(record.msg)[:40]
        if now - self.last_written.get(kind, -self.EVERY_SECONDS) < self.EVERY_SECONDS:
            return False
        self.last_written[kind] = now
        return True


def run_until_stopped(server, on_stop: Callable[[], None]) -> None:
    """Serve until Ctrl-C, SIGTERM, closing the terminal window (SIGHUP, or the console's
    close event on Windows) or Ctrl-Break on Windows; then on_stop(), whichever way the
    presenter ended it."""

    def stop(signum, frame):
        raise SystemExit(0)  # waitress ends its loop on SystemExit as on Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):  # the terminal window was closed (macOS, Linux)
        signal.signal(signal.SIGHUP, stop)
    if hasattr(signal, "SIGBREAK"):
        signal.signal(signal.SIGBREAK, stop)
    _on_console_close(on_stop)
    try:
        server.run()
    finally:
        on_stop()


_console_handlers: list = []  # a handler Windows calls must outlive the call that set it


def _on_console_close(on_stop: Callable[[], None]) -> None:
    """Closing the console window on Windows ends the process without a signal Python sees;
    Windows calls this handler first and waits for it (up to 5 s)."""
    if sys.platform != "win32":
        return
    import ctypes
    from ctypes import wintypes

    close_events = {2, 5, 6}  # CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT

    @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
    def handler(event):
        if event not in close_events:
            return False  # Ctrl-C and Ctrl-Break: Python's own handling
        on_stop()
        return True

    _console_handlers.append(handler)
    ctypes.windll.kernel32.SetConsoleCtrlHandler(handler, True)


def terminal_qr(url: str, colours: bool = False) -> str:
    """The address as a QR code drawn with characters, for pupils to scan off the screen.

    With `colours` (a terminal that shows them) it is drawn black on white whatever the
    terminal's theme, quiet zone included; without, light on dark, as most consoles are.
    """
    code = segno.make(url, error="m")
    if not (colours and _colours_shown()):
        buffer = io.StringIO()
        code.terminal(out=buffer, compact=True)
        return buffer.getvalue()
    rows = [[1 if dark else 0 for dark in row] for row in code.matrix_iter(scale=1, border=4)]
    rows.append([0] * len(rows[0]))  # two rows of modules per line of text
    blocks = {(0, 0): " ", (1, 0): "\u2580", (0, 1): "\u2584", (1, 1): "\u2588"}
    lines = [
        "\x1b[30;107m"
        + "".join(blocks[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        + "\x1b[0m"
        for upper, lower in zip(rows[::2], rows[1::2], strict=False)  # an odd last row is light
    ]
    return "\n".join(lines) + "\n"


def _colours_shown() -> bool:
    """Whether this terminal draws ANSI colours: every one but an old Windows console, which is
    asked to (Windows 10 and later can)."""
    if sys.platform != "win32":
        return True
    import ctypes

    if not hasattr(ctypes, "windll"):
        return False
    kernel32 = ctypes.windll.kernel32
    console = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
    mode = ctypes.c_uint32()
    if not kernel32.GetConsoleMode(console, ctypes.byref(mode)):
        return False
    return bool(kernel32.SetConsoleMode(console, mode.value | 0x0004))  # ENABLE_VIRTUAL_TERMINAL_PROCESSING


def open_in_browser(url: str, then_exit: bool = False) -> bool:
    """Open the presenter's page in the default browser, without holding up the server:
    some browsers only return when they are closed. With `then_exit` (nothing else to do), the
    process waits until the browser was asked, rather than ending before. False where there is
    no desktop to open it on."""
    if not _has_desktop():
        return False  # a text-only browser would take over the terminal the server prints to
    threading.Thread(target=webbrowser.open, args=(url,), daemon=not then_exit).start()
    return True


def _has_desktop() -> bool:
    """Windows and macOS always have one; elsewhere a display server (or a chosen BROWSER)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))
