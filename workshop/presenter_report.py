"""Only the presenter: the season report over a range of dates, as a printable page and as CSV."""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from .auth import presenter_required
from .errors import fail
from .public import check_language, content
from .report import as_csv, date_range, season_report

bp = Blueprint("presenter_report", __name__)
bp.url_value_preprocessor(check_language)


def requested_report():
    """The report for the `from` and `to` dates of the query (YYYY-MM-DD, both optional)."""
    try:
        first_day, last_day = date_range(request.args.get("from"), request.args.get("to"), date.today())
    except ValueError:
        fail(400, _("Write the dates as YYYY-MM-DD, the first one no later than the last."))
    return season_report(content(), first_day, last_day)


@bp.app_template_global()
def language_label(lang: str) -> str:
    """A language's name in the page's language (the language switcher names each in its own)."""
    return Locale.parse(lang).get_display_name(get_locale())


@bp.route("/<lang>/presenter/report/")
@presenter_required
def page(lang):
    modules = content().modules_by_id
    return render_template("presenter/report.html", report=requested_report(), modules=modules)


@bp.route("/presenter/report.csv")
@presenter_required
def csv_export():
    report = requested_report()
    name = f"workshop-report-{report.first_day}-{report.last_day}.csv"
    return Response(
        as_csv(report), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"}
    )
