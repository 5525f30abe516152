"""What anyone may open, and what the offline copy freezes: modules, slides, self-paced
quizzes and scenarios, the help directory and the facilitator guide."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from .content import PlanKind, loaded_content
from .i18n import best_language
from .lesson import bands_using, build_deck

bp = Blueprint("public", __name__)


def found(value):
    """The looked-up thing, or a plain 404 for an unknown id."""
    if value is None:
        abort(404)
    return value


@bp.route("/")
def index():
    """The live app sends a browser to its language; the offline copy lets the reader choose."""
    if current_app.config["FREEZING"]:
        return render_template("public/languages.html")
    return redirect(url_for("public.home", lang=best_language()))


@bp.route("/<lang>/")
def home(lang):
    """Every module, in curriculum order."""
    return render_template("public/home.html", modules=loaded_content().modules)


@bp.route("/<lang>/modules/<module_id>/")
def module(lang, module_id):
    """A module's summary, content note, slides and what a pupil can do on their own."""
    content = loaded_content()
    module = found(content.modules_by_id.get(module_id))
    return render_template(
        "public/module.html",
        module=module,
        quizzes=content.quizzes_in(module),
        scenarios=content.scenarios_in(module),
    )


def _deck(module_id, band):
    module = found(loaded_content().modules_by_id.get(module_id))
    # An age band the module is not for is as unknown as a module that does not exist.
    if band not in module.age_bands:
        abort(404)
    return module, build_deck(loaded_content(), module, band)


@bp.route("/<lang>/modules/<module_id>/<band>/slides/")
def slides(lang, module_id, band):
    """The deck for the projector, one slide at a time; every slide is in the page."""
    module, deck = _deck(module_id, band)
    return render_template("public/slides.html", module=module, band=band, deck=deck)


@bp.route("/<lang>/modules/<module_id>/<band>/speaker/")
def speaker(lang, module_id, band):
    """The presenter's view of the deck: notes, the next slide and a clock."""
    module, deck = _deck(module_id, band)
    return render_template("public/speaker.html", module=module, band=band, deck=deck)


@bp.route("/<lang>/quizzes/<quiz_id>/")
def quiz(lang, quiz_id):
    """A quiz to take alone: the feedback of a picked choice shows without a server."""
    quiz = found(loaded_content().quizzes.get(quiz_id))
    bands = bands_using(loaded_content().modules, PlanKind.QUIZ, quiz_id)
    return render_template("public/quiz.html", quiz=quiz, bands=bands)


@bp.route("/<lang>/scenarios/<scenario_id>/", defaults={"step_id": None})
@bp.route("/<lang>/scenarios/<scenario_id>/<step_id>/")
def scenario_step(lang, scenario_id, step_id):
    """One step of a story; its choices are links, so the story works from a folder."""
    scenario = found(loaded_content().scenarios.get(scenario_id))
    step = found(scenario.steps_by_id.get(step_id or scenario.start))
    bands = bands_using(loaded_content().modules, PlanKind.SCENARIO, scenario_id)
    return render_template(
        "public/scenario_step.html",
        scenario=scenario,
        step=step,
        bands=bands,
        first=step.id == scenario.start,
    )


@bp.route("/<lang>/scenarios/<scenario_id>/<step_id>/<choice_id>/")
def scenario_choice(lang, scenario_id, step_id, choice_id):
    """Why a choice matters, before the story goes on."""
    scenario = found(loaded_content().scenarios.get(scenario_id))
    step = found(scenario.steps_by_id.get(step_id))
    choice = found(step.choice(choice_id))
    return render_template("public/scenario_choice.html", scenario=scenario, step=step, choice=choice)


@bp.route("/<lang>/help/")
def help(lang):
    """Where to get help: every service, its number, its hours and whether it is open now."""
    return render_template("public/help.html")


@bp.route("/<lang>/guide/")
def guide(lang):
    """The guide for presenters and teachers."""
    return render_template("public/guide.html", guide=loaded_content().guide)
