"""For teachers, and frozen with the public pages: the download page and printable sheets.

Printables are ordinary pages with a print stylesheet (clean A4 from the browser's Print);
`workshop freeze` also turns each into a PDF where Chromium is installed.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, jsonify, redirect, render_template, send_file, url_for

from . import download, pdf
from .auth import is_presenter, presenter_required
from .content import Module, Scenario
from .deck import build_deck
from .public import check_language, content, found

bp = Blueprint("teacher", __name__)
bp.url_value_preprocessor(check_language)

# Printables that exist once per language, and those that exist once per module.
SHEETS = ("help_card", "help_poster", "guide_print")
MODULE_SHEETS = ("worksheet", "answer_key", "scenario_sheets")
PDF_NAMES = {
    "help_card": "help-cards",
    "help_poster": "help-poster",
    "guide_print": "guide",
    "worksheet": "quiz-worksheet",
    "answer_key": "answer-key",
    "scenario_sheets": "story-sheets",
}


@bp.route("/<lang>/download/")
def download_page(lang):
    """What the offline copy holds and how to use it; the live app adds the zip itself."""
    freezing = current_app.config["FREEZING"]
    copy = None if freezing else download.current_copy(current_app)
    with_pdfs = freezing and current_app.config["PDFS"] and pdf.find_browser() is not None
    return render_template(
        "teacher/download.html",
        modules=content().modules,
        copy=copy,
        build=None if freezing or copy else download.build_status(current_app),
        can_build=is_presenter(),
        freezing=freezing,
        pdf_names=PDF_NAMES if with_pdfs else {},
    )


@bp.post("/<lang>/download/build")
@presenter_required
def build_download(lang):
    """Only the presenter starts a build: it is heavy, and a lesson may be running."""
    download.start_build(current_app)
    return redirect(url_for("teacher.download_page", lang=lang))


@bp.route("/download/status.json")
def download_status():
    """Polled by the download page while the copy is built."""
    build = download.build_status(current_app)
    return jsonify(
        {
            "ready": download.current_copy(current_app) is not None,
            "build": asdict(build) if build else None,
        }
    )


@bp.route("/download/<name>.zip")
def download_zip(name):
    copy = found(download.current_copy(current_app))
    if copy.path.stem != name:
        found(None)
    return send_file(copy.path, as_attachment=True, download_name="safe-online-workshop.zip")


@bp.app_template_global()
def scenario_numbers(scenario: Scenario) -> dict[str, int]:
    """Section numbers for a story on paper, in the order a reader meets the steps."""
    return {step.id: number for number, step in enumerate(scenario.walk(), start=1)}


def module_of(module_id: str) -> Module:
    return found(content().modules_by_id.get(module_id))


def quizzes_of(module: Module):
    return [content().quizzes[ref] for ref in module.refs("quiz")]


@bp.route("/<lang>/print/modules/<module_id>/worksheet/")
def worksheet(lang, module_id):
    module = module_of(module_id)
    return render_template("teacher/worksheet.html", module=module, quizzes=quizzes_of(module), key=False)


@bp.route("/<lang>/print/modules/<module_id>/answer-key/")
def answer_key(lang, module_id):
    module = module_of(module_id)
    return render_template("teacher/worksheet.html", module=module, quizzes=quizzes_of(module), key=True)


@bp.route("/<lang>/print/modules/<module_id>/scenarios/")
def scenario_sheets(lang, module_id):
    module = module_of(module_id)
    scenarios = [content().scenarios[ref] for ref in module.refs("scenario")]
    return render_template("teacher/scenarios.html", module=module, scenarios=scenarios)


@bp.route("/<lang>/print/help-card/")
def help_card(lang):
    return render_template("teacher/help_card.html", copies=range(8))


@bp.route("/<lang>/print/help-poster/")
def help_poster(lang):
    return render_template("teacher/help_poster.html")


@bp.route("/<lang>/print/guide/")
def guide_print(lang):
    plans = [
        (module, {band: build_deck(content(), module, band) for band in module.age_bands})
        for module in content().modules
    ]
    return render_template("teacher/guide.html", guide=content().guide, plans=plans)
