"""One pupil, one voice: the class's before-and-after figures are released once and never
change, so no two releases differ by one pupil; one network address joins a session with a few
devices at most; a removed device stays out; the presenter can close joining."""

from __future__ import annotations

import json
import re

import pytest
from test_before_after import AFTER, ANSWERS, BEFORE, CheckedClassroom, run_lesson
from test_live import SECRET

from workshop import store

from content_tree import STATEMENTS, TINY, write_tree
from helpers import Visitor, database_at_version, from_address, phone, running_server, signed_in, visible_text


class Releases:
    """Every release of a session's before-and-after figures the presenter can read: the JSON,
    the CSV's check rows, the results page, the season report's figures for it, the stage."""

    def __init__(self, room):
        self.room, self.seen = room, set()

    def read(self) -> None:
        room = self.room
        document = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
        csv = room.presenter.get(f"/presenter/sessions/{room.code}/results.csv").get_data(as_text=True)
        page = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
        report = room.presenter.get("/presenter/report.csv?from=2020-01-01").get_data(as_text=True)
        self.seen.add(("json", repr(document["before_after"])))
        self.seen.add(("csv", "\n".join(line for line in csv.splitlines() if ",check:" in line)))
        self.seen.add(("page", "".join(re.findall(r'<tr data-statement="[^"]+">.*?</tr>', page, re.S))))
        self.seen.add(("report", "\n".join(line for line in report.splitlines() if "knows-a-number" in line)))
        self.seen.add(
            ("stage", "".join(re.findall(r'<tr data-statement="[^"]+">.*?</tr>', room.stage(), re.S)))
        )

    def figures(self, kind: str) -> list[str]:
        """The distinct figures of one kind ever read, leaving out the empty ones."""
        return [value for seen_kind, value in self.seen if seen_kind == kind and value not in ("", "None")]


def answer_both_checks(room) -> None:
    """Six pupils answer the first check and the final one, which stays open."""
    pupils = [room.pupil() for _ in ANSWERS]
    room.next_until(BEFORE)
    for pupil, (before, _) in zip(pupils, ANSWERS, strict=True):
        room.check(pupil, BEFORE, before)
    room.next_until(AFTER)
    for pupil, (_, after) in zip(pupils, ANSWERS, strict=True):
        room.check(pupil, AFTER, after)


def test_no_distribution_of_the_check_is_shown_before_the_final_check_closes(checked_app):
    room = CheckedClassroom(checked_app)
    answer_both_checks(room)
    releases = Releases(room)
    releases.read()
    assert releases.figures("json") == releases.figures("csv") == releases.figures("page") == []
    page = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    assert "worked out once, when the final check closes" in visible_text(page)
    assert room.presenter.get(f"/presenter/sessions/{room.code}/state.json").get_json()["answered"] == 6


def test_a_late_device_cannot_be_singled_out_by_reading_the_figures_twice(checked_app):
    """The probe's first attack: read at 5 devices, then at 6. There is one release only."""
    room = CheckedClassroom(checked_app)
    releases = Releases(room)
    pupils = run_lesson(room, ANSWERS[:5])
    releases.read()
    sixth = room.pupil()
    assert room.check(sixth, AFTER, ANSWERS[5][1]).status_code == 409  # the check has closed
    room.act("back")
    room.act("next")  # back on the final check: it shows the kept figures, it does not reopen
    assert room.step().question_key == AFTER
    assert room.check(sixth, AFTER, ANSWERS[5][1]).status_code == 409
    releases.read()
    for kind in ("json", "csv", "page", "report", "stage"):
        assert len(releases.figures(kind)) == 1, kind
    assert pupils


def test_removing_a_device_after_the_figures_are_kept_changes_nothing(checked_app):
    """The probe's second attack: remove one device and compare."""
    room = CheckedClassroom(checked_app)
    run_lesson(room, ANSWERS)
    releases = Releases(room)
    releases.read()
    response = room.presenter.post(
        f"/en/presenter/sessions/{room.code}/remove-device",
        data={"csrf": room.csrf, "device": "3", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert room.presenter.get(f"/presenter/sessions/{room.code}/state.json").get_json()["participants"] == 5
    releases.read()
    for kind in ("json", "csv", "page", "report"):
        assert len(releases.figures(kind)) == 1, kind


def test_reopening_the_final_check_asks_first_and_discards_the_figures_for_good(checked_app):
    """The probe's third attack: reopen the check and add one device, then close it again."""
    room = CheckedClassroom(checked_app)
    run_lesson(room, ANSWERS[:5])
    releases = Releases(room)
    releases.read()
    asked = room.presenter.post(f"/en/presenter/sessions/{room.code}/reopen", data={"csrf": room.csrf})
    assert "/confirm/reopen" in asked.headers["Location"]
    page = room.presenter.get(asked.headers["Location"]).get_data(as_text=True)
    assert "deletes them for good" in visible_text(page)
    assert room.step().question_key == AFTER and len(releases.figures("json")) == 1  # nothing yet
    room.presenter.post(
        f"/en/presenter/sessions/{room.code}/reopen", data={"csrf": room.csrf, "confirmed": "1"}
    )
    sixth = room.pupil()
    assert room.check(sixth, AFTER, ANSWERS[5][1]).status_code == 200
    room.act("next")  # closed again
    room.act("next")  # revealed again
    document = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
    assert document["before_after"] is None
    page = room.presenter.get(f"/en/presenter/sessions/{room.code}/results/").get_data(as_text=True)
    assert "this lesson shows no figures" in visible_text(page)
    releases.read()
    for kind in ("json", "csv", "page", "report", "stage"):
        assert len(releases.figures(kind)) <= 1, kind


def test_resetting_the_final_check_asks_first_and_keeps_no_second_set(checked_app):
    room = CheckedClassroom(checked_app)
    run_lesson(room, ANSWERS)
    first = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()["before_after"]
    assert first and first["devices_answered_both_times"] == 6
    asked = room.presenter.get(f"/en/presenter/sessions/{room.code}/confirm/reset").get_data(as_text=True)
    assert "deletes them for good" in visible_text(asked)
    room.presenter.post(
        f"/en/presenter/sessions/{room.code}/reset", data={"csrf": room.csrf, "confirmed": "1"}
    )
    for pupil_answers in ANSWERS[:5]:
        pupil = room.pupil()
        room.check(pupil, AFTER, pupil_answers[1])
    room.act("next")
    assert (
        room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()["before_after"] is None
    )


def test_ending_the_session_on_the_open_final_check_keeps_the_figures_once(checked_app):
    room = CheckedClassroom(checked_app)
    answer_both_checks(room)
    room.presenter.post(f"/en/presenter/sessions/{room.code}/end", data={"csrf": room.csrf, "confirmed": "1"})
    document = room.presenter.get(f"/presenter/sessions/{room.code}/results.json").get_json()
    assert document["before_after"]["devices_answered_both_times"] == 6


def test_a_session_held_before_the_figures_were_kept_keeps_them_on_upgrade(tmp_path):
    """A file of schema 3 whose final check had closed: its figures are kept as they were."""
    database = database_at_version(tmp_path / "workshop.db", 3)
    database.execute(
        """INSERT INTO sessions (code, module_id, band, position, created_at, with_check, open_key)
           VALUES ('ABCDE', 'tiny', '13-16', '{"item":0}', 1, 1, '')"""
    )
    for number, (before, after) in enumerate(ANSWERS):
        database.execute(
            "INSERT INTO participants (id, session_code, lang, joined_at) VALUES (?, 'ABCDE', 'en', 1)",
            [f"device-{number}"],
        )
        for key, points in ((BEFORE, before), (AFTER, after)):
            database.execute(
                "INSERT INTO answers VALUES ('ABCDE', ?, ?, ?, 1)",
                [f"device-{number}", key, ",".join(store.check_choice_ids(points))],
            )
    store.migrate(database)
    session = store.get_session(database, "ABCDE")
    kept = store.kept_figures(session)
    assert kept["devices"] == 6 and kept["statements"]["knows-a-number"]["after"] == {"3": 1, "4": 2, "5": 3}
    assert [device.number for device in store.devices(database, "ABCDE")] == [1, 2, 3, 4, 5, 6]
    database.conn.close()


# One network address, a few devices


def test_one_address_joins_a_session_with_a_few_devices_only(room):
    limit = room.app.config["ADDRESS_DEVICES"]
    assert limit == 4
    laptop = [from_address(room.app, "10.0.0.9") for _ in range(limit + 3)]
    statuses = [device.get(f"/en/live/{room.code}/").status_code for device in laptop]
    assert statuses == [200] * limit + [403] * 3
    refused = laptop[-1].get(f"/en/live/{room.code}/").get_data(as_text=True)
    assert "No more devices can join from this network connection" in visible_text(refused)
    assert "Traceback" not in refused
    assert room.state()["participants"] == limit and room.state()["refused"] == 4
    assert room.pupil()  # another address is not affected
    console = room.presenter.get(room.console).get_data(as_text=True)
    assert re.search(r'<p class="notice" data-refused role="status">', console)


def test_the_limit_is_per_session_and_counts_no_minute(tiny_app, presenter):
    from test_live import Classroom

    first, second = Classroom(tiny_app, presenter), Classroom(tiny_app, presenter)
    for room in (first, second):
        statuses = [
            from_address(tiny_app, "10.0.0.7").get(f"/en/live/{room.code}/").status_code for _ in range(5)
        ]
        assert statuses == [200] * 4 + [403]


def test_the_loopback_address_is_not_exempt(room):
    statuses = [
        from_address(room.app, "127.0.0.1").get(f"/en/live/{room.code}/").status_code for _ in range(5)
    ]
    assert statuses == [200] * 4 + [403]


def test_a_raised_setting_lets_a_presenter_rehearse_with_many_tabs(tiny_app_with):
    from test_live import Classroom

    app = tiny_app_with(ADDRESS_DEVICES=40)
    room = Classroom(app, signed_in(app))
    assert {from_address(app, "127.0.0.1").get(f"/en/live/{room.code}/").status_code for _ in range(30)} == {
        200
    }


def test_devices_are_numbered_within_the_session_and_never_reused(room):
    pupils = [room.pupil() for _ in range(3)]
    assert _numbers(room) == ["1", "2", "3"]
    _remove(room, "3")
    newcomer = room.pupil()
    assert _numbers(room) == ["1", "2", "4"]
    _remove(room, "3")  # a resent removal of the same number hits nobody else
    assert _numbers(room) == ["1", "2", "4"]
    assert pupils and newcomer


def test_a_removed_device_cannot_come_back_by_reloading(room):
    pupil = room.pupil()
    room.next(2)
    assert room.answer(pupil, SECRET, ["tell"]).status_code == 200
    _remove(room, "1")
    assert room.state()["answered"] == 0 and room.state()["participants"] == 0
    again = pupil.get(f"/en/live/{room.code}/")
    assert again.status_code == 403
    assert "taken this device out of the session" in visible_text(again.get_data(as_text=True))
    assert room.answer(pupil, SECRET, ["tell"]).status_code == 400
    assert room.state()["participants"] == 0


def test_devices_on_one_connection_are_grouped_and_removed_together_after_asking(room):
    shared = [from_address(room.app, "10.0.0.30") for _ in range(3)]
    for device in shared:
        device.get(f"/en/live/{room.code}/")
    alone = room.pupil()
    html = room.presenter.get(f"/en/presenter/sessions/{room.code}/devices/").get_data(as_text=True)
    assert "3 devices on one connection" in visible_text(html)
    assert "10.0.0.30" not in html
    asked = room.presenter.post(
        f"/en/presenter/sessions/{room.code}/remove-group",
        data={"csrf": room.presenter.csrf, "device": "1", "back_to": "devices"},
    )
    assert "/confirm/remove-group" in asked.headers["Location"]
    assert room.state()["participants"] == 4  # nothing removed before the presenter says yes
    confirm = room.presenter.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="device" value="1"' in confirm and 'name="confirmed" value="1"' in confirm
    room.presenter.post(
        f"/en/presenter/sessions/{room.code}/remove-group",
        data={"csrf": room.presenter.csrf, "device": "1", "confirmed": "1"},
    )
    assert room.state()["participants"] == 1 and _numbers(room) == ["4"]
    assert from_address(room.app, "10.0.0.30").get(f"/en/live/{room.code}/").status_code == 403
    assert alone


def test_the_presenter_closes_and_reopens_joining(room):
    inside = room.pupil()
    room.act("close-joining")
    stage = visible_text(
        room.presenter.get(f"/en/presenter/sessions/{room.code}/stage/").get_data(as_text=True)
    )
    assert "Joining closed" in stage
    latecomer = phone(room.app)
    refused = latecomer.get(f"/en/live/{room.code}/")
    assert refused.status_code == 403
    assert "Joining is closed for this session" in visible_text(refused.get_data(as_text=True))
    assert inside.get(f"/en/live/{room.code}/").status_code == 200  # those inside stay in
    room.act("open-joining")
    assert latecomer.get(f"/en/live/{room.code}/").status_code == 200


@pytest.mark.parametrize("trusted", [True, False])
def test_a_trusted_proxy_is_counted_by_the_addresses_it_names(tiny_app_with, trusted):
    """Behind a school server's proxy every pupil comes from the proxy's address: named in
    TRUSTED_PROXIES, each is counted by the address the proxy forwards; a device that sends
    X-Forwarded-For itself, straight to the server, is counted by its own address."""
    from test_live import Classroom

    app = tiny_app_with(TRUSTED_PROXIES=["10.9.9.9"] if trusted else [])
    room = Classroom(app, signed_in(app))
    statuses = set()
    for number in range(10):
        device = from_address(app, "10.9.9.9")
        device.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.168.5.{number}"
        statuses.add(device.get(f"/en/live/{room.code}/").status_code)
    assert statuses == ({200} if trusted else {200, 403})


def test_the_answer_key_is_the_presenters_on_a_running_server(room):
    url = "/en/print/modules/tiny/answer-key/"
    pupil = room.pupil()
    refused = pupil.get(url)
    assert refused.status_code == 403 and "answer key is for the presenter" in refused.get_data(as_text=True)
    assert room.presenter.get(url).status_code == 200


def _numbers(room) -> list[str]:
    html = room.presenter.get(f"/en/presenter/sessions/{room.code}/devices/").get_data(as_text=True)
    return re.findall(r'<th scope="row">(\d+)</th>', html)


def _remove(room, number: str) -> None:
    room.presenter.post(
        f"/en/presenter/sessions/{room.code}/remove-device",
        data={"csrf": room.presenter.csrf, "device": number, "confirmed": "1"},
    )


def test_the_probes_attacks_on_the_real_server_never_get_two_releases(tmp_path):
    """Against `workshop serve`, each device on a loopback address of its own: read the figures
    at 5 devices, let a 6th try, remove one, reopen the final check and add one. Every release
    the presenter can read is one of at most one set of figures."""
    root = write_tree(tmp_path / "content", {**TINY, **STATEMENTS})
    with running_server(root, data_dir=tmp_path / "data", env={"WORKSHOP_ADDRESS_DEVICES": "4"}) as server:
        base = server.base_url.rstrip("/")
        presenter = Visitor(base)
        presenter.get(server.presenter_url.removeprefix(base))
        csrf = re.search(r'name="csrf" value="([^"]+)"', presenter.get("/en/presenter/").text).group(1)
        started = presenter.post_form(
            "/en/presenter/sessions/", {"csrf": csrf, "module": "tiny", "band": "13-16", "check": "on"}
        )
        code = started.headers["Location"].rstrip("/").split("/")[-1]

        def press(action: str, **form) -> None:
            presenter.post_form(f"/en/presenter/sessions/{code}/{action}", {"csrf": csrf, **form})

        def released() -> str:
            return json.dumps(
                json.loads(presenter.get(f"/presenter/sessions/{code}/results.json").text)["before_after"]
            )

        def check(device: Visitor, key: str, points: dict) -> int:
            choices = [f"{statement}:{point}" for statement, point in points.items()]
            return device.post_json(f"/en/live/{code}/answer", {"question": key, "choices": choices}).status

        pupils = [Visitor(base, f"127.0.4.{number}") for number in range(1, 7)]
        for pupil in pupils:
            assert pupil.get(f"/en/live/{code}/").status == 200
        press("next")
        press("next")  # the first check, open
        for pupil, (before, _) in zip(pupils, ANSWERS, strict=True):
            assert check(pupil, BEFORE, before) == 200
        for _ in range(40):  # on to the final check, open
            if f'data-phase="open" data-question="{AFTER}"' in pupils[0].get(f"/en/live/{code}/").text:
                break
            press("next")
        assert check(pupils[0], AFTER, ANSWERS[0][1]) == 200
        seen = {released()}
        for pupil, (_, after) in zip(pupils[1:5], ANSWERS[1:5], strict=True):
            assert check(pupil, AFTER, after) == 200
            seen.add(released())
        press("next")  # closed: the figures are kept now, from 5 devices
        seen.add(released())
        assert check(pupils[5], AFTER, ANSWERS[5][1]) == 409
        press("remove-device", device="2", confirmed="1")
        seen.add(released())
        press("reopen", confirmed="1")
        assert check(pupils[5], AFTER, ANSWERS[5][1]) == 200
        press("next")
        seen.add(released())
        assert len(seen - {"null"}) == 1
        assert json.loads(released()) is None  # reopened: discarded for good
