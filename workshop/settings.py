"""Every setting of the workshop, declared once with its default and what it is for.

Each can be set in the environment as `WORKSHOP_<NAME>` (JSON for lists), or passed to
`create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from .errors import StartupError

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
        "Folder holding slides/, quizzes/, scenarios/, statements/, signals/, directory/ and guide/.",
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
        "HELD_POLLS",
        1000,
        "How many pupils' event streams (or polls held until the session moves on) one server "
        "process keeps open; devices beyond this poll every few seconds instead. `workshop serve` "
        "runs this many threads more.",
    ),
    Setting(
        "PRESENTER_SIGN_IN_HOURS",
        12,
        "How long the presenter's sign-in lasts from the moment the key was opened: a school day. "
        "It is not renewed by use; sign in again with the key `workshop serve` prints.",
    ),
    # Limits per network address. A device is only a cookie, which a script can drop, so these
    # count what one address does. Each is far above what a class does (30 pupils, two sharing a
    # phone, some joining twice) but stops a script; raise one if a whole school shares an address.
    Setting(
        "ADDRESS_DEVICES",
        4,
        "Devices one network address may join a live session with, for the whole session (a "
        "phone, a second browser on it, a shared tablet). On a classroom network every phone has "
        "an address of its own, so one laptop cannot pose as a class. Raise it where devices "
        "share an address: a presenter trying a lesson with many tabs on one computer, or a "
        "school server behind a proxy that is not named in TRUSTED_PROXIES.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        [],
        "Addresses of reverse proxies in front of the workshop (a school server's nginx, say), "
        "as a JSON list: a request from one of them is counted by the device address it names "
        "in X-Forwarded-For, so the per-address limits apply to pupils, not to the proxy. "
        "Empty: every request is counted by the address it comes from.",
    ),
    Setting(
        "ADDRESS_ANSWERS_PER_MINUTE",
        600,
        "Answers and story votes one network address may send per minute (a class behind one "
        "router shares an address).",
    ),
    Setting(
        "ADDRESS_QUESTIONS_PER_MINUTE",
        20,
        "Anonymous questions one network address may send per minute (each device may also send "
        "only 3 in 2 minutes).",
    ),
    Setting(
        "ADDRESS_WRONG_KEYS_PER_MINUTE",
        10,
        "Wrong presenter keys one network address may try per minute; the right key always signs in.",
    ),
    Setting(
        "ADDRESS_STREAMS",
        10,
        "Of those (`HELD_POLLS`), how many one network address may keep open at once (a phone "
        "keeps one), so that a few scripts cannot take every place. Beyond it, that address's "
        "devices poll every few seconds, and try a stream again now and then.",
    ),
    Setting(
        "ADDRESS_CONNECTIONS",
        50,
        "Connections one network address may hold open at once (a browser opens up to 6); the "
        "others are closed at once, so idle connections from one address cannot shut a class out. "
        "`workshop serve` never lets one address hold more than a twentieth of its connections "
        "(24 on Windows), whatever this says.",
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
        "READ_ONLY",
        False,
        "True for the commands that only read (`check`, `report`, `translations`, `freeze`): the "
        "database is opened read-only and nothing in DATA_DIR is created, migrated or set aside.",
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
    """The folder the kit writes its own files to (database, secret key, offline zips), made if
    missing, readable by this user only; StartupError in plain words if it cannot be made."""
    folder = Path(app.config["DATA_DIR"] or app.instance_path)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise StartupError(cannot_write(folder, error)) from error
    return folder


def cannot_write(folder: Path, error: Exception) -> str:
    """One plain sentence for a data folder the kit cannot write to: why, and what to do."""
    reason = getattr(error, "strerror", None) or str(error)
    return (
        f"The workshop cannot use its data folder {folder} ({reason}): check that the folder "
        "can be written and that the disk is not full, or choose another with WORKSHOP_DATA_DIR."
    )
