"""Live sessions through the app: the presenter drives, pupils answer, bad input is refused."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from workshop import store

from helpers import phone


class Classroom:
    """A presenter and helpers to move a session on, on the tiny content (ages 13-16)."""

    def __init__(self, app, presenter):
        self.app, self.presenter = app, presenter
        started = presenter.post(
            "/en/presenter/sessions/", data={"csrf": presenter.csrf, "module": "tiny", "band": "13-16"}
        )
        assert started.status_code == 302
        self.console = started.headers["Location"]
        self.code = self.console.rstrip("/").split("/")[-1]

    def act(self, action, **form):
        response = self.presenter.post(
            f"/en/presenter/sessions/{self.code}/{action}", data={"csrf": self.presenter.csrf, **form}
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def confirmed(self, action, **form):
        """End, reset and removals ask first: this is the "Yes" on the page that asks."""
        self.act(action, confirmed="1", **form)

    def next(self, times=1):
        for _ in range(times):
            self.act("next")

    def pupil(self, lang="en"):
        client = phone(self.app)
        assert client.get(f"/{lang}/live/{self.code}/").status_code == 200
        return client

    def answer(self, client, question, choices, lang="en"):
        return client.post(
            f"/{lang}/live/{self.code}/answer", json={"question": question, "choices": choices}
        )

    def stored(self):
        with self.app.app_context():
            return store.db().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def state(self):
        return self.presenter.get(f"/presenter/sessions/{self.code}/state.json").get_json()


SECRET = "quiz:tiny-quiz:secret"


def test_lobby_shows_code_join_address_and_qr(room):
    room.app.config["LAN_URL"] = "http://192.168.1.20:8000/"  # as `serve --lan --address` sets it
    html = room.presenter.get(room.console).get_data(as_text=True)
    assert room.code in html
    assert "http://192.168.1.20:8000/join" in html and "<svg" in html


def test_lobby_off_the_network_says_how_to_let_phones_join_and_shows_no_qr(room):
    """Served on this computer only, a QR code would be one no phone can open."""
    html = room.presenter.get(room.console).get_data(as_text=True)
    assert room.code in html
    assert "<svg" not in html and "localhost" not in html
    assert "workshop serve --lan" in html


def test_qr_link_takes_a_pupil_to_the_session_in_their_language(room):
    response = room.app.test_client().get(f"/j/{room.code.lower()}")
    assert response.headers["Location"] == f"/en/live/{room.code}/"
    typed = room.app.test_client().get(f"/en/join/?code= {room.code.lower()} ")
    assert typed.headers["Location"] == f"/en/live/{room.code}/"


def test_a_quiz_question_goes_open_closed_revealed(room):
    pupil = room.pupil()
    assert "Look at the projector" in pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    room.next(2)  # lobby -> welcome slide -> first question, open
    page = pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert "A new online friend asks Lea to keep a secret." in page and 'name="choice"' in page
    assert room.answer(pupil, SECRET, ["keep"]).get_json() == {"saved": True, "choices": ["keep"]}
    assert room.answer(pupil, SECRET, ["tell"]).status_code == 200  # changed before closing
    assert room.state()["answered"] == 1
    assert room.state()["choices"]["tell"]["count"] == 1
    room.next()  # close
    assert room.answer(pupil, SECRET, ["keep"]).status_code == 409
    assert "Answering is closed" in pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    room.next()  # reveal
    page = pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert "You got it right!" in page and "Yes: a trusted adult can help." in page
    console = room.presenter.get(room.console).get_data(as_text=True)
    assert "✓ Right answer" in console and "1 </strong>" not in console
    room.act("hide-chart")
    assert "data-chart" not in room.presenter.get(room.console).get_data(as_text=True)
    assert room.stored() == 1


def test_a_story_decision_follows_the_majority_or_the_presenter(room):
    first, second, third = room.pupil(), room.pupil(), room.pupil()
    room.next(2 + 4 * 3 + 1)  # to the first question, 4 x (close, reveal, next), past the law slide
    state = room.presenter.get(room.console).get_data(as_text=True)
    assert "Lea meets Max in a game." in state
    key = "scenario:tiny-story:start"
    for pupil, choice in [(first, "move"), (second, "move"), (third, "tell")]:
        assert room.answer(pupil, key, [choice]).status_code == 200
    room.next(3)  # close, reveal, go on with the majority
    assert "Max asks for a photo." in room.presenter.get(room.console).get_data(as_text=True)
    room.act("back")
    room.act("next", choice="tell")  # the presenter overrides
    assert "Her dad helps her keep the messages" in room.presenter.get(room.console).get_data(as_text=True)
    # The class saw "goes on with B" at the reveal: the stage says the presenter chose otherwise.
    stage = room.presenter.get(room.console + "stage/").get_data(as_text=True)
    assert "Most of you voted B; the story goes on with A." in stage
    exported = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
    decision = next(q for q in exported["questions"] if q["key"] == key)
    assert decision["class_voted_for"] == "move" and decision["story_went_on_with"] == "tell"
    assert decision["presenter_override"] is True
    csv = room.presenter.get(f"/presenter/sessions/{room.code}/results.csv").get_data(as_text=True)
    assert f"{key},Lea meets Max in a game." in csv and csv.count(",true\r\n") == 1
    summary = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    assert "The story went on with A, chosen by the presenter; most of the class voted for B." in summary


def test_a_revealed_story_vote_says_which_branch_the_class_takes(room):
    first, second = room.pupil(), room.pupil()
    room.next(2 + 4 * 3 + 1)
    key = "scenario:tiny-story:start"
    room.answer(first, key, ["tell"])
    room.answer(second, key, ["tell"])
    room.next(2)  # close, reveal
    stage = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/").get_data(as_text=True)
    assert "The story goes on with A." in stage and 'class=" is-ahead"' in stage
    assert "The story goes on with A." in first.get(f"/en/live/{room.code}/").get_data(as_text=True)


def test_end_and_reset_ask_first(room):
    room.next(2)
    asked = room.presenter.post(f"/en/presenter/sessions/{room.code}/end", data={"csrf": room.presenter.csrf})
    assert asked.status_code == 302 and asked.headers["Location"].endswith(f"/{room.code}/confirm/end")
    page = room.presenter.get(asked.headers["Location"]).get_data(as_text=True)
    assert "End the session?" in page and 'name="confirmed" value="1"' in page
    assert room.pupil().get(f"/en/live/{room.code}/").status_code == 200  # not ended
    assert room.presenter.get(f"/en/presenter/sessions/{room.code}/confirm/next").status_code == 404


def test_a_session_ended_early_ends_on_the_stage_with_where_to_get_help(room):
    """Ended from the lobby or mid-lesson, the projector does not stay on the join page."""
    room.next(2)  # a question
    room.confirmed("end")
    stage = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/").get_data(as_text=True)
    step = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/step").get_data(as_text=True)
    for html in (stage, step):
        assert "Thank you!" in html and 'class="help-box' in html and 'name="question"' not in html


def test_the_stage_shows_the_lesson_and_no_controls(room):
    stage = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/").get_data(as_text=True)
    assert room.code in stage and "site-header" not in stage
    # Not started with --lan: the lobby says phones cannot join yet, instead of a QR code.
    assert "Phones cannot join yet" in stage and "<svg" not in stage
    assert "Questions from pupils" not in stage
    room.next(2)
    stage = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/").get_data(as_text=True)
    assert "A new online friend asks Lea to keep a secret." in stage and "Answer now on your phone" in stage
    part = room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/step").get_data(as_text=True)
    assert "<html" not in part and 'data-part="now"' in part and 'data-part="controls"' in part


def test_the_presenter_view_has_notes_what_comes_next_and_the_controls(room):
    room.next(2)
    view = room.presenter.get(room.console).get_data(as_text=True)
    assert "Right: Tell an adult she trusts." in view  # the notes
    assert "→ closes answering." in view and 'data-action="next"' in view
    assert "Questions from pupils" in view and "Connected" in view
    panel = room.presenter.get(f"/en/presenter/sessions/{room.code}/panel").get_data(as_text=True)
    assert "<html" not in panel and 'data-part="panel"' in panel


def test_an_ended_session_says_so_on_the_presenter_view_and_leads_to_the_results(room):
    room.next(2)
    room.confirmed("end")
    view = room.presenter.get(room.console).get_data(as_text=True)
    controls = view.split('class="controls"')[1].split("</nav>")[0]
    assert "The session has ended" in controls and 'data-action="next"' not in controls
    assert f'href="/en/presenter/sessions/{room.code}/results/"' in controls


def test_a_button_pressed_by_script_gets_the_new_state(room):
    response = room.presenter.post(
        f"/en/presenter/sessions/{room.code}/next",
        data={"csrf": room.presenter.csrf},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["phase"] == "slide"


BAD_ANSWERS = [
    ("unknown choice", {"question": SECRET, "choices": ["nope"]}, 400),
    ("several on a single-choice question", {"question": SECRET, "choices": ["tell", "keep"]}, 400),
    ("no choice", {"question": SECRET, "choices": []}, 400),
    ("not the open question", {"question": "quiz:tiny-quiz:signs", "choices": ["gifts"]}, 409),
    ("choices not a list", {"question": SECRET, "choices": "tell"}, 400),
    ("question not a text", {"question": 3, "choices": ["tell"]}, 400),
]


@pytest.mark.parametrize("label,body,status", BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS])
def test_bad_answers_get_a_plain_4xx_and_store_nothing(room, label, body, status):
    pupil = room.pupil()
    room.next(2)
    response = room.answer(pupil, body["question"], body["choices"])
    assert response.status_code == status
    assert set(response.get_json()) == {"error"} and "Traceback" not in response.get_data(as_text=True)
    assert room.stored() == 0


def test_malformed_oversized_and_cookieless_answers_are_refused(room):
    pupil = room.pupil()
    room.next(2)
    url = f"/en/live/{room.code}/answer"
    malformed = pupil.post(url, data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and "error" in malformed.get_json()
    oversized = pupil.post(
        url,
        data=json.dumps({"question": SECRET, "choices": ["tell"] * 5000}),
        content_type="application/json",
    )
    assert oversized.status_code == 413
    stranger = room.app.test_client().post(url, json={"question": SECRET, "choices": ["tell"]})
    assert stranger.status_code == 400
    assert "not joined" in stranger.get_json()["error"]
    assert room.stored() == 0


def test_unknown_and_ended_sessions(room):
    pupil = room.pupil()
    unknown = pupil.post("/en/live/ZZZZZ/answer", json={"question": SECRET, "choices": ["tell"]})
    assert unknown.status_code == 404 and "no session with this code" in unknown.get_json()["error"]
    assert pupil.get("/en/join/?code=ZZZZZ").status_code == 404
    room.next(2)
    room.confirmed("end")
    ended = room.answer(pupil, SECRET, ["tell"])
    assert ended.status_code == 410
    assert "has ended" in pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert room.stored() == 0


def test_form_answers_work_without_javascript(room):
    pupil = room.pupil()
    room.next(3 + 2)  # to the multiple-choice question
    response = pupil.post(
        f"/en/live/{room.code}/answer",
        data={"question": "quiz:tiny-quiz:signs", "choice": ["gifts", "secrets"]},
    )
    assert response.status_code == 302
    page = pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert page.count(" checked") == 2 and "✓ Sent: A, B" in page


def test_state_polls_cost_a_304_when_nothing_changed(room):
    pupil = room.pupil()
    first = pupil.get(f"/live/{room.code}/state.json")
    assert first.status_code == 200 and first.get_json()["ended"] is False
    again = pupil.get(f"/live/{room.code}/state.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    room.next()
    changed = pupil.get(f"/live/{room.code}/state.json", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_reset_clears_one_questions_answers(room):
    pupil = room.pupil()
    room.next(2)
    room.answer(pupil, SECRET, ["tell"])
    room.act("reset")  # not confirmed: it asks first, and nothing is deleted
    assert room.stored() == 1
    room.confirmed("reset")
    assert room.stored() == 0 and room.state()["answered"] == 0
    assert room.answer(pupil, SECRET, ["keep"]).status_code == 200


def test_results_and_exports_hold_aggregates_only(room):
    pupils = [room.pupil() for _ in range(3)]
    room.next(2)
    for pupil, choice in zip(pupils, ["tell", "tell", "keep"], strict=True):
        room.answer(pupil, SECRET, [choice])
    room.confirmed("end")
    summary = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    assert "3 devices took part" in summary and "67%" in summary
    exported = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
    secret = next(q for q in exported["questions"] if q["key"] == SECRET)
    assert secret["answered"] == 3
    assert [(c["id"], c["count"], c["correct"]) for c in secret["choices"]] == [
        ("tell", 2, True),
        ("keep", 1, False),
    ]
    downloaded = room.presenter.get(f"/presenter/sessions/{room.code}/results.csv")
    held = date.today().isoformat()
    assert (
        downloaded.headers["Content-Disposition"] == f"attachment; filename=workshop-{room.code}-{held}.csv"
    )
    # UTF-8 with a byte-order mark: Excel then shows the accents of French or Portuguese text.
    assert downloaded.get_data().startswith(b"\xef\xbb\xbf")
    csv = downloaded.get_data().decode("utf-8-sig")
    assert csv.splitlines()[0] == (
        "session_date,question_key,question,answered,choice_id,choice,count,percent,correct,story_went_on"
    )
    assert csv.splitlines()[1].startswith(f"{held},")
    as_json = room.presenter.get(f"/presenter/sessions/{room.code}/results.json")
    assert as_json.headers["Content-Disposition"] == f"attachment; filename=workshop-{room.code}-{held}.json"
    assert exported["session"]["date"] == held
    with room.app.app_context():
        devices = [row[0] for row in store.db().execute("SELECT id FROM participants")]
    assert not any(device in csv or device in json.dumps(exported) for device in devices)


def test_pupils_cannot_reach_any_presenter_page(room):
    pupil = room.pupil()
    for url in [
        "/en/presenter/",
        room.console,
        f"/en/presenter/sessions/{room.code}/results/",
        f"/presenter/sessions/{room.code}/state.json",
        f"/presenter/sessions/{room.code}/results.csv",
        f"/en/presenter/sessions/{room.code}/questions/",
    ]:
        assert pupil.get(url).status_code == 403, url
    assert pupil.post(f"/en/presenter/sessions/{room.code}/next").status_code == 403
    assert pupil.post("/en/presenter/sessions/", data={"module": "tiny", "band": "13-16"}).status_code == 403


def test_a_wrong_key_reveals_nothing_and_a_missing_csrf_token_is_refused(room):
    stranger = room.app.test_client()
    wrong = stranger.get("/presenter/?key=guess")
    assert wrong.status_code == 403 and room.app.config["PRESENTER_KEY"] not in wrong.get_data(as_text=True)
    assert stranger.get("/en/presenter/").status_code == 403
    no_token = room.presenter.post(f"/en/presenter/sessions/{room.code}/next")
    assert no_token.status_code == 403


def test_anonymous_questions_reach_only_the_presenter(room):
    pupil = room.pupil()
    ask = f"/en/live/{room.code}/ask"
    assert pupil.post(ask, data={"text": "What if   someone\nthreatens a friend?"}).status_code == 302
    assert pupil.post(ask, data={"text": "x" * 281}).status_code == 400
    assert pupil.post(ask, data={"text": "   "}).status_code == 400
    assert pupil.post(ask, data={"text": "Second?"}).status_code == 302
    assert pupil.post(ask, data={"text": "Third?"}).status_code == 302
    assert pupil.post(ask, data={"text": "Fourth?"}).status_code == 429
    questions = room.presenter.get(f"/en/presenter/sessions/{room.code}/questions/").get_data(as_text=True)
    assert "What if someone threatens a friend?" in questions
    assert "What if someone" not in room.presenter.get(room.console).get_data(as_text=True)
    assert room.state()["questions"] == 3
    with room.app.app_context():
        first = store.pupil_questions(store.db(), room.code)[0]["id"]
    room.act("show-question", question=str(first), confirmed="1", back_to="questions")
    assert "What if someone threatens a friend?" in room.presenter.get(room.console).get_data(as_text=True)


def test_purge_command_deletes_old_sessions(room, tiny_app):
    with tiny_app.app_context():
        store.db().execute("UPDATE sessions SET created_at = created_at - 40 * 86400")
    from click.testing import CliRunner

    from workshop.cli import main

    from content_tree import DIRECTORY_FILE

    runner = CliRunner()
    outcome = runner.invoke(
        main,
        ["--content", tiny_app.config["CONTENT_DIR"], "purge"],
        env={"WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE, "WORKSHOP_DATA_DIR": tiny_app.config["DATA_DIR"]},
    )
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.strip() == "Deleted 1 session."


def test_joined_counts_the_devices_here_now_not_every_cookie_ever_seen(room):
    here, gone = room.pupil(), room.pupil()
    assert room.state()["participants"] == 2
    with room.app.app_context():  # the second phone was last seen ten minutes ago
        store.db().execute(
            "UPDATE participants SET last_seen = last_seen - 600"
            " WHERE rowid = (SELECT MAX(rowid) FROM participants)"
        )
    assert room.state()["participants"] == 1
    assert gone.get(f"/live/{room.code}/state.json").status_code == 200  # it polls again: it is back
    assert room.state()["participants"] == 2
    # This server holds the device's polls, so it asks again at once (test_waiting.py has the
    # pace of devices it cannot hold).
    assert here.get(f"/live/{room.code}/state.json").get_json()["poll"] == 0


def test_the_presenter_removes_a_device_and_its_answers_leave_the_counts(room):
    pupils = [room.pupil() for _ in range(3)]
    room.next(2)
    for pupil, choice in zip(pupils, ["tell", "keep", "keep"], strict=True):
        assert room.answer(pupil, SECRET, [choice]).status_code == 200
    page = room.presenter.get(f"/en/presenter/sessions/{room.code}/devices/")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    numbers = re.findall(r'<th scope="row">(\d+)</th>', html)
    assert numbers == ["1", "2", "3"]
    with room.app.app_context():
        assert not any(device in html for (device,) in store.db().execute("SELECT id FROM participants"))
    room.confirmed("remove-device", device=numbers[2], back_to="devices")
    state = room.state()
    assert state["participants"] == 2 and state["answered"] == 2
    assert state["choices"]["keep"]["count"] == 1
    # The removed phone is out: its answers are refused, and it cannot join again.
    assert room.answer(pupils[2], SECRET, ["tell"]).status_code == 400


def test_the_presenter_hides_and_deletes_anonymous_questions(room):
    pupil = room.pupil()
    for text in ("First question", "Spam spam spam", "Third question"):
        assert pupil.post(f"/en/live/{room.code}/ask", data={"text": text}).status_code == 302
    with room.app.app_context():
        ids = [q["id"] for q in store.pupil_questions(store.db(), room.code)]
    questions_page = f"/en/presenter/sessions/{room.code}/questions/"
    room.act("show-question", question=str(ids[0]), back_to="questions")
    room.act("hide-from-list", question=str(ids[0]), back_to="questions")
    assert room.state()["questions"] == 2
    assert "First question" not in room.presenter.get(room.console).get_data(
        as_text=True
    )  # off the projector
    page = room.presenter.get(questions_page).get_data(as_text=True)
    assert "Hidden questions (1)" in page and "First question" in page
    room.act("show-in-list", question=str(ids[0]), back_to="questions")
    room.act("delete-question", question=str(ids[1]), back_to="questions")
    assert room.state()["questions"] == 2
    assert "Spam spam spam" not in room.presenter.get(questions_page).get_data(as_text=True)
    room.act("end")
    room.act("hide-from-list", question=str(ids[2]), back_to="questions")  # tidying up after the end
    assert room.state()["questions"] == 1


def test_an_anonymous_question_is_stored_without_the_device_that_sent_it(room):
    pupil = room.pupil()
    room.next(2)
    room.answer(pupil, SECRET, ["tell"])
    pupil.post(f"/en/live/{room.code}/ask", data={"text": "Can I tell a teacher?"})
    with room.app.app_context():
        database = store.db()
        columns = {column.name for column in database["pupil_questions"].columns}
        device = database.execute("SELECT id FROM participants").fetchone()[0]
        row = database.execute("SELECT * FROM pupil_questions").fetchone()
    assert "participant_id" not in columns and device not in map(str, row)
    assert row[-2] % 60 == 0  # asked at: the minute only, not a time to match with an answer's


def test_an_answer_nested_thousands_deep_is_a_400_not_a_crash(room):
    pupil = room.pupil()
    room.next(2)
    nested = "[" * 5000 + "]" * 5000
    response = pupil.post(f"/en/live/{room.code}/answer", data=nested, content_type="application/json")
    assert response.status_code == 400 and "error" in response.get_json()
    assert room.stored() == 0
