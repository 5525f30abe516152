"""The school's own help: kept for next time, picked when a session starts, and shown in the
pupil's language on every help surface (stage, phones, printables), always as text."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from workshop import store
from workshop.lesson import LOBBY
from workshop.settings import PROJECT_ROOT, defaults

from helpers import database_at_version, signed_in

LANGUAGES = defaults()["LANGUAGES"]
SCHOOL = {
    "school": "Lycée Robert Schuman",
    "contact": "Ms Weber, school psychologist",
    "place": "Room 104, next to the library",
    "hours": "Every school day, 8:00-16:00",
    "phone": "+352 26 12 34",
    "service1": "Planning familial",
    "service1_phone": "48 59 76",
}
HOSTILE = {
    **SCHOOL,
    "contact": '<script>alert("x")</script> & <b>Weber</b>',
    "place": "[link](javascript:x) *bold*",
}


def at_your_school(lang: str) -> str:
    """ "At your school" as the page in this language says it."""
    if lang == "en":
        return "At your school"
    with (PROJECT_ROOT / f"translations/{lang}/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle)["At your school"].string


@pytest.fixture
def presenter(app):
    return signed_in(app)


def keep(presenter, values=SCHOOL, lang="en") -> int:
    kept = presenter.post(f"/{lang}/presenter/schools/", data={"csrf": presenter.csrf, **values})
    assert kept.status_code == 302, kept.get_data(as_text=True)
    return int(re.search(r"school=(\d+)", kept.headers["Location"]).group(1))


def start(presenter, school_id=None) -> str:
    form = {"csrf": presenter.csrf, "module": "online-friends", "band": "13-16"}
    started = presenter.post(
        "/en/presenter/sessions/", data={**form, **({"school": school_id} if school_id else {})}
    )
    return started.headers["Location"].rstrip("/").split("/")[-1]


def surfaces(app, presenter, code: str, school_id: int, lang: str) -> dict[str, str]:
    """Every help surface of a session held for a school, in one language."""
    pupil = app.test_client()
    assert pupil.get(f"/{lang}/live/{code}/").status_code == 200
    pages = {"phone's help page": pupil.get(f"/{lang}/live/{code}/help/").get_data(as_text=True)}
    presenter.post(f"/en/presenter/sessions/{code}/next", data={"csrf": presenter.csrf})  # the welcome slide
    pages["stage's help slide"] = presenter.get(f"/{lang}/presenter/sessions/{code}/stage/step").get_data(
        as_text=True
    )
    presenter.post(f"/en/presenter/sessions/{code}/end", data={"csrf": presenter.csrf, "confirmed": "1"})
    pages["stage's end"] = presenter.get(f"/{lang}/presenter/sessions/{code}/stage/").get_data(as_text=True)
    pages["phone's end"] = pupil.get(f"/{lang}/live/{code}/").get_data(as_text=True)
    pages["phone's end, as its stream sends it"] = pupil.get(f"/{lang}/live/{code}/step").get_data(
        as_text=True
    )
    pages["help cards"] = presenter.get(f"/{lang}/presenter/schools/{school_id}/help-card/").get_data(
        as_text=True
    )
    pages["help poster"] = presenter.get(f"/{lang}/presenter/schools/{school_id}/help-poster/").get_data(
        as_text=True
    )
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_contact_is_on_every_help_surface_in_every_language(app, presenter, lang):
    school_id = keep(presenter)
    code = start(presenter, school_id)
    for surface, html in surfaces(app, presenter, code, school_id, lang).items():
        assert f'<html lang="{lang}">' in html or "help-box" in html, surface
        assert at_your_school(lang) in html, surface
        for field in ("contact", "place", "hours", "phone", "service1", "service1_phone"):
            assert SCHOOL[field] in html, (surface, field)
        assert 'href="tel:+3522612 34"' not in html and 'href="tel:+35226123' in html, surface
        # The national helplines stay, 116 111 first, and before the school's contact.
        assert html.index("116 111") < html.index(SCHOOL["contact"]), surface


def test_the_presenters_text_is_never_markup(app, presenter):
    school_id = keep(presenter, HOSTILE)
    code = start(presenter, school_id)
    for surface, html in surfaces(app, presenter, code, school_id, "en").items():
        assert "<script>alert" not in html and "<b>Weber" not in html, surface
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Weber&lt;/b&gt;" in html, (
            surface
        )
        assert "[link](javascript:x) *bold*" in html and 'href="javascript' not in html, surface


def test_a_lesson_without_a_school_contact_shows_the_national_helplines_only(app, presenter):
    keep(presenter)  # kept, but not picked for this session
    code = start(presenter)
    pupil = app.test_client()
    pupil.get(f"/en/live/{code}/")
    presenter.post(f"/en/presenter/sessions/{code}/end", data={"csrf": presenter.csrf, "confirmed": "1"})
    for html in (
        pupil.get(f"/en/live/{code}/").get_data(as_text=True),
        pupil.get(f"/en/live/{code}/help/").get_data(as_text=True),
    ):
        assert "116 111" in html and "school-help" not in html and SCHOOL["contact"] not in html
    assert "school-help" not in app.test_client().get("/en/help/").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"contact": ""}, "contact", "Fill this in."),
        ({"place": "x" * 81}, "place", "At most 80 characters."),
        ({"phone": "call the office"}, "phone", "Write a phone number"),
        ({"phone": "12"}, "phone", "Write a phone number"),
        ({"phone": "+352 1234 5678 9012 3"}, "phone", "Write a phone number"),
        ({"service2_phone": "javascript:alert(1)"}, "service2_phone", "Write a phone number"),
        ({"service1": "", "service1_phone": "48 59 76"}, "service1", "Give the service's name"),
    ],
)
def test_a_contact_that_does_not_fit_is_sent_back_with_what_to_change(presenter, changes, field, message):
    page = presenter.post("/en/presenter/schools/", data={"csrf": presenter.csrf, **SCHOOL, **changes})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert re.search(rf'id="{field}-problem">{re.escape(message)}', html.replace("&#39;", "'"))
    assert 'aria-invalid="true"' in html
    assert presenter.get("/en/presenter/schools/").get_data(as_text=True).count("Forget") == 0  # nothing kept


def test_control_characters_and_extra_spaces_are_dropped(app, presenter):
    school_id = keep(presenter, {**SCHOOL, "contact": "Ms\u202e  Weber\n\tpsychologist\x00"})
    with app.app_context():
        assert store.school_contact(store.db(), school_id).contact == "Ms Weber psychologist"


def test_several_schools_are_kept_and_the_last_used_is_picked_first(app, presenter):
    first = keep(presenter, {**SCHOOL, "school": "School A"})
    second = keep(presenter, {**SCHOOL, "school": "School B"})
    assert re.search(
        rf'<option value="{second}" selected>School B', presenter.get("/en/presenter/").get_data(as_text=True)
    )
    start(presenter, first)
    home = presenter.get("/en/presenter/").get_data(as_text=True)
    assert re.search(rf'<option value="{first}" selected>School A', home)
    assert f'name="school" value="{first}"' in home
    # Changing a school keeps its id; forgetting it leaves its sessions with the helplines only.
    presenter.post(
        "/en/presenter/schools/", data={"csrf": presenter.csrf, **SCHOOL, "id": first, "contact": "Mr Kayser"}
    )
    code = start(presenter, first)
    assert "Mr Kayser" in app.test_client().get(f"/en/live/{code}/help/").get_data(as_text=True)
    presenter.post(f"/en/presenter/schools/{first}/forget", data={"csrf": presenter.csrf})
    assert "Mr Kayser" not in app.test_client().get(f"/en/live/{code}/help/").get_data(as_text=True)
    assert presenter.get(f"/en/presenter/schools/{first}/help-card/").status_code == 404


def test_only_the_presenter_changes_the_schools(app):
    stranger = app.test_client()
    assert stranger.get("/en/presenter/schools/").status_code == 403
    assert stranger.post("/en/presenter/schools/", data=SCHOOL).status_code in (400, 403)


def test_a_database_of_schema_3_gains_the_schools_and_keeps_its_sessions(tmp_path):
    database = database_at_version(tmp_path / "workshop.db", 3)
    database.execute(
        "INSERT INTO sessions (code, module_id, band, position, created_at)"
        " VALUES ('OLD23', 'm', '10-12', '{}', 0)"
    )
    store.migrate(database)
    assert database.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    row = database.execute("SELECT school_id, help_on_stage FROM sessions WHERE code = 'OLD23'").fetchone()
    assert row == (None, 0)
    session = store.create_session(database, "m", "10-12", LOBBY, school_id=None)
    assert session.school_id is None and not session.help_on_stage
    database.conn.close()
