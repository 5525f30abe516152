"""Teaching content: read from files once, checked in full, kept in immutable records.

`init_content` loads it when the app is made; `loaded_content` is how the rest of the app reaches it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .fields import ContentError, Problem
from .load import load_content
from .model import AGE_BANDS, Content, Module, PlanKind, Question, Quiz, Scenario, Service, Slide, Step

EXTENSION = "workshop.content"


def init_content(app: Flask, content: Content | None = None) -> None:
    """Load the content from CONTENT_DIR once (or use the given one); ContentError if it is broken."""
    app.extensions[EXTENSION] = content or load_content(
        Path(app.config["CONTENT_DIR"]), app.config["DIRECTORY_FILE"]
    )


def loaded_content(app: Flask | None = None) -> Content:
    """The content an app loaded at start-up: this app's, or the one handling the request."""
    return (app or current_app).extensions[EXTENSION]


__all__ = [
    "AGE_BANDS",
    "Content",
    "ContentError",
    "Module",
    "PlanKind",
    "Problem",
    "Question",
    "Quiz",
    "Scenario",
    "Service",
    "Slide",
    "Step",
    "init_content",
    "load_content",
    "loaded_content",
]
