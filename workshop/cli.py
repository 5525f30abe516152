"""The `workshop` command: each subcommand parses options and calls one function."""

from __future__ import annotations

import contextlib
import ipaddress
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import click

from . import __version__, create_app, download, kit, network, pdf, report, store, translations
from .auth import presenter_key
from .content import ContentError, loaded_content
from .errors import StartupError
from .offline import FreezeError, FreezeRefused, freeze
from .serve import PortInUse, make_server, open_in_browser, run_until_stopped, terminal_qr


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="Safe Online Workshop")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder with slides/, quizzes/, scenarios/, statements/, directory/ and guide/ "
    "(default: the built-in content).",
)
@click.pass_context
def main(ctx: click.Context, content_dir: str | None) -> None:
    """Safe Online Workshop: school sessions on staying safe online, with or without a network."""
    printable_anywhere()
    config = {}
    if content_dir:
        config["CONTENT_DIR"] = str(Path(content_dir).resolve())
    ctx.obj = config


def printable_anywhere() -> None:
    """A character the terminal cannot show (a user folder named Łukasz on a Windows code page,
    output sent to a file or to nothing) prints as ?, instead of stopping the command."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):  # no stream (pythonw), or not text
            stream.reconfigure(errors="replace")


def build_app(config: dict, read_only: bool = True):
    """The app on checked content, or the list of problems and exit status 1. Only `serve`
    and `purge` may change the database: the other commands open it read-only."""
    try:
        return create_app({**config, "READ_ONLY": read_only})
    except ContentError as error:
        report_problems(error)
        sys.exit(1)
    except StartupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)


def report_problems(error: ContentError) -> None:
    count = len(error.problems)
    click.echo(f"The content has {count} problem{'s' if count != 1 else ''}:", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


@main.command()
@click.pass_obj
def check(config: dict) -> None:
    """Check every content file and list each problem with its file and field."""
    app = build_app(config)
    say_content_folder(app)
    content = loaded_content(app)
    folder, languages = Path(app.config["TRANSLATIONS_DIR"]), app.config["LANGUAGES"]
    broken, missing = translations.catalog_problems(folder, languages)
    for warning in missing:
        click.echo(f"Warning: {warning}", err=True)
    for lang in sorted(set(languages) - set(content.signals)):
        unlisted = f"no signals/{lang}.toml: questions are checked with the other languages' lists"
        click.echo(f"Warning: {unlisted}", err=True)
    for gap in translations.gaps(folder, languages):
        click.echo(f"Warning: {gap} (English is shown instead)", err=True)
    if broken:
        click.echo(f"{len(broken)} catalog(s) cannot be read:", err=True)
        for problem in broken:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(
        f"Content OK. Modules: {len(content.modules)}, quizzes: {len(content.quizzes)}, "
        f"scenarios: {len(content.scenarios)}, "
        f"help services: {len(content.directory.services)}. "
        f"Modules with a before-and-after check: {len(content.before_after)}. "
        f"Signal lists, their examples checked: {', '.join(sorted(content.signals))}."
    )


@main.command()
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--lan", is_flag=True, help="Listen on the local network so pupils' devices can open the workshop."
)
@click.option(
    "--address",
    metavar="IP",
    help="The address pupils' devices open, when this computer has several (--lan lists them); means --lan.",
)
@click.option(
    "--browser/--no-browser",
    default=True,
    help="Open the presenter's page, signed in, in the default browser (the default).",
)
@click.pass_obj
def serve(config: dict, port: int, lan: bool, address: str | None, browser: bool) -> None:
    """Start the workshop on this computer (add --lan for pupils' devices)."""
    lan = lan or bool(address)
    if address:
        own_address(address)
    host = "0.0.0.0" if lan else "127.0.0.1"
    app = build_app(config, read_only=False)
    data = Path(app.config["DATA_DIR"])
    try:
        server = make_server(app, host, port)
    except PortInUse as error:
        already = kit.running(data)
        if already is None or already.port != port:
            click.echo(str(error), err=True)
            sys.exit(1)
        # A second double-click: the workshop is there already, so show it.
        click.echo(
            f"The workshop is already running on this computer (port {port}): opening its presenter's page."
        )
        click.echo(f"  Presenter:  {already.presenter_url}")
        open_in_browser(already.presenter_url, then_exit=True)
        return
    port = server.effective_port
    local = f"http://127.0.0.1:{port}"
    presenter_url = f"{local}/presenter/?key={presenter_key(app)}"
    record = kit.note_running(data, int(port), presenter_url)
    purged = store.purge_folder(app, app.config["RETENTION_DAYS"])
    click.echo("Safe Online Workshop is running.")
    click.echo(f"  Presenter:  {presenter_url}")
    click.echo(f"  Open:       {local}/")
    if lan:
        tell_pupils(app, port, address)
    say_content_folder(app)
    click.echo(f"  Data:       {data} (the lessons and the season report)")
    if purged:
        click.echo(f"Deleted {purged} session(s) older than {app.config['RETENTION_DAYS']} days.")
    if browser and not open_in_browser(presenter_url):
        # Said, not left silent: the README promises a browser that opens by itself.
        click.echo("  No desktop to open a browser on: open the Presenter address above in a browser.")
    click.echo("Press Ctrl+C to stop.")
    try:
        run_until_stopped(
            server, on_stop=store.checkpoint_regularly(app.extensions["workshop.database_path"])
        )
    finally:
        kit.forget_running(record)
    click.echo("Stopped.")


def say_content_folder(app) -> None:
    """Which content is in use, and whether the kit folder this runs in holds other files."""
    content = Path(app.config["CONTENT_DIR"])
    click.echo(f"  Content:    {content}")
    note = kit.edits_ignored_note(content, Path.cwd())
    if note:
        click.echo(note)


def own_address(address: str) -> None:
    """Refuse an --address that is not one of this computer's: phones could never open it."""
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        raise click.BadParameter(
            f"{address} is not an IPv4 address such as 192.168.1.20.", param_hint="--address"
        ) from None
    mine = [found.ip for found in network.lan_addresses()]
    if address not in mine:
        listed = ", ".join(mine) or "none: connect it to the classroom Wi-Fi or turn on its hotspot"
        raise click.BadParameter(
            f"{address} is not an address of this computer. Its addresses: {listed}.", param_hint="--address"
        )


NO_NETWORK = """\
  No network: this computer is not connected to one, so pupils' devices cannot join yet.
  Connect it to the classroom Wi-Fi (or turn on its mobile hotspot), then reload the
  presenter's page: it shows the address and its QR code."""
WINDOWS_FIREWALL = """\
  Windows may ask whether to allow this program on networks: tick the network type you are on
  (school Wi-Fi is usually "Public") and choose Allow, or pupils' devices cannot connect. If it
  asks for an administrator's password you do not have, turn on this laptop's mobile hotspot,
  let the phones join it, and start again: or ask IT to allow the program."""


def tell_pupils(app, port: int, chosen: str | None) -> None:
    """Print the address pupils open and its QR code, or plainly why there is none."""
    network.listen_on_lan(app, port)
    found = network.lan_addresses()
    if chosen:
        app.config["LAN_URL"] = f"http://{chosen}:{port}/"
    if not (chosen or found):
        click.echo(NO_NETWORK)
        return
    ip = chosen or found[0].ip
    join = f"http://{ip}:{port}/join"
    click.echo(f"  Pupils open {join} (same network), or scan:")
    qr = terminal_qr(join, colours=sys.stdout.isatty())
    try:
        qr.encode(sys.stdout.encoding or "ascii")
    except UnicodeEncodeError:  # an old Windows console: the presenter's page shows it too
        click.echo("  (open the presenter's page for the QR code)")
    else:
        click.echo(qr)
    other_addresses(found, ip)
    if not chosen and found[0].virtual:
        name = found[0].interface
        click.echo(f"  Warning: {name} looks like a VPN or virtual adapter: phones may not reach it.")
    if sys.platform == "win32":
        click.echo(WINDOWS_FIREWALL)


def other_addresses(found: list[network.NetworkAddress], shown: str) -> None:
    others = [f"{a.ip} ({a.interface})" for a in found if a.ip != shown]
    if others:
        click.echo(f"  Other addresses of this computer: {', '.join(others)}.")
        click.echo("  If phones cannot open the address above, start again with --address and one of these.")


@main.command()
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=None,
    help="Delete sessions older than this many days (default: the RETENTION_DAYS setting).",
)
@click.pass_obj
def purge(config: dict, days: float | None) -> None:
    """Delete old live sessions with all their answers and questions."""
    app = build_app(config, read_only=False)
    deleted = store.purge_folder(app, app.config["RETENTION_DAYS"] if days is None else days)
    click.echo(f"Deleted {deleted} session{'s' if deleted != 1 else ''}.")


@main.command("report")
@click.option(
    "--from", "first_day", metavar="YYYY-MM-DD", help="First day (default: 1 September of this school year)."
)
@click.option("--to", "last_day", metavar="YYYY-MM-DD", help="Last day (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV, for a spreadsheet.")
@click.pass_obj
def report_command(config: dict, first_day: str | None, last_day: str | None, as_csv: bool) -> None:
    """Print the season report: sessions, pupils reached, questions asked, the before-and-after shift."""
    app = build_app(config)
    try:
        first, last = report.date_range(first_day, last_day, date.today())
    except ValueError as error:
        raise click.BadParameter(
            f"{error} (write dates as YYYY-MM-DD, the first no later than the last)"
        ) from None
    content = loaded_content(app)
    try:
        with app.app_context():
            season = report.season_report(content, first, last)
    except report.ReportError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except sqlite3.Error as error:
        click.echo(
            f"The database {app.extensions['workshop.database_path']} cannot be read ({error}). "
            "Nothing was changed: `workshop serve` checks it and sets it aside if it is damaged.",
            err=True,
        )
        sys.exit(1)
    click.echo(report.as_csv(season) if as_csv else report.as_text(season, content), nl=False)


@main.group("translations")
def translations_group() -> None:
    """Keep the gettext catalogs in step with the code and the content (uses Babel)."""


def _catalogs(config: dict) -> tuple[Path, list[str], Path]:
    app = build_app(config)
    return Path(app.config["TRANSLATIONS_DIR"]), app.config["LANGUAGES"], Path(app.config["CONTENT_DIR"])


@translations_group.command("update")
@click.pass_obj
def translations_update(config: dict) -> None:
    """Extract every string into the .pot templates and update each language's .po files."""
    folder, languages, content = _catalogs(config)
    try:
        translations.update(folder, languages, content)
    except translations.UpdateRefused as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except ContentError as error:
        report_problems(error)
        sys.exit(1)
    click.echo(f"Updated the catalogs of {', '.join(languages)} in {folder}.")


@translations_group.command("compile")
@click.pass_obj
def translations_compile(config: dict) -> None:
    """Compile the .po files into the .mo files the app reads (the app also does this itself)."""
    folder, _, _ = _catalogs(config)
    written = translations.compile_all(folder)
    click.echo(f"Compiled {len(written)} catalog(s); the others were up to date.")


@translations_group.command("stats")
@click.pass_obj
def translations_stats(config: dict) -> None:
    """Print each language's coverage per domain."""
    folder, languages, _ = _catalogs(config)
    for row in translations.coverage(folder, languages):
        fuzzy = f", {row.fuzzy} fuzzy" if row.fuzzy else ""
        click.echo(
            f"{row.lang:4} {row.domain:9} {row.translated:4}/{row.total:<4} {row.percent:5.1f}%{fuzzy}"
        )


@main.command("freeze")
@click.argument("destination", default="offline", type=click.Path(file_okay=False))
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="CODE",
    help="Only this language (repeat for several, e.g. --lang en --lang fr); default: every language.",
)
@click.option("--no-pdfs", is_flag=True, help="Leave out the PDFs: the printables stay in the copy as pages.")
@click.option(
    "--background",
    "progress_file",
    hidden=True,
    type=click.Path(dir_okay=False),
    help="Build for the download page: low priority, one browser, progress written to this file.",
)
@click.pass_obj
def freeze_command(
    config: dict, destination: str, languages: tuple[str, ...], no_pdfs: bool, progress_file: str | None
) -> None:
    """Write the offline copy (every public page, every language) to DESTINATION and a zip."""
    # A copy needs no data folder: no database, no secret key (see store and auth).
    app = build_app({**config, "FREEZING": True})
    started = time.monotonic()
    if progress_file:
        progress, browsers = download.background_progress(Path(progress_file)), 1
    else:
        progress, browsers = TerminalProgress(), 2
    pdfs = False if no_pdfs else None
    try:
        copy = freeze(app, Path(destination), progress, browsers, list(languages) or None, pdfs)
    except FreezeRefused as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except FreezeError as error:
        click.echo(f"The offline copy is broken:\n{error}", err=True)
        sys.exit(1)
    click.echo(
        f"Wrote {copy.pages} pages to {copy.folder} and {copy.archive} in {time.monotonic() - started:.0f} s."
    )
    click.echo(
        f"Size: {copy.size_without_pdfs / 1e6:.1f} MB without PDFs, {copy.size_bytes / 1e6:.1f} MB in all."
    )
    tell_pdfs(copy, app.config["PDFS"])
    click.echo(f"Open {copy.folder / 'index.html'} in a browser, or put the folder on any web host.")


def tell_pdfs(copy, wanted: bool) -> None:
    """How many PDFs the copy holds, and for any missing, which and why."""
    if copy.pdf_tool:
        kept = f" ({copy.kept_pdfs} unchanged, kept from the earlier copy)" if copy.kept_pdfs else ""
        click.echo(f"PDFs: {copy.pdfs}{kept}, printed with {copy.pdf_tool}.")
    elif wanted:
        click.echo("No PDFs: no Chrome, Edge or Chromium was found. The printables are in the copy as pages.")
        click.echo(pdf.INSTALL_HINT)
    if copy.missing_pdfs:
        count = len(copy.missing_pdfs)
        click.echo(
            f"Warning: {count} PDF{'s are' if count != 1 else ' is'} missing; "
            "those printables are in the copy as pages:",
            err=True,
        )
        for name, why in sorted(copy.missing_pdfs.items()):
            click.echo(f"  {name}: {why}", err=True)
        click.echo(
            "A browser managed by the school or an antivirus may refuse to print: try again, or make "
            "the copy with --no-pdfs.",
            err=True,
        )


class TerminalProgress:
    """How far `freeze` is: updated in place on a terminal, a line every tenth in a log."""

    LABELS = {"pages": "Writing files", "pdfs": "Printing PDFs"}

    def __init__(self) -> None:
        self.in_place = sys.stdout.isatty()
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "zip":
            if not done:  # the summary follows when it is written
                click.echo("  Making the zip...")
            return
        line = f"  {self.LABELS[stage]}: {done} of {total}"
        if self.in_place:
            click.echo(f"\r{line}", nl=done == total)
        elif (stage, done * 10 // max(total, 1)) != self.shown:
            self.shown = (stage, done * 10 // max(total, 1))
            click.echo(line)
