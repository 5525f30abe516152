"""Load benchmark: one presenter and N pupils on a real server, over loopback.

    python bench/live_load.py [--pupils 300] [--server waitress] [--transport stream]
                              [--cores split] [--presses 18] [--runs 3] [--code DIR] [--json]

Starts the workshop under a WSGI server (`workshop serve`, waitress, by default; see
bench/servers.py) on a free loopback port with a fresh data folder. N simulated pupils join and
follow the session as live.js and poll.js do: with `--transport stream` (the default, what
phones do) each device keeps one event stream open that brings every new step with its HTML,
and answers on the connection its page came on; with `--transport long` each request names the
version the device shows and the server holds it until the presenter moves on; with
`--transport poll` devices ask every `--poll` seconds (default: what the state document asks
for). Polling devices, on a change, fetch the new step (`--page step`, as the page does in
place) or reload the whole page (`--page whole`, as before), after a random pause of up to
`--spread` seconds. A simulated presenter walks the module: it presses "next" every `--pause`
seconds, and on a question waits until every pupil answered, watching the counts as the
console does. `--classes K` splits the
pupils into K classes, each with its own session and presenter, as in a school-wide event.

Prints answers sent and stored (they must be equal); propagation, from the presenter's key
press until each pupil has the new state and until it has the new page (p50, p95, max, and the
whole class; on a stream both arrive together); answer to the presenter's count; latency of
answers, polls and pages; requests per second; the server's peak memory. With `--cores split`
(Linux) the server runs on core 0 and the pupils on the others, so their cost does not count
against the server. Exits non-zero if an answer is lost.

A busy machine makes one run's figures wander: the benchmark is run `--runs` times (3 by
default), each on a fresh server and data folder, and prints each figure's lowest, median and
highest run, with the load average of each run. `--code DIR` runs the server from another copy of
the workshop (another commit's), with the content of that copy.

Each pupil's device connects from a loopback address of its own (127.0.1.2, 127.0.1.3, ...,
which Linux offers), as phones on a classroom network each have theirs: the server's limits
per network address apply to the benchmark as to a class.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import SERVERS, command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Client:
    """The presenter: one keep-alive connection and its cookies (blocking; it is only one)."""

    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
    ):
        headers = {
            **(headers or {}),
            **({"Cookie": cookie_header(self.cookies)} if self.cookies else {}),
        }
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
    """A pupil's device on asyncio: a thousand of them cost the client little, so the figures
    measure the server rather than the benchmark."""

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

    async def events(self, path: str):
        """An event stream, as a browser's EventSource reads it: (event name, data) for each
        event, until the server ends the response. Comments (signs of life) are skipped."""
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, local_addr=(self.address, 0)
        )
        self.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Accept: text/event-stream\r\nCookie: {cookie_header(self.cookies)}\r\n\r\n"
            ).encode()
        )
        status = int((await self.reader.readline()).split()[1])
        while (await self.reader.readline()).strip():
            pass  # the headers: a stream's body is chunked
        if status != 200:
            raise ValueError(f"event stream {status}")
        text = ""
        while size := int((await self.reader.readline()).strip() or b"0", 16):
            text += (await self.reader.readexactly(size + 2))[:-2].decode()
            while "\n\n" in text:
                block, text = text.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
                if "event" in fields:
                    yield fields["event"], fields.get("data", "")
        self.writer.close()

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


@dataclass
class Pupil:
    """What one simulated pupil saw, and when (perf_counter seconds)."""

    states: list[tuple[float, int]] = field(default_factory=list)  # a new version arrived
    pages: list[tuple[float, int]] = field(default_factory=list)  # a page of that version arrived


class Stats:
    def __init__(self):
        self.ms: dict[str, list[float]] = {"answer": [], "poll": [], "page": []}
        self.answered_at: dict[
            tuple[str, str], list[tuple[float, float]]
        ] = {}  # (code, question): [(sent, stored)]
        self.answers_sent = 0
        self.sending: set[asyncio.Task] = set()
        self.requests = 0
        self.errors: list[str] = []

    def add(self, kind: str, started: float) -> None:
        self.requests += 1
        self.ms[kind].append((time.perf_counter() - started) * 1000)


@dataclass
class Behaviour:
    """How the simulated devices follow the session."""

    # "stream": one event stream; "long": held polls naming the shown version; "poll": ask
    # every few seconds
    transport: str
    poll: float | None  # seconds between polls; None: what the state document asks for
    spread: float  # the longest random pause before fetching the new page
    part: str  # what a device fetches when the step changes: "step" (the fragment) or "" (the page)


def page_version(page: bytes) -> int:
    found = re.search(rb'data-version="(\d+)"', page)
    return int(found.group(1)) if found else 0


def device_address(number: int) -> str:
    return f"127.0.{1 + number // 250}.{2 + number % 250}"


async def pupil(base, number: int, code: str, stats: Stats, stop, behaviour: Behaviour, seen: Pupil):
    try:
        await follow_lesson(Device(*base, device_address(number)), code, stats, stop, behaviour, seen)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        stats.errors.append(f"pupil gave up: {error!r}")


async def follow_lesson(device: Device, code: str, stats: Stats, stop, behaviour: Behaviour, seen: Pupil):
    """What live.js and poll.js do: follow the event stream, or wait for a new version and
    fetch the step; answer what is open."""
    _, _, page = await device.request("GET", f"/en/live/{code}/")
    version = page_version(page)
    answered: set[bytes] = set()
    if behaviour.transport == "stream" and await follow_stream(device, code, stats, version, seen, answered):
        return
    etag, pause = "", behaviour.poll or 2.0
    if behaviour.transport == "poll":
        await asyncio.sleep(random.random() * pause)  # devices do not poll in step
    while not stop.is_set():
        after = f"?after={version}" if behaviour.transport != "poll" else ""
        started = time.perf_counter()
        status, headers, body = await device.request(
            "GET", f"/live/{code}/state.json{after}", headers={"If-None-Match": etag}
        )
        if behaviour.transport == "poll":
            stats.add("poll", started)
        else:
            stats.requests += 1
        if status == 200:
            etag, state = headers["etag"], json.loads(body)
            pause = behaviour.poll if behaviour.poll is not None else state["poll"]
            if state["ended"]:
                return
            if state["version"] != version:
                version = state["version"]
                seen.states.append((time.perf_counter(), version))
                await asyncio.sleep(random.random() * behaviour.spread)
                started = time.perf_counter()
                _, _, page = await device.request("GET", f"/en/live/{code}/{behaviour.part}")
                stats.add("page", started)
                seen.pages.append((time.perf_counter(), page_version(page)))
                take_question(device, code, page, answered, stats)
        elif status != 304:
            stats.errors.append(f"state {status}: {body[:80]!r}")
            pause = 2.0
        await asyncio.sleep(pause)


async def follow_stream(device: Device, code: str, stats: Stats, version: int, seen: Pupil, answered) -> bool:
    """What live.js does where it can: one event stream brings each new step with its HTML, on
    a connection of its own. False if the server said to poll instead."""
    stream = Device(device.host, device.port, device.address)
    stream.cookies = device.cookies
    stats.requests += 1
    async for name, data in stream.events(f"/en/live/{code}/events?after={version}"):
        if name == "poll":
            return False
        if name != "step":
            continue  # a sign of life
        state = json.loads(data)
        seen.states.append((time.perf_counter(), state["version"]))
        seen.pages.append((time.perf_counter(), state["version"]))
        if state["ended"]:
            return True
        take_question(device, code, state["html"].encode(), answered, stats, streaming=True)
    return True


def take_question(
    device: Device, code: str, page: bytes, answered: set[bytes], stats: Stats, streaming: bool = False
) -> None:
    """Answer the question on the page, once, in the background as a pupil does."""
    found = re.search(rb'name="question" value="([^"]+)"', page)
    if found and found.group(1) not in answered:
        answered.add(found.group(1))
        task = asyncio.ensure_future(answer(device, code, found.group(1), page, stats, streaming))
        stats.sending.add(task)
        task.add_done_callback(stats.sending.discard)


async def answer(device: Device, code: str, key: bytes, page: bytes, stats: Stats, streaming: bool) -> None:
    """An answer, sent as a browser sends it: beside an event stream on the connection the page
    came on (the device never sends two at once: the presenter moves on only once all arrived);
    beside polls, on a connection of its own."""
    await asyncio.sleep(random.random() * 3)  # reading the question takes a moment
    sender = device if streaming else Device(device.host, device.port, device.address)
    sender.cookies = device.cookies
    choices = re.findall(rb'name="choice" value="([^"]+)"', page)
    body = json.dumps({"question": key.decode(), "choices": [random.choice(choices).decode()]}).encode()
    started = time.perf_counter()
    status, _, reply = await sender.request(
        "POST", f"/en/live/{code}/answer", body, {"Content-Type": "application/json"}
    )
    stats.add("answer", started)
    if sender.writer and not streaming:
        sender.writer.close()
    if status == 200:
        stats.answers_sent += 1
        stats.answered_at.setdefault((code, key.decode()), []).append((started, time.perf_counter()))
    else:
        stats.errors.append(f"answer {status}: {reply[:80]!r}")


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return (values or [0.0])[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share) - 1]


def spread_of(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values, default=0.0),
        "n": len(values),
    }


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(child) for child in children.read_text().split()] if children.exists() else []
    return [pid, *(grandchild for kid in kids for grandchild in process_tree(kid))]


def peak_memory_mb(pid: int) -> float:
    """The peak resident memory of the server and its workers, summed (Linux only)."""
    total = 0.0
    for member in process_tree(pid):
        status = Path(f"/proc/{member}/status")
        for line in status.read_text().splitlines() if status.exists() else []:
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pin(cores: set[int]) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--server", choices=SERVERS, default="waitress")
    parser.add_argument("--workers", type=int, default=1, help="server processes (gunicorn only)")
    parser.add_argument(
        "--classes",
        type=int,
        default=1,
        help="classes, each with a presenter and a session",
    )
    parser.add_argument("--transport", choices=("stream", "long", "poll"), default="stream")
    parser.add_argument(
        "--poll",
        type=float,
        default=None,
        help="seconds between polls (--transport poll)",
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="longest pause before fetching the page",
    )
    parser.add_argument(
        "--page",
        choices=("step", "whole"),
        default="step",
        help="on a change, fetch the step alone (as live.js does) or the whole page (a reload)",
    )
    parser.add_argument("--cores", choices=("split", "shared"), default="split")
    parser.add_argument("--presses", type=int, default=18, help="presses of 'next' before ending")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between two presses")
    parser.add_argument("--module", default="online-friends")
    parser.add_argument("--band", default="13-16")
    parser.add_argument("--content", default=None, help="content folder (default: that of --code)")
    parser.add_argument("--code", default=str(ROOT), help="the workshop copy the server runs")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh server")
    parser.add_argument("--wait", type=float, default=30.0, help="longest wait for all answers, seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()
    args.content = args.content or args.code
    # Read once: after the first run this process is pinned to the pupils' cores.
    args.all_cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    results = []
    for _ in range(max(1, args.runs)):
        results.append(one_run(args))
        if not args.json:
            print(report(results[-1]), end="\n\n", flush=True)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {"runs": results}))
    elif len(results) > 1:
        print(spread_report(results))
    return 0 if all(r["answers stored"] == r["answers sent"] and not r["errors"] for r in results) else 1


def one_run(args) -> dict:
    """One run of the benchmark, on a fresh server and data folder: its figures."""
    cores = args.all_cores
    split = args.cores == "split" and len(cores) > 1
    port, key = free_port(), secrets.token_urlsafe(16)
    data = tempfile.mkdtemp(prefix="workshop-bench-")
    env = {
        **os.environ,
        "WORKSHOP_DATA_DIR": data,
        "WORKSHOP_CONTENT_DIR": args.content,
        "WORKSHOP_PRESENTER_KEY": key,
        "WORKSHOP_BENCH_CODE": args.code,
        "PYTHONPATH": args.code,
        # Plain polling: the server holds no poll, and the document asks for the pace.
        **({"WORKSHOP_HELD_POLLS": "0"} if args.transport == "poll" else {}),
    }
    held = 0 if args.transport == "poll" else int(os.environ.get("WORKSHOP_HELD_POLLS", 1000))
    server = subprocess.Popen(
        command(args.server, port, args.content, held, args.workers),
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=args.code,
        preexec_fn=(lambda: pin({cores[0]})) if split else None,
    )
    if split:
        pin(set(cores[1:]))
    try:
        wait_until_up(port)
        figures = run(args, ("127.0.0.1", port), key, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures | {
        "server": args.server,
        "workers": args.workers,
        "transport": args.transport,
        "cores": "split" if split else "shared",
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def wait_until_up(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start on port {port}")


@dataclass
class Class:
    """One class in the run: its session, its presenter's console and its pupils."""

    code: str
    presenter: Client
    csrf: str
    pupils: list[Pupil]
    presses: list[tuple[float, int]] = field(default_factory=list)  # (key pressed, version it made)
    counts: list[list[tuple[float, int]]] = field(default_factory=list)  # per question: (seen, answered)

    def console_state(self) -> dict:
        return json.loads(self.presenter.request("GET", f"/presenter/sessions/{self.code}/state.json")[2])

    def press(self, action: str) -> None:
        self.presenter.request(
            "POST",
            f"/en/presenter/sessions/{self.code}/{action}",
            f"csrf={self.csrf}&confirmed=1".encode(),  # "end" asks first: this is the "Yes"
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def start_class(args, base, key: str, size: int) -> Class:
    """A presenter signed in on a console of its own, and a new session of the module."""
    presenter = Client(*base)
    presenter.request("GET", f"/presenter/?key={key}")
    _, _, home = presenter.request("GET", "/en/presenter/")
    csrf = re.search(rb'name="csrf" value="([^"]+)"', home).group(1).decode()
    form = f"csrf={csrf}&module={args.module}&band={args.band}".encode()
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = presenter.request("POST", "/en/presenter/sessions/", form, form_headers)
    code = headers["Location"].rstrip("/").split("/")[-1]
    return Class(code, presenter, csrf, [Pupil() for _ in range(size)])


def run(args, base, key: str, server_pid: int) -> dict:
    sizes = [
        args.pupils // args.classes + (number < args.pupils % args.classes) for number in range(args.classes)
    ]
    classes = [start_class(args, base, key, size) for size in sizes]
    behaviour = Behaviour(args.transport, args.poll, args.spread, "step" if args.page == "step" else "")
    stats, loop, stop = Stats(), asyncio.new_event_loop(), None

    async def school():
        nonlocal stop
        stop = asyncio.Event()
        everyone = [(group.code, seen) for group in classes for seen in group.pupils]
        await asyncio.gather(
            *(
                pupil(base, number, code, stats, stop, behaviour, seen)
                for number, (code, seen) in enumerate(everyone)
            )
        )
        await asyncio.gather(*stats.sending)

    thread = threading.Thread(target=loop.run_until_complete, args=(school(),), daemon=True)
    started = time.perf_counter()
    thread.start()
    while sum(group.console_state()["participants"] for group in classes) + len(stats.errors) < args.pupils:
        time.sleep(0.2)
    presenters = [threading.Thread(target=walk, args=(group, args)) for group in classes]
    for presenter in presenters:
        presenter.start()
    for presenter in presenters:
        presenter.join()
    elapsed = time.perf_counter() - started
    loop.call_soon_threadsafe(stop.set)
    thread.join(timeout=30)

    stored = sum(
        question["answered"]
        for group in classes
        for question in json.loads(
            group.presenter.request("GET", f"/presenter/sessions/{group.code}/results.json")[2]
        )["questions"]
    )
    state_delays, page_delays, whole_class, count_ms = [], [], [], []
    for group in classes:
        states, pages, slowest = propagation(group.presses, group.pupils)
        state_delays += states
        page_delays += pages
        whole_class += slowest
        count_ms += count_delays(stats, group)
    return {
        "pupils": args.pupils,
        "classes": args.classes,
        "presses": sum(len(group.presses) for group in classes),
        "answers sent": stats.answers_sent,
        "answers stored": stored,
        "propagation state ms": spread_of(state_delays),
        "propagation page ms": spread_of(page_delays),
        "whole class on the new page ms": spread_of(whole_class),
        "answer to console count ms": spread_of(count_ms),
        **{f"{kind} ms": spread_of(values) for kind, values in stats.ms.items()},
        "requests per second": stats.requests / elapsed,
        "server peak memory MB": peak_memory_mb(server_pid),
        "errors": len(stats.errors),
        "first error": stats.errors[0] if stats.errors else "",
    }


def walk(group: Class, args) -> None:
    """The presenter of one class: "next" every `pause` seconds, on a question only once every
    pupil answered; then the end."""
    for press in range(args.presses + 1):
        _, _, page = group.presenter.request("GET", f"/en/presenter/sessions/{group.code}/")
        if b"Answering is open" in page:
            group.counts.append(watch_answers(group, args))
        if b'data-action="next"' not in page or press == args.presses:
            break
        time.sleep(args.pause)
        pressed = time.perf_counter()
        group.press("next")
        group.presses.append((pressed, group.console_state()["version"]))
    group.press("end")
    time.sleep(args.pause)


def watch_answers(group: Class, args) -> list[tuple[float, int]]:
    """The console's count, read as console.js does (every `poll` seconds) until everyone answered."""
    seen = []
    deadline = time.time() + args.wait
    while time.time() < deadline:
        state = group.console_state()
        seen.append((time.perf_counter(), state["answered"]))
        if state["answered"] >= len(group.pupils):
            break
        time.sleep(state.get("poll", 1.5))
    return seen


def count_delays(stats: Stats, group: Class) -> list[float]:
    """For each answer: from the tap until the console first showed a count that includes it.

    Questions are matched in the order they were asked, and a question's answers to its counts
    in the order the server stored them (the n-th stored is in every count of n or more).
    """
    delays = []
    mine = [answers for (code, _), answers in stats.answered_at.items() if code == group.code]
    asked = sorted(mine, key=lambda answers: min(sent for sent, _ in answers))
    for seen, answers in zip(group.counts, asked, strict=False):
        for number, (sent, _stored) in enumerate(sorted(answers, key=lambda a: a[1]), start=1):
            shown = next((at for at, count in seen if count >= number and at >= sent), None)
            if shown is not None:
                delays.append((shown - sent) * 1000)
    return delays


def propagation(presses, pupils: list[Pupil]) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds from each key press until each pupil had a state, and a page, at least as new;
    and until the last pupil of the class had the page."""
    states, pages, whole_class = [], [], []
    for pressed, version in presses:
        class_pages = []
        for seen in pupils:
            state, page = arrival(seen.states, version), arrival(seen.pages, version)
            if state is not None:
                states.append((state - pressed) * 1000)
            if page is not None:
                class_pages.append((page - pressed) * 1000)
        pages += class_pages
        whole_class.append(max(class_pages, default=0.0))
    return states, pages, whole_class


def arrival(arrivals: list[tuple[float, int]], version: int) -> float | None:
    """When the first state or page at least as new as `version` arrived (versions only grow)."""
    index = bisect.bisect_left([v for _, v in arrivals], version)
    return arrivals[index][0] if index < len(arrivals) else None


TRANSPORTS = {"stream": "event stream", "long": "long polling", "poll": "polling"}


def report(figures: dict) -> str:
    lines = [
        f"server                {figures['server']} x{figures['workers']}, "
        f"{TRANSPORTS[figures['transport']]}, cores {figures['cores']}, load {figures['load']:.1f}",
        f"pupils                {figures['pupils']} in {figures['classes']} class(es)",
        f"presses of next       {figures['presses']}",
        f"answers sent          {figures['answers sent']}",
        f"answers stored        {figures['answers stored']}",
    ]
    for name, value in figures.items():
        if name.endswith(" ms") and value["n"]:
            lines.append(
                f"{name[:-3]:32} p50 {value['p50']:7.0f}  p95 {value['p95']:7.0f}  max {value['max']:7.0f} ms"
                f"  (n={value['n']})"
            )
    lines += [
        f"requests per second   {figures['requests per second']:.0f}",
        f"server peak memory    {figures['server peak memory MB']:.0f} MB",
    ]
    if figures["errors"]:
        lines.append(f"errors                {figures['errors']} (first: {figures['first error']})")
    return "\n".join(lines)


def spread_report(runs: list[dict]) -> str:
    """Each figure over the runs: lowest / median / highest."""
    loads = ", ".join(f"{run['load']:.1f}" for run in runs)
    lines = [f"over {len(runs)} runs (1-minute load {loads}): lowest / median / highest"]
    for name, value in runs[0].items():
        if not name.endswith(" ms") or not value["n"]:
            continue
        for share in ("p50", "p95", "max"):
            values = [run[name][share] for run in runs if run[name]["n"]]
            low, middle, high = min(values), statistics.median(values), max(values)
            lines.append(f"{name[:-3]:32} {share:4} {low:7.0f} / {middle:7.0f} / {high:7.0f} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
