"""Pupils' phones following the session on an event stream: each new step arrives with its HTML
as soon as the presenter moves on, on a response that stays open."""

from __future__ import annotations

import http.client
import json
import queue
import re
import threading
import time
import urllib.parse
from contextlib import contextmanager

from flask import template_rendered
from test_waiting import held, until

from workshop import live, store, watch

from helpers import from_address, running_server

TIMEOUT = 60  # a guard against a hang, not a measure of speed


class Stream(threading.Thread):
    """A device's event stream on the test client, sent and read on a thread of its own (a
    stream's request context lives on the thread that started it), event by event."""

    def __init__(self, client, url: str, headers: dict | None = None):
        super().__init__(daemon=True)
        self.client, self.url, self.headers = client, url, headers or {}
        self.events: queue.Queue = queue.Queue()
        self.closing = threading.Event()
        self.start()

    def run(self):
        response = self.client.get(self.url, headers=self.headers, buffered=False)
        try:
            for chunk in response.response:
                self.events.put(chunk.decode() if isinstance(chunk, bytes) else chunk)
                if self.closing.is_set():
                    return
            self.events.put(None)  # the stream ended
        finally:
            response.close()

    def next_event(self) -> str | None:
        """The next event or comment, the retry line skipped."""
        while (event := self.events.get(timeout=TIMEOUT)) is not None and event.startswith("retry:"):
            pass
        return event

    def close(self):
        """Stop reading after the next event or sign of life, as a phone leaving the page."""
        self.closing.set()


def data_of(event: str) -> dict:
    return json.loads(re.search(r"^data: (.*)$", event, re.MULTILINE).group(1))


def stream_url(room, after) -> str:
    return f"/en/live/{room.code}/events?after={after}"


def shown_version(room) -> int:
    with room.app.app_context():
        return store.get_session(store.db(), room.code).version


def test_a_stream_holds_until_the_presenter_moves_on_then_brings_the_step(room):
    pupil = room.pupil()
    before = shown_version(room)
    stream = Stream(pupil, stream_url(room, before))
    until(lambda: held(room.app) == 1)
    room.next()  # the welcome slide
    event = stream.next_event()
    document = data_of(event)
    assert event.startswith(f"id: {before + 1}\nevent: step\n")
    assert document["version"] == before + 1 and document["ended"] is False
    assert 'data-part="step"' in document["html"]
    stream.close()


def test_a_device_behind_gets_the_current_step_at_once(room):
    pupil = room.pupil()
    before = shown_version(room)
    room.next(2)
    stream = Stream(pupil, stream_url(room, before))
    document = data_of(stream.next_event())
    assert document["version"] == before + 2 and 'name="question"' in document["html"]
    stream.close()


def test_a_reconnecting_browser_names_its_last_step_in_last_event_id(room):
    pupil = room.pupil()
    before = shown_version(room)
    room.next()
    stream = Stream(pupil, stream_url(room, before + 1), {"Last-Event-ID": str(before)})
    assert data_of(stream.next_event())["version"] == before + 1
    stream.close()


def test_a_quiet_stream_sends_a_sign_of_life(room, monkeypatch):
    monkeypatch.setattr(watch, "WAIT_SECONDS", 0.2)
    stream = Stream(room.pupil(), stream_url(room, shown_version(room)))
    assert stream.next_event() == "event: alive\ndata: {}\n\n"
    stream.close()


def test_a_stream_ends_with_the_session_and_says_goodbye(room):
    pupil = room.pupil()
    stream = Stream(pupil, stream_url(room, shown_version(room)))
    until(lambda: held(room.app) == 1)
    room.confirmed("end")
    document = data_of(stream.next_event())
    assert document["ended"] is True and "Thank you for taking part" in document["html"]
    assert stream.next_event() is None and held(room.app) == 0


def test_a_device_that_has_not_joined_gets_a_plain_400(room):
    response = room.app.test_client().get(stream_url(room, 1))
    assert response.status_code == 400 and "has not joined" in response.get_data(as_text=True)


def test_beyond_the_streams_a_server_keeps_open_a_device_is_told_to_poll(room_without_places):
    room = room_without_places
    stream = Stream(room.pupil(), stream_url(room, 1))
    assert stream.next_event() == "event: poll\ndata: {}\n\n"
    assert stream.next_event() is None and held(room.app) == 0


def test_a_device_on_a_stream_stays_here_however_fast_or_slowly_the_steps_come(room, monkeypatch):
    """A waiting stream's device is noted as here with the class's other waiting streams,
    whether steps come faster than the notes or none comes at all, so "N joined" holds."""
    monkeypatch.setattr(watch, "GONE_CHECK_SECONDS", 0.05)
    pupils = [room.pupil() for _ in range(3)]
    streams = [Stream(pupil, stream_url(room, shown_version(room))) for pupil in pupils]
    until(lambda: held(room.app) == 3)

    def present():
        with room.app.app_context():
            return store.present_count(store.db(), room.code)

    for move_on in (False, True):
        monkeypatch.setattr(store, "SEEN_EVERY_SECONDS", 3600)
        time.sleep(0.2)  # a round of notes already under way ends
        with room.app.app_context():
            store.db().execute("UPDATE participants SET last_seen = 0")  # as if seen long ago
        if move_on:
            room.next()
            assert all(data_of(stream.next_event())["ended"] is False for stream in streams)
            until(lambda: held(room.app) == 3)
        assert present() == 0  # a step woke them: not noted on its way
        monkeypatch.setattr(store, "SEEN_EVERY_SECONDS", 0)
        until(lambda: present() == 3)
    for stream in streams:
        stream.close()
    room.next()


def test_one_address_cannot_take_every_place(room):
    """A script opening stream after stream from one address is told to poll once it holds
    ADDRESS_STREAMS; a phone at another address still gets its stream."""
    room.app.extensions["workshop.watch"].per_address = 2
    version = shown_version(room)
    laptop = [from_address(room.app, "10.0.0.5") for _ in range(3)]
    for device in laptop:
        assert device.get(f"/en/live/{room.code}/").status_code == 200
    script = [Stream(device, stream_url(room, version)) for device in laptop[:2]]
    until(lambda: held(room.app) == 2)
    assert Stream(laptop[2], stream_url(room, version)).next_event() == "event: poll\ndata: {}\n\n"
    phone = room.app.test_client()
    phone.environ_base["REMOTE_ADDR"] = "192.168.1.23"
    assert phone.get(f"/en/live/{room.code}/").status_code == 200
    elsewhere = Stream(phone, stream_url(room, version))
    until(lambda: held(room.app) == 3)
    room.next()
    for stream in (*script, elsewhere):
        assert data_of(stream.next_event())["version"] == version + 1
        stream.close()


def test_waiting_streams_hold_no_database_connection(room):
    """More streams wait than the pool has connections: the class can still answer, and when
    the presenter moves on every stream gets the step (none waits for a connection another
    holds while it waits for one too)."""
    pupils = [room.pupil() for _ in range(store.POOLED_CONNECTIONS + 4)]
    room.app.extensions["workshop.watch"].per_address = len(pupils)  # they share one address
    room.next(2)  # the first question opens
    step = pupils[0].get(f"/en/live/{room.code}/step").get_data(as_text=True)
    key = re.search(r'name="question" value="([^"]+)"', step).group(1)
    version = shown_version(room)
    streams = [Stream(pupil, stream_url(room, version)) for pupil in pupils]
    until(lambda: held(room.app) == len(streams))
    assert room.answer(pupils[0], key, ["tell"]).status_code == 200
    room.next()
    for stream in streams:
        assert data_of(stream.next_event())["version"] == version + 1
        stream.close()


def test_a_step_is_rendered_once_for_every_device_that_answered_alike(room):
    """A class's phones all ask for the new step in the same second: one render serves them."""
    pupils = [room.pupil() for _ in range(5)]
    room.next(2)
    with recorded_templates(room.app) as rendered:
        parts = {pupil.get(f"/en/live/{room.code}/step").get_data(as_text=True) for pupil in pupils}
    assert len(parts) == 1 and rendered.count("pupil/_step.html") == 1
    key = re.search(r'name="question" value="([^"]+)"', parts.pop()).group(1)
    assert room.answer(pupils[0], key, ["tell"]).status_code == 200
    with recorded_templates(room.app) as rendered:
        mine, other = (pupil.get(f"/en/live/{room.code}/step").get_data(as_text=True) for pupil in pupils[:2])
    assert rendered.count("pupil/_step.html") == 1  # the unanswered one was rendered before
    assert "Sent: A" in mine and "Sent:" not in other.split("data-sent")[0]


def test_once_answering_closed_each_stream_shows_its_own_answer_from_one_read(room, monkeypatch):
    """A reveal wakes the whole class: each phone gets its own answer, read once for all of
    them; a reset then clears every phone's."""
    reads = []
    answers_to = store.answers_to
    monkeypatch.setattr(store, "answers_to", lambda *args: reads.append(args) or answers_to(*args))
    pupils = [room.pupil() for _ in range(3)]
    room.next(2)  # the first question, open
    key = re.search(
        r'name="question" value="([^"]+)"', pupils[0].get(f"/en/live/{room.code}/step").get_data(as_text=True)
    ).group(1)
    for pupil, choice in zip(pupils, ["tell", "keep"], strict=False):  # the third sends nothing
        assert room.answer(pupil, key, [choice]).status_code == 200
    streams = [Stream(pupil, stream_url(room, shown_version(room))) for pupil in pupils]
    until(lambda: held(room.app) == 3)
    room.next()  # answering closes
    sent = [re.search(r"Sent: (\w)", data_of(stream.next_event())["html"]) for stream in streams]
    assert [found and found.group(1) for found in sent] == ["A", "B", None] and len(reads) == 1
    until(lambda: held(room.app) == 3)
    room.confirmed("reset")
    assert not any(re.search(r"Sent: \w", data_of(stream.next_event())["html"]) for stream in streams)
    for stream in streams:
        stream.close()
    room.next()


@contextmanager
def recorded_templates(app):
    names: list[str] = []

    def record(_sender, template, context, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def test_the_real_server_streams_each_step_as_the_presenter_moves_on(tiny_root, tmp_path):
    """waitress, as `workshop serve` runs it: the event is on the wire while the stream stays
    open, not held back until the response ends."""
    with running_server(tiny_root, data_dir=tmp_path / "data") as server:
        address = urllib.parse.urlsplit(server.base_url)
        presenter = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT)
        presenter.request(
            "GET",
            urllib.parse.urlsplit(server.presenter_url).path
            + "?"
            + urllib.parse.urlsplit(server.presenter_url).query,
        )
        signed_in = presenter.getresponse()
        signed_in.read()
        cookie = signed_in.headers["Set-Cookie"].split(";")[0]
        presenter.request("GET", "/en/presenter/", headers={"Cookie": cookie})
        csrf = re.search(r'name="csrf" value="([^"]+)"', presenter.getresponse().read().decode()).group(1)

        def post(path, form):
            body = urllib.parse.urlencode({"csrf": csrf, **form})
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            presenter.request("POST", path, body=body, headers=headers)
            response = presenter.getresponse()
            response.read()
            return response

        started = post("/en/presenter/sessions/", {"module": "tiny", "band": "13-16"})
        code = started.headers["Location"].rstrip("/").split("/")[-1]
        phone = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT)
        phone.request("GET", f"/en/live/{code}/")
        page = phone.getresponse()
        version = re.search(r'data-version="(\d+)"', page.read().decode()).group(1)
        phone.request(
            "GET",
            f"/en/live/{code}/events?after={version}",
            headers={"Cookie": page.headers["Set-Cookie"].split(";")[0]},
        )
        stream = phone.getresponse()
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert [stream.readline(), stream.readline()] == [b"retry: 1000\n", b"\n"]
        post(f"/en/presenter/sessions/{code}/next", {})
        lines = [stream.readline() for _ in range(3)]
        assert lines[:2] == [f"id: {int(version) + 1}\n".encode(), b"event: step\n"]
        assert json.loads(lines[2].removeprefix(b"data: "))["version"] == int(version) + 1
        phone.close()
        presenter.close()


def test_a_waiting_stream_lets_go_as_soon_as_its_device_hung_up(room):
    """waitress says when a phone hung up: its stream stops waiting at once (and gives its place
    back as it ends), not when the next sign of life fails to be written."""
    session_watch = room.app.extensions["workshop.watch"]
    shown = session_watch.current(room.code).version
    hung_up = threading.Event()
    marks = []

    def wait():
        mark = session_watch.wait(room.code, shown, timeout=TIMEOUT, streaming=True, gone=hung_up.is_set)
        marks.append(mark)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    until(lambda: room.code in session_watch._waiting)
    hung_up.set()
    waiter.join(timeout=TIMEOUT / 2)
    assert not waiter.is_alive() and marks[0].version == shown


def test_fake_devices_do_not_slow_a_polling_class_beyond_the_pace_of_a_full_server():
    assert live.poll_seconds(30) == live.MIN_POLL_SECONDS
    assert live.poll_seconds(1000) == live.poll_seconds(4400) == live.MAX_POLL_SECONDS


def test_the_presenters_windows_keep_their_stream_when_pupils_took_every_place(room_without_places):
    """No place is left for a phone's stream (HELD_POLLS 0): a phone is told to poll, but the
    stage still follows the lesson on its own stream."""
    room = room_without_places
    assert Stream(room.pupil(), stream_url(room, 0)).next_event() == "event: poll\ndata: {}\n\n"
    stage = Stream(room.presenter, f"/en/presenter/sessions/{room.code}/events/stage?after=0")
    event = stage.next_event()
    assert event.startswith("id: ") and "event: step" in event
    stage.close()
