"""Only the presenter: sign in with the key, start a live session, drive it, see results."""

from __future__ import annotations

import csv
import io

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

from . import classroom, network, results, store
from .auth import presenter_required, sign_in
from .i18n import best_language
from .public import check_language, content, found
from .security import allowed
from .state import conditional_json

bp = Blueprint("presenter", __name__)
bp.url_value_preprocessor(check_language)

ACTIONS = {
    "next": lambda s: classroom.go_next(s, request.form.get("choice") or None),
    "back": classroom.go_back,
    "close": classroom.close,
    "reveal": classroom.reveal,
    "reopen": classroom.reopen,
    "reset": classroom.reset,
    "hide-chart": lambda s: classroom.set_chart_hidden(s, True),
    "show-chart": lambda s: classroom.set_chart_hidden(s, False),
    "show-question": lambda s: classroom.show_pupil_question(s, request.form.get("question", type=int)),
    "hide-question": lambda s: classroom.show_pupil_question(s, None),
    "end": classroom.end,
}


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
    reach = network.pupils_reach()
    return render_template(
        "presenter/home.html",
        modules=content().modules,
        titles={m.id: m.title for m in content().modules},
        sessions=store.recent_sessions(store.db()),
        reach=reach,
        qr_svg=qr_svg(reach.join_url),
    )


@bp.post("/<lang>/presenter/sessions/")
@presenter_required
def start(lang):
    module = found(content().modules_by_id.get(request.form.get("module", "")))
    band = request.form.get("band", "")
    if band not in module.age_bands:
        abort(400)
    session = classroom.start(module.id, band)
    return redirect(url_for("presenter.console", lang=lang, code=session.code))


def live_session(code: str) -> store.LiveSession:
    return found(store.get_session(store.db(), code))


@bp.route("/<lang>/presenter/sessions/<code>/")
@presenter_required
def console(lang, code):
    session = live_session(code)
    step = classroom.current_step(session)
    return render_template(
        "presenter/console.html",
        session=session,
        step=step,
        result=results.live_result(session, step) if step.key else None,
        participants=store.participant_count(store.db(), code),
        join_url=join_url(code),
        qr_svg=qr_svg(join_url(code)),
        shown_question=_shown_question(session),
    )


def _shown_question(session):
    questions = store.pupil_questions(store.db(), session.code)
    return next((q["text"] for q in questions if q["id"] == session.shown_question), "")


@bp.post("/<lang>/presenter/sessions/<code>/<action>")
@presenter_required
def act(lang, code, action):
    session = live_session(code)
    if action not in ACTIONS or (session.ended and action != "end"):
        abort(400)
    ACTIONS[action](session)
    target = request.form.get("back_to") == "questions"
    return redirect(
        url_for("presenter.pupil_questions" if target else "presenter.console", lang=lang, code=code)
    )


@bp.route("/presenter/sessions/<code>/state.json")
@presenter_required
def state(code):
    """Polled by the console: answer counts arrive without reloading the page."""
    session = live_session(code)
    step = classroom.current_step(session)
    result = results.live_result(session, step) if step.key else None
    return conditional_json(
        {
            "version": session.version,
            "participants": store.participant_count(store.db(), code),
            "questions": len(store.pupil_questions(store.db(), code)),
            "answered": result.answered if result else 0,
            "choices": {c.id: {"count": c.count, "share": c.share} for c in result.choices} if result else {},
        }
    )


@bp.route("/<lang>/presenter/sessions/<code>/questions/")
@presenter_required
def pupil_questions(lang, code):
    """Pupils' anonymous questions: for the presenter's own screen, not the projector."""
    session = live_session(code)
    return render_template(
        "presenter/questions.html", session=session, questions=store.pupil_questions(store.db(), code)
    )


@bp.route("/<lang>/presenter/sessions/<code>/results/")
@presenter_required
def summary(lang, code):
    session = live_session(code)
    return render_template(
        "presenter/results.html",
        session=session,
        module=content().modules_by_id[session.module_id],
        results=results.session_results(session),
        participants=store.participant_count(store.db(), code),
    )


@bp.route("/presenter/sessions/<code>/results.json")
@presenter_required
def results_json(code):
    session = live_session(code)
    return jsonify(
        {
            "session": {
                "code": session.code,
                "module": session.module_id,
                "age_band": session.band,
                "participants": store.participant_count(store.db(), code),
            },
            "questions": [
                {
                    "key": r.key,
                    "text": r.text,
                    "answered": r.answered,
                    "choices": [
                        {
                            "id": c.id,
                            "text": c.text,
                            "count": c.count,
                            "percent": c.share,
                            "correct": c.correct,
                        }
                        for c in r.choices
                    ],
                }
                for r in results.session_results(session)
            ],
        }
    )


@bp.route("/presenter/sessions/<code>/results.csv")
@presenter_required
def results_csv(code):
    rows = results.as_rows(results.session_results(live_session(code)))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["question_key"])
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
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
