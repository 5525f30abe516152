"""Every setting of the workshop, declared once with its default and what it is for.

Each can be set in the environment as `WORKSHOP_<NAME>` (JSON for lists), or passed to
`create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting(
        "CONTENT_DIR",
        str(PROJECT_ROOT),
        "Folder holding slides/, quizzes/, scenarios/, statements/, directory/ and guide/.",
    ),
    Setting(
        "DIRECTORY_FILE",
        "directory/luxembourg.toml",
        "The help directory, relative to CONTENT_DIR; another country replaces it.",
    ),
    Setting(
        "TRANSLATIONS_DIR",
        str(PROJECT_ROOT / "translations"),
        "Folder of the gettext catalogs: <lang>/LC_MESSAGES/{messages,content}.po.",
    ),
    Setting(
        "LANGUAGES",
        ["en", "fr", "de", "lb", "pt"],
        "Languages offered, as codes with a catalog in TRANSLATIONS_DIR; the first is the "
        "fallback when a browser asks for none of them.",
    ),
    Setting(
        "DATA_DIR",
        "",
        "Folder of the live sessions' database and the secret key; empty means Flask's instance folder.",
    ),
    Setting(
        "RETENTION_DAYS",
        30,
        "Live sessions and their answers older than this many days are deleted: at start-up, "
        "every hour, and by `workshop purge`.",
    ),
    Setting(
        "REPORT_RETENTION_DAYS",
        730,
        "When a session is deleted, its counts for the season report (pupils by language, anonymous "
        "questions asked, the before-and-after answers; no device id, no text) are kept this many "
        "days after the session, then deleted too.",
    ),
    Setting(
        "PRESENTER_KEY",
        "",
        "The key in the presenter's sign-in URL; `workshop serve` makes a new one on each run.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        16 * 1024,
        "The largest request body accepted, in bytes: answers and questions are tiny.",
    ),
    Setting(
        "PDFS",
        True,
        "Whether `workshop freeze` (and the download page's zip) also prints every printable to PDF "
        "with Chromium, where it is installed.",
    ),
    Setting(
        "LAN_URL",
        "",
        "The address pupils' devices open, shown on the presenter's page; set by `workshop serve --lan`.",
    ),
    Setting(
        "FREEZING",
        False,
        "True while the offline copy is written: `/` becomes a language chooser instead of a redirect.",
    ),
)


def defaults() -> dict[str, Any]:
    return {setting.name: setting.default for setting in SETTINGS}


def data_folder(app: Flask) -> Path:
    """The folder the kit writes its own files to (database, secret key, offline zips), made if missing."""
    folder = Path(app.config["DATA_DIR"] or app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
