"""The school's own help: its child-protection contact (a role or a name, where, when) and
one or two local services, as the presenter writes them before a lesson, kept for next time.

The text is the presenter's own and reaches pupils' screens: it is cleaned of control
characters, limited in length, always shown as text (Jinja escapes it; nothing here is ever
Markdown or markup), and a phone number is checked for a phone number's shape.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

from . import store
from .store import LocalService, SchoolContact

LONGEST = {"school": 80, "contact": 80, "place": 80, "hours": 80, "service": 60}
# Digits, spaces, dots, dashes and slashes, an optional + in front: 3 to 15 digits in all
# (a school's extension, 116 111, +352 12 34 56 78).
PHONE = re.compile(r"^\+?[0-9][0-9 ./-]*[0-9]$")
FEWEST_DIGITS, MOST_DIGITS = 3, 15
SERVICES = 2


@dataclass(frozen=True)
class Draft:
    """A school's contact as the form sent it, with what is wrong with it (empty when nothing)."""

    contact: SchoolContact
    problems: dict[str, str]


def plain(text: str | None) -> str:
    """One line of text: no control or invisible formatting characters, single spaces."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text or "")
    return " ".join(kept.split())


def read_form(form, school_id: int = 0) -> Draft:
    """A school's contact from the presenter's form, checked."""
    problems: dict[str, str] = {}
    values = {name: plain(form.get(name)) for name in ("school", "contact", "place", "hours", "phone")}
    for name in ("school", "contact", "place", "hours"):
        if not values[name]:
            problems[name] = _("Fill this in.")
    services = []
    for number in range(1, SERVICES + 1):
        name, phone = plain(form.get(f"service{number}")), plain(form.get(f"service{number}_phone"))
        if phone and not name:
            problems[f"service{number}"] = _("Give the service's name with its number.")
        _check_length(problems, f"service{number}", name, LONGEST["service"])
        _check_phone(problems, f"service{number}_phone", phone)
        if name:
            services.append(LocalService(name, phone))
    for name in ("school", "contact", "place", "hours"):
        _check_length(problems, name, values[name], LONGEST[name])
    _check_phone(problems, "phone", values["phone"])
    return Draft(SchoolContact(id=school_id, services=tuple(services), **values), problems)


def _check_length(problems: dict[str, str], field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        problems[field] = _("At most %(limit)s characters.", limit=limit)


def _check_phone(problems: dict[str, str], field: str, phone: str) -> None:
    digits = sum(c.isdigit() for c in phone)
    if phone and (not PHONE.match(phone) or not FEWEST_DIGITS <= digits <= MOST_DIGITS):
        problems[field] = _("Write a phone number with digits only, such as 26 12 34 56.")


def school_contacts() -> list[SchoolContact]:
    """Every school kept, the one last saved or used first."""
    return store.school_contacts(store.db())


def school_contact(school_id: int | None) -> SchoolContact | None:
    """The school with this id, or None (none picked, or forgotten since)."""
    return store.school_contact(store.db(), school_id) if school_id else None


def save(contact: SchoolContact) -> int:
    """Keep a checked contact; its id."""
    return store.save_school_contact(store.db(), contact)


def forget(school_id: int | None) -> None:
    """Forget a school: its sessions go on with the national helplines only."""
    store.delete_school_contact(store.db(), school_id)
