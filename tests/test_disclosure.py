"""A question that may be a disclosure: marked for the presenter with what to do now, never on
the projector, a follow-up note with no device in it, and a message for the whole class."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from test_school_help import SCHOOL, keep, start

from workshop import store

from helpers import signed_in

DISCLOSURE = "my coach keeps asking me for photos"
GENERAL = "What is <b>grooming</b>?"


@pytest.fixture
def presenter(app):
    return signed_in(app)


@pytest.fixture
def lesson(app, presenter):
    """A session for a school, with a disclosure and a general question asked."""
    code = start(presenter, keep(presenter))
    for text in (DISCLOSURE, GENERAL):
        pupil = app.test_client()
        pupil.get(f"/en/live/{code}/")
        assert pupil.post(f"/en/live/{code}/ask", data={"text": text}).status_code == 302
    with app.app_context():
        ids = {q["text"]: q["id"] for q in store.pupil_questions(store.db(), code)}
    return code, ids[DISCLOSURE], ids[GENERAL]


def act(presenter, code, action, **form):
    return presenter.post(f"/en/presenter/sessions/{code}/{action}", data={"csrf": presenter.csrf, **form})


def stage(presenter, code, lang="en"):
    return presenter.get(f"/{lang}/presenter/sessions/{code}/stage/step").get_data(as_text=True)


def test_a_marked_question_shows_its_time_and_what_to_do_now(presenter, lesson):
    code, marked, general = lesson
    html = presenter.get(f"/en/presenter/sessions/{code}/questions/list").get_data(as_text=True)
    items = html.split("<li")[1:]
    marked_item = next(item for item in items if DISCLOSURE in item)
    general_item = next(item for item in items if "&lt;b&gt;grooming&lt;/b&gt;" in item)
    assert marked_item.startswith(' class="marked"') and not general_item.startswith(' class="marked"')
    assert re.search(r'<time datetime="\d\d:\d\d">\d\d:\d\d</time>', html)
    assert html.count("What to do now") == 1
    assert "do not investigate in front of the class" in html and "article 140" in html  # from the guide
    assert "the same day" in html and SCHOOL["contact"] in html
    assert f"/questions/{marked}/note" in html and f"/questions/{general}/note" not in html
    # The marked question offers no way onto the projector; the general one does.
    assert "show-question" not in marked_item and "show-question" in general_item


def test_a_marked_question_never_reaches_the_stage(app, presenter, lesson):
    code, marked, _ = lesson
    assert act(presenter, code, "show-question", question=marked).status_code == 302  # asks first...
    assert (
        presenter.get(f"/en/presenter/sessions/{code}/confirm/show-question?question={marked}").status_code
        == 409
    )
    refused = act(presenter, code, "show-question", question=marked, confirmed="1")
    assert refused.status_code == 409 and "never goes on the projector" in refused.get_data(as_text=True)
    assert "coach" not in stage(presenter, code)
    # Even a question put there before the lists found it stays off the stage.
    with app.app_context():
        store.update_session(store.db(), code, shown_question=marked)
    assert "coach" not in stage(presenter, code) and "pupil-question" not in stage(presenter, code)
    assert "coach" not in presenter.get(f"/en/presenter/sessions/{code}/").get_data(as_text=True)


def test_putting_any_question_on_the_projector_asks_first(presenter, lesson):
    code, _, general = lesson
    asked = act(presenter, code, "show-question", question=general)
    assert asked.headers["Location"].endswith(f"/confirm/show-question?question={general}")
    assert "grooming" not in stage(presenter, code)
    page = presenter.get(asked.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;grooming&lt;/b&gt;" in page and 'name="confirmed" value="1"' in page
    assert act(presenter, code, "show-question", question=general, confirmed="1").status_code == 302
    assert "What is &lt;b&gt;grooming&lt;/b&gt;?" in stage(presenter, code)
    assert (
        presenter.get(f"/en/presenter/sessions/{code}/confirm/show-question?question=999").status_code == 404
    )


def test_the_follow_up_note_holds_the_words_time_module_and_date_and_no_device(app, presenter, lesson):
    code, marked, _ = lesson
    note = presenter.get(f"/en/presenter/sessions/{code}/questions/{marked}/note")
    assert note.status_code == 200
    html = note.get_data(as_text=True)
    assert DISCLOSURE in html and "Online friends" in html and SCHOOL["contact"] in html
    with app.app_context():
        question = next(q for q in store.pupil_questions(store.db(), code) if q["id"] == marked)
        devices = [
            row[0] for row in store.db().execute("SELECT id FROM participants WHERE session_code = ?", [code])
        ]
    asked = datetime.fromtimestamp(question["asked_at"])
    assert asked.strftime("%H:%M") in html and str(asked.year) in html
    assert len(devices) == 2 and not any(device in html for device in devices)
    assert "device" not in html.split("<main")[1].lower()
    # Made from the question: it goes with the session when the session is purged.
    with app.app_context():
        store.purge(store.db(), 0)
    assert presenter.get(f"/en/presenter/sessions/{code}/questions/{marked}/note").status_code == 404


def test_the_presenter_state_names_the_latest_question_so_the_list_refreshes(app, presenter, lesson):
    code, _, general = lesson
    state = presenter.get(f"/presenter/sessions/{code}/state.json").get_json()
    assert state["latest_question"] == general
    pupil = app.test_client()
    pupil.get(f"/en/live/{code}/")
    pupil.post(f"/en/live/{code}/ask", data={"text": "And another?"})
    assert presenter.get(f"/presenter/sessions/{code}/state.json").get_json()["latest_question"] > general
    page = presenter.get(f"/en/presenter/sessions/{code}/questions/").get_data(as_text=True)
    assert "data-questions-list" in page and "js/questions.js" in page and "And another?" in page


@pytest.mark.parametrize("lang", ["en", "fr", "de", "lb", "pt"])
def test_the_class_hears_where_to_get_help_addressed_to_nobody(presenter, lesson, lang):
    code, _, _ = lesson
    assert "class-help" not in stage(presenter, code, lang)
    act(presenter, code, "help-on-stage")
    html = stage(presenter, code, lang)
    message = re.search(r'<aside class="class-help"><p>([^<]*)</p>', html).group(1)
    assert SCHOOL["contact"] in message and "116 111" in message
    if lang != "en":
        assert "If something like this" not in message
    act(presenter, code, "help-off-stage")
    assert "class-help" not in stage(presenter, code, lang)


def test_without_a_school_the_class_is_told_to_talk_to_an_adult_they_trust(presenter):
    code = start(presenter)
    act(presenter, code, "help-on-stage")
    assert "talk to an adult you trust today, or call 116 111" in stage(presenter, code)
    act(presenter, code, "next")  # a new step starts clean
    assert "class-help" not in stage(presenter, code)


def test_nothing_stored_tells_who_asked(app, lesson):
    with app.app_context():
        columns = {row[1] for row in store.db().execute("PRAGMA table_info(pupil_questions)")}
    assert columns == {"id", "session_code", "text", "asked_at", "hidden"}
