"""The offline copy: the public pages frozen to static files that work from a USB stick.

Frozen-Flask writes the pages; this module says which pages exist (every language is named
explicitly, never taken from `g`), then checks the output itself, because a broken link in a
copy a teacher opens from `file://` fails silently in front of a class.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, render_template, url_for
from flask_babel import refresh
from flask_frozen import Freezer, MissingURLGeneratorWarning

from . import pdf
from .content import Content, loaded_content
from .teacher import MODULE_SHEETS, PDF_NAMES, SHEETS

# Links that leave the copy on purpose: phone numbers, e-mail, the services' websites.
OUTSIDE_SCHEMES = ("tel:", "mailto:", "http://", "https://")


class FreezeError(Exception):
    """The frozen copy is broken; the message lists every problem found."""


Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """Nobody is watching: a copy made by a test or a script."""


@dataclass(frozen=True)
class FrozenCopy:
    """What `freeze` wrote, for the command to report."""

    folder: Path
    archive: Path
    pages: int
    size_bytes: int
    pdfs: int
    pdf_tool: str | None

    @property
    def size_without_pdfs(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*") if f.is_file() and f.suffix != ".pdf")


def public_pages(content: Content, languages: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every public page in every language, as (endpoint, arguments)."""
    yield "public.index", {}
    for lang in languages:
        yield "public.home", {"lang": lang}
        yield "public.help", {"lang": lang}
        yield "public.guide", {"lang": lang}
        for module in content.modules:
            yield "public.module", {"lang": lang, "module_id": module.id}
            for band in module.age_bands:
                yield "public.slides", {"lang": lang, "module_id": module.id, "band": band}
                yield "public.speaker", {"lang": lang, "module_id": module.id, "band": band}
        for quiz_id in content.quizzes:
            yield "public.quiz", {"lang": lang, "quiz_id": quiz_id}
        for scenario in content.scenarios.values():
            yield from _scenario_pages(lang, scenario)
        yield from teacher_pages(content, lang)


def teacher_pages(content: Content, lang: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The download page and every printable, in one language."""
    yield "teacher.download_page", {"lang": lang}
    for sheet in SHEETS:
        yield f"teacher.{sheet}", {"lang": lang}
    for module in content.modules:
        for sheet in MODULE_SHEETS:
            yield f"teacher.{sheet}", {"lang": lang, "module_id": module.id}


def _scenario_pages(lang, scenario):
    yield "public.scenario_step", {"lang": lang, "scenario_id": scenario.id}
    for step in scenario.steps:
        args = {"lang": lang, "scenario_id": scenario.id, "step_id": step.id}
        yield "public.scenario_step", args
        for choice in step.choices:
            yield "public.scenario_choice", {**args, "choice_id": choice.id}


def freeze(app: Flask, destination: Path, progress: Progress = no_progress, browsers: int = 2) -> FrozenCopy:
    """Write the offline copy and its zip; raise FreezeError if the result does not work.

    `progress` hears how far each stage is ("pages", "pdfs", "zip") as (stage, done, total);
    `browsers` is how many print PDFs at once.
    """
    destination = Path(destination).resolve()
    app.config.update(
        FREEZING=True,
        FREEZER_DESTINATION=str(destination),
        FREEZER_RELATIVE_URLS=True,
        FREEZER_REMOVE_EXTRA_FILES=True,
    )
    freezer = Freezer(app, with_no_argument_rules=False, log_url_for=False)
    content, languages = loaded_content(app), app.config["LANGUAGES"]
    freezer.register_generator(lambda: public_pages(content, languages))
    with warnings.catch_warnings():
        # The live pages (presenter, pupils, the zip) are never frozen, on purpose. Any other
        # warning, such as a page served with the wrong type, must reach whoever freezes.
        warnings.filterwarnings("ignore", category=MissingURLGeneratorWarning)
        urls = freeze_pages(freezer, progress)
    write_readmes(app, destination)
    browser = pdf.find_browser() if app.config["PDFS"] else None
    pdfs = print_pdfs(app, destination, browser, progress, browsers) if browser else []
    problems = check_copy(destination, languages)
    if problems:
        raise FreezeError("\n".join(problems))
    progress("zip", 0, 1)
    archive = Path(shutil.make_archive(str(destination), "zip", destination.parent, destination.name))
    progress("zip", 1, 1)
    size = sum(f.stat().st_size for f in destination.rglob("*") if f.is_file())
    pages = [url for url in urls if not url.startswith("/static/")]
    return FrozenCopy(destination, archive, len(pages), size, len(pdfs), str(browser) if browser else None)


def freeze_pages(freezer: Freezer, progress: Progress) -> set[str]:
    """Frozen-Flask's freeze, page by page, so that a long copy shows how far it is."""
    total = len(set(freezer.all_urls()))
    urls = set()
    for page in freezer.freeze_yield():
        urls.add(page.url)
        progress("pages", len(urls), total)
    return urls


def pdf_file(app: Flask, endpoint: str, args: dict[str, Any]) -> str:
    """Where a printable's PDF sits in the copy: next to its page, named for what it is."""
    with app.test_request_context():
        page = url_for(endpoint, **args).strip("/")
    return f"{page}/{PDF_NAMES[endpoint.split('.')[1]]}.pdf"


def print_pdfs(
    app: Flask, destination: Path, browser: pdf.Browser, progress: Progress, browsers: int
) -> list[Path]:
    content, languages = loaded_content(app), app.config["LANGUAGES"]
    sheets = [
        (e, a) for lang in languages for e, a in teacher_pages(content, lang) if e != "teacher.download_page"
    ]
    pairs = [(destination / pdf_file(app, e, a)).parent / "index.html" for e, a in sheets]
    targets = [destination / pdf_file(app, e, a) for e, a in sheets]
    done = []
    progress("pdfs", 0, len(targets))

    def printed(target: Path) -> None:
        done.append(target)
        progress("pdfs", len(done), len(targets))

    failed = pdf.render(list(zip(pairs, targets, strict=True)), browser, browsers, printed)
    if failed:
        raise FreezeError(
            "\n".join(f"{f.relative_to(destination)}: {browser.name} made no PDF" for f in failed)
        )
    return targets


def write_readmes(app: Flask, destination: Path) -> None:
    """README.txt in every language folder, and all of them together at the top."""
    texts = []
    for lang in app.config["LANGUAGES"]:
        with app.test_request_context(f"/{lang}/"):
            refresh()
            text = render_template("teacher/readme.txt")
        (destination / lang / "README.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    (destination / "README.txt").write_text("\n\n".join(texts), encoding="utf-8")


class _PageLinks(HTMLParser):
    """Collects a page's `lang` and every address it links to or loads."""

    def __init__(self):
        super().__init__()
        self.lang, self.links, self.loads = "", [], []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag in ("a", "area") and found.get("href"):
            self.links.append(found["href"])
        elif tag == "link" and found.get("href"):
            self.loads.append(found["href"])
        for name in ("src", "poster"):
            if found.get(name):
                self.loads.append(found[name])


def check_copy(folder: Path, languages: list[str]) -> list[str]:
    """Every internal link and asset resolves to a file; every page is in its path's language."""
    problems = []
    if not (folder / "index.html").is_file():
        problems.append("index.html: missing")
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder).as_posix()
        parser = _PageLinks()
        parser.feed(page.read_text(encoding="utf-8"))
        top = rel.split("/")[0]
        if top in languages and parser.lang != top:
            problems.append(f"{rel}: page language is '{parser.lang}', its path says '{top}'")
        for address in parser.loads:
            if address.startswith(OUTSIDE_SCHEMES) or address.startswith("//"):
                problems.append(f"{rel}: loads {address} from outside the copy")
        for address in parser.links + parser.loads:
            problem = _broken(page, address)
            if problem:
                problems.append(f"{rel}: {problem}")
    return problems


def _broken(page: Path, address: str) -> str:
    if address.startswith(OUTSIDE_SCHEMES) or address.startswith(("#", "data:", "//")):
        return ""
    path = unquote(urlsplit(address).path)
    if path.startswith("/"):
        return f"link {address} is absolute and breaks when opened from a folder"
    target = (page.parent / path).resolve()
    if not target.is_file():
        return f"link {address} leads to no file"
    return ""
