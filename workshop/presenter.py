"""Only the presenter: sign in with the key, start a live session, drive it, see results."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from . import live, network
from .auth import presenter_required, sign_in
from .content import loaded_content
from .i18n import best_language
from .public import found
from .render import polled_json
from .security import allowed

bp = Blueprint("presenter", __name__)


@bp.route("/presenter/")
def sign_in_with_key():
    """The URL `workshop serve` prints: `/presenter/?key=...` signs this browser in."""
    key = request.args.get("key", "")
    if key and not allowed("presenter sign-in", "any"):
        abort(429)
    if key and not sign_in(key, current_app.config["PRESENTER_KEY"]):
        abort(403)
    return redirect(url_for("presenter.home", lang=best_language()))


@bp.route("/<lang>/presenter/")
@presenter_required
def home(lang):
    """Start a session, see the address pupils open, go back to recent sessions."""
    reach = network.pupils_reach()
    modules = loaded_content().modules
    return render_template(
        "presenter/home.html",
        modules=modules,
        titles={m.id: m.title for m in modules},
        sessions=live.recent_sessions(),
        reach=reach,
        qr_svg=qr_svg(reach.join_url),
    )


@bp.post("/<lang>/presenter/sessions/")
@presenter_required
def start(lang):
    """A new live session of the chosen module and age band, opened on its console."""
    session = live.start(request.form.get("module", ""), request.form.get("band", ""))
    return redirect(url_for("presenter.console", lang=lang, code=session.code))


def live_session(code: str) -> live.LiveSession:
    """The session a presenter's URL names, or a plain 404."""
    return found(live.get_session(code))


@bp.route("/<lang>/presenter/sessions/<code>/")
@presenter_required
def console(lang, code):
    """The projected console: the current step, the counts, the chart and every control."""
    session = live_session(code)
    return render_template(
        "presenter/console.html",
        session=session,
        step=live.current_step(session),
        result=live.current_result(session),
        participants=live.participant_count(session),
        join_page=network.pupils_reach().join_url,
        qr_svg=qr_svg(join_url(code)),
        shown_question=live.shown_question(session),
    )


@bp.post("/<lang>/presenter/sessions/<code>/<action>")
@presenter_required
def act(lang, code, action):
    """One of the console's buttons; then back to the page it was pressed on."""
    choice = request.form.get("choice") or None
    live.act(live_session(code), action, choice, request.form.get("question", type=int))
    target = request.form.get("back_to") == "questions"
    return redirect(
        url_for("presenter.pupil_questions" if target else "presenter.console", lang=lang, code=code)
    )


@bp.route("/presenter/sessions/<code>/state.json")
@presenter_required
def state(code):
    """Polled by the console: answer counts arrive without reloading the page."""
    return polled_json(live.presenter_state(live_session(code)))


@bp.route("/<lang>/presenter/sessions/<code>/questions/")
@presenter_required
def pupil_questions(lang, code):
    """Pupils' anonymous questions: for the presenter's own screen, not the projector."""
    session = live_session(code)
    return render_template(
        "presenter/questions.html", session=session, questions=live.pupil_questions(session)
    )


@bp.route("/<lang>/presenter/sessions/<code>/results/")
@presenter_required
def summary(lang, code):
    """A chart for every question of the session."""
    session = live_session(code)
    return render_template(
        "presenter/results.html",
        session=session,
        module=loaded_content().modules_by_id[session.module_id],
        results=live.session_results(session),
        participants=live.participant_count(session),
    )


@bp.route("/presenter/sessions/<code>/results.json")
@presenter_required
def results_json(code):
    """The counts as JSON, for a spreadsheet or a report."""
    return jsonify(live.results_document(live_session(code)))


@bp.route("/presenter/sessions/<code>/results.csv")
@presenter_required
def results_csv(code):
    """The counts as CSV, one row per question and choice."""
    return Response(
        live.results_csv(live_session(code)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=workshop-{code}.csv"},
    )


def join_url(code: str) -> str:
    """The session's address for pupils' devices, or "" when they cannot reach this server."""
    base = network.pupils_base_url()
    return f"{base}j/{code}" if base else ""


def qr_svg(url: str) -> Markup:
    """A QR code of the address, drawn inline so it works with no network at all."""
    if not url:
        return Markup("")
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)
