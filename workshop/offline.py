"""The offline copy: the public pages frozen to static files that work from a USB stick.

Frozen-Flask writes the pages; this module says which pages exist (every language is named
explicitly, never taken from `g`), then checks the output itself, because a broken link in a
copy a teacher opens from `file://` fails silently in front of a class.

A copy is written only into a new or empty folder, or over an earlier copy, which lists the
files it wrote in a marker file: a teacher's own files are never deleted or overwritten, and
nothing is written through a link. Until a copy is finished, the marker says so and a file
beside index.html tells the teacher; a PDF the browser could not make is left out with a
warning, and a PDF printed from the same page as last time is kept, not printed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask, render_template, url_for
from flask_babel import refresh
from flask_frozen import Freezer, MissingURLGeneratorWarning

from . import pdf
from .content import Content, loaded_content
from .teacher import MODULE_SHEETS, PDF_NAMES, SHEETS

# Links that leave the copy on purpose: phone numbers, e-mail, the services' websites.
OUTSIDE_SCHEMES = ("tel:", "mailto:", "http://", "https://")
# Lists what the copy wrote, so a later freeze may replace those files and nothing else.
MARKER = ".safe-online-workshop-copy.json"
# In a copy until it is finished: a folder left by a full disk or a stopped freeze says so.
UNFINISHED = "NOT-FINISHED.txt"
# What operating systems put in an empty folder or USB stick: not a teacher's files.
SYSTEM_ENTRIES = {
    "System Volume Information",
    "$RECYCLE.BIN",
    "desktop.ini",
    "Thumbs.db",
    ".DS_Store",
    ".Trashes",
    ".Spotlight-V100",
    ".fseventsd",
}


class FreezeError(Exception):
    """The frozen copy is broken; the message lists every problem found."""


class FreezeRefused(Exception):
    """The copy cannot be written there; the message says why and what to do."""


Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """Nobody is watching: a copy made by a test or a script."""


@dataclass(frozen=True)
class FrozenCopy:
    """What `freeze` wrote, for the command to report."""

    folder: Path
    archive: Path
    pages: int
    files: frozenset[str]
    pdfs: int
    pdf_tool: str | None
    # The PDFs the browser did not make, each with why; the copy has those sheets as pages.
    missing_pdfs: dict[str, str] = field(default_factory=dict)
    # Of `pdfs`, how many were kept from the earlier copy, printed from the same page.
    kept_pdfs: int = 0

    @property
    def size_bytes(self) -> int:
        return sum((self.folder / name).stat().st_size for name in self.files)

    @property
    def size_without_pdfs(self) -> int:
        return sum((self.folder / name).stat().st_size for name in self.files if not name.endswith(".pdf"))


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


def freeze(
    app: Flask,
    destination: Path,
    progress: Progress = no_progress,
    browsers: int = 2,
    languages: list[str] | None = None,
    pdfs: bool | None = None,
) -> FrozenCopy:
    """Write the offline copy and its zip; raise FreezeRefused, having changed nothing, if the
    destination holds files the copy did not write, and FreezeError if the result does not work.

    `progress` hears how far each stage is ("pages", "pdfs", "zip") as (stage, done, total);
    `browsers` is how many print PDFs at once where each sheet needs a browser of its own.
    `languages` (all by default) and `pdfs` (the PDFS setting by default) choose what it holds.
    """
    destination = Path(destination).resolve()
    app.config.update(
        FREEZING=True,
        FREEZER_DESTINATION=str(destination),
        FREEZER_RELATIVE_URLS=True,
        # Frozen-Flask would delete every other file in the folder: a teacher's photos, a USB stick.
        FREEZER_REMOVE_EXTRA_FILES=False,
        LANGUAGES=chosen_languages(app, languages),
        PDFS=app.config["PDFS"] if pdfs is None else pdfs,
    )
    freezer = Freezer(app, with_no_argument_rules=False, log_url_for=False)
    content, languages = loaded_content(app), app.config["LANGUAGES"]
    freezer.register_generator(lambda: public_pages(content, languages))
    browser = pdf.find_browser() if app.config["PDFS"] else None
    files = planned_files(app, freezer, browser)
    archive = archive_path(destination)
    try:
        earlier = earlier_copy(destination, archive, files)
        finished_before = finished_record(destination, earlier)
        # Marked first, with both lists: a copy interrupted halfway is still known as ours.
        write_marker(destination, earlier | files, finished=False)
        write_unfinished_note(app, destination)
        remove_files(destination, earlier - files)
        app.extensions["workshop.copy_pdfs"] = {name for name in files if name.endswith(".pdf")}
        with warnings.catch_warnings():
            # The live pages (presenter, pupils, the zip) are never frozen, on purpose. Any other
            # warning, such as a page served with the wrong type, must reach whoever freezes.
            warnings.filterwarnings("ignore", category=MissingURLGeneratorWarning)
            urls = freeze_pages(freezer, progress)
            write_readmes(app, destination)
            sheets = Sheets(app, destination, browser, finished_before.get("printed_from", {}))
            missing = sheets.print(progress, browsers) if browser else {}
            if missing:
                files -= set(missing)
                app.extensions["workshop.copy_pdfs"] -= set(missing)
                freeze_download_pages(app, content, languages)
        files.discard(UNFINISHED)
        checked = pages_digest(destination, files)
        # The same pages and files as a copy that passed the check: the check would say the same.
        problems = (
            [] if checked == finished_before.get("checked") else check_copy(destination, languages, files)
        )
        if problems:
            raise FreezeError("\n".join(problems))
        (destination / UNFINISHED).unlink(missing_ok=True)
        prints = sheets.printed if browser else {}
        write_marker(destination, files, finished=True, printed_from=prints, checked=checked)
        progress("zip", 0, 1)
        write_zip(destination, files, archive)
        progress("zip", 1, 1)
    except OSError as error:
        marked = (destination / UNFINISHED).is_file()
        raise FreezeRefused(
            f"Could not write the offline copy to {destination} ({error.strerror or error}): "
            "choose a folder you can write to, on a disk with room."
            + (f" What was written is marked {UNFINISHED}; a new copy there replaces it." if marked else "")
        ) from error
    pages = [url for url in urls if not url.startswith("/static/")]
    tool = str(browser) if browser else None
    made = len(sheets.printed) if browser else 0
    kept = sheets.kept if browser else 0
    return FrozenCopy(destination, archive, len(pages), frozenset(files), made, tool, missing, kept)


def chosen_languages(app: Flask, chosen: list[str] | None) -> list[str]:
    """The languages asked for, in the app's order; FreezeRefused for one it does not have."""
    offered = app.config["LANGUAGES"]
    unknown = [lang for lang in chosen or [] if lang not in offered]
    if unknown:
        raise FreezeRefused(
            f"There is no language '{unknown[0]}' in this workshop: choose among {', '.join(offered)}."
        )
    return [lang for lang in offered if lang in chosen] if chosen else list(offered)


def freeze_pages(freezer: Freezer, progress: Progress) -> set[str]:
    """Frozen-Flask's freeze, page by page, so that a long copy shows how far it is."""
    total = len(set(freezer.all_urls()))
    urls = set()
    for page in freezer.freeze_yield():
        urls.add(page.url)
        progress("pages", len(urls), total)
    return urls


def planned_files(app: Flask, freezer: Freezer, browser: pdf.Browser | None) -> set[str]:
    """Every file the copy will write, relative to its folder, known before writing any."""
    pages = {normalize("NFC", freezer.urlpath_to_filepath(url)) for url in freezer.all_urls()}
    readmes = {"README.txt", *(f"{lang}/README.txt" for lang in app.config["LANGUAGES"])}
    pdfs = {pdf_file(app, e, a) for e, a in printable_sheets(app)} if browser else set()
    return pages | readmes | pdfs | {MARKER, UNFINISHED}


def archive_path(destination: Path) -> Path:
    """The zip beside the folder; inside it for a drive's root, which has nothing beside it."""
    if destination.name:
        return destination.with_name(destination.name + ".zip")
    return destination / "offline.zip"


def earlier_copy(destination: Path, archive: Path, files: set[str]) -> set[str]:
    """The files an earlier copy in `destination` wrote (none if it is new or empty); refuse,
    touching nothing, if the folder or the zip's name holds anything the kit did not write."""
    if destination.exists() and not destination.is_dir():
        raise FreezeRefused(f"{destination} is a file, not a folder: choose a folder for the offline copy.")
    link = link_in_the_way(destination, {archive.name}, archive.parent) or link_in_the_way(destination, files)
    if link:
        raise FreezeRefused(
            f"{link} is a link to somewhere else, and the copy never writes through a link: "
            "remove the link, or choose another folder for the offline copy. Nothing was changed."
        )
    if archive.exists() and not is_our_zip(archive):
        raise FreezeRefused(
            f"{archive} already exists and was not written by `workshop freeze`: move it, or choose "
            "another folder for the offline copy. Nothing was changed."
        )
    found = next(_files_in(destination), None)
    if found is None:
        return set()
    earlier = marked_files(destination / MARKER)
    if earlier is None:
        raise FreezeRefused(
            f"{destination} already holds files the workshop did not write (for example "
            f"{found.relative_to(destination)}): choose a new or empty folder for the offline copy. "
            "Nothing was changed."
        )
    in_the_way = sorted(name for name in files - earlier if (destination / name).exists())
    if in_the_way:
        raise FreezeRefused(
            f"{destination / in_the_way[0]} was not written by `workshop freeze` and the new copy "
            "would replace it: move it, or choose another folder. Nothing was changed."
        )
    link = link_in_the_way(destination, earlier)
    if link:
        raise FreezeRefused(
            f"{link} is a link to somewhere else, and the copy never writes through a link: "
            "remove the link, or choose another folder for the offline copy. Nothing was changed."
        )
    return earlier


def link_in_the_way(destination: Path, names: set[str], top: Path | None = None) -> Path | None:
    """The first link (symbolic, or a Windows junction) at one of these paths or on the way to
    it below `top` (the copy's folder), or None."""
    top = top or destination
    checked: set[Path] = set()
    for name in sorted(names):
        for path in (top / name, *(top / name).parents):
            if path == top or path in checked or not path.is_relative_to(top):
                break
            checked.add(path)
            if path.is_symlink() or _is_junction(path):
                return path
    return None


def _is_junction(path: Path) -> bool:
    return bool(getattr(os.path, "isjunction", None)) and os.path.isjunction(path)


def finished_record(destination: Path, earlier: set[str]) -> dict[str, Any]:
    """What a finished earlier copy's marker knows: each PDF's hash (of the files it wrote), and
    the hash of the pages its check passed. Nothing for an unfinished copy."""
    try:
        record = json.loads((destination / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("finished") is not True:
        return {}
    printed = record.get("printed_from")
    printed = {n: d for n, d in printed.items() if n in earlier} if isinstance(printed, dict) else {}
    return {"printed_from": printed, "checked": record.get("checked")}


def pages_digest(destination: Path, files: set[str]) -> str:
    """A hash of the copy's list of files and of every page's HTML."""
    digest = hashlib.blake2b(json.dumps(sorted(files)).encode(), digest_size=16)
    for name in sorted(f for f in files if f.endswith(".html")):
        digest.update((destination / name).read_bytes())
    return digest.hexdigest()


def marked_files(marker: Path) -> set[str] | None:
    """The files an earlier copy listed in its marker; None if there is no marker to trust."""
    try:
        files = json.loads(marker.read_text(encoding="utf-8"))["files"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return {name for name in files if isinstance(name, str)} if isinstance(files, list) else None


def _files_in(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        for path in folder.rglob("*"):
            parts = path.relative_to(folder).parts
            if path.is_file() and not SYSTEM_ENTRIES & {parts[0], path.name}:
                yield path


def is_our_zip(archive: Path) -> bool:
    """A zip this kit wrote: it holds the copy's marker."""
    if not zipfile.is_zipfile(archive):
        return False
    with zipfile.ZipFile(archive) as zipped:
        return any(name.rsplit("/", 1)[-1] == MARKER for name in zipped.namelist())


def write_marker(
    destination: Path,
    files: set[str],
    finished: bool,
    printed_from: dict[str, str] | None = None,
    checked: str = "",
) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    record = {
        "written_by": "workshop freeze (Safe Online Workshop)",
        "about": "The files of this offline copy; a later `workshop freeze` here replaces them and no other.",
        "finished": finished,
        "files": sorted(files),
        # Each PDF's hash of the page and files it was printed from: the same next time, it is kept.
        "printed_from": printed_from or {},
        "checked": checked,
    }
    (destination / MARKER).write_text(json.dumps(record, indent=1), encoding="utf-8")


def remove_files(destination: Path, names: set[str]) -> None:
    """Delete files an earlier copy wrote that this one does not, and folders left empty."""
    for name in sorted(names, reverse=True):
        path = destination / name
        if not path.resolve().is_relative_to(destination):
            continue  # a marker edited to point elsewhere: only the copy's folder is ours
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == destination:
                break
            with suppress(OSError):  # not empty: a teacher's file may be in it
                folder.rmdir()


def write_zip(folder: Path, files: set[str], archive: Path) -> None:
    """The copy's files, and only those, in one folder inside the zip. Written under a new
    hidden name and then put in place: a zip cut short never takes the finished one's name."""
    top = folder.name or "offline"
    handle, partial = tempfile.mkstemp(prefix=".partial-", suffix=".zip", dir=archive.parent)
    try:
        with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as zipped:
            for name in sorted(files):
                zipped.write(folder / name, f"{top}/{name}")
        Path(partial).replace(archive)
    finally:
        Path(partial).unlink(missing_ok=True)


def pdf_file(app: Flask, endpoint: str, args: dict[str, Any]) -> str:
    """Where a printable's PDF sits in the copy: next to its page, named for what it is."""
    with app.test_request_context():
        page = url_for(endpoint, **args).strip("/")
    return f"{page}/{PDF_NAMES[endpoint.split('.')[1]]}.pdf"


def printable_sheets(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    """Every page printed to PDF: the teacher's sheets in every language, not the download page."""
    content, languages = loaded_content(app), app.config["LANGUAGES"]
    return [
        (e, a) for lang in languages for e, a in teacher_pages(content, lang) if e != "teacher.download_page"
    ]


class Sheets:
    """The printables' PDFs of one copy: which to print, and what each was printed from."""

    def __init__(self, app: Flask, destination: Path, browser: pdf.Browser, earlier: dict[str, str]):
        self.destination, self.browser, self.earlier = destination, browser, earlier
        self.names = [pdf_file(app, e, a) for e, a in printable_sheets(app)]
        self.printed: dict[str, str] = {}
        self.kept = 0

    def source(self, name: str) -> Path:
        return (self.destination / name).parent / "index.html"

    def print(self, progress: Progress, browsers: int) -> dict[str, str]:
        """Print what changed since the earlier copy; return the PDFs not made, each with why."""
        shared = self.shared_digest()
        wanted = {name: self.digest(name, shared) for name in self.names}
        unchanged = {
            n for n in self.names if self.earlier.get(n) == wanted[n] and (self.destination / n).is_file()
        }
        to_print = [name for name in self.names if name not in unchanged]
        progress("pdfs", 0, len(to_print))
        done = []

        def printed(target: Path) -> None:
            done.append(target)
            progress("pdfs", len(done), len(to_print))

        pages = [(self.source(name), self.destination / name) for name in to_print]
        failed = pdf.render(pages, self.browser, browsers, printed)
        missing = {
            name: failed[self.destination / name] for name in to_print if self.destination / name in failed
        }
        for name in missing:
            (self.destination / name).unlink(missing_ok=True)  # an empty or stale file at the copy's own path
        self.printed = {name: wanted[name] for name in self.names if name not in missing}
        self.kept = len(unchanged)
        return missing

    def shared_digest(self) -> bytes:
        """What every sheet is also printed from: the copy's static files, and the browser."""
        digest = hashlib.blake2b(str(self.browser).encode(), digest_size=16)
        with contextlib.suppress(OSError):  # a browser updated in place prints anew
            stat = Path(self.browser.path).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        static = self.destination / "static"
        for path in sorted(static.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(static).as_posix().encode() + b"\0" + path.read_bytes())
        return digest.digest()

    def digest(self, name: str, shared: bytes) -> str:
        return hashlib.blake2b(shared + self.source(name).read_bytes(), digest_size=16).hexdigest()


def freeze_download_pages(app: Flask, content: Content, languages: list[str]) -> None:
    """The download pages again, now that the copy knows which PDFs it holds."""
    freezer = Freezer(app, with_static_files=False, with_no_argument_rules=False, log_url_for=False)
    freezer.register_generator(lambda: (("teacher.download_page", {"lang": lang}) for lang in languages))
    for _page in freezer.freeze_yield():
        pass


def write_unfinished_note(app: Flask, destination: Path) -> None:
    """Beside index.html until the copy is finished, in every language of the copy."""
    texts = []
    for lang in app.config["LANGUAGES"]:
        with app.test_request_context(f"/{lang}/"):
            refresh()
            texts.append(render_template("teacher/unfinished.txt"))
    (destination / UNFINISHED).write_text("\n\n".join(texts), encoding="utf-8")


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


def check_copy(folder: Path, languages: list[str], files: set[str] | None = None) -> list[str]:
    """Every internal link and asset resolves to a file; every page is in its path's language.
    Only the copy's own `files` are checked when given: a teacher's pages beside them are theirs."""
    problems = []
    if not (folder / "index.html").is_file():
        problems.append("index.html: missing")
    pages = folder.rglob("*.html") if files is None else (folder / f for f in files if f.endswith(".html"))
    for page in sorted(pages):
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
            problem = _broken(page, address, rel, files or set())
            if problem:
                problems.append(f"{rel}: {problem}")
    return problems


def _broken(page: Path, address: str, rel: str, files: set[str]) -> str:
    if address.startswith(OUTSIDE_SCHEMES) or address.startswith(("#", "data:", "//")):
        return ""
    path = unquote(urlsplit(address).path)
    if path.startswith("/"):
        return f"link {address} is absolute and breaks when opened from a folder"
    if posixpath.normpath(posixpath.join(posixpath.dirname(rel), path)) in files:
        return ""  # one of the files the copy has just written: no need to ask the disk
    target = (page.parent / path).resolve()
    if not target.is_file():
        return f"link {address} leads to no file"
    return ""
