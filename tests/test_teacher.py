"""The teacher's download page, its cached zip, and the printables in every language."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
import zipfile

import psutil
import pytest

from workshop import create_app, download, pdf
from workshop.content import loaded_content
from workshop.offline import freeze
from workshop.settings import PROJECT_ROOT, defaults
from workshop.teacher import MODULE_SHEETS, SHEETS

from helpers import running_server, signed_in, tiny_settings


def wait_for_copy(app, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        copies = download.current_copies(app)
        if copies:
            return copies[0]
        build = download.build_status(app)
        assert build and not build.failed, f"the build stopped without a copy: {build}"
        time.sleep(0.5)
    raise AssertionError("the offline copy was not built in time")


def start_build(presenter, **choices):
    response = presenter.post("/en/download/build", data={"csrf": presenter.csrf, "lang": "en", **choices})
    assert response.status_code == 302


def test_only_the_presenter_starts_a_build(tiny_app):
    pupil = tiny_app.test_client()
    page = pupil.get("/en/download/").get_data(as_text=True)
    assert "has not been prepared yet" in page and "Prepare the offline copy" not in page
    assert pupil.post("/en/download/build", data={"csrf": ""}).status_code == 403
    assert download.build_status(tiny_app) is None and not download.folder(tiny_app).exists()


def test_the_presenter_builds_the_zip_in_the_background_and_it_is_cached(
    tiny_app, tiny_root, presenter, monkeypatch
):
    assert "Prepare the offline copy" in presenter.get("/en/download/").get_data(as_text=True)
    start_build(presenter)
    first = presenter.get("/en/download/").get_data(as_text=True)
    assert "The offline copy is being prepared." in first and "<progress" in first
    status = presenter.get("/download/status.json").get_json()
    assert status["ready"] is False and status["build"]["stage"] in ("starting", "pages", "pdfs", "zip")
    copy = wait_for_copy(tiny_app)
    page = tiny_app.test_client().get("/en/download/").get_data(as_text=True)  # anyone may download it
    assert f'href="/download/{copy.path.stem}.zip"' in page and "MB)" in page
    response = presenter.get(f"/download/{copy.path.stem}.zip")
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
    assert download.current_copies(tiny_app) == [copy]  # cached: the same file, not built again
    assert copy.choice == download.Choice(("en",), False)

    monkeypatch.setattr(download, "FINGERPRINT_SECONDS", 0)  # as once the fingerprint is worked out again
    (tiny_root / "guide" / "facilitator.md").write_text("## Changed\n\nNew advice.\n", encoding="utf-8")
    assert download.current_copies(tiny_app) == []  # the content changed: the copy is out of date
    assert download.build_status(tiny_app) is None  # and nobody started a new one
    start_build(presenter)
    assert wait_for_copy(tiny_app).path != copy.path
    assert not copy.path.exists()  # the old zip is removed


def test_a_build_with_no_language_is_a_plain_400(presenter, tiny_app):
    for languages in ([], ["xx"]):
        response = presenter.post("/en/download/build", data={"csrf": presenter.csrf, "lang": languages})
        assert response.status_code == 400
        assert "Choose at least one language" in response.get_data(as_text=True)
    assert download.build_status(tiny_app) is None


def test_the_presenter_chooses_languages_and_pdfs(tiny_root, data_dir):
    app = create_app({**tiny_settings(tiny_root, data_dir), "LANGUAGES": ["en", "fr"], "PDFS": True})
    presenter = signed_in(app)
    form = presenter.get("/en/download/").get_data(as_text=True)
    assert form.count('type="checkbox" name="lang"') == 2 and 'name="pdfs"' in form
    start_build(presenter, lang="fr")  # the PDFs box left unticked
    copy = wait_for_copy(app)
    assert copy.choice == download.Choice(("fr",), False)
    with zipfile.ZipFile(copy.path) as archive:
        names = archive.namelist()
    assert "safe-online-workshop/fr/index.html" in names and not any("/en/" in name for name in names)
    assert not any(name.endswith(".pdf") for name in names)
    page = presenter.get("/en/download/").get_data(as_text=True)
    assert "Français, without PDF files" in page and "Prepare the offline copy" in page  # another choice


def test_unknown_zip_is_a_404(tiny_app):
    assert tiny_app.test_client().get("/download/offline-nope.zip").status_code == 404


@pytest.mark.parametrize("sheet", ["worksheet", "answer-key", "scenarios", "parents"])
def test_module_printables_render(tiny_app, sheet):
    html = signed_in(tiny_app).get(f"/en/print/modules/tiny/{sheet}/").get_data(as_text=True)
    assert 'class="printable"' in html
    if sheet == "worksheet":
        assert "A new online friend asks Lea to keep a secret." in html and "Yes: a trusted adult" not in html
    elif sheet == "answer-key":
        assert "Yes: a trusted adult can help." in html and "✓" in html
    elif sheet == "scenarios":
        assert "Section 1" in html and "go to section 3" in html
    else:
        assert "For parents: what your child" in html and "If your child tells you something" in html
    assert signed_in(tiny_app).get(f"/en/print/modules/nope/{sheet}/").status_code == 404


@pytest.mark.parametrize("lang", defaults()["LANGUAGES"])
def test_the_sheet_for_parents_gives_what_was_taught_and_the_numbers_in_every_language(app, client, lang):
    content = loaded_content(app)
    for module in content.modules:
        html = client.get(f"/{lang}/print/modules/{module.id}/parents/").get_data(as_text=True)
        assert f'lang="{lang}"' in html and 'class="printable"' in html
        # Police emergency, the police Child Protection Unit, the helpline for parents, KJT.
        for number in ("113", "12321", "8002-1234", "116 111"):
            assert f'<strong class="parents-number">{number}</strong>' in html, (module.id, number)
        assert html.count("<li>") >= len(module.learning_goals) + 8
        if lang != "en":
            assert "If your child tells you something" not in html and "What the lesson covered" not in html


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
    assert 'href="../print/modules/tiny/parents/index.html"' in page
    assert (copy.folder / "en" / "print" / "modules" / "tiny" / "parents" / "index.html").is_file()
    readme = (copy.folder / "README.txt").read_text(encoding="utf-8")
    assert "double-click index.html" in readme and "116 111" in readme
    assert (copy.folder / "en" / "README.txt").is_file()
    assert copy.size_without_pdfs < 10_000_000


def test_the_build_runs_low_with_one_browser_and_stops_with_the_server(tmp_path):
    """Against the real server: the build is a low-priority process printing with one browser at
    a time, and stopping the server stops it and its browser, mid-build."""
    if pdf.find_browser() is None:
        pytest.fail("no Chrome, Edge or Chromium to print with") if os.environ.get("CI") else pytest.skip()
    env = {"WORKSHOP_DIRECTORY_FILE": "directory/luxembourg.toml", "WORKSHOP_LANGUAGES": '["en"]'}
    with running_server(PROJECT_ROOT, data_dir=tmp_path / "data", env=env) as server:
        presenter = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = presenter.open(server.presenter_url, timeout=30).read().decode()
        page = presenter.open(server.base_url + "en/download/", timeout=30).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        build_form = f"csrf={csrf}&lang=en&pdfs=on".encode()
        presenter.open(server.base_url + "en/download/build", data=build_form, timeout=30)
        build = wait_for_stage(server.base_url, "pdfs")
        (freezer,) = [p for p in psutil.Process(server.process.pid).children() if "freeze" in command_line(p)]
        if hasattr(os, "nice"):
            assert freezer.nice() == 10
        browsers = set()
        for _ in range(20):
            printing = [
                p
                for p in freezer.children()
                if any(a.startswith(("--print-to-pdf", "--remote-debugging-pipe")) for a in command_line(p))
            ]
            assert len(printing) <= 1, printing
            browsers.update(printing)
            time.sleep(0.1)
        assert browsers and build["total"] == len(SHEETS) + 5 * len(MODULE_SHEETS)
        server.process.terminate()
        server.process.wait(timeout=10)
    gone, alive = psutil.wait_procs([freezer, *browsers], timeout=15)
    assert alive == []


def command_line(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # it has just ended
        return []


def wait_for_stage(base_url: str, stage: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base_url + "download/status.json", timeout=10) as response:
            build = json.load(response)["build"]
        if build and build["stage"] == stage and build["done"] > 0:
            return build
        time.sleep(0.2)
    raise AssertionError(f"the build never reached {stage}: {build}")
