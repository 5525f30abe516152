"""The teacher's download page, its cached zip, and the printables in every language."""

from __future__ import annotations

import time
import zipfile

import pytest

from workshop import download
from workshop.offline import freeze


def wait_for_copy(app, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        copy = download.current_copy(app)
        if copy:
            return copy
        time.sleep(0.5)
    raise AssertionError("the offline copy was not built in time")


def test_download_page_builds_the_zip_in_the_background_and_caches_it(tiny_app, tiny_root):
    client = tiny_app.test_client()
    first = client.get("/en/download/").get_data(as_text=True)
    assert "The offline copy is being prepared." in first
    copy = wait_for_copy(tiny_app)
    page = client.get("/en/download/").get_data(as_text=True)
    assert f'href="/download/{copy.path.stem}.zip"' in page and "MB)" in page
    response = client.get(f"/download/{copy.path.stem}.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    response.close()
    with zipfile.ZipFile(copy.path) as archive:
        names = set(archive.namelist())
    for expected in (
        "index.html",
        "README.txt",
        "en/README.txt",
        "en/quizzes/tiny-quiz/index.html",
        "en/print/help-card/index.html",
        "en/download/index.html",
    ):
        assert f"safe-online-workshop/{expected}" in names, expected
    assert wait_for_copy(tiny_app) == copy  # cached: the same file, not built again

    (tiny_root / "guide" / "facilitator.md").write_text("## Changed\n\nNew advice.\n", encoding="utf-8")
    assert download.current_copy(tiny_app) is None  # the content changed: a new copy is on its way
    assert wait_for_copy(tiny_app).path != copy.path
    assert not copy.path.exists()  # the old zip is removed


def test_unknown_zip_is_a_404(tiny_app):
    assert tiny_app.test_client().get("/download/offline-nope.zip").status_code == 404


@pytest.mark.parametrize("sheet", ["worksheet", "answer-key", "scenarios"])
def test_module_printables_render(tiny_app, sheet):
    html = tiny_app.test_client().get(f"/en/print/modules/tiny/{sheet}/").get_data(as_text=True)
    assert 'class="printable"' in html
    if sheet == "worksheet":
        assert "A new online friend asks Lea to keep a secret." in html and "Yes: a trusted adult" not in html
    elif sheet == "answer-key":
        assert "Yes: a trusted adult can help." in html and "✓" in html
    else:
        assert "Section 1" in html and "go to section 3" in html


def test_help_card_and_poster_carry_the_numbers(tiny_app):
    client = tiny_app.test_client()
    card = client.get("/en/print/help-card/").get_data(as_text=True)
    assert card.count("116 111") == 8 and card.count("<strong>113</strong>") == 8
    poster = client.get("/en/print/help-poster/").get_data(as_text=True)
    assert "116 111" in poster and "Open day and night, every day." in poster


def test_frozen_download_page_has_no_zip_link_and_readmes_exist(tiny_app, tmp_path):
    copy = freeze(tiny_app, tmp_path / "offline")
    page = (copy.folder / "en" / "download" / "index.html").read_text(encoding="utf-8")
    assert ".zip" not in page and "being prepared" not in page
    assert 'href="../print/help-card/index.html"' in page
    readme = (copy.folder / "README.txt").read_text(encoding="utf-8")
    assert "double-click index.html" in readme and "116 111" in readme
    assert (copy.folder / "en" / "README.txt").is_file()
    assert copy.size_without_pdfs < 10_000_000
