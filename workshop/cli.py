"""The `workshop` command: each subcommand parses options and calls one function."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from . import create_app, report, store, translations
from .content import ContentError, loaded_content
from .errors import StartupError
from .offline import FreezeError, FreezeRefused, freeze
from .serve import PortInUse, lan_address, make_server, run_until_stopped, terminal_qr


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    config = {}
    if content_dir:
        config["CONTENT_DIR"] = str(Path(content_dir).resolve())
    ctx.obj = config


def build_app(config: dict):
    """The app on checked content, or the list of problems and exit status 1."""
    try:
        return create_app(config)
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
    content = loaded_content(app)
    for gap in translations.gaps(Path(app.config["TRANSLATIONS_DIR"]), app.config["LANGUAGES"]):
        click.echo(f"Warning: {gap} (English is shown instead)", err=True)
    click.echo(
        f"Content OK. Modules: {len(content.modules)}, quizzes: {len(content.quizzes)}, "
        f"scenarios: {len(content.scenarios)}, "
        f"help services: {len(content.directory.services)}. "
        f"Modules with a before-and-after check: {len(content.before_after)}."
    )


@main.command()
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--lan", is_flag=True, help="Listen on the local network so pupils' devices can open the workshop."
)
@click.pass_obj
def serve(config: dict, port: int, lan: bool) -> None:
    """Start the workshop on this computer (add --lan for pupils' devices)."""
    host = "0.0.0.0" if lan else "127.0.0.1"
    app = build_app(config)
    try:
        server = make_server(app, host, port)
    except PortInUse as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    purged = store.purge_folder(app, app.config["RETENTION_DAYS"])
    port = server.effective_port
    local = f"http://127.0.0.1:{port}"
    click.echo("Safe Online Workshop is running.")
    click.echo(f"  Presenter:  {local}/presenter/?key={app.config['PRESENTER_KEY']}")
    click.echo(f"  Open:       {local}/")
    if lan:
        lan_url = f"http://{lan_address()}:{port}/"
        app.config["LAN_URL"] = lan_url
        click.echo(f"  Pupils open {lan_url} (same network), or scan:")
        try:
            click.echo(terminal_qr(lan_url))
        except UnicodeEncodeError:  # an old Windows console: the presenter's page shows it too
            click.echo("  (open the presenter's page for the QR code)")
    if purged:
        click.echo(f"Deleted {purged} session(s) older than {app.config['RETENTION_DAYS']} days.")
    click.echo("Press Ctrl+C to stop.")
    run_until_stopped(server, on_stop=store.checkpoint_regularly(app.extensions["workshop.database_path"]))
    click.echo("Stopped.")


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
    app = build_app(config)
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
    with app.app_context():
        season = report.season_report(content, first, last)
    click.echo(report.as_csv(season) if as_csv else report.as_text(season, content), nl=False)


@main.group("translations")
def translations_group() -> None:
    """Keep the gettext catalogs in step with the code and the content (uses Babel)."""


def _catalogs(config: dict) -> tuple[Path, list[str]]:
    app = build_app(config)
    return Path(app.config["TRANSLATIONS_DIR"]), app.config["LANGUAGES"]


@translations_group.command("update")
@click.pass_obj
def translations_update(config: dict) -> None:
    """Extract every string into the .pot templates and update each language's .po files."""
    folder, languages = _catalogs(config)
    translations.update(folder, languages)
    click.echo(f"Updated the catalogs of {', '.join(languages)} in {folder}.")


@translations_group.command("compile")
@click.pass_obj
def translations_compile(config: dict) -> None:
    """Compile the .po files into the .mo files the app reads (the app also does this itself)."""
    folder, _ = _catalogs(config)
    written = translations.compile_all(folder)
    click.echo(f"Compiled {len(written)} catalog(s); the others were up to date.")


@translations_group.command("stats")
@click.pass_obj
def translations_stats(config: dict) -> None:
    """Print each language's coverage per domain."""
    folder, languages = _catalogs(config)
    for row in translations.coverage(folder, languages):
        fuzzy = f", {row.fuzzy} fuzzy" if row.fuzzy else ""
        click.echo(
            f"{row.lang:4} {row.domain:9} {row.translated:4}/{row.total:<4} {row.percent:5.1f}%{fuzzy}"
        )


@main.command("freeze")
@click.argument("destination", default="offline", type=click.Path(file_okay=False))
@click.pass_obj
def freeze_command(config: dict, destination: str) -> None:
    """Write the offline copy (every public page, every language) to DESTINATION and a zip."""
    app = build_app(config)
    try:
        copy = freeze(app, Path(destination))
    except FreezeRefused as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except FreezeError as error:
        click.echo(f"The offline copy is broken:\n{error}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {copy.pages} pages to {copy.folder} and {copy.archive}.")
    click.echo(
        f"Size: {copy.size_without_pdfs / 1e6:.1f} MB without PDFs, {copy.size_bytes / 1e6:.1f} MB in all."
    )
    if copy.pdf_tool:
        click.echo(f"PDFs: {copy.pdfs}, printed with {copy.pdf_tool}.")
    elif app.config["PDFS"]:
        click.echo("No PDFs: Chromium was not found. The printables are in the copy as pages to print.")
    click.echo(f"Open {copy.folder / 'index.html'} in a browser, or put the folder on any web host.")
