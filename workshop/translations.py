"""The gettext catalogs: extract, update, compile and measure them with Babel.

Two domains: `messages` for the interface (templates and code) and `content` for what the kit
teaches (content files, paragraph by paragraph). English is the source language; its catalogs
copy each source text, so every language, English included, is complete in the same way.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

from .settings import PACKAGE, builtin_content

DOMAINS = {
    "messages": ("babel.cfg", ["--no-location", "--sort-output"]),
    "content": ("babel-content.cfg", ["--add-location=file", "--sort-by-file"]),
}
SOURCE_LANGUAGE = "en"
PROJECT_NAME = "Safe Online Workshop"
CATALOG_VERSION = "1"  # the catalogs' format, not the package's release: a release rewrites no catalog
HEADER_COMMENT = """\
# {language} translations for Safe Online Workshop.
# This file is distributed under the same license as the Safe Online Workshop content.
#"""
# A catalog this small may lose most of its entries to a real change of the source texts.
FEWEST_FOR_LOSS_CHECK = 20
WIDTH = 100  # one line width for every catalog, so that updates only show real changes
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Coverage:
    """How much of one domain's template one language's catalog translates."""

    lang: str
    domain: str
    total: int
    translated: int
    fuzzy: int

    @property
    def percent(self) -> float:
        return 100 * self.translated / self.total if self.total else 100.0


def catalog_path(folder: Path, lang: str, domain: str, suffix: str = ".po") -> Path:
    """Where gettext looks for a language's catalog of one domain."""
    return folder / lang / "LC_MESSAGES" / f"{domain}{suffix}"


def _babel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *arguments])


class UpdateRefused(Exception):
    """An update that would lose a translator's work; the message says what to do instead."""


def extract(folder: Path, content_dir: Path | None = None, into: Path | None = None) -> None:
    """Write messages.pot from the code and the templates, and content.pot from the content
    in `content_dir` (the built-in content by default), into `into` (default: `folder`).

    Babel runs from the folder each domain's files are in, so that locations are relative
    paths, the same on every machine and in a checkout as in an installed kit.
    """
    roots = {"messages": PACKAGE.parent, "content": content_dir or builtin_content()}
    for domain, (config, options) in DOMAINS.items():
        with contextlib.chdir(roots[domain]):
            _babel(
                "extract",
                "-F",
                str(folder.resolve() / config),
                "-k",
                "_",
                "-k",
                "gettext",
                "--omit-header",
                f"--width={WIDTH}",
                *options,
                "-o",
                str((into or folder).resolve() / f"{domain}.pot"),
                ".",
            )


def update(folder: Path, languages: list[str], content_dir: Path | None = None) -> None:
    """Bring every language's catalogs in line with the templates (new languages start empty).

    UpdateRefused, with nothing changed, for the catalogs of an installed kit (the next
    install replaces them) and for an update that would drop most of a catalog's entries
    (the wrong content folder, or strings that could not be found).
    """
    if folder.resolve().is_relative_to(PACKAGE):
        raise UpdateRefused(
            f"The catalogs in {folder} belong to the installed kit, and the next install replaces "
            "them: nothing was changed. Update catalogs in a checkout of the kit (git clone it, "
            "then run this command in its folder), or in your own copy of the content: "
            "`workshop --content FOLDER translations update`, FOLDER holding slides/, quizzes/, "
            "... and translations/."
        )
    with tempfile.TemporaryDirectory(prefix="templates-") as fresh:
        extract(folder, content_dir, into=Path(fresh))
        _refuse_big_losses(folder, Path(fresh), languages)
        for domain in DOMAINS:
            shutil.copyfile(Path(fresh) / f"{domain}.pot", folder / f"{domain}.pot")
    for lang in languages:
        for domain in DOMAINS:
            command = "update" if catalog_path(folder, lang, domain).exists() else "init"
            _babel(
                command,
                f"--width={WIDTH}",
                *(["--ignore-obsolete"] if command == "update" else []),
                "-D",
                domain,
                "-i",
                str(folder / f"{domain}.pot"),
                "-d",
                str(folder),
                "-l",
                lang,
            )
            _tidy(catalog_path(folder, lang, domain), lang)


def _refuse_big_losses(folder: Path, templates: Path, languages: list[str]) -> None:
    """UpdateRefused if a new template keeps fewer than half of a catalog's translated entries."""
    for domain in DOMAINS:
        kept = set(_template_ids(templates, domain))
        for lang in languages:
            translated = {m.id for m in _messages(catalog_path(folder, lang, domain)) if m.string}
            if len(translated) >= FEWEST_FOR_LOSS_CHECK and len(translated & kept) < len(translated) / 2:
                lost = len(translated - kept)
                raise UpdateRefused(
                    f"This update would drop {lost} of the {len(translated)} translated entries of "
                    f"{catalog_path(folder, lang, domain)}: nothing was changed. Check that the content "
                    "folder is the one these catalogs translate (`workshop --content FOLDER translations "
                    "update`), and that its files are all there."
                )


def _tidy(path: Path, lang: str) -> None:
    """Give a catalog the project's header, and English its source texts.

    Babel writes its own version into every header ("Generated-By"); that line is dropped so
    that a newer Babel does not rewrite every catalog, and the placeholders it leaves (PROJECT,
    ORGANIZATION, FIRST AUTHOR) are replaced by the project's name.
    """
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    catalog.project, catalog.version = PROJECT_NAME, CATALOG_VERSION
    catalog.copyright_holder = catalog.last_translator = f"{PROJECT_NAME} translators"
    catalog.msgid_bugs_address = ""
    catalog.language_team = catalog.locale.english_name
    catalog.header_comment = HEADER_COMMENT.format(language=catalog.locale.english_name)
    if lang == SOURCE_LANGUAGE:
        for message in catalog:
            if message.id:
                message.string, message.flags = message.id, set()
    with path.open("wb") as handle:
        write_po(handle, catalog, width=WIDTH)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'^"Generated-By: .*\n', "", text, flags=re.MULTILINE), encoding="utf-8")


class CatalogError(Exception):
    """A .po file that cannot be read: the message names the file and the line."""


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A .po or .pot file, or CatalogError naming what is wrong and where."""
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=locale, abort_invalid=True)
    except PoFileError as error:
        problem = error.args[0].rsplit(" on ", 1)[0]  # Babel appends its own 0-based line number
        raise CatalogError(f"{path}: line {error.lineno + 1}: {problem}") from error
    except (ValueError, UnicodeDecodeError) as error:  # an unknown language or a bad encoding
        raise CatalogError(f"{path}: {error}") from error


def compile_all(folder: Path) -> list[Path]:
    """Compile every .po whose .mo is missing or older; return the .mo files written.

    A broken .po is named in a warning and its last compiled catalog stays in use: a
    translator's typo must not stop a lesson (`workshop check` fails on it instead).
    """
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        # By modification time: every start of the app comes here, and compiling every catalog
        # each time would slow it down for nothing.
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            catalog = read_catalog(po, locale=po.parent.parent.name)
            with mo.open("wb") as handle:
                write_mo(handle, catalog)
        except CatalogError as error:
            log.warning("%s (its pages use the last compiled catalog, or English)", error)
            continue
        except OSError as error:
            # A read-only install came with its compiled catalogs: keep them quietly.
            if not mo.exists():
                log.warning("could not compile %s: %s", po, error)
            continue
        written.append(mo)
    return written


def catalog_problems(folder: Path, languages: list[str]) -> tuple[list[str], list[str]]:
    """(broken catalogs, missing catalogs) of the configured languages, for `workshop check`."""
    broken, missing = [], []
    for lang in languages:
        for domain in DOMAINS:
            path = catalog_path(folder, lang, domain)
            if not path.exists():
                if lang != SOURCE_LANGUAGE:  # English pages need no catalog
                    missing.append(f"{path}: missing, so {lang} pages show English")
                continue
            try:
                read_catalog(path, locale=lang)
            except CatalogError as error:
                broken.append(str(error))
    return broken, missing


def coverage(folder: Path, languages: list[str]) -> list[Coverage]:
    """Each language's coverage of each domain, for `workshop translations stats`."""
    found = []
    for lang in languages:
        for domain in DOMAINS:
            messages = list(_messages(catalog_path(folder, lang, domain)))
            found.append(
                Coverage(
                    lang,
                    domain,
                    len(_template_ids(folder, domain)),
                    sum(1 for m in messages if m.string and "fuzzy" not in m.flags),
                    sum(1 for m in messages if "fuzzy" in m.flags),
                )
            )
    return found


def gaps(folder: Path, languages: list[str]) -> list[str]:
    """Every missing or fuzzy translation, as `lang/domain: what: source`, for translators."""
    found = []
    for lang in languages:
        for domain in DOMAINS:
            try:
                translated = {m.id: m for m in read_catalog(catalog_path(folder, lang, domain)) if m.id}
            except (FileNotFoundError, CatalogError):
                continue  # one line for the whole catalog, from catalog_problems
            for source in _template_ids(folder, domain):
                message = translated.get(source)
                if message is None or not message.string:
                    found.append(f"{lang}/{domain}: missing: {_short(source)}")
                elif "fuzzy" in message.flags:
                    found.append(f"{lang}/{domain}: fuzzy: {_short(source)}")
    return found


def _messages(path: Path):
    try:
        return [message for message in read_catalog(path) if message.id]
    except (FileNotFoundError, CatalogError):  # reported on their own by catalog_problems
        return []


def _template_ids(folder: Path, domain: str) -> list[str]:
    return [message.id for message in _messages(folder / f"{domain}.pot")]


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 70 else line[:67] + "..."
