"""The before-and-after check in a live session, through the app: simulated pupils answer near
the start and at the end, and the stage shows exactly the shift worked out by hand."""

from __future__ import annotations

import json
import re

import pytest

from workshop import create_app, live, store
from workshop.content import loaded_content
from workshop.lesson import CHECK_AFTER, CHECK_BEFORE

from helpers import phone, pseudo_catalogs, visible_text

BEFORE, AFTER = CHECK_BEFORE, CHECK_AFTER


class CheckedClassroom:
    """A presenter who starts the tiny module (ages 13-16), with the check unless told not to."""

    def __init__(self, app, check="on"):
        self.app = app
        self.presenter = app.test_client()
        self.presenter.get(f"/presenter/?key={app.config['PRESENTER_KEY']}")
        home = self.presenter.get("/en/presenter/").get_data(as_text=True)
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
        form = {"csrf": self.csrf, "module": "tiny", "band": "13-16", **({"check": check} if check else {})}
        started = self.presenter.post("/en/presenter/sessions/", data=form)
        self.console = started.headers["Location"]
        self.code = self.console.rstrip("/").split("/")[-1]

    def act(self, action):
        response = self.presenter.post(
            f"/en/presenter/sessions/{self.code}/{action}", data={"csrf": self.csrf}
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def step(self):
        with self.app.app_context():
            return live.current_step(live.get_session(self.code))

    def next_until(self, key):
        """Press the clicker until the step answered under `key` is open."""
        for _ in range(40):
            if self.step().question_key == key:
                return
            self.act("next")
        pytest.fail(f"never reached {key}")

    def pupil(self):
        client = phone(self.app)
        assert client.get(f"/en/live/{self.code}/").status_code == 200
        return client

    def check(self, pupil, key, points: dict[str, int]):
        choices = [f"{statement}:{point}" for statement, point in points.items()]
        return pupil.post(f"/en/live/{self.code}/answer", json={"question": key, "choices": choices})

    def stage(self) -> str:
        return self.presenter.get(self.console).get_data(as_text=True)


def shift_rows(html: str) -> dict[str, tuple[str, ...]]:
    """The chart's rows as the class reads them: statement id -> (before, after, change)."""
    rows = re.findall(r'<tr data-statement="([\w-]+)">(.*?)</tr>', html, re.S)
    return {statement: tuple(visible_text(cells).split(" ")[-3:]) for statement, cells in rows}


# Six devices answer both times; the 1-5 scale: 1 No, 2 Not really, 3 Not sure, 4 Mostly, 5 Yes.
ANSWERS = [  # (before, after) per device
    ({"knows-a-number": 1, "photo-request": 2, "would-tell": 3}, {"knows-a-number": 4, "would-tell": 4}),
    ({"knows-a-number": 2, "photo-request": 3, "would-tell": 3}, {"knows-a-number": 5, "would-tell": 4}),
    ({"knows-a-number": 3, "photo-request": 4, "would-tell": 3}, {"knows-a-number": 3, "would-tell": 4}),
    ({"knows-a-number": 4, "photo-request": 4, "would-tell": 3}, {"knows-a-number": 5, "photo-request": 5}),
    ({"knows-a-number": 5, "would-tell": 3}, {"knows-a-number": 5, "would-tell": 3, "photo-request": 5}),
    ({"knows-a-number": 2, "would-tell": 3}, {"knows-a-number": 4, "would-tell": 3}),
]
# Worked out by hand over the devices that answered a statement both times ("Mostly" or "Yes"):
# knows-a-number: 6 devices, before 2 of 6 = 33%, after 5 of 6 = 83%, change +50
# would-tell: 5 devices (the fourth skipped it at the end), before 0%, after 3 of 5 = 60%, +60
# photo-request: only the fourth device answered it both times -> too few to show
# knows-the-law: nobody answered it -> too few to show
EXPECTED = {
    "knows-a-number": ("33%", "83%", "+50"),
    "would-tell": ("0%", "60%", "+60"),
}


def run_lesson(room, answers, early_only=(), late_only=()):
    """Pupils answer at the start and at the end; some devices answer only one of the two."""
    pupils = [room.pupil() for _ in answers]
    early = [room.pupil() for _ in early_only]
    room.next_until(BEFORE)
    for pupil, (before, _) in zip(pupils, answers, strict=True):
        assert room.check(pupil, BEFORE, before).status_code == 200
    for pupil, before in zip(early, early_only, strict=True):
        assert room.check(pupil, BEFORE, before).status_code == 200
    room.next_until(AFTER)
    late = [room.pupil() for _ in late_only]
    for pupil, (_, after) in zip(pupils, answers, strict=True):
        assert room.check(pupil, AFTER, after).status_code == 200
    for pupil, after in zip(late, late_only, strict=True):
        assert room.check(pupil, AFTER, after).status_code == 200
    room.act("next")  # close
    room.act("next")  # reveal: how our class changed
    return pupils


def test_the_check_opens_after_the_opening_slide_and_closes_before_the_help_slide(checked_app):
    room = CheckedClassroom(checked_app)
    keys = []
    for _ in range(40):
        step = room.step()
        keys.append(step.question_key or (step.slide.id if step.slide else step.kind))
        if step.kind == "end":
            break
        room.act("next")
    # Each stage of the check takes three presses, as a question does: open, closed, revealed.
    assert keys[:6] == ["lobby", "welcome", BEFORE, BEFORE, BEFORE, "quiz:tiny-quiz:secret"]
    assert keys[-6:] == ["step", AFTER, AFTER, AFTER, "goodbye", "end"]


def test_the_stage_shows_the_shift_worked_out_by_hand(checked_app):
    room = CheckedClassroom(checked_app)
    early_only = [{"knows-a-number": 1, "would-tell": 1}]  # left before the end
    late_only = [{"knows-a-number": 5, "would-tell": 5}]  # came in late
    pupils = run_lesson(room, ANSWERS, early_only, late_only)
    stage = room.stage()
    assert "How our class changed" in stage
    assert "6 devices answered both times." in visible_text(stage)
    rows = shift_rows(stage)
    assert {statement: rows[statement] for statement in EXPECTED} == EXPECTED
    for statement in ("photo-request", "knows-the-law"):
        assert rows[statement] == ("Too", "few", "answers", "to", "show")[-3:]
    phone = pupils[0].get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert "Look at the projector: how our class changed." in phone


def test_a_changed_answer_replaces_the_first(checked_app):
    room = CheckedClassroom(checked_app)
    pupils = [room.pupil() for _ in ANSWERS]
    room.next_until(BEFORE)
    for pupil, (before, _) in zip(pupils, ANSWERS, strict=True):
        assert room.check(pupil, BEFORE, {"knows-a-number": 5}).status_code == 200
        assert room.check(pupil, BEFORE, before).status_code == 200  # the pupil changes their mind
    assert room.presenter.get(f"/presenter/sessions/{room.code}/state.json").get_json()["answered"] == 6
    room.next_until(AFTER)
    for pupil, (_, after) in zip(pupils, ANSWERS, strict=True):
        room.check(pupil, AFTER, after)
    room.act("next")
    room.act("next")
    assert shift_rows(room.stage())["knows-a-number"] == EXPECTED["knows-a-number"]


def test_fewer_than_five_devices_answering_both_times_show_no_figures(checked_app):
    room = CheckedClassroom(checked_app)
    run_lesson(
        room, ANSWERS[:4], early_only=[{"knows-a-number": 2}] * 3, late_only=[{"knows-a-number": 5}] * 3
    )
    stage = room.stage()
    text = visible_text(stage)
    assert "4 devices answered both times." in text
    assert "With fewer than 5, no figures are shown, so that nobody can be singled out." in text
    assert "data-shift" not in stage and not re.search(r"\d+%", text)
    summary = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    assert "4 devices answered both times." in visible_text(summary) and "data-shift" not in summary
    exported = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()["before_after"]
    assert exported["devices_answered_both_times"] == 4
    assert all(set(s) == {"id", "text", "measures", "devices"} for s in exported["statements"])


def test_results_and_exports_carry_the_aggregates_and_no_device(checked_app):
    room = CheckedClassroom(checked_app)
    run_lesson(room, ANSWERS)
    room.act("end")
    summary = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    rows = shift_rows(summary)
    assert {statement: rows[statement] for statement in EXPECTED} == EXPECTED
    exported = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
    statements = {s["id"]: s for s in exported["before_after"]["statements"]}
    assert statements["knows-a-number"]["before"] == {"1": 1, "2": 2, "3": 1, "4": 1, "5": 1}
    assert statements["knows-a-number"]["after"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 3}
    assert (
        statements["knows-a-number"]["average_before"],
        statements["knows-a-number"]["average_after"],
    ) == (
        2.8,
        4.3,
    )
    assert statements["would-tell"]["change_points"] == 60 and "before" not in statements["photo-request"]
    csv = room.presenter.get(f"/presenter/sessions/{room.code}/results.csv").get_data(as_text=True)
    # Each row starts with the session's date.
    check_rows = [line.split(",", 1)[1] for line in csv.splitlines() if ",check:" in line]
    assert len(check_rows) == 2 * 2 * 5  # two statements shown, before and after, five points
    assert (
        "check:after:knows-a-number,I know a number I can call if something online worries me.,6,5,Yes,3,50,"
        in csv
    )
    with room.app.app_context():
        devices = [row[0] for row in store.db().execute("SELECT id FROM participants")]
    assert devices and not any(device in csv or device in json.dumps(exported) for device in devices)


def test_without_the_check_the_lesson_is_as_before(checked_app):
    room = CheckedClassroom(checked_app, check=None)  # the box unticked: browsers send nothing
    room.act("next")
    room.act("next")
    assert room.step().question_key == "quiz:tiny-quiz:secret"
    assert (
        room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()["before_after"] is None
    )


def test_the_presenter_is_offered_the_check_ticked(checked_app):
    room = CheckedClassroom(checked_app)
    home = room.presenter.get("/en/presenter/").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="check" value="on" id="check-tiny"[^>]* checked>', home)


BAD_CHECKS = [
    ("unknown statement", {"question": BEFORE, "choices": ["made-up:4"]}, 400),
    ("a point off the scale", {"question": BEFORE, "choices": ["knows-a-number:6"]}, 400),
    ("two points for one statement", {"question": BEFORE, "choices": ["would-tell:2", "would-tell:5"]}, 400),
    ("nothing picked", {"question": BEFORE, "choices": []}, 400),
    ("choices not a list", {"question": BEFORE, "choices": "would-tell:2"}, 400),
    ("the check that is not open", {"question": AFTER, "choices": ["would-tell:2"]}, 409),
]


@pytest.mark.parametrize("label,body,status", BAD_CHECKS, ids=[b[0] for b in BAD_CHECKS])
def test_bad_check_answers_get_a_plain_4xx_and_store_nothing(checked_app, label, body, status):
    room = CheckedClassroom(checked_app)
    pupil = room.pupil()
    room.next_until(BEFORE)
    response = pupil.post(f"/en/live/{room.code}/answer", json=body)
    assert response.status_code == status
    assert set(response.get_json()) == {"error"} and "Traceback" not in response.get_data(as_text=True)
    with room.app.app_context():
        assert store.db().execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


def test_the_check_cannot_be_answered_while_a_quiz_question_is_open(checked_app):
    room = CheckedClassroom(checked_app)
    pupil = room.pupil()
    room.next_until("quiz:tiny-quiz:secret")
    assert room.check(pupil, BEFORE, {"would-tell": 4}).status_code == 409
    answer = pupil.post(
        f"/en/live/{room.code}/answer",
        json={"question": "quiz:tiny-quiz:secret", "choices": ["would-tell:4"]},
    )
    assert answer.status_code == 400


def test_the_form_works_without_javascript(checked_app):
    room = CheckedClassroom(checked_app)
    pupil = room.pupil()
    room.next_until(BEFORE)
    page = pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert "This is about the lesson, not about you." in page
    radios = re.findall(r'<input type="radio"[^>]*>', page)
    assert len(radios) == 4 * 5 and not any("required" in radio for radio in radios)  # all can be skipped
    for word in ("No", "Not really", "Not sure", "Mostly", "Yes"):
        assert f">{word}</label>" in page
    sent = pupil.post(
        f"/en/live/{room.code}/answer",
        data={"question": BEFORE, "knows-a-number": "knows-a-number:2", "would-tell": "would-tell:5"},
    )
    assert sent.status_code == 302
    page = pupil.get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert page.count(" checked") == 2 and "Your answers are in." in page


# What may stay untranslated on these pages: numbers and shares, choice letters, the join address
# and code, the language switcher, and language names as the locale's own data (CLDR) spells them.
NEUTRAL = re.compile(
    r"^[\d:–\-/.,·()+%✓→●▮■]+$|^[A-J]\.?$|^(EN|FR)$|^[A-Z2-9]{5}$|^https?://\S+$"
    r"|^(français|anglais|English|Français)$"
)


def english_words(html: str) -> list[str]:
    leftover = visible_text(html)
    while "‹" in leftover:  # a translated text may hold another: ‹6 ‹devices› ...›
        leftover = re.sub(r"‹[^‹›]*›", " ", leftover)
    return [word for word in leftover.split() if not NEUTRAL.match(word)]


def test_every_word_of_the_check_and_the_report_comes_from_a_catalog(checked_app, tmp_path):
    content = loaded_content(checked_app)
    translations = pseudo_catalogs(tmp_path / "translations", content)
    app = create_app(
        {**checked_app.config, "LANGUAGES": ["en", "fr"], "TRANSLATIONS_DIR": str(translations)},
        content=content,
    )
    room = CheckedClassroom(app)
    pupils = [phone(app) for _ in ANSWERS]
    for pupil in pupils:
        pupil.get(f"/fr/live/{room.code}/")
    room.next_until(BEFORE)
    pages = {
        "phone": pupils[0].get(f"/fr/live/{room.code}/").get_data(as_text=True),
        "stage": room.presenter.get(room.console.replace("/en/", "/fr/")).get_data(as_text=True),
    }
    for pupil, (before, _) in zip(pupils, ANSWERS, strict=True):
        room.check(pupil, BEFORE, before)
    room.next_until(AFTER)
    for pupil, (_, after) in zip(pupils, ANSWERS, strict=True):
        room.check(pupil, AFTER, after)
    room.act("next")
    room.act("next")
    pages["how our class changed"] = room.presenter.get(room.console.replace("/en/", "/fr/")).get_data(
        as_text=True
    )
    pages["results"] = room.presenter.get(f"/fr/presenter/sessions/{room.code}/results/").get_data(
        as_text=True
    )
    pages["report"] = room.presenter.get("/fr/presenter/report/?from=2020-01-01").get_data(as_text=True)
    assert "‹I know a number I can call if something online worries me.›" in pages["how our class changed"]
    assert "data-shift" in pages["report"] and "‹Mostly›" in pages["phone"]
    assert {name: english_words(html) for name, html in pages.items()} == {name: [] for name in pages}
