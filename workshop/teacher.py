"""For teachers, and frozen with the public pages: the download page and printable sheets.

Printables are ordinary pages with a print stylesheet (clean A4 from the browser's Print);
`workshop freeze` also turns each into a PDF where Chrome, Edge or Chromium is installed.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from . import download
from .auth import is_presenter, presenter_required
from .content import Module, loaded_content
from .errors import fail
from .lesson import build_deck
from .public import found
from .render import polled_json
from .security import check_address

bp = Blueprint("teacher", __name__)

# Printables that exist once per language, and those that exist once per module.
SHEETS = ("help_card", "help_poster", "guide_print")
MODULE_SHEETS = ("worksheet", "answer_key", "scenario_sheets", "parents")
PDF_NAMES = {
    "help_card": "help-cards",
    "help_poster": "help-poster",
    "guide_print": "guide",
    "worksheet": "quiz-worksheet",
    "answer_key": "answer-key",
    "scenario_sheets": "story-sheets",
    "parents": "for-parents",
}


@bp.route("/<lang>/download/")
def download_page(lang):
    """What the offline copy holds and how to use it; the live app adds the zip itself."""
    freezing = current_app.config["FREEZING"]
    if not freezing:
        check_address("download checks")
    copies = [] if freezing else download.current_copies(current_app)
    # PDF links only in a frozen copy, to the PDFs it holds: the live app serves none.
    in_copy = current_app.extensions.get("workshop.copy_pdfs", set()) if freezing else set()
    with_pdfs = {name.split("/", 1)[1] for name in in_copy if name.startswith(f"{lang}/")}
    return render_template(
        "teacher/download.html",
        modules=loaded_content().modules,
        copies=copies,
        build=None if freezing else download.build_status(current_app),
        can_build=is_presenter(),
        all_languages=current_app.config["LANGUAGES"],
        pdfs_offered=current_app.config["PDFS"],
        freezing=freezing,
        pdf_names=PDF_NAMES,
        with_pdfs=with_pdfs,
    )


@bp.post("/<lang>/download/build")
@presenter_required
def build_download(lang):
    """Only the presenter starts a build: it is heavy, and a lesson may be running."""
    offered = current_app.config["LANGUAGES"]
    chosen = tuple(code for code in offered if code in request.form.getlist("lang"))
    if not chosen:
        fail(400, _("Choose at least one language for the offline copy."))
    # An unticked box sends nothing; PDFs are only offered where the setting allows them.
    with_pdfs = current_app.config["PDFS"] and request.form.get("pdfs") == "on"
    download.start_build(current_app, download.Choice(chosen, with_pdfs))
    return redirect(url_for("teacher.download_page", lang=lang))


@bp.route("/download/status.json")
def download_status():
    """Polled by the download page while the copy is built."""
    check_address("download checks")
    build = download.build_status(current_app)
    return polled_json(
        {
            "ready": bool(download.current_copies(current_app)),
            "build": asdict(build) if build else None,
        }
    )


@bp.route("/download/<name>.zip")
def download_zip(name):
    """The offline copy as a zip, under the name the download page links to."""
    # The name carries the copy's fingerprint: a link to an older copy gets a 404, not a
    # different file.
    copy = found(next((c for c in download.current_copies(current_app) if c.path.stem == name), None))
    return send_file(copy.path, as_attachment=True, download_name="safe-online-workshop.zip")


def module_of(module_id: str) -> Module:
    """The module a printable's URL names, or a plain 404."""
    return found(loaded_content().modules_by_id.get(module_id))


@bp.route("/<lang>/print/modules/<module_id>/worksheet/")
def worksheet(lang, module_id):
    """A module's quizzes on paper, to tick."""
    module = module_of(module_id)
    quizzes = loaded_content().quizzes_in(module)
    return render_template("teacher/worksheet.html", module=module, quizzes=quizzes, key=False)


@bp.route("/<lang>/print/modules/<module_id>/answer-key/")
def answer_key(lang, module_id):
    """The worksheet with the right answers and why, for the teacher. On a running server it is
    the presenter's only: pupils in a live quiz are on the same network (the offline copy and
    its PDFs hold it for teachers)."""
    if not (current_app.config["FREEZING"] or is_presenter()):
        fail(403, _("The answer key is for the presenter: open it signed in, or in the offline copy."))
    module = module_of(module_id)
    quizzes = loaded_content().quizzes_in(module)
    return render_template("teacher/worksheet.html", module=module, quizzes=quizzes, key=True)


@bp.route("/<lang>/print/modules/<module_id>/scenarios/")
def scenario_sheets(lang, module_id):
    """A module's stories as gamebooks for group work: numbered sections, "go to section 3"."""
    module = module_of(module_id)
    scenarios = loaded_content().scenarios_in(module)
    return render_template("teacher/scenarios.html", module=module, scenarios=scenarios)


@bp.route("/<lang>/print/modules/<module_id>/parents/")
def parents(lang, module_id):
    """One page for a pupil's family: what the module taught, what to do if their child tells
    them something, and where to get help."""
    return render_template("teacher/parents.html", module=module_of(module_id))


@bp.route("/<lang>/print/help-card/")
def help_card(lang):
    """Wallet-size cards with the helplines, to cut out."""
    # Eight cards fill one A4 sheet.
    return render_template("teacher/help_card.html", copies=range(8))


@bp.route("/<lang>/print/help-poster/")
def help_poster(lang):
    """Every service of the help directory on one A4 page."""
    return render_template("teacher/help_poster.html")


@bp.route("/<lang>/print/guide/")
def guide_print(lang):
    """The facilitator guide, then every module's lesson plan, step by step for each age band."""
    content = loaded_content()
    plans = [
        (module, {band: build_deck(content, module, band) for band in module.age_bands})
        for module in content.modules
    ]
    return render_template("teacher/guide.html", guide=content.guide, plans=plans)
