"""The server's event loop looks only at the connections that changed (server_loop.SteadyLoop):
what a worker thread does to a connection must reach the loop without waiting for its sweep."""

import http.client
import socket
import sys
import threading
import time

import pytest
from waitress import wasyncore

from workshop import serve, server_loop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps waitress's own loop")

BIG = b"x" * 4_000_000  # more than a socket takes at once: the loop sends the rest


def application(environ, start_response):
    path = environ["PATH_INFO"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    if path == "/stream":
        return stream()
    return [BIG if path == "/big" else b"hello"]


def stream():
    """A response that runs on, written by its worker thread a piece at a time."""
    for number in range(3):
        time.sleep(0.05)
        yield f"piece {number}\n".encode()


@pytest.fixture
def server(monkeypatch):
    # No sweep during the test: only the changes the connections report wake them.
    monkeypatch.setattr(server_loop, "SWEEP_SECONDS", 3600)
    server = serve.GuardedServer(
        application,
        serve.listening_socket("127.0.0.1", 0),
        per_address=10,
        connection_limit=serve.PRESENTER_RESERVE + 10,
        threads=4,
    )
    assert server.loop is not None
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server
    server.task_dispatcher.shutdown(timeout=5)
    for connection in list(server._map.values()):
        connection.close()  # the loop ends once nothing is left to watch
    thread.join(timeout=10)


def test_one_connection_serves_request_after_request(server):
    """Each finished response makes the connection ready for the next request (a phone's page
    connection sends its answers on it): with nothing reported, the second would wait for ever."""
    connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
    try:
        for path, body in [
            ("/", b"hello"),
            ("/stream", b"piece 0\npiece 1\npiece 2\n"),
            ("/big", BIG),
            ("/", b"hello"),
        ]:
            connection.request("GET", path)
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, body), path
    finally:
        connection.close()


def test_several_connections_at_once(server):
    """Connections opened and served side by side, each keeping its own response."""
    results = []

    def visit():
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        try:
            for _ in range(3):
                connection.request("GET", "/stream")
                results.append(connection.getresponse().read())
        finally:
            connection.close()

    visitors = [threading.Thread(target=visit) for _ in range(6)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=30)
    assert results == [b"piece 0\npiece 1\npiece 2\n"] * 18


class Leaving(wasyncore.dispatcher):
    """A dispatcher that, when asked, takes its partner out of the map: as a worker thread or the
    server's shutdown closing a connection while the loop's turn asks the others."""

    partner: wasyncore.dispatcher | None = None

    def readable(self) -> bool:
        if self.partner is not None:
            self._map.pop(self.partner._fileno, None)
        return True


def test_a_dispatcher_that_leaves_the_map_during_a_turn_is_let_go():
    loop, connections = server_loop.SteadyLoop(), {}
    pairs = [socket.socketpair() for _ in range(2)]
    try:
        first, second = (Leaving(mine, map=connections) for mine, _ in pairs)
        loop.turn(0, connections)  # both asked at every turn, as the listening socket is
        first.partner, second.partner = second, first
        loop.turn(0, connections)  # whichever is asked first takes the other out
        assert len(connections) == 1
        loop.turn(0, connections)  # and the loop lets it go
    finally:
        for pair in pairs:
            for end in pair:
                end.close()
