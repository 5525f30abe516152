"""Every public page in every configured language: the right `lang`, translated words."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from workshop.offline import freeze
from workshop.settings import PROJECT_ROOT, defaults

from helpers import all_public_urls, html_lang, visible_text

LANGUAGES = defaults()["LANGUAGES"]
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


def translation(lang: str, domain: str, source: str) -> str:
    with (PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle)[source].string


def test_the_five_languages_are_configured():
    assert LANGUAGES == ["en", "fr", "de", "lb", "pt"]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_public_page_is_in_its_language(app, client, lang):
    get_help = translation(lang, "messages", "Get help")
    module_title = translation(lang, "content", "Online friends and grooming")
    assert get_help != "Get help" and module_title != "Online friends and grooming"
    urls = [url for url in all_public_urls(app) if url.startswith(f"/{lang}/")]
    assert len(urls) >= 26
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert html_lang(html) == lang, url
        assert f'class="help-link" href="/{lang}/help/">{get_help}</a>' in html, url
    home = visible_text(client.get(f"/{lang}/").get_data(as_text=True))
    assert module_title in home


def test_root_follows_the_browsers_language(client):
    for header, lang in [("de-LU,de;q=0.9", "de"), ("pt-PT", "pt"), ("lb", "lb"), ("es", "en")]:
        assert client.get("/", headers={"Accept-Language": header}).headers["Location"] == f"/{lang}/"


def test_switcher_keeps_the_same_page(client):
    html = client.get("/fr/scenarios/lea-new-friend/private-app/").get_data(as_text=True)
    for lang in LANGUAGES:
        assert f'href="/{lang}/scenarios/lea-new-friend/private-app/" hreflang="{lang}"' in html


def test_opening_hours_use_the_locales_day_names(client):
    text = visible_text(client.get("/de/help/").get_data(as_text=True))
    assert "Montag 17:00–22:00" in text and "Samstag 14:00–20:00" in text
    text = visible_text(client.get("/pt/help/").get_data(as_text=True))
    assert "segunda-feira 17:00–22:00" in text


def test_the_offline_copy_holds_every_language(app, tmp_path):
    copy = freeze(app, tmp_path / "offline")
    chooser = (copy.folder / "index.html").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert f'href="{lang}/index.html"' in chooser
        page = (copy.folder / lang / "help" / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        assert translation(lang, "messages", "Where to get help") in page
