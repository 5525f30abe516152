"""The offline copy: every page frozen, every link checked, nothing loaded from outside."""

from __future__ import annotations

import zipfile

import pytest

from workshop.offline import check_copy, freeze

from helpers import all_public_urls


@pytest.fixture
def frozen(tiny_app, tmp_path):
    return freeze(tiny_app, tmp_path / "offline")


def test_every_public_page_is_a_file(frozen, tiny_app):
    for url in all_public_urls(tiny_app):
        assert (frozen.folder / url.lstrip("/") / "index.html").is_file(), url
    assert (frozen.folder / "static" / "css" / "app.css").is_file()
    assert frozen.pages == 27


def test_root_is_a_language_chooser_not_a_redirect(frozen):
    html = (frozen.folder / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in html
    assert "refresh" not in html


def test_links_are_relative_files(frozen):
    html = (frozen.folder / "en" / "scenarios" / "tiny-story" / "start" / "index.html").read_text()
    assert 'href="../../../help/index.html"' in html
    assert 'href="move/index.html"' in html
    assert 'href="../../../../static/css/app.css"' in html


def test_the_copy_checks_clean_and_zips_whole(frozen):
    assert check_copy(frozen.folder, ["en"]) == []
    with zipfile.ZipFile(frozen.archive) as archive:
        names = archive.namelist()
    assert "offline/index.html" in names
    assert "offline/en/help/index.html" in names
    assert "offline/static/js/deck.js" in names


def test_the_check_finds_a_missing_page(frozen):
    (frozen.folder / "en" / "help" / "index.html").unlink()
    problems = check_copy(frozen.folder, ["en"])
    assert "en/index.html: link help/index.html leads to no file" in problems


def test_the_check_finds_absolute_links_outside_loads_and_wrong_languages(frozen):
    page = frozen.folder / "en" / "guide" / "index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace('<html lang="en">', '<html lang="fr">')
    html = html.replace(
        "</main>", '<a href="/en/help/">x</a><script src="https://cdn.example/x.js"></script></main>'
    )
    page.write_text(html, encoding="utf-8")
    problems = check_copy(frozen.folder, ["en"])
    assert "en/guide/index.html: page language is 'fr', its path says 'en'" in problems
    assert "en/guide/index.html: link /en/help/ is absolute and breaks when opened from a folder" in problems
    assert "en/guide/index.html: loads https://cdn.example/x.js from outside the copy" in problems


def test_no_live_page_loads_anything_from_elsewhere(tiny_app):
    """Links to services' websites are fine; stylesheets, scripts and images must be ours."""
    import re

    client = tiny_app.test_client()
    for url in all_public_urls(tiny_app)[1:] + ["/en/presenter/"]:
        html = client.get(url).get_data(as_text=True)
        loads = re.findall(r'<(?:script|img|link|iframe|source)\b[^>]*(?:src|href)="([^"]+)"', html)
        assert loads, url
        assert all(address.startswith("/static/") for address in loads), (url, loads)
