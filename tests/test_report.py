"""The season report: the sum of its sessions, the same before and after a purge, no device id."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from workshop import create_app, live, report, store
from workshop.cli import main
from workshop.content import loaded_content
from workshop.lesson import CHECK_AFTER, CHECK_BEFORE, LOBBY, Position
from workshop.store import Phase

from content_tree import DIRECTORY_FILE, STATEMENTS, TINY, write_tree
from helpers import database_at_version, tiny_settings, visible_text

DAY = 86400
A_NUMBER, WOULD_TELL = "knows-a-number", "would-tell"


def hold_session(database, band, days_ago, languages, before, after, questions=()):
    """A session of the tiny module, as pupils' devices leave it: joined, answered, asked."""
    session = store.create_session(database, "tiny", band, Position(item=1), with_check=True)
    code = session.code
    database.execute(
        "UPDATE sessions SET created_at = ? WHERE code = ?", [store.now() - days_ago * DAY, code]
    )
    devices = [store.add_participant(database, code, lang) for lang in languages]
    for key, answers in ((CHECK_BEFORE, before), (CHECK_AFTER, after)):
        store.update_session(database, code, phase=Phase.OPEN, open_key=key)
        for device, points in zip(devices, answers, strict=False):
            assert store.record_answer(database, code, device, key, store.check_choice_ids(points))
    # The final check closes: the class's figures are kept then, as the season report reads them.
    store.update_session(database, code, phase=Phase.CLOSED, open_key="")
    for text in questions:
        store.add_pupil_question(database, code, text)
    return code, devices


@pytest.fixture
def season(checked_app):
    """Three sessions: two older than the retention period, one recent; one with too few pairs."""
    with checked_app.app_context():
        database = store.db()
        held = [
            hold_session(
                database,
                "13-16",
                40,
                ["en", "en", "fr", "pt", "fr", "en"],
                [{A_NUMBER: 2, WOULD_TELL: 3}] * 6,
                [{A_NUMBER: 4, WOULD_TELL: 3}] * 4 + [{A_NUMBER: 2}] * 2,
                ["Can I block someone?", "Is it my fault?"],
            ),
            hold_session(
                database,
                "10-12",
                35,
                ["de", "de", "de"],
                [{A_NUMBER: 1}] * 3,
                [{A_NUMBER: 5}] * 3,
            ),
            hold_session(
                database,
                "13-16",
                2,
                ["en"] * 5,
                [{A_NUMBER: 5, WOULD_TELL: 2}] * 5,
                [{A_NUMBER: 5, WOULD_TELL: 5}] * 5,
                ["What is 116 111?"],
            ),
        ]
        # A session nobody joined (the presenter trying the console) is not a session held.
        store.create_session(database, "tiny", "10-12", LOBBY, with_check=True)
    return held


def this_season(app):
    with app.app_context():
        first, last = date.today() - timedelta(days=60), date.today()
        return report.season_report(loaded_content(app), first, last)


def test_the_report_is_the_sum_of_its_sessions(checked_app, season):
    found = this_season(checked_app)
    assert (found.sessions, found.pupils, found.pupil_questions, found.sessions_with_check) == (3, 14, 3, 3)
    assert [(t.key, t.sessions, t.pupils) for t in found.by_module] == [("tiny", 3, 14)]
    assert [(t.key, t.sessions, t.pupils) for t in found.by_band] == [("10-12", 1, 3), ("13-16", 2, 11)]
    assert [(t.key, t.sessions, t.pupils) for t in found.by_language] == [
        ("de", 1, 3),
        ("en", 2, 8),
        ("fr", 1, 2),
        ("pt", 1, 1),
    ]
    shifts = {s.statement.id: s for s in found.shifts}
    # knows-a-number: 6 devices (before 2, after 4 x4 and 2 x2) + 5 devices (5 -> 5); the
    # 10-12 session had only 3 devices, too few to keep.
    assert shifts[A_NUMBER].devices == 11
    assert (shifts[A_NUMBER].before, shifts[A_NUMBER].after) == ((0, 6, 0, 0, 5), (0, 2, 0, 4, 5))
    assert (shifts[A_NUMBER].agree_before, shifts[A_NUMBER].agree_after, shifts[A_NUMBER].change) == (
        45,
        82,
        37,
    )
    # would-tell: 4 devices answered it both times in the first session (too few), 5 in the last.
    assert (shifts[WOULD_TELL].devices, shifts[WOULD_TELL].before, shifts[WOULD_TELL].after) == (
        5,
        (0, 5, 0, 0, 0),
        (0, 0, 0, 0, 5),
    )
    assert set(shifts) == {A_NUMBER, WOULD_TELL}


def test_a_purge_deletes_every_device_row_and_leaves_the_report_unchanged(checked_app, season):
    before_purge = this_season(checked_app)
    (old, old_devices), (older, older_devices), _ = season
    with checked_app.app_context():
        database = store.db()
        assert store.purge(database, 30, 730) == 2
        for code in (old, older):
            assert store.get_session(database, code) is None
            for table in ("participants", "answers", "pupil_questions"):
                assert (
                    database.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE session_code = ?", [code]
                    ).fetchone()[0]
                    == 0
                )
        assert database.execute("SELECT COUNT(*) FROM session_aggregates").fetchone()[0] == 2
        kept = json.dumps([dict(row) for row in database.query("SELECT * FROM session_aggregates")])
        columns = {column.name for column in database["session_aggregates"].columns}
    assert this_season(checked_app) == before_purge
    # What is kept names no device and no session, and holds no pupil's words.
    assert columns == {
        "id",
        "held_at",
        "module_id",
        "band",
        "with_check",
        "pupils",
        "languages",
        "pupil_questions",
        "shifts",
    }
    assert not any(device in kept for device in old_devices + older_devices)
    assert "Can I block someone?" not in kept and "Is it my fault?" not in kept


def test_kept_counts_go_after_their_own_retention_period(checked_app, season):
    with checked_app.app_context():
        database = store.db()
        store.purge(database, 30, 730)
        database.execute("UPDATE session_aggregates SET held_at = held_at - 700 * ?", [DAY])
        store.purge(database, 30, 730)
        assert database.execute("SELECT COUNT(*) FROM session_aggregates").fetchone()[0] == 0
    assert this_season(checked_app).sessions == 1


@pytest.fixture
def presenter_of(checked_app):
    client = checked_app.test_client()
    client.get(f"/presenter/?key={checked_app.config['PRESENTER_KEY']}")
    return client


def test_the_report_page_and_its_csv(checked_app, season, presenter_of):
    first = (date.today() - timedelta(days=60)).isoformat()
    page = presenter_of.get(f"/en/presenter/report/?from={first}").get_data(as_text=True)
    text = visible_text(page)
    assert "Sessions held 3 Pupils reached 14 Anonymous questions asked 3" in text
    assert "Can I block someone?" not in page and "<svg" in page
    assert 'data-statement="knows-a-number"' in page and "45% 82% +37" in text
    exported = presenter_of.get(f"/presenter/report.csv?from={first}")
    assert exported.headers["Content-Disposition"].startswith("attachment; filename=workshop-report-")
    # With a byte-order mark, so Excel reads the accents.
    rows = list(csv.DictReader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    assert rows[0]["section"] == "total" and (rows[0]["sessions"], rows[0]["pupils"]) == ("3", "14")
    assert rows[0]["anonymous_questions"] == "3"
    statement = next(r for r in rows if r["statement_id"] == A_NUMBER)
    assert (
        statement["agree_before_percent"],
        statement["agree_after_percent"],
        statement["change_points"],
    ) == (
        "45",
        "82",
        "37",
    )
    with checked_app.app_context():
        devices = [row[0] for row in store.db().execute("SELECT id FROM participants")]
    assert not any(device in page or device in exported.get_data(as_text=True) for device in devices)


def test_the_report_is_for_the_presenter_only_and_refuses_bad_dates(checked_app, presenter_of):
    stranger = checked_app.test_client()
    assert stranger.get("/en/presenter/report/").status_code == 403
    assert stranger.get("/presenter/report.csv").status_code == 403
    for query in ("from=yesterday", "from=2026-02-30", "from=2026-05-01&to=2026-04-01"):
        response = presenter_of.get(f"/en/presenter/report/?{query}")
        assert response.status_code == 400, query
        assert "YYYY-MM-DD" in response.get_data(as_text=True) and "Traceback" not in response.get_data(
            as_text=True
        )
    empty = presenter_of.get("/en/presenter/report/?from=2020-01-01&to=2020-12-31").get_data(as_text=True)
    assert "No sessions in these dates." in empty


def test_the_school_year_is_the_default_season():
    assert report.date_range(None, None, date(2026, 11, 5)) == (date(2026, 9, 1), date(2026, 11, 5))
    assert report.date_range(None, None, date(2027, 3, 1)) == (date(2026, 9, 1), date(2027, 3, 1))
    assert report.date_range("2026-01-01", "2026-01-31", date(2027, 3, 1)) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


def test_workshop_report_prints_the_same_figures(checked_app, season):
    runner = CliRunner()
    env = {
        "WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE,
        "WORKSHOP_DATA_DIR": checked_app.config["DATA_DIR"],
        "WORKSHOP_LANGUAGES": '["en"]',
    }
    first = (date.today() - timedelta(days=60)).isoformat()
    command = ["--content", checked_app.config["CONTENT_DIR"], "report", "--from", first]
    printed = runner.invoke(main, command, env=env)
    assert printed.exit_code == 0, printed.output
    assert "Sessions held: 3 (3 with the before-and-after check)" in printed.output
    assert "Pupils reached: 14" in printed.output and "Anonymous questions asked: 3" in printed.output
    assert (
        "I know a number I can call if something online worries me. 45% -> 82% (+37 points" in printed.output
    )
    as_csv = runner.invoke(main, [*command, "--csv"], env=env)
    assert as_csv.output.splitlines()[0].startswith("section,key,sessions,pupils,anonymous_questions")
    wrong = runner.invoke(main, [*command[:-1], "soon"], env=env)
    assert wrong.exit_code == 2 and "YYYY-MM-DD" in wrong.output and "Traceback" not in wrong.output


# Version 1 is the file as the kit first wrote it; version 2 added who is here now and took
# the device id off pupils' questions. Both are in the field and must reach the report's schema.
@pytest.mark.parametrize("version", [1, 2])
def test_a_database_written_before_the_report_gains_it_and_keeps_its_sessions(tmp_path, version):
    database = database_at_version(tmp_path / "workshop.db", version)
    database.execute(
        "INSERT INTO sessions (code, module_id, band, position, created_at) VALUES (?, ?, ?, ?, ?)",
        ["ABCDE", "tiny", "10-12", '{"item":0}', 1],
    )
    database.execute(
        "INSERT INTO participants (id, session_code, lang, joined_at) VALUES ('device', 'ABCDE', 'fr', 1)"
    )
    store.migrate(database)
    assert database.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION >= 4
    session = store.get_session(database, "ABCDE")
    assert session.module_id == "tiny" and session.with_check is False
    assert store.participant_count(database, "ABCDE") == 1
    assert "session_aggregates" in database.table_names()
    [aggregate] = store.season_aggregates(database, 0, store.now())
    assert aggregate["pupils"] == 1 and aggregate["languages"] == {"fr": 1} and aggregate["shifts"] == {}
    database.conn.close()


def test_figures_stored_under_a_retired_statement_still_read_with_its_words(checked_app, data_dir, tmp_path):
    """A statement reworded between seasons gets a new id; the old one is kept as retired, so a
    class that answered it still sees it, and the season report shows it apart, never added to
    the new one."""
    with checked_app.app_context():
        code, _ = hold_session(
            store.db(), "10-12", 1, ["en"] * 5, [{"photo-request": 2}] * 5, [{"photo-request": 5}] * 5
        )
    reworded = STATEMENTS["statements/tiny.toml"].replace('id = "photo-request"', 'id = "photo-of-myself"')
    reworded = reworded.replace("asks me for a photo.", "asks me for a photo of myself.") + (
        '\n[[retired]]\nid = "photo-request"\nmeasures = "confidence"\n'
        'text = "I know what to do if someone online asks me for a photo."\n'
    )
    root = write_tree(tmp_path / "next-season", {**TINY, "statements/tiny.toml": reworded})
    next_season = create_app(tiny_settings(root, data_dir))
    found = this_season(next_season)
    (old,) = [s for s in found.shifts if s.statement.id == "photo-request"]
    assert old.statement.retired and old.statement.text.endswith("asks me for a photo.")
    assert (old.agree_before, old.agree_after, old.devices) == (0, 100, 5)
    assert "photo-of-myself" not in [s.statement.id for s in found.shifts]
    with next_season.app_context():
        assert "asks me for a photo. (earlier wording, no longer asked) 0% -> 100%" in report.as_text(
            found, loaded_content(next_season)
        )
        shift = live.class_shift(store.get_session(store.db(), code))
    assert [s.statement.id for s in shift.statements] == [
        "knows-a-number",
        "photo-of-myself",
        "would-tell",
        "photo-request",
    ]
    assert shift.statements[-1].shown and shift.statements[-1].agree_after == 100


def test_a_deleted_question_still_counts_as_asked(checked_app, season):
    """Deleting a pupil's question takes its text away for good, not the fact that it was asked."""
    with checked_app.app_context():
        database = store.db()
        code = season[2][0]
        (question,) = store.pupil_questions(database, code)
        store.delete_pupil_question(database, code, question["id"])
        assert store.pupil_questions(database, code) == []
    assert this_season(checked_app).pupil_questions == 3
