"""Load benchmark: one presenter and N pupils on the real server, over loopback.

    python bench/live_load.py [--pupils 300] [--module online-friends] [--band 13-16]

Starts `workshop serve` on a free loopback port with a fresh data folder, has N simulated
pupils join, poll the state document every POLL seconds and answer every question of the
module while a simulated presenter walks it (waiting for everyone, then close, reveal, next).
Prints answers sent and stored (they must be equal), p50/p95/p99 latency of answers, polls
and the page reloads that follow a change of step, requests per second, and the server's peak
memory. Exits non-zero if an answer is lost.

Each pupil's device connects from a loopback address of its own (127.0.1.2, 127.0.1.3, ...,
which Linux offers), as phones on a classroom network each have theirs: the server's limits
per network address apply to the benchmark as to a class.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
POLL = 2.0  # as live.js, until the server asks for another interval
RELOAD_SPREAD = 1.0  # as live.js: devices reload within a second, not all at once


class Client:
    """The presenter: one keep-alive connection and its cookies (blocking; it is only one)."""

    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {**(headers or {}), **({"Cookie": cookie_header(self.cookies)} if self.cookies else {})}
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.connection.close()  # the server closed an idle connection: retry on a new one
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        remember_cookies(self.cookies, response.headers.get_all("Set-Cookie") or [])
        return response.status, response.headers, data


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def remember_cookies(cookies: dict[str, str], set_cookies: list[str]) -> None:
    for header in set_cookies:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]


class Device:
    """A pupil's device on asyncio: a thousand of them cost the client almost nothing,
    so the figures measure the server rather than the benchmark."""

    def __init__(self, host: str, port: int, address: str):
        self.host, self.port, self.address = host, port, address
        self.reader = self.writer = None
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        for attempt in range(3):
            reused = self.writer is not None
            try:
                if not reused:
                    self.reader, self.writer = await asyncio.open_connection(
                        self.host, self.port, local_addr=(self.address, 0)
                    )
                return await self._exchange(method, path, body, headers or {})
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.writer = None
                if attempt == 2:
                    raise
                if not reused:  # as browsers do: an idle connection the server closed is retried at once
                    await asyncio.sleep(0.5)

    async def _exchange(self, method, path, body, headers):
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        if self.cookies:
            lines.append(f"Cookie: {cookie_header(self.cookies)}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split()[1])
        received: dict[str, str] = {}
        set_cookies = []
        while line := (await self.reader.readline()).decode().rstrip("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                set_cookies.append(value.strip())
            received[name.lower()] = value.strip()
        data = await self.reader.readexactly(int(received.get("content-length", 0)))
        remember_cookies(self.cookies, set_cookies)
        if received.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, received, data


class Stats:
    def __init__(self):
        self.ms: dict[str, list[float]] = {"answer": [], "poll": [], "page": []}
        self.answers_sent = 0
        self.requests = 0
        self.errors: list[str] = []

    def add(self, kind: str, started: float) -> None:
        self.requests += 1
        self.ms[kind].append((time.perf_counter() - started) * 1000)


def device_address(number: int) -> str:
    return f"127.0.{1 + number // 250}.{2 + number % 250}"


async def pupil(
    base: tuple[str, int], number: int, code: str, stats: Stats, stop: asyncio.Event, lang: str
) -> None:
    try:
        await follow_lesson(Device(*base, device_address(number)), code, stats, stop, lang)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        stats.errors.append(f"pupil gave up: {error!r}")


async def follow_lesson(device: Device, code: str, stats: Stats, stop: asyncio.Event, lang: str) -> None:
    """What live.js does: poll, reload the page when the state changes, answer what is open."""
    await device.request("GET", f"/{lang}/live/{code}/")
    answered: set[bytes] = set()
    etag = ""
    poll = POLL
    await asyncio.sleep(random.random() * poll)  # devices do not poll in step
    while not stop.is_set():
        started = time.perf_counter()
        status, headers, body = await device.request(
            "GET", f"/live/{code}/state.json", headers={"If-None-Match": etag}
        )
        stats.add("poll", started)
        if status == 200:
            etag = headers["etag"]
            state = json.loads(body)
            if state["ended"]:
                return
            poll = state["poll"]
            await asyncio.sleep(random.random() * RELOAD_SPREAD)
            started = time.perf_counter()
            _, _, page = await device.request("GET", f"/{lang}/live/{code}/")
            stats.add("page", started)
            found = re.search(rb'name="question" value="([^"]+)"', page)
            if found and found.group(1) not in answered:
                await answer(device, code, lang, found.group(1), page, stats)
                answered.add(found.group(1))
        await asyncio.sleep(poll)


async def answer(device: Device, code: str, lang: str, key: bytes, page: bytes, stats: Stats) -> None:
    await asyncio.sleep(random.random() * 3)  # reading the question takes a moment
    choices = re.findall(rb'name="choice" value="([^"]+)"', page)
    body = json.dumps({"question": key.decode(), "choices": [random.choice(choices).decode()]}).encode()
    started = time.perf_counter()
    status, _, reply = await device.request(
        "POST", f"/{lang}/live/{code}/answer", body, {"Content-Type": "application/json"}
    )
    stats.add("answer", started)
    if status == 200:
        stats.answers_sent += 1
    else:
        stats.errors.append(f"answer {status}: {reply[:80]!r}")


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share) - 1] if len(values) > 1 else (values or [0])[0]


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--module", default="online-friends")
    parser.add_argument("--band", default="13-16")
    parser.add_argument("--content", default=str(ROOT))
    parser.add_argument("--wait", type=float, default=30.0, help="longest wait for all answers, seconds")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="workshop-bench-")
    env = {**os.environ, "WORKSHOP_DATA_DIR": data}
    server = subprocess.Popen(
        [sys.executable, "-m", "workshop", "--content", args.content, "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        server.stdout.readline()
        presenter_url = server.stdout.readline().split()[-1]
        address = urlsplit(presenter_url)
        base = (address.hostname, address.port)
        return run(args, base, address, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(args, base, address, server_pid: int) -> int:
    presenter = Client(*base)
    presenter.request("GET", f"{address.path}?{address.query}")
    _, _, home = presenter.request("GET", "/en/presenter/")
    csrf = re.search(rb'name="csrf" value="([^"]+)"', home).group(1).decode()
    form = f"csrf={csrf}&module={args.module}&band={args.band}".encode()
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = presenter.request("POST", "/en/presenter/sessions/", form, form_headers)
    code = headers["Location"].rstrip("/").split("/")[-1]

    stats, loop = Stats(), asyncio.new_event_loop()
    stop = asyncio.Event()

    async def classroom():
        await asyncio.gather(*(pupil(base, number, code, stats, stop, "en") for number in range(args.pupils)))

    pupils = threading.Thread(target=loop.run_until_complete, args=(classroom(),), daemon=True)
    started = time.perf_counter()
    pupils.start()
    while True:
        _, _, body = presenter.request("GET", f"/presenter/sessions/{code}/state.json")
        if json.loads(body)["participants"] + len(stats.errors) >= args.pupils:
            break
        time.sleep(0.2)

    questions = 0
    next_form = f"csrf={csrf}".encode()
    while True:
        _, _, page = presenter.request("GET", f"/en/presenter/sessions/{code}/")
        if b"Answering is open" in page:
            questions += 1
            deadline = time.time() + args.wait
            while time.time() < deadline:
                _, _, body = presenter.request("GET", f"/presenter/sessions/{code}/state.json")
                if json.loads(body)["answered"] >= args.pupils:
                    break
                time.sleep(0.25)
        if b'data-action="next"' not in page:
            break
        presenter.request("POST", f"/en/presenter/sessions/{code}/next", next_form, form_headers)
    presenter.request("POST", f"/en/presenter/sessions/{code}/end", next_form, form_headers)
    elapsed = time.perf_counter() - started
    loop.call_soon_threadsafe(stop.set)
    pupils.join(timeout=30)

    _, _, body = presenter.request("GET", f"/presenter/sessions/{code}/results.json")
    stored = sum(question["answered"] for question in json.loads(body)["questions"])
    print(f"pupils                {args.pupils}")
    print(f"questions answered    {questions}")
    print(f"answers sent          {stats.answers_sent}")
    print(f"answers stored        {stored}")
    for label, values in stats.ms.items():
        print(
            f"{label:6} latency ms     p50 {percentile(values, 50):.1f}  p95 {percentile(values, 95):.1f}  "
            f"p99 {percentile(values, 99):.1f}  (n={len(values)})"
        )
    print(f"requests per second   {stats.requests / elapsed:.0f}")
    print(f"server peak memory    {peak_memory_mb(server_pid):.0f} MB")
    if stats.errors:
        print(f"errors                {len(stats.errors)} (first: {stats.errors[0]})")
    return 0 if stored == stats.answers_sent and not stats.errors else 1


if __name__ == "__main__":
    sys.exit(main())
