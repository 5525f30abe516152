"""The real server against a hostile pupil: unknown addresses, wrong methods, huge and deeply
nested bodies, a script posing as many devices, wrong presenter keys, idle and trickling
connections, and event streams left behind.

Each test runs `workshop serve` in its own process. Devices speak to it from loopback
addresses of their own (127.0.0.2, 127.0.0.3, ...), as phones on a classroom network do.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import sys
import time
from contextlib import ExitStack, closing, suppress

import pytest

from workshop import serve, watch
from workshop.security import HEADERS
from workshop.settings import PROJECT_ROOT, defaults

from helpers import Visitor, running_server

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="other loopback addresses exist on Linux only"
)

SECRET = "quiz:tiny-quiz:secret"
PUPIL, SCRIPT = "127.0.0.2", "127.0.0.3"


def remaining_output(server) -> str:
    """Everything the server printed, once it has stopped."""
    server.process.terminate()
    return server.process.stdout.read()


class LiveRoom:
    """A presenter on the real server who has opened the first question of the tiny module."""

    def __init__(self, server):
        self.base = server.base_url.rstrip("/")
        self.presenter = Visitor(self.base)
        path = server.presenter_url.removeprefix(self.base)
        assert self.presenter.get(path).status == 302
        home = self.presenter.get("/en/presenter/").text
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
        started = self.presenter.post_form(
            "/en/presenter/sessions/", {"csrf": self.csrf, "module": "tiny", "band": "13-16"}
        )
        self.code = started.headers["Location"].rstrip("/").split("/")[-1]
        for _ in range(2):  # lobby -> welcome slide -> the first question, open
            self.presenter.post_form(f"/en/presenter/sessions/{self.code}/next", {"csrf": self.csrf})

    def pupil(self, address: str = PUPIL) -> Visitor:
        device = Visitor(self.base, address)
        assert device.get(f"/en/live/{self.code}/").status == 200
        return device

    def answer(self, device: Visitor, choice: str = "tell") -> int:
        return device.post_json(
            f"/en/live/{self.code}/answer", {"question": SECRET, "choices": [choice]}
        ).status

    def state(self) -> dict:
        return json.loads(self.presenter.get(f"/presenter/sessions/{self.code}/state.json").text)


def test_unknown_addresses_and_wrong_methods_get_a_plain_4xx_in_the_visitors_language(tmp_path):
    env = {"WORKSHOP_DIRECTORY_FILE": "directory/luxembourg.toml"}  # the real content's
    with running_server(PROJECT_ROOT, data_dir=tmp_path / "data", env=env) as server:
        visitor = Visitor(server.base_url)
        for path in ["/nope/", "/nope/x", "/j/ABCDE/", "/en/live/ABCDE/x", "/static/", "/en/presenter/x/y"]:
            response = visitor.get(path)
            assert response.status == 404, path
            assert "This page does not exist." in response.text and 'href="/en/help/"' in response.text
        french = visitor.get("/fr/nope")
        assert french.status == 404 and '<html lang="fr">' in french.text
        assert "Cette page n&#39;existe pas." in french.text and 'href="/fr/help/"' in french.text
        assert "Trouver de l'aide" in french.text  # the "Get help" link, in French
        assert 'href="/de/"' in french.text  # the language switcher leads to each home page
        portuguese = visitor.request("GET", "/nope/", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
        assert '<html lang="pt">' in portuguese.text and 'href="/pt/help/"' in portuguese.text
        for method, path in [
            ("POST", "/en/help/"),
            ("PUT", "/en/live/ABCDE/answer"),
            ("DELETE", "/presenter/"),
        ]:
            response = visitor.request(method, path)
            assert response.status == 405, (method, path)
            assert "This page cannot be used like that." in response.text
            assert response.headers["Allow"]
        output = remaining_output(server)
    assert "Traceback" not in output and "Unexpected error" not in output


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(tiny_root):
    """A 300 MB POST is answered 413 as soon as its headers arrive: not one byte of the body
    is waited for, so none is written to a temporary file either."""
    with running_server(tiny_root) as server:
        room = LiveRoom(server)
        with socket.create_connection(server_address(server)) as sock:
            sock.settimeout(10)
            sock.sendall(
                (
                    f"POST /en/live/{room.code}/answer HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n"
                ).encode()
            )
            reply = sock.recv(4096).decode()
        assert reply.startswith("HTTP/1.1 413"), reply
        assert all(f"{name}: {value}" in reply for name, value in HEADERS.items()), reply
        pupil = room.pupil()
        nested = "[" * 5000 + "]" * 5000  # Python's parser gives up past about a thousand levels
        deep = pupil.request(
            "POST", f"/en/live/{room.code}/answer", nested, {"Content-Type": "application/json"}
        )
        assert deep.status == 400 and '"error"' in deep.text
        assert room.answer(pupil) == 200
        output = remaining_output(server)
    assert "Traceback" not in output and "RecursionError" not in output


def test_one_address_cannot_pose_as_a_class_nor_lock_the_presenter_out(tiny_root, tmp_path):
    with running_server(tiny_root, env={"WORKSHOP_ADDRESS_DEVICES": "4"}) as server:
        room = LiveRoom(server)
        # A script that drops its cookie is a new device on every request: four, then no more
        # for the whole session, however slowly it asks.
        fakes = [Visitor(room.base, SCRIPT) for _ in range(10)]
        statuses = [fake.get(f"/en/live/{room.code}/").status for fake in fakes]
        assert statuses == [200] * 4 + [403] * 6
        pupil = room.pupil()  # a real pupil, on another address, still joins
        assert room.state()["participants"] == 5 and room.state()["refused"] == 6
        assert room.answer(pupil, "keep") == 200
        # Wrong presenter keys from the script's address lock out that address only, and not
        # from the right key.
        key = server.presenter_url.split("key=")[1]
        guesses = [Visitor(room.base, SCRIPT).get(f"/presenter/?key=guess{n}").status for n in range(11)]
        assert guesses == [403] * 10 + [429]
        for address in ("127.0.0.1", SCRIPT):
            presenter = Visitor(room.base, address)
            assert presenter.get(f"/presenter/?key={key}").status == 302
            assert "workshop_presenter" in presenter.cookies
            assert presenter.get("/en/presenter/").status == 200


def test_devices_sharing_one_address_cannot_flood_answers_or_questions(tiny_root, tmp_path):
    """Where many devices share an address (ADDRESS_DEVICES raised), the address's answers and
    questions per minute are still limited."""
    limits = defaults()
    with running_server(tiny_root) as server:  # the tests' servers allow 200 devices an address
        room = LiveRoom(server)
        fakes = [Visitor(room.base, SCRIPT) for _ in range(40)]
        assert {fake.get(f"/en/live/{room.code}/").status for fake in fakes} == {200}
        per_device = 20  # each device's own limit in 10 s
        devices_needed = limits["ADDRESS_ANSWERS_PER_MINUTE"] // per_device + 1
        answers = [room.answer(fake) for fake in fakes[:devices_needed] for _ in range(per_device)]
        assert answers.count(429) >= 1 and answers.count(200) <= limits["ADDRESS_ANSWERS_PER_MINUTE"]
        pupil = room.pupil()
        assert room.answer(pupil, "keep") == 200
        # Anonymous questions: each device may send 3, the address only so many.
        asked = [
            fake.post_form(f"/en/live/{room.code}/ask", {"text": f"Spam {n}"}).status
            for fake in fakes[: limits["ADDRESS_QUESTIONS_PER_MINUTE"] // 3 + 1]
            for n in range(3)
        ]
        assert asked.count(429) >= 1 and asked.count(302) <= limits["ADDRESS_QUESTIONS_PER_MINUTE"]
        assert pupil.post_form(f"/en/live/{room.code}/ask", {"text": "A real question"}).status == 302


def test_idle_connections_from_one_address_do_not_shut_the_class_out(tiny_root):
    """Thousands of idle sockets from one address (2,500): the server keeps
    ADDRESS_CONNECTIONS of them and closes the others at once, so a pupil elsewhere joins and
    answers."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 3000:
        pytest.skip("this test opens 2,500 sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 3000), hard))
    per_address = defaults()["ADDRESS_CONNECTIONS"]
    idle: list[socket.socket] = []
    try:
        with running_server(tiny_root) as server:
            room = LiveRoom(server)
            idle += idle_sockets(server, 2500)
            pupil = room.pupil()  # times out if the idle sockets hold every connection
            assert room.answer(pupil) == 200
            assert room.state()["answered"] == 1
            # The server took the pupil after every socket queued before it: the ones over
            # the cap are closed by now.
            assert sum(still_open(sock) for sock in idle) <= per_address
            output = remaining_output(server)
    finally:
        for sock in idle:
            sock.close()
    assert "Traceback" not in output
    assert len(output.splitlines()) < 10  # one plain line now and then, not one per socket


def idle_sockets(server, count: int, address: str = SCRIPT) -> list[socket.socket]:
    """Connections from an address (the script's unless given) that never send a byte."""
    opened = []
    for _ in range(count):
        with suppress(OSError):  # the queue of connections not yet accepted was full: refused too
            opened.append(socket.create_connection(server_address(server), 2, source_address=(address, 0)))
    return opened


def server_address(server) -> tuple[str, int]:
    return "127.0.0.1", int(server.base_url.rstrip("/").split(":")[-1])


def still_open(sock: socket.socket) -> bool:
    """False once the server has closed its end."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_a_low_open_file_limit_gives_no_tracebacks(tiny_root):
    """Under a hard limit of 1,024 open files the server takes fewer connections than it can
    open files, instead of failing to accept one on every turn of its loop."""
    resource = pytest.importorskip("resource")

    def usual_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    idle: list[socket.socket] = []
    try:
        with running_server(
            tiny_root, env={"WORKSHOP_ADDRESS_CONNECTIONS": "5000"}, preexec_fn=usual_limit
        ) as server:
            room = LiveRoom(server)
            idle += idle_sockets(server, 1500)
            for sock in idle:
                sock.close()
            idle.clear()
            pupil = room.pupil()  # once the idle sockets are gone, the server is as before
            assert room.answer(pupil) == 200
            output = remaining_output(server)
    finally:
        for sock in idle:
            sock.close()
    assert "Traceback" not in output and "Too many open files" not in output


def test_waitress_own_refusals_carry_the_security_headers(tiny_root):
    """Requests waitress answers itself, before the app sees them: a transfer coding it does not
    know (501), a header too large (431), a request line it cannot read (400)."""
    refused = {
        "501": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "431": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n",
        "400": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    }
    with running_server(tiny_root) as server:
        for status, request in refused.items():
            with socket.create_connection(server_address(server), 10) as sock:
                with suppress(OSError):  # it may answer before the whole header is sent
                    sock.sendall(request)
                reply = sock.recv(8192).decode()
            assert reply.split()[1] == status, reply
            assert all(f"{name}: {value}" in reply for name, value in HEADERS.items()), reply


def test_one_address_holds_a_small_share_of_the_connections_on_every_system(monkeypatch):
    assert serve.address_connections(defaults()["ADDRESS_CONNECTIONS"], serve.CONNECTION_LIMIT) == 50
    assert serve.address_connections(5000, serve.CONNECTION_LIMIT) == 149  # a twentieth at most
    assert serve.address_connections(5000, 896) == 43  # 1,024 open files
    monkeypatch.setattr(sys, "platform", "win32")
    windows = serve.connection_limit(None)
    assert windows == serve.WINDOWS_CONNECTION_LIMIT
    assert serve.address_connections(5000, windows) == 24


@pytest.fixture
def guarded_server():
    """GuardedServer's own counting, on a socket nobody connects to."""
    server = serve.GuardedServer(
        lambda environ, start_response: [],
        serve.listening_socket("127.0.0.1", 0),
        per_address=3,
        connection_limit=serve.PRESENTER_RESERVE + 6,
    )
    yield server
    server.close()


def test_each_address_is_capped_the_presenters_laptop_too(guarded_server):
    for host in ("10.0.0.7", "127.0.0.1"):
        assert [guarded_server.admit(host) for _ in range(4)][:3] == ["", "", ""]
        assert "ADDRESS_CONNECTIONS" in guarded_server.admit(host)
    guarded_server.release("10.0.0.7")
    assert guarded_server.admit("10.0.0.7") == ""


def test_a_trusted_proxy_is_not_capped_as_one_address():
    """Behind a proxy named in TRUSTED_PROXIES, a whole class connects through one address."""
    server = serve.GuardedServer(
        lambda environ, start_response: [],
        serve.listening_socket("127.0.0.1", 0),
        per_address=3,
        proxies=frozenset({"10.0.0.99"}),
        connection_limit=serve.PRESENTER_RESERVE + 30,
    )
    try:
        assert [server.admit("10.0.0.99") for _ in range(20)] == [""] * 20
        assert "ADDRESS_CONNECTIONS" in [server.admit("10.0.0.7") for _ in range(4)][-1]
    finally:
        server.close()


def test_connections_are_kept_for_the_presenters_laptop(guarded_server):
    """Pupils' addresses fill what they may take; the presenter's laptop still connects."""
    pupils = ["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.2"]
    assert [guarded_server.admit(host) for host in pupils] == [""] * 6
    assert "keeps for pupils" in guarded_server.admit("10.0.0.3")
    assert guarded_server.admit("127.0.0.1") == "" and guarded_server.admit("::1") == ""
    guarded_server.release("10.0.0.2")
    assert guarded_server.admit("10.0.0.3") == ""


def test_a_connection_that_trickles_its_request_is_closed(tiny_root):
    """A request that has not arrived whole within REQUEST_SECONDS is closed, however steadily
    its bytes trickle in (slowloris); so is a connection that never sends one. A connection
    that sends its requests whole stays open between them."""
    # Closed however the test ends: a socket left open would fail the next test too.
    with running_server(tiny_root) as server, ExitStack() as opened:
        trickle = opened.enter_context(
            socket.create_connection(server_address(server), 10, source_address=(SCRIPT, 0))
        )
        silent = opened.enter_context(
            socket.create_connection(server_address(server), 10, source_address=(SCRIPT, 0))
        )
        polite = http.client.HTTPConnection(*server_address(server), timeout=10, source_address=(PUPIL, 0))
        opened.enter_context(closing(polite))
        polite.request("GET", "/en/help/")
        polite.getresponse().read()
        port = polite.sock.getsockname()[1]
        trickle.sendall(b"GET /en/ HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        limit = (
            serve.REQUEST_SECONDS + 3 * serve.CLEANUP_SECONDS + 5
        )  # the check's own pace, and a loaded machine
        while still_open(trickle) and time.monotonic() - started < limit:
            with suppress(OSError):
                trickle.sendall(b"X-Trickle: 1\r\n")
            time.sleep(0.5)
        assert not still_open(trickle) and not still_open(silent)
        assert time.monotonic() - started >= serve.REQUEST_SECONDS - 1
        polite.request("GET", "/en/help/")  # the same connection, past the deadline
        assert polite.getresponse().status == 200 and polite.sock.getsockname()[1] == port


def test_sockets_from_many_addresses_cannot_lock_the_presenter_out(tiny_root):
    """Under a limit of 1,024 open files (896 connections; 43 per address), 21 addresses hold
    every connection pupils may have: a further pupil is closed at once, and the presenter's
    laptop still gets its console."""
    resource = pytest.importorskip("resource")

    def usual_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    held: list[socket.socket] = []
    try:
        with running_server(tiny_root, preexec_fn=usual_limit) as server:
            room = LiveRoom(server)
            for n in range(1, 22):
                held += idle_sockets(server, 43, f"127.0.1.{n}")
            pupils_may_hold = 896 - serve.PRESENTER_RESERVE
            # Those over the limit are closed as the server accepts them, the last a moment later.
            assert until_true(lambda: sum(still_open(sock) for sock in held) == pupils_may_hold)
            assert room.presenter.get("/en/presenter/").status == 200
            assert room.state()["participants"] == 0
            with pytest.raises(OSError):  # closed at once: a full server, not a slow one
                Visitor(room.base, PUPIL).get(f"/en/live/{room.code}/")
            assert sum(still_open(sock) for sock in held) == pupils_may_hold
            output = remaining_output(server)
    finally:
        for sock in held:
            sock.close()
    assert "Traceback" not in output and "keeps for pupils" in output


def until_true(condition, seconds: float = 10) -> bool:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            return False
        time.sleep(0.1)
    return True


def open_stream(room, device: Visitor, after: int, until: bytes = b"\nevent: ") -> tuple[socket.socket, str]:
    """A raw event stream from the device's address, and the name of its first event (once
    `until` has arrived: the retry line alone for a stream that waits)."""
    sock = socket.create_connection((device.host, device.port), 10, source_address=(device.address, 0))
    cookie = "; ".join(f"{name}={value}" for name, value in device.cookies.items())
    path = f"/en/live/{room.code}/events?after={after}"
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
    received = b""
    while until not in received:
        chunk = sock.recv(4096)
        assert chunk, received
        received += chunk
    return sock, received.split(b"\nevent: ")[1].split(b"\n")[0].decode() if b"\nevent: " in received else ""


def test_a_stream_left_behind_gives_its_place_back_within_seconds(tiny_root):
    """A script that opens the streams its address may have and hangs up holds no place: a
    phone at that address gets a stream again within seconds, not at the next sign of life."""
    with running_server(tiny_root, env={"WORKSHOP_ADDRESS_STREAMS": "2"}) as server:
        room = LiveRoom(server)
        device = room.pupil(SCRIPT)
        page = device.get(f"/en/live/{room.code}/").text
        behind = int(re.search(r'data-version="(\d+)"', page).group(1)) - 1  # a step comes at once
        streams = [open_stream(room, device, behind + 1, until=b"retry: 1000\n") for _ in range(2)]
        assert first_event(room, device, behind, lambda name: name == "poll") == "poll"  # both places taken
        for sock, _ in streams:
            sock.close()
        started = time.monotonic()
        assert first_event(room, device, behind, lambda name: name != "poll") == "step"
        # Before, a place outlived its socket until the next sign of life failed to be written
        # (20 to 60 s): now within about GONE_CHECK_SECONDS.
        assert time.monotonic() - started < watch.WAIT_SECONDS


def first_event(room, device: Visitor, after: int, wanted, seconds: float = 30) -> str:
    """The first event of a new stream, asked again until `wanted(name)` or `seconds` pass."""
    started = time.monotonic()
    while True:
        sock, name = open_stream(room, device, after)
        sock.close()
        if wanted(name) or time.monotonic() - started > seconds:
            return name
        time.sleep(0.2)
