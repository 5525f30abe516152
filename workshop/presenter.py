"""The presenter's pages in the live app: where pupils join, and the decks to project."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, redirect, render_template, url_for
from markupsafe import Markup

from .i18n import best_language
from .public import check_language, content

bp = Blueprint("presenter", __name__, url_prefix="")
bp.url_value_preprocessor(check_language)


@bp.route("/presenter/")
def start():
    return redirect(url_for("presenter.home", lang=best_language()))


@bp.route("/<lang>/presenter/")
def home(lang):
    lan_url = current_app.config["LAN_URL"]
    return render_template(
        "presenter/home.html",
        modules=content().modules,
        lan_url=lan_url,
        qr_svg=qr_svg(lan_url) if lan_url else "",
    )


def qr_svg(url: str) -> Markup:
    """A QR code of the address, drawn inline so it works with no network at all."""
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)
