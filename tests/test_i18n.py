"""Nothing assumes English: every word on a page comes through a gettext catalog."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.dates import get_day_names
from babel.messages.pofile import read_po

from workshop import create_app
from workshop.content import loaded_content
from workshop.i18n import language_name
from workshop.offline import freeze
from workshop.settings import PROJECT_ROOT

from content_tree import DIRECTORY_FILE
from helpers import all_public_urls, html_lang, pseudo_catalogs, visible_text

POT = PROJECT_ROOT / "translations" / "messages.pot"


@pytest.fixture
def pseudo_app(tiny_app, tiny_root, tmp_path):
    """The tiny content with a second language, 'fr', whose every string is ‹marked›."""
    translations = pseudo_catalogs(tmp_path / "translations", loaded_content(tiny_app))
    return create_app(
        {
            "CONTENT_DIR": str(tiny_root),
            "DIRECTORY_FILE": DIRECTORY_FILE,
            "LANGUAGES": ["en", "fr"],
            "TRANSLATIONS_DIR": str(translations),
            "DATA_DIR": str(tmp_path / "data"),
        }
    )


# What may stay untranslated on a page: numbers, phone numbers, age bands, clock times,
# language codes in the switcher, website addresses and punctuation.
FRENCH_DAYS = {
    name for width in ("wide", "abbreviated") for name in get_day_names(width, locale="fr").values()
}
# Choice letters (A, B, C…) are the same in every language: "most of you chose B" must match
# every phone.
NEUTRAL = re.compile(r"^[\d:–\-/.,·()+✓→←]+$|^(EN|FR)$|^[a-z.-]+\.lu$|^[A-J]$")


def test_every_word_of_every_page_comes_from_a_catalog(pseudo_app):
    client = pseudo_app.test_client()
    french = [url for url in all_public_urls(pseudo_app) if url.startswith("/fr/")] + ["/fr/presenter/"]
    assert len(french) == 26 + 1  # every public page and printable, and the presenter page
    for url in french:
        html = client.get(url).get_data(as_text=True)
        assert html_lang(html) == "fr", url
        leftover = visible_text(html)
        while "‹" in leftover:  # a translated text may hold another: ‹hours for ‹Luxembourg››
            leftover = re.sub(r"‹[^‹›]*›", " ", leftover)
        english = [w for w in leftover.split() if not NEUTRAL.match(w) and w not in FRENCH_DAYS]
        assert english == [], url


def test_a_missing_translation_falls_back_to_english(pseudo_app, tmp_path):
    html = pseudo_app.test_client().get("/fr/help/").get_data(as_text=True)
    assert "‹Where to get help›" in html
    # A language with no catalog at all shows the English source, never an empty page.
    bare = create_app({**pseudo_app.config, "LANGUAGES": ["en", "de"]}, content=loaded_content(pseudo_app))
    html = bare.test_client().get("/de/help/").get_data(as_text=True)
    assert html_lang(html) == "de"
    assert "Where to get help" in html and "KannerJugendtelefon" in html


def test_the_offline_copys_readme_is_written_in_each_language(pseudo_app, tmp_path):
    app = create_app({**pseudo_app.config, "PDFS": False}, content=loaded_content(pseudo_app))
    copy = freeze(app, tmp_path / "offline")
    english = (copy.folder / "en" / "README.txt").read_text(encoding="utf-8")
    french = (copy.folder / "fr" / "README.txt").read_text(encoding="utf-8")
    assert "double-click index.html" in english and "‹" not in english
    assert "‹How to open it: double-click index.html" in french and "116 111" in french
    leftover = re.sub(r"‹[^‹›]*›", " ", french).replace(f"({language_name('fr')})", " ")
    assert [word for word in leftover.split() if not NEUTRAL.match(word)] == []
    assert (copy.folder / "README.txt").read_text(encoding="utf-8") == f"{english}\n\n{french}"


def test_the_committed_template_holds_every_interface_string(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "translations/babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as new, POT.open("rb") as committed:
        assert {m.id for m in read_po(new)} == {m.id for m in read_po(committed)}
