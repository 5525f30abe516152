"""Light enough for an old phone on a busy classroom Wi-Fi."""

from __future__ import annotations

import re

from test_live import Classroom

from helpers import all_public_urls

KB = 1024


# Every page loads the same few static files: each is fetched once, not once per page.
asset_sizes: dict[str, int] = {}


def weight(client, url: str) -> int:
    """The page's HTML plus every stylesheet and script it loads, uncompressed."""
    response = client.get(url)
    html = response.get_data(as_text=True)
    total = len(response.data)
    for asset in re.findall(r'<(?:link|script)\b[^>]*(?:href|src)="(/static/[^"]+)"', html):
        if asset not in asset_sizes:
            loaded = client.get(asset)
            asset_sizes[asset] = len(loaded.data)
            loaded.close()
        total += asset_sizes[asset]
    return total


def test_a_pupils_join_and_question_pages_stay_under_60_kb(tiny_app, presenter):
    room = Classroom(tiny_app, presenter)
    pupil = room.pupil()
    room.next(2)
    assert weight(pupil, "/en/join/") < 60 * KB
    question = f"/en/live/{room.code}/"
    assert 'name="choice"' in pupil.get(question).get_data(as_text=True)
    assert weight(pupil, question) < 60 * KB


def test_no_page_is_over_250_kb(app, client):
    heaviest = max((weight(client, url), url) for url in all_public_urls(app)[1:])
    assert heaviest[0] < 250 * KB, heaviest
