"""Languages: the locale comes from the URL's first segment, never from state left on `g`."""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import Flask, abort, current_app, request
from flask_babel import Babel, Domain, get_locale, refresh

from .content.strings import paragraphs
from .translations import compile_all


def init_app(app: Flask) -> None:
    """Babel with the app's catalogs, a second domain for content, and the language check."""
    app.config["TRANSLATIONS_DIR"] = str(translations_folder(app.config))
    # Catalogs are compiled from the .po files when they change, so a .mo is never stale.
    compile_all(Path(app.config["TRANSLATIONS_DIR"]))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = app.config["TRANSLATIONS_DIR"]
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LANGUAGES"][0]
    Babel(app, locale_selector=select_locale)
    # Content has its own domain: translators of lessons and of buttons work in separate
    # catalogs, and a content folder from another country brings its own.
    app.extensions["workshop.content_domain"] = Domain(
        translation_directories=app.config["TRANSLATIONS_DIR"], domain="content"
    )
    # Frozen-Flask renders every page in one app context: Babel's cached locale on `g`
    # would leak from one page into the next unless it is dropped before each request.
    app.before_request(refresh)
    app.url_value_preprocessor(check_language)


def translations_folder(config) -> Path:
    """The catalogs travel with the content they translate, unless a setting says otherwise."""
    return Path(config["TRANSLATIONS_DIR"] or Path(config["CONTENT_DIR"]) / "translations")


def languages() -> list[str]:
    """The configured language codes; the first is the fallback."""
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The language in the URL, else the browser's best match, else the first configured.

    An address that matches no page has no `lang` argument, but its first segment still says
    which language the visitor reads: `/fr/nope` gets its 404 page in French.
    """
    # Babel may ask with an application context and no request (code run outside a page):
    # then there is no URL to read.
    lang = ((request.view_args or {}).get("lang") or request.path.split("/")[1]) if request else None
    if lang in languages():
        return lang
    return best_language()


def best_language() -> str:
    """The configured language the browser prefers, for the redirects that have none in the URL."""
    return request.accept_languages.best_match(languages()) or languages()[0]


def current_language() -> str:
    """The language of the page being rendered, as the code used in URLs."""
    return str(get_locale() or languages()[0])


def translate_content(text: str) -> str:
    """Content words go through their own catalog, paragraph by paragraph; a missing entry
    shows the English source."""
    domain = current_app.extensions["workshop.content_domain"]
    # The catalog holds paragraphs, not whole slides: one changed paragraph then leaves the
    # translations of the others in place.
    return "\n\n".join(domain.gettext(unit) for unit in paragraphs(text))


def check_language(endpoint: str | None, values: dict | None) -> None:
    """A 404 for any URL whose first segment is not a configured language, on every blueprint."""
    # Checked before the view runs: an unknown language would otherwise render the page in
    # the fallback language under a URL that claims another, and freeze it that way.
    if values and "lang" in values and values["lang"] not in languages():
        abort(404)


def same_page_in(lang: str) -> tuple[str, dict]:
    """Where the language switcher leads, as (endpoint, arguments): this page in another language,
    so the switcher keeps you in place, or that language's home page from an address with no
    language in it (an unknown address, the offline copy's language chooser)."""
    rule = request.url_rule
    if rule is None or "lang" not in rule.arguments:
        return "public.home", {"lang": lang}
    return request.endpoint, {**(request.view_args or {}), "lang": lang}


def language_name(lang: str) -> str:
    """A language's name in that language, as its speakers look for it in a chooser."""
    return Locale.parse(lang).get_display_name(lang).capitalize()
