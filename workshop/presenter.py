"""Only the presenter: sign in with the key, start a live session, drive it, see results, and
the season report over a range of dates."""

from __future__ import annotations

from datetime import date, datetime

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
from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from . import live, network, report, schools
from .auth import presenter_required, sign_in, sign_out
from .content import loaded_content
from .errors import fail
from .i18n import best_language
from .lesson import StepKind
from .public import found
from .render import event_stream, polled_json

bp = Blueprint("presenter", __name__)

# Where a button sends the presenter back to, when it was pressed elsewhere than on the console.
BACK_TO = {
    "questions": "presenter.pupil_questions",
    "devices": "presenter.devices",
    "stage": "presenter.stage",
}


@bp.route("/presenter/")
def sign_in_with_key():
    """The URL `workshop serve` prints: `/presenter/?key=...` signs this browser in."""
    key = request.args.get("key", "")
    if key:
        sign_in(key)
    return redirect(url_for("presenter.home", lang=best_language()))


@bp.post("/<lang>/presenter/sign-out")
@presenter_required
def sign_out_of_this_browser(lang):
    """Sign out, on the server too: the terminal prints the new sign-in address."""
    sign_out()
    return redirect(url_for("public.home", lang=lang))


@bp.route("/<lang>/presenter/")
@presenter_required
def home(lang):
    """Start a session, see the address pupils open, go back to recent sessions."""
    reach = network.pupils_reach()
    modules = loaded_content().modules
    kept = schools.school_contacts()
    # The school last saved or used is picked unless the presenter picks another (or none: 0).
    picked = request.args.get("school", type=int, default=kept[0].id if kept else 0)
    return render_template(
        "presenter/home.html",
        modules=modules,
        titles={m.id: m.title for m in modules},
        sessions=live.recent_sessions(),
        reach=reach,
        qr_svg=qr_svg(reach.join_url),
        schools=kept,
        school=next((s for s in kept if s.id == picked), None),
    )


@bp.post("/<lang>/presenter/sessions/")
@presenter_required
def start(lang):
    """A new live session of the chosen module and age band, opened on its console."""
    with_check = request.form.get("check") == "on"  # an unticked box sends nothing
    school_id = request.form.get("school", type=int)
    session = live.start(request.form.get("module", ""), request.form.get("band", ""), with_check, school_id)
    return redirect(url_for("presenter.console", lang=lang, code=session.code))


@bp.route("/<lang>/presenter/schools/")
@presenter_required
def school_contacts(lang):
    """The schools' own contacts: a new one, or the one `?edit=` names, and every one kept."""
    editing = schools.school_contact(request.args.get("edit", type=int))
    return render_template(
        "presenter/schools.html", schools=schools.school_contacts(), contact=editing, problems={}
    )


@bp.post("/<lang>/presenter/schools/")
@presenter_required
def save_school_contact(lang):
    """Keep a school's contact, then back to the presenter page with it picked; the form again
    if something is wrong."""
    school_id = request.form.get("id", type=int) or 0
    if school_id:
        found(schools.school_contact(school_id))
    draft = schools.read_form(request.form, school_id)
    if draft.problems:
        page = render_template(
            "presenter/schools.html",
            schools=schools.school_contacts(),
            contact=draft.contact,
            problems=draft.problems,
        )
        return page, 400
    return redirect(url_for("presenter.home", lang=lang, school=schools.save(draft.contact)))


@bp.post("/<lang>/presenter/schools/<int:school_id>/forget")
@presenter_required
def forget_school_contact(lang, school_id):
    """Forget a school's contact; sessions held for it keep the national helplines."""
    schools.forget(school_id)
    return redirect(url_for("presenter.school_contacts", lang=lang))


@bp.route("/<lang>/presenter/schools/<int:school_id>/help-card/")
@presenter_required
def school_help_card(lang, school_id):
    """The printable help cards with this school's contact: four a page, taller than the eight
    of the cards without it."""
    school = found(schools.school_contact(school_id))
    return render_template("teacher/help_card.html", copies=range(4), school=school)


@bp.route("/<lang>/presenter/schools/<int:school_id>/help-poster/")
@presenter_required
def school_help_poster(lang, school_id):
    """The help poster with this school's contact."""
    return render_template("teacher/help_poster.html", school=found(schools.school_contact(school_id)))


def live_session(code: str) -> live.LiveSession:
    """The session a presenter's URL names, or a plain 404."""
    return found(live.get_session(code))


def live_view(session: live.LiveSession) -> dict:
    """What the stage and the presenter view both show of a session at this moment."""
    step = live.current_step(session)
    return {
        "session": session,
        "step": step,
        "result": live.current_result(session),
        "participants": live.present_count(session),
        "join_page": network.pupils_reach().join_url,
        "qr_svg": qr_svg(join_url(session.code)) if step.kind == StepKind.LOBBY else "",
        "shown_question": live.shown_question(session),
        "branch_ahead": live.branch_ahead(session),
        "shift": live.shift_on_stage(session),
        "asks_first": live.asks_first(session),
        "school": live.school_of(session),
        "override": live.override_here(session),
    }


@bp.route("/<lang>/presenter/sessions/<code>/")
@presenter_required
def console(lang, code):
    """The presenter view, on the laptop's own screen: notes, what comes next, clock, every control."""
    session = live_session(code)
    return render_template("presenter/console.html", **live_view(session), after=live.step_after(session))


@bp.route("/<lang>/presenter/sessions/<code>/panel")
@presenter_required
def panel(lang, code):
    """The presenter view's changing part alone: its script puts it in place when the step changes."""
    session = live_session(code)
    return render_template("presenter/_panel.html", **live_view(session), after=live.step_after(session))


@bp.route("/<lang>/presenter/sessions/<code>/stage/")
@presenter_required
def stage(lang, code):
    """The stage, for the projector: the lesson alone, fitted to the screen."""
    return render_template("presenter/stage.html", **live_view(live_session(code)))


@bp.route("/<lang>/presenter/sessions/<code>/stage/step")
@presenter_required
def stage_step(lang, code):
    """The stage's current step alone: its script puts it in place when the step changes."""
    return render_template("presenter/_stage.html", **live_view(live_session(code)))


# The changing part of each of the presenter's windows, as its event stream sends it.
WINDOW_PARTS = {"stage": "presenter/_stage.html", "panel": "presenter/_panel.html"}


@bp.route("/<lang>/presenter/sessions/<code>/events/<window>")
@presenter_required
def events(lang, code, window):
    """The stage's or the presenter view's changing part as the session moves on, on an event
    stream of its own (`?after=` the version it shows): woken before the class's phones, so the
    projector never shows a step after them."""
    if window not in WINDOW_PARTS:
        abort(404)
    session = live_session(code)
    shown = request.headers.get("Last-Event-ID", type=int) or request.args.get("after", type=int)

    def part(changed: live.LiveSession) -> str:
        return render_template(WINDOW_PARTS[window], **live_view(changed), after=live.step_after(changed))

    gone = request.environ.get("waitress.client_disconnected")  # as a phone's stream, pupil.events
    return event_stream(live.presenter_stream_place, live.presenter_events(session.code, shown, gone), part)


@bp.route("/<lang>/presenter/sessions/<code>/confirm/<action>")
@presenter_required
def confirm(lang, code, action):
    """A button that cannot be taken back asks first, on a page of its own (it works without
    JavaScript): "End session", "Reset answers", removing devices, reopening the final check,
    and putting a pupil's question on the projector."""
    session = live_session(code)
    if action not in live.asks_first(session):
        abort(404)
    question = None
    if action == "show-question":
        question = live.question_for_projector(session, request.args.get("question", type=int))
    return render_template(
        "presenter/confirm.html",
        session=session,
        action=action,
        asks_first=live.asks_first(session),
        device=request.args.get("device", type=int),
        question=question,
    )


@bp.post("/<lang>/presenter/sessions/<code>/<action>")
@presenter_required
def act(lang, code, action):
    """One of the presenter's buttons; then back to the page it was pressed on, or the new state
    for the script that pressed it."""
    form = request.form
    session = live_session(code)
    if action in live.asks_first(session) and form.get("confirmed") != "1":
        asked = {key: form.get(key) for key in ("device", "question", "back_to")}
        return redirect(url_for("presenter.confirm", lang=lang, code=code, action=action, **asked))
    live.act(
        session,
        action,
        choice_id=form.get("choice") or None,
        question_id=row_number(form, "question"),
        device_number=row_number(form, "device"),
    )
    if request.accept_mimetypes.best == "application/json":
        return jsonify(live.presenter_state(live_session(code)))
    target = BACK_TO.get(form.get("back_to", ""), "presenter.console")
    return redirect(url_for(target, lang=lang, code=code))


def row_number(form, name: str) -> int | None:
    """A question's or device's number from a form: 404 for one no database row can have (SQLite
    keeps up to 2^63 - 1), rather than an error deep in the database."""
    number = form.get(name, type=int)
    if number is not None and not 0 <= number < 2**63:
        abort(404)
    return number


@bp.route("/presenter/sessions/<code>/state.json")
@presenter_required
def state(code):
    """Polled by the console: answer counts arrive without reloading the page."""
    return polled_json(live.presenter_state(live_session(code)))


@bp.route("/<lang>/presenter/sessions/<code>/questions/")
@presenter_required
def pupil_questions(lang, code):
    """Pupils' anonymous questions: for the presenter's own screen, not the projector."""
    return render_template("presenter/questions.html", **questions_view(live_session(code)))


@bp.route("/<lang>/presenter/sessions/<code>/questions/list")
@presenter_required
def pupil_questions_part(lang, code):
    """The list of questions alone: its script puts it in place when a question arrives."""
    return render_template("presenter/_questions.html", **questions_view(live_session(code)))


def questions_view(session: live.LiveSession) -> dict:
    """What the presenter's list of questions shows, with what to do beside a marked one."""
    return {
        "session": session,
        "questions": live.pupil_questions(session),
        "school": live.school_of(session),
        "advice": guide_section(loaded_content().guide, ADVICE),
    }


# The guide's section shown beside a question that may be a disclosure: one text, in the guide.
ADVICE = "#### What to do now"


def guide_section(guide: str, heading: str) -> str:
    """The paragraphs under one heading of the guide, up to the next heading."""
    _, found_it, rest = guide.partition(heading + "\n")
    if not found_it:
        return ""
    lines = rest.splitlines()
    ends = next((n for n, line in enumerate(lines) if line.startswith("#")), len(lines))
    return "\n".join(lines[:ends]).strip()


@bp.route("/<lang>/presenter/sessions/<code>/questions/<int:question_id>/note")
@presenter_required
def follow_up_note(lang, code, question_id):
    """A note for the school's contact, to print: the question's words, its time, the module and
    the date. Never a device, never an answer; made from the question, so it goes with it."""
    session = live_session(code)
    return render_template(
        "presenter/note.html",
        session=session,
        question=found(live.pupil_question(session, question_id)),
        module=loaded_content().modules_by_id[session.module_id],
        school=live.school_of(session),
    )


@bp.route("/<lang>/presenter/sessions/<code>/devices/")
@presenter_required
def devices(lang, code):
    """The devices that joined, by number only, for removing one that should not count."""
    session = live_session(code)
    return render_template("presenter/devices.html", session=session, groups=live.device_groups(session))


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
        shift=live.class_shift(session),
        figures=live.figures_state(session),
        session_date=live.session_date(session),
        held_on=format_datetime(datetime.fromtimestamp(session.created_at), "short"),
    )


@bp.route("/presenter/sessions/<code>/results.json")
@presenter_required
def results_json(code):
    """The counts as JSON, for a spreadsheet or a report: a file to keep, not a page."""
    session = live_session(code)
    response = jsonify(live.results_document(session))
    response.headers["Content-Disposition"] = f"attachment; filename={export_name(session)}.json"
    return response


@bp.route("/presenter/sessions/<code>/results.csv")
@presenter_required
def results_csv(code):
    """The counts as CSV, one row per question and choice."""
    session = live_session(code)
    return csv_download(live.results_csv(session), f"{export_name(session)}.csv")


def export_name(session: live.LiveSession) -> str:
    """A session's export files are named by its code and the day it was held."""
    return f"workshop-{session.code}-{live.session_date(session)}"


def csv_download(text: str, name: str) -> Response:
    """CSV as a file; the byte-order mark makes Excel read it as UTF-8, accents included."""
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def requested_report() -> report.SeasonReport:
    """The season report for the `from` and `to` dates of the query (YYYY-MM-DD, both optional)."""
    try:
        first_day, last_day = report.date_range(
            request.args.get("from"), request.args.get("to"), date.today()
        )
    except ValueError:
        fail(400, _("Write the dates as YYYY-MM-DD, the first one no later than the last."))
    try:
        return report.season_report(loaded_content(), first_day, last_day)
    except report.ReportError as error:
        current_app.logger.warning("%s", error)
        fail(409, _("The season report cannot be made: the counts kept for some sessions cannot be read."))


@bp.route("/<lang>/presenter/report/")
@presenter_required
def season_report(lang):
    """The season report as a page that prints, with its charts."""
    modules = loaded_content().modules_by_id
    return render_template("presenter/report.html", report=requested_report(), modules=modules)


@bp.route("/presenter/report.csv")
@presenter_required
def season_report_csv():
    """The season report as CSV, for a spreadsheet."""
    season = requested_report()
    name = f"workshop-report-{season.first_day}-{season.last_day}.csv"
    return csv_download(report.as_csv(season), name)


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
