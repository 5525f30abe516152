"""Safe Online Workshop: a Flask app for school sessions on staying safe online."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import auth, errors, i18n, render, security, store, watch
from .content import Content, init_content
from .settings import defaults

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None, content: Content | None = None) -> Flask:
    """Build the app; content is loaded once here and raises ContentError if broken."""
    app = Flask(__name__)
    app.config.from_mapping(defaults())
    app.config.from_prefixed_env("WORKSHOP")
    app.config.from_mapping(config or {})
    init_content(app, content)
    i18n.init_app(app)
    render.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    store.init_app(app)
    watch.init_app(app)
    auth.init_app(app)

    from . import presenter, public, pupil, teacher

    app.register_blueprint(public.bp)
    app.register_blueprint(teacher.bp)
    app.register_blueprint(pupil.bp)
    app.register_blueprint(presenter.bp)
    # Browsers ask for it on every site: "no icon", not a 404 in the console.
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))
    return app
