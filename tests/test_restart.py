"""A server killed mid-lesson and started again resumes exactly where it was."""

from __future__ import annotations

import json
import re
import urllib.request
from http.cookiejar import CookieJar

from helpers import running_server


class Browser:
    """A device with its own cookies, speaking to the real server."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(url, timeout=10) as response:
            return response.url, response.read().decode()

    def post(self, url: str, form: dict | None = None, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else urllib.parse.urlencode(form or {}).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=10) as response:
            return response.status


def start_the_quiz(presenter: Browser, server) -> tuple[str, str]:
    """Sign in, start the tiny module and move on to its quiz: the CSRF token and the code."""
    _, home = presenter.get(server.presenter_url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
    presenter.post(
        server.base_url + "en/presenter/sessions/", {"csrf": csrf, "module": "tiny", "band": "13-16"}
    )
    sessions = presenter.get(server.base_url + "en/presenter/")[1]
    code = re.search(r"/en/presenter/sessions/(\w+)/", sessions).group(1)
    for _ in range(2):
        presenter.post(f"{server.base_url}en/presenter/sessions/{code}/next", {"csrf": csrf})
    return csrf, code


def test_killed_server_restarts_with_every_answer_and_the_same_step(tiny_root, tmp_path):
    data = tmp_path / "data"
    presenter, pupils = Browser(), [Browser() for _ in range(5)]
    with running_server(tiny_root, data_dir=data) as server:
        csrf, code = start_the_quiz(presenter, server)
        for number, pupil in enumerate(pupils):
            pupil.get(f"{server.base_url}en/live/{code}/")
            choice = "tell" if number < 3 else "keep"
            assert (
                pupil.post(
                    f"{server.base_url}en/live/{code}/answer",
                    body={"question": "quiz:tiny-quiz:secret", "choices": [choice]},
                )
                == 200
            )
        server.process.kill()  # no clean shutdown: as if the laptop's power went
        server.process.wait(timeout=10)

    with running_server(tiny_root, data_dir=data) as server:
        state = json.loads(presenter.get(f"{server.base_url}presenter/sessions/{code}/state.json")[1])
        assert state["answered"] == 5 and state["participants"] == 5
        assert state["choices"] == {"tell": {"count": 3, "share": 60}, "keep": {"count": 2, "share": 40}}
        console = presenter.get(f"{server.base_url}en/presenter/sessions/{code}/")[1]
        assert "A new online friend asks Lea to keep a secret." in console
        # A pupil's device is still known after the restart and can change its answer.
        assert (
            pupils[4].post(
                f"{server.base_url}en/live/{code}/answer",
                body={"question": "quiz:tiny-quiz:secret", "choices": ["tell"]},
            )
            == 200
        )
        state = json.loads(presenter.get(f"{server.base_url}presenter/sessions/{code}/state.json")[1])
        assert state["choices"]["tell"]["count"] == 4
