"""Every setting of the workshop, declared once with its default and what it is for.

Each can be set in the environment as `WORKSHOP_<NAME>` (JSON for lists), or passed to
`create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from flask import Flask

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent  # the checkout, when the kit runs from one
APP_NAME = "safe-online-workshop"


def builtin_content() -> Path:
    """The content the kit ships: copied into the package when a wheel is built (setup.py),
    at the top of the checkout when the kit runs from one."""
    packaged = PACKAGE / "builtin"
    return packaged if packaged.is_dir() else PROJECT_ROOT


def user_data_folder() -> Path:
    """This user's folder for the kit's data, outside any install: a reinstall keeps it."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting(
        "CONTENT_DIR",
        str(builtin_content()),
        "Folder holding slides/, quizzes/, scenarios/, directory/ and guide/.",
    ),
    Setting(
        "DIRECTORY_FILE",
        "directory/luxembourg.toml",
        "The help directory, relative to CONTENT_DIR; another country replaces it.",
    ),
    Setting(
        "TRANSLATIONS_DIR",
        "",
        "Folder of the gettext catalogs: <lang>/LC_MESSAGES/{messages,content}.po; empty means "
        "the translations/ folder of CONTENT_DIR.",
    ),
    Setting(
        "LANGUAGES",
        ["en", "fr", "de", "lb", "pt"],
        "Languages offered, as codes with a catalog in TRANSLATIONS_DIR; the first is the "
        "fallback when a browser asks for none of them.",
    ),
    Setting(
        "DATA_DIR",
        str(user_data_folder()),
        "Folder of the live sessions' database and the secret key: by default this user's data "
        "folder for the kit, which a reinstall leaves in place.",
    ),
    Setting(
        "RETENTION_DAYS",
        30,
        "Live sessions and their answers older than this many days are deleted: at start-up, "
        "every hour, and by `workshop purge`.",
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
