"""How a new step reaches a phone: on one event stream that stays open, with nothing asked per
step; by polling where the server keeps no more streams open."""

from __future__ import annotations

import re
import socket

import pytest
from playwright.sync_api import expect

from helpers import Visitor, running_server


@pytest.fixture(params=["stream", "polling"])
def server(request, tiny_root, tmp_path):
    # No place for a stream (or a held poll): every phone is told to poll.
    env = {"WORKSHOP_HELD_POLLS": "0"} if request.param == "polling" else {}
    with running_server(tiny_root, env=env, data_dir=tmp_path / "data") as server:
        yield request.param, server


def test_a_phone_follows_the_presenter_and_asks_only_as_it_must(browser, server):
    how, server = server
    projector = browser.new_context()
    console = projector.new_page()
    console.goto(server.presenter_url)
    console.get_by_role("button", name="Start live, ages 13-16").click()
    code = console.locator(".join-code strong").inner_text()
    # The projector hears of each step on a stream of its own, woken before the phones': it
    # never asks for a step, so it is never a poll behind them.
    stage = projector.new_page()
    projected: list[str] = []
    stage.on("request", lambda request: projected.append(request.url))
    stage.goto(f"{server.base_url}en/presenter/sessions/{code}/stage/")
    phone = browser.new_context(viewport={"width": 360, "height": 640})
    pupil = phone.new_page()
    asked: list[str] = []
    pupil.on("request", lambda request: asked.append(request.url))
    pupil.goto(f"{server.base_url}j/{code}")
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Look at the projector")

    for _ in range(2):  # the welcome slide, then the first question
        before = console.locator("[data-live-window]").get_attribute("data-version")
        console.keyboard.press("ArrowRight")
        expect(console.locator("[data-live-window]")).not_to_have_attribute("data-version", before)
    expect(pupil.locator("legend")).to_contain_text("keep a secret")
    expect(stage.locator(".stage-content")).to_contain_text("keep a secret")
    stage_steps = [url for url in projected if url.endswith("/stage/step")]
    if how == "stream":
        assert [url for url in projected if "/events/stage" in url] and not stage_steps, projected
    pupil.get_by_label("Tell an adult she trusts.").check()
    expect(pupil.locator("[data-status]")).to_have_text("✓ Sent: A")
    console.get_by_role("link", name="End session…").click()
    # The confirmation opens over the presenter view, in a dialog.
    console.frame_locator("dialog iframe").get_by_role("button", name="Yes, end the session").click()
    expect(console.get_by_role("dialog")).to_be_hidden()
    goodbye = "The session has ended. Thank you for taking part!"
    expect(pupil.get_by_role("heading", level=1)).to_have_text(goodbye)
    expect(pupil.get_by_text("Ask a question anonymously")).to_be_hidden()  # it would be refused
    asked_by_the_end = len(asked)
    pupil.wait_for_timeout(3000)  # a page that asked again after the goodbye would show here
    assert len(asked) == asked_by_the_end, asked[asked_by_the_end:]

    streams = [url for url in asked if "/events" in url]
    polls = [url for url in asked if "state.json" in url]
    steps = [url for url in asked if url.endswith("/step")]
    if how == "stream":
        assert len(streams) == 1 and not polls and not steps, asked
    else:
        assert polls and steps, asked  # two quick presses may come as one change
    phone.close()
    projector.close()


def test_a_phone_told_to_poll_tries_a_stream_again_once_a_place_may_have_freed(browser, tiny_root, tmp_path):
    """The server had no stream place for the phone (one per address here, taken): it polls,
    and a minute later, the place given back, it follows on a stream again."""
    env = {"WORKSHOP_ADDRESS_STREAMS": "1"}
    with running_server(tiny_root, env=env, data_dir=tmp_path / "data") as server:
        projector = browser.new_context()
        console = projector.new_page()
        console.goto(server.presenter_url)
        console.get_by_role("button", name="Start live, ages 13-16").click()
        code = console.locator(".join-code strong").inner_text()
        script = Visitor(server.base_url)  # the same address as the phone: 127.0.0.1
        page = script.get(f"/en/live/{code}/").text
        version = re.search(r'data-version="(\d+)"', page).group(1)
        taken = socket.create_connection(("127.0.0.1", script.port), 10)
        cookie = "; ".join(f"{name}={value}" for name, value in script.cookies.items())
        path = f"/en/live/{code}/events?after={version}"
        taken.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
        received = b""
        while b"retry: 1000" not in received:  # the stream began: the address's one place is taken
            chunk = taken.recv(4096)
            assert chunk, received
            received += chunk

        phone = browser.new_context(viewport={"width": 360, "height": 640})
        pupil = phone.new_page()
        pupil.clock.install()
        asked: list[str] = []
        pupil.on("request", lambda request: asked.append(request.url))
        pupil.goto(f"{server.base_url}j/{code}")
        expect(pupil.get_by_role("heading", level=1)).to_have_text("Look at the projector")
        pupil.wait_for_timeout(1000)
        assert [url for url in asked if "/events" in url] and [url for url in asked if "state.json" in url]
        taken.close()  # the place is given back within a second or so
        pupil.wait_for_timeout(2000)
        pupil.clock.fast_forward("01:20")  # the poll is called off...
        pupil.wait_for_timeout(3000)
        pupil.clock.fast_forward("00:03")  # ... and its place given back before the stream
        pupil.wait_for_timeout(1000)
        assert len([url for url in asked if "/events" in url]) == 2, asked
        polled = len([url for url in asked if "state.json" in url])
        for _ in range(2):  # the welcome slide, then the first question
            before = console.locator("[data-live-window]").get_attribute("data-version")
            console.keyboard.press("ArrowRight")
            expect(console.locator("[data-live-window]")).not_to_have_attribute("data-version", before)
        expect(pupil.locator("legend")).to_contain_text("keep a secret")
        pupil.clock.fast_forward("00:10")
        assert len([url for url in asked if "state.json" in url]) == polled  # on the stream now
        phone.close()
        projector.close()
