"""What one network address can hold of a real server: connections, a trickled request, event
stream places, and how long a place outlives its stream once the script hangs up.

    python bench/hostile_sockets.py [--root CHECKOUT] [--json]

Starts `workshop serve` from CHECKOUT (this one by default: another checkout measures another
version) on a free loopback port with a fresh data folder, signs the presenter in from
127.0.0.1, starts a session, and then, as a script on one address of its own would:

- opens 600 idle connections from 127.0.2.1 and counts those still open 3 s later;
- trickles a request head from 127.0.2.2, one header line a second, and times how long the
  server keeps that connection (at most 40 s);
- joins a device from 127.0.2.3 and opens 150 event streams from it, counting those that got a
  place, those told to poll and those refused a connection;
- hangs all of them up at once and times how long until a new stream from that address gets a
  place again (at most 90 s);
- fills the server with idle connections, as many per address as one address held, from
  127.0.3.1, 127.0.3.2, ... until a pupil at a fresh address gets no page within 3 s, and says
  whether the presenter's laptop (127.0.0.1) still gets one.

`--open-files 628` runs the server under that limit on open files (Linux, macOS): 500
connections, what Windows' `select()` allows.

Prints the figures (or JSON); they vary with the machine's load by a second or two.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Device:
    """Requests from one loopback address, keeping cookies, a new connection each."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def start_session(port: int, key: str) -> str:
    presenter = Device(port, "127.0.0.1")
    presenter.request("GET", f"/presenter/?key={key}")
    home = presenter.request("GET", "/en/presenter/").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
    module = re.search(r'name="module" value="([^"]+)"', home).group(1)
    band = re.search(r'name="band" value="([^"]+)"', home).group(1)
    form = urlencode({"csrf": csrf, "module": module, "band": band})
    started = presenter.request(
        "POST", "/en/presenter/sessions/", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return started.headers["Location"].rstrip("/").split("/")[-1]


def still_open(sock: socket.socket) -> bool:
    """False once the server has closed its end (a closed socket reads as ready, and empty)."""
    if not select.select([sock], [], [], 0)[0]:
        return True
    with suppress(OSError):
        return sock.recv(1, socket.MSG_PEEK) != b""
    return False


def idle_connections(port: int, address: str, count: int) -> int:
    opened = []
    for _ in range(count):
        with suppress(OSError):
            opened.append(socket.create_connection(("127.0.0.1", port), 2, source_address=(address, 0)))
    time.sleep(3)
    held = sum(still_open(sock) for sock in opened)
    for sock in opened:
        sock.close()
    return held


def trickled_request_lifetime(port: int, address: str, limit: float = 40) -> float:
    sock = socket.create_connection(("127.0.0.1", port), 5, source_address=(address, 0))
    sock.sendall(b"GET /en/ HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            sock.sendall(b"X-Trickle: 1\r\n")
        except OSError:
            break
        time.sleep(1)
        if not still_open(sock):
            break
    sock.close()
    return time.monotonic() - started


def open_stream(port: int, device: Device, code: str, after: int) -> tuple[socket.socket | None, str]:
    """A raw event stream and what it said within a moment: "poll", "step", "" (waiting, with a
    place), or "refused" (no connection)."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), 5, source_address=(device.address, 0))
        sock.sendall(
            f"GET /en/live/{code}/events?after={after} HTTP/1.1\r\nHost: x\r\n"
            f"Cookie: {device.cookie_header()}\r\n\r\n".encode()
        )
        received = b""
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and b"\nevent: " not in received:
            ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                continue
            chunk = sock.recv(4096)
            if not chunk:
                return None, "refused" if not received else "closed"
            received += chunk
    except OSError:
        return None, "refused"
    if b"\nevent: " in received:
        return sock, received.split(b"\nevent: ")[1].split(b"\n")[0].decode()
    return sock, ""


def open_files(limit: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def answers(port: int, address: str) -> bool:
    """Whether a page comes back to this address within 3 s."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3, source_address=(address, 0))
        connection.request("GET", "/en/help/")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def shut_out(port: int, per_address: int, most: int = 80) -> dict:
    """Addresses holding `per_address` idle connections each, added until a pupil at a fresh
    address gets no page; then whether the presenter's laptop still gets one."""
    held: list[socket.socket] = []
    try:
        for count in range(1, most + 1):
            for _ in range(per_address):
                with suppress(OSError):
                    held.append(
                        socket.create_connection(
                            ("127.0.0.1", port), 1, source_address=(f"127.0.3.{count}", 0)
                        )
                    )
            if not answers(port, "127.0.0.9"):
                return {"addresses": count, "presenter_still_served": answers(port, "127.0.0.1")}
        return {"addresses": None, "presenter_still_served": True}
    finally:
        for sock in held:
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="The checkout whose `workshop` to run.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--open-files", type=int, help="The server's limit on open files.")
    args = parser.parse_args()
    root = args.root.resolve()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "PYTHONPATH": str(root), "WORKSHOP_DATA_DIR": data}
        command = [sys.executable, "-m", "workshop", "--content", str(root), "serve", "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--no-browser"],
            env=env,
            cwd=root,  # `python -m` puts the working folder first on the path
            preexec_fn=(lambda: open_files(args.open_files)) if args.open_files else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            lines = [server.stdout.readline() for _ in range(2)]
            key = urlsplit(lines[1].split()[-1]).query.removeprefix("key=")
            code = start_session(port, key)
            figures = measure(port, code)
            figures["shut_out"] = shut_out(port, figures["idle_connections_held_of_600"])
        finally:
            server.terminate()
            server.wait(timeout=20)
    figures["root"], figures["open_files"] = str(root), args.open_files
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0


def measure(port: int, code: str) -> dict:
    figures = {"idle_connections_held_of_600": idle_connections(port, "127.0.2.1", 600)}
    figures["trickled_request_kept_seconds"] = round(trickled_request_lifetime(port, "127.0.2.2"), 1)
    device = Device(port, "127.0.2.3")
    page = device.request("GET", f"/en/live/{code}/").text
    version = int(re.search(r'data-version="(\d+)"', page).group(1))
    streams = [open_stream(port, device, code, version) for _ in range(150)]
    said = [name for _, name in streams]
    figures["streams_of_150"] = {
        "placed": said.count(""),
        "told_to_poll": said.count("poll"),
        "refused": said.count("refused") + said.count("closed"),
    }
    for sock, _ in streams:
        if sock is not None:
            sock.close()
    hung_up = time.monotonic()
    while time.monotonic() - hung_up < 90:
        sock, name = open_stream(port, device, code, version - 1)
        if sock is not None:
            sock.close()
        if name == "step":
            break
        time.sleep(0.25)
    figures["place_back_after_hang_up_seconds"] = round(time.monotonic() - hung_up, 1)
    return figures


def report(figures: dict) -> str:
    streams = figures["streams_of_150"]
    return "\n".join(
        [
            f"Checkout: {figures['root']}",
            f"Idle connections one address holds (of 600 opened): {figures['idle_connections_held_of_600']}",
            f"A trickled request head kept open for: {figures['trickled_request_kept_seconds']} s "
            "(at most 40)",
            f"Event streams from one address (of 150): {streams['placed']} placed, "
            f"{streams['told_to_poll']} told to poll, {streams['refused']} refused a connection",
            f"After hanging them all up, a stream from that address had a place again after "
            f"{figures['place_back_after_hang_up_seconds']} s (at most 90)",
            f"Open-file limit: {figures['open_files'] or 'as the system sets it'}. Addresses whose idle "
            f"connections shut a new pupil out: {figures['shut_out']['addresses'] or 'more than 80'}; "
            f"the presenter's laptop still served: {figures['shut_out']['presenter_still_served']}",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
