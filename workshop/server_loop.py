"""The server's event loop: waitress's own, but one that looks only at the connections that
may have changed since its last turn.

waitress's loop (wasyncore.poll2) asks every open connection, at every turn, whether it waits
to read or to write, and builds a new set of sockets for the system to watch from the answers.
A class keeps two connections per phone open (the page's, idle between two requests, and the
event stream's, whose response runs for the whole lesson) and the loop turns once or more per
request: at 1,000 pupils a turn took 1.4 ms, and the turns a third of the server's time, while
answers queued behind them. Here the sockets stay registered with the system's selector
(epoll on Linux, kqueue on macOS) from one turn to the next, and a connection is asked again
only when something may have changed what it waits for:

- something happened on it in the turn before (the loop read, wrote, accepted or closed);
- a worker thread wrote to it or finished its response (`changed`, called by the connection);
- it is new, or it is no connection at all (the listening socket and the loop's wake-up pipe,
  asked at every turn: the server's cleanup of idle connections runs when it is asked);
- and every connection after the server's cleanup of idle and slow connections (`sweep`), and
  whatever happened, every SWEEP_SECONDS.

Windows keeps waitress's loop: select() is all it has, it watches every socket at every turn
anyway, and it holds at most 500 connections there (serve.WINDOWS_CONNECTION_LIMIT).
"""

from __future__ import annotations

import selectors
import threading
import time

from waitress import wasyncore

# Nothing is missed for longer than this even if a change went unreported: the server's
# cleanup marks idle connections to be closed, and they are closed by the next sweep.
SWEEP_SECONDS = 0.5


class SteadyLoop:
    """waitress's wasyncore.loop for one server's map of connections, run on its main thread."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        # By file descriptor: the connection last asked, and what it waited for then (0: nothing,
        # as an event stream whose response is running: it is not registered then).
        self._known: dict[int, tuple[wasyncore.dispatcher, int]] = {}
        self._always: set[int] = set()  # the listening socket and the wake-up pipe
        self._changed: set[int] = set()  # added to from any thread
        self._changed_lock = threading.Lock()
        self._next_sweep = 0.0
        self._sweep_asked = False

    def sweep(self) -> None:
        """Ask every connection at this turn (the loop's own thread: the server's cleanup)."""
        self._sweep_asked = True

    def changed(self, fd: int | None) -> None:
        """A worker thread changed this connection: the next turn asks it again."""
        if fd is not None:
            with self._changed_lock:
                self._changed.add(fd)

    def loop(self, timeout: float, connections: dict) -> None:
        """Turn until the map is empty (the server closed), as wasyncore.loop does."""
        while connections:
            self.turn(timeout, connections)

    def turn(self, timeout: float, connections: dict) -> None:
        # Taken before asking: a change reported while the connections are asked is asked
        # again at the next turn, never lost.
        with self._changed_lock:
            to_ask, self._changed = self._changed, set()
        for fd in self._known.keys() - connections.keys():
            self._forget(fd)
        # The listening socket first: asking it runs the server's cleanup, which may mark any
        # connection to be closed, and then asks for a sweep in this very turn.
        for fd in list(self._always):
            self._ask_if_there(fd, connections)
        now = time.monotonic()
        if now >= self._next_sweep or self._sweep_asked:
            self._next_sweep, self._sweep_asked = now + SWEEP_SECONDS, False
            to_ask = set(connections)
        else:
            to_ask |= connections.keys() - self._known.keys()
        for fd in to_ask:
            self._ask_if_there(fd, connections)
        if not self._selector.get_map():
            time.sleep(timeout)
            return
        for key, events in self._selector.select(timeout):
            self._handle(key.fd, key.data, events, connections)

    def _ask_if_there(self, fd: int, connections: dict) -> None:
        """Ask it if it is still in the map: any dispatcher may leave it while a turn runs
        (closed by a worker thread, by the server's cleanup, or as the server shuts down)."""
        dispatcher = connections.get(fd)
        if dispatcher is not None:
            self._ask(fd, dispatcher)

    def _ask(self, fd: int, dispatcher: wasyncore.dispatcher) -> None:
        """What the connection waits for now, told to the selector if it differs."""
        wanted = 0
        if dispatcher.readable():
            wanted |= selectors.EVENT_READ
        if dispatcher.writable() and not dispatcher.accepting:
            wanted |= selectors.EVENT_WRITE
        known = self._known.get(fd)
        if known is not None and known[0] is dispatcher and known[1] == wanted:
            return
        if known is not None and known[0] is not dispatcher:
            self._forget(fd)  # the descriptor was closed and given to a new connection
            known = None
        if known is not None and known[1] and wanted:
            self._selector.modify(fd, wanted, dispatcher)
        elif known is not None and known[1]:
            self._selector.unregister(fd)
        elif wanted:
            self._selector.register(fd, wanted, dispatcher)
        self._known[fd] = (dispatcher, wanted)
        if not isinstance(dispatcher, ReportsChanges):
            self._always.add(fd)

    def _forget(self, fd: int) -> None:
        dispatcher, wanted = self._known.pop(fd)
        self._always.discard(fd)
        if wanted:
            # A socket closed since is no longer watched by the system: the selector lets go
            # of it all the same.
            self._selector.unregister(fd)

    def _handle(self, fd: int, dispatcher, events: int, connections: dict) -> None:
        """As wasyncore.readwrite: read, then write if it is still open; asked again next turn."""
        if connections.get(fd) is not dispatcher:
            return  # closed (and its descriptor perhaps reused) earlier in this turn
        self.changed(fd)  # what it waits for may change with what is done now
        if events & selectors.EVENT_READ:
            wasyncore.read(dispatcher)
        if events & selectors.EVENT_WRITE and connections.get(fd) is dispatcher:
            wasyncore.write(dispatcher)


class ReportsChanges:
    """A connection that calls SteadyLoop.changed whenever a worker thread changes it; any other
    dispatcher in the map is asked at every turn."""
