"""Pupils' polls held until the presenter moves on (long polling), on one app or several sharing
one database, as several server processes do."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

import pytest

from workshop import create_app, live, watch

from helpers import running_server


class HeldPoll(threading.Thread):
    """A pupil's poll naming the version its page shows, sent from a thread of its own."""

    def __init__(self, get, url: str, headers: dict | None = None):
        super().__init__(daemon=True)
        self.get, self.url, self.headers = get, url, headers or {}
        self.response = None
        self.start()

    def run(self):
        self.response = self.get(self.url, self.headers)

    def result(self):
        self.join(timeout=60)  # a guard against a hang, not a measure of speed
        assert not self.is_alive(), "the held poll never came back"
        return self.response


def until(condition) -> None:
    """Wait until the condition holds (a guard of 60 s against a hang, not a measure of speed)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def client_get(client):
    def get(url, headers):
        response = client.get(url, headers=headers)
        return response.status_code, response.get_json()

    return get


def held(app) -> int:
    return app.extensions["workshop.watch"].held


def test_a_held_poll_comes_back_with_the_new_step_when_the_presenter_moves_on(room):
    pupil = room.pupil()
    shown = pupil.get(f"/live/{room.code}/state.json").get_json()
    assert shown["poll"] == 0  # the server can hold this device's polls: ask again at once
    poll = HeldPoll(client_get(pupil), f"/live/{room.code}/state.json?after={shown['version']}")
    until(lambda: held(room.app) == 1)
    assert poll.is_alive()  # held while nothing changes
    room.next()
    status, state = poll.result()
    assert status == 200 and state["version"] > shown["version"] and held(room.app) == 0


def test_a_poll_naming_an_old_version_is_answered_at_once(room):
    pupil = room.pupil()
    shown = pupil.get(f"/live/{room.code}/state.json").get_json()
    room.next()
    state = pupil.get(f"/live/{room.code}/state.json?after={shown['version']}").get_json()
    assert state["version"] > shown["version"]


def test_a_quiet_session_answers_a_held_poll_with_an_empty_304(room, monkeypatch):
    monkeypatch.setattr(watch, "WAIT_SECONDS", 0.2)
    pupil = room.pupil()
    first = pupil.get(f"/live/{room.code}/state.json")
    again = pupil.get(
        f"/live/{room.code}/state.json?after={first.get_json()['version']}",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_an_ended_session_is_not_waited_on(room):
    pupil = room.pupil()
    room.confirmed("end")
    state = pupil.get(f"/live/{room.code}/state.json?after=1").get_json()
    assert state["ended"] is True
    assert state["poll"] >= live.MIN_POLL_SECONDS  # never "at once": nothing would hold it


@pytest.mark.parametrize("after", ["", "?after=1", "?after=nope"])
def test_a_poll_for_no_session_is_a_plain_404(tiny_app, after):
    response = tiny_app.test_client().get(f"/live/NOPE2/state.json{after}")
    assert response.status_code == 404 and "no session with this code" in response.get_json()["error"]


def test_a_change_made_by_another_process_wakes_the_polls_held_here(tiny_app, room):
    """Two apps on one database stand for two server processes: the database is the truth."""
    other_process = create_app({**tiny_app.config, "PRESENTER_KEY": "another"})
    pupil = room.pupil()
    shown = pupil.get(f"/live/{room.code}/state.json").get_json()
    poll = HeldPoll(client_get(pupil), f"/live/{room.code}/state.json?after={shown['version']}")
    until(lambda: held(tiny_app) == 1)
    with other_process.app_context():
        live.go_next(live.get_session(room.code))
    status, state = poll.result()
    assert status == 200 and state["version"] == shown["version"] + 1


def test_devices_beyond_the_held_polls_poll_at_their_own_pace(room_without_places):
    room = room_without_places
    state = room.pupil().get(f"/live/{room.code}/state.json?after=1").get_json()
    assert state["poll"] >= live.MIN_POLL_SECONDS and held(room.app) == 0


def test_the_real_server_holds_a_poll_and_lets_it_go_when_the_step_changes(tiny_root, tmp_path):
    """waitress, as `workshop serve` runs it: the held poll waits on a thread of its own while
    the presenter's request is served beside it."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(url, headers):
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:
            return response.status, json.loads(response.read())

    def post(url, form):
        data = urllib.parse.urlencode(form).encode()
        with opener.open(urllib.request.Request(url, data=data, method="POST"), timeout=60) as response:
            return response.read().decode()

    with running_server(tiny_root, data_dir=tmp_path / "data") as server:
        with opener.open(server.presenter_url, timeout=60) as response:
            csrf = re.search(r'name="csrf" value="([^"]+)"', response.read().decode()).group(1)
        console = post(
            server.base_url + "en/presenter/sessions/", {"csrf": csrf, "module": "tiny", "band": "13-16"}
        )
        code = re.search(r"/presenter/sessions/(\w+)/", console).group(1)
        _, shown = get(f"{server.base_url}live/{code}/state.json", {})
        poll = HeldPoll(get, f"{server.base_url}live/{code}/state.json?after={shown['version']}")
        time.sleep(0.5)  # let the poll reach the server; it is held either way
        assert poll.is_alive()
        post(f"{server.base_url}en/presenter/sessions/{code}/next", {"csrf": csrf})
        status, state = poll.result()
        assert status == 200 and state["version"] > shown["version"]


def test_every_held_poll_of_a_large_class_is_let_go(room):
    """Held polls are woken a few at a time, each waking the next: all of them come back."""
    watch_of_app = room.app.extensions["workshop.watch"]
    watch_of_app.per_address = 3 * watch.WOKEN_AT_ONCE  # the test's class shares one address
    shown = watch_of_app.current(room.code).version
    marks = []
    polls = [
        threading.Thread(target=lambda: marks.append(watch_of_app.wait(room.code, shown, timeout=60)))
        for _ in range(3 * watch.WOKEN_AT_ONCE)
    ]
    for poll in polls:
        poll.start()
    until(lambda: held(room.app) == len(polls))
    room.next()
    for poll in polls:
        poll.join(timeout=60)
    assert len(marks) == len(polls) and all(mark.version == shown + 1 for mark in marks)
