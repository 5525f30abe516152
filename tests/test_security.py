"""Safe for every pupil: headers, cookies, hostile content, flooding and guessing, random input."""

from __future__ import annotations

import string
import time
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_live import SECRET, Classroom

from workshop import auth, create_app, download, store
from workshop.cli import main
from workshop.security import DOWNLOAD_CHECKS_PER_MINUTE

from content_tree import DIRECTORY_FILE, TINY, write_tree
from helpers import from_address, signed_in

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def test_every_kind_of_response_carries_the_security_headers(room):
    pupil = room.pupil()
    responses = [
        pupil.get("/en/help/"),
        pupil.get("/static/css/app.css"),
        pupil.get("/nope"),
        pupil.get(f"/en/live/{room.code}/"),
        pupil.get(f"/live/{room.code}/state.json"),
        pupil.post(f"/en/live/{room.code}/answer", json={}),
        room.presenter.get(room.console),
        pupil.get(room.console),
    ]
    for response in responses:
        response.close()
        for name, value in EXPECTED_HEADERS.items():
            assert response.headers[name] == value, (response.request.path, name)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_cookies_are_http_only_and_same_site(tiny_app, room):
    pupil = tiny_app.test_client()
    response = pupil.get(f"/en/live/{room.code}/")
    device_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in device_cookie and "SameSite=Lax" in device_cookie
    signed_in = tiny_app.test_client().get(f"/presenter/?key={tiny_app.config['PRESENTER_KEY']}")
    presenter_cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in presenter_cookie and "SameSite=Lax" in presenter_cookie


def test_no_template_carries_inline_script_or_style():
    from workshop.settings import PROJECT_ROOT

    for template in (PROJECT_ROOT / "workshop" / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        assert "<script>" not in html, template.name
        assert "<style" not in html and 'style="' not in html, template.name
        for handler in ("onclick=", "onsubmit=", "onload=", "onchange="):
            assert handler not in html, (template.name, handler)


HOSTILE = "<script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(1))"


def test_content_cannot_inject_html_or_script(tmp_path):
    files = dict(TINY)
    files["slides/tiny/welcome.md"] = files["slides/tiny/welcome.md"].replace("Hello class.", HOSTILE)
    files["quizzes/tiny-quiz.toml"] = files["quizzes/tiny-quiz.toml"].replace(
        'feedback = "Yes: a trusted adult can help."', f'feedback = "{HOSTILE}"'.replace("'", "’")
    )
    files["scenarios/tiny-story.toml"] = files["scenarios/tiny-story.toml"].replace(
        'title = "Tiny story"', 'title = "<b onmouseover=alert(1)>Tiny</b>"'
    )
    root = write_tree(tmp_path / "hostile", files)
    app = create_app(
        {"CONTENT_DIR": str(root), "DIRECTORY_FILE": DIRECTORY_FILE, "DATA_DIR": str(tmp_path / "d")}
    )
    client = app.test_client()
    for url in [
        "/en/modules/tiny/10-12/slides/",
        "/en/quizzes/tiny-quiz/",
        "/en/scenarios/tiny-story/",
        "/en/modules/tiny/13-16/speaker/",
    ]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html, url
        assert 'href="javascript:' not in html, url
    assert "&lt;script&gt;" in client.get("/en/modules/tiny/10-12/slides/").get_data(as_text=True)


def test_answer_flooding_is_limited_per_device_only(room):
    flooder, classmate = room.pupil(), room.pupil()
    room.next(2)
    statuses = [room.answer(flooder, SECRET, ["tell"]).status_code for _ in range(25)]
    assert statuses[:20] == [200] * 20 and statuses[-1] == 429
    assert room.answer(classmate, SECRET, ["keep"]).status_code == 200
    assert room.state()["answered"] == 2


def test_the_presenter_key_cannot_be_guessed(tiny_app):
    key = tiny_app.config["PRESENTER_KEY"]
    assert len(key) >= 32 and set(key) <= set(string.ascii_letters + string.digits + "-_")
    guesser = tiny_app.test_client()
    statuses = [guesser.get(f"/presenter/?key=guess{n}").status_code for n in range(12)]
    assert statuses[:10] == [403] * 10 and statuses[10:] == [429, 429]
    assert guesser.get("/en/presenter/").status_code == 403


def test_wrong_keys_from_one_address_never_lock_the_presenter_out(tiny_app):
    key = tiny_app.config["PRESENTER_KEY"]
    phone = from_address(tiny_app, "192.168.1.50")
    assert [phone.get(f"/presenter/?key=guess{n}").status_code for n in range(11)][-1] == 429
    assert from_address(tiny_app, "192.168.1.51").get("/presenter/?key=guess").status_code == 403
    laptop = from_address(tiny_app, "127.0.0.1")
    assert laptop.get(f"/presenter/?key={key}").status_code == 302
    assert laptop.get("/en/presenter/").status_code == 200
    assert phone.get(f"/presenter/?key={key}").status_code == 302  # the right key always signs in


def test_the_presenter_cookie_has_its_name_a_fixed_lifetime_and_a_sign_out(tiny_app, presenter):
    signed_in = tiny_app.test_client().get(f"/presenter/?key={tiny_app.config['PRESENTER_KEY']}")
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("workshop_presenter=") and "Expires=" in cookie
    assert "Set-Cookie" not in presenter.get("/en/presenter/").headers  # use does not renew it
    assert presenter.post("/en/presenter/sign-out", data={"csrf": presenter.csrf}).status_code == 302
    assert presenter.get("/en/presenter/").status_code == 403


def test_signing_out_ends_the_sign_in_on_the_server_too(tiny_app, capsys):
    """A copy of the cookie, taken before the sign-out, signs nothing in after it; nor does the
    key URL left in the browser's history. The terminal prints the new address, and a restart
    keeps the sign-out."""
    old_key = tiny_app.config["PRESENTER_KEY"]
    presenter, other_tab = signed_in(tiny_app), signed_in(tiny_app)
    copy = tiny_app.test_client()
    copy.set_cookie("workshop_presenter", presenter.get_cookie("workshop_presenter").value)
    assert copy.get("/en/presenter/").status_code == 200
    assert presenter.post("/en/presenter/sign-out", data={"csrf": presenter.csrf}).status_code == 302
    for client in (copy, other_tab):
        assert client.get("/en/presenter/").status_code == 403
        assert client.post("/en/presenter/sessions/", data={"csrf": presenter.csrf}).status_code == 403
    assert tiny_app.test_client().get(f"/presenter/?key={old_key}").status_code == 403
    new_key = auth.presenter_key(tiny_app)
    assert new_key != old_key and f"/presenter/?key={new_key}" in capsys.readouterr().out
    again = tiny_app.test_client()
    assert again.get(f"/presenter/?key={new_key}").status_code == 302
    assert again.get("/en/presenter/").status_code == 200
    restarted = create_app(dict(tiny_app.config))
    copy_after_restart = restarted.test_client()
    copy_after_restart.set_cookie("workshop_presenter", copy.get_cookie("workshop_presenter").value)
    assert copy_after_restart.get("/en/presenter/").status_code == 403
    assert restarted.test_client().get(f"/presenter/?key={old_key}").status_code == 403


def test_a_sign_in_older_than_its_lifetime_is_refused(tiny_app):
    serializer = tiny_app.session_interface.get_signing_serializer(tiny_app)
    hours = tiny_app.config["PRESENTER_SIGN_IN_HOURS"]
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - (hours + 1) * 3600):
        yesterday = serializer.dumps({"presenter": True, "csrf": "x"})
    client = tiny_app.test_client()
    client.set_cookie("workshop_presenter", yesterday)
    assert client.get("/en/presenter/").status_code == 403
    client.set_cookie("workshop_presenter", serializer.dumps({"presenter": True, "csrf": "x"}))
    assert client.get("/en/presenter/").status_code == 200


def test_presenter_pages_questions_and_exports_are_never_cached(room):
    for url in [
        "/en/presenter/",
        room.console,
        f"/en/presenter/sessions/{room.code}/questions/",
        f"/en/presenter/sessions/{room.code}/devices/",
        f"/en/presenter/sessions/{room.code}/results/",
        f"/presenter/sessions/{room.code}/results.csv",
        f"/presenter/sessions/{room.code}/results.json",
        f"/presenter/sessions/{room.code}/state.json",
    ]:
        assert room.presenter.get(url).headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize(
    "path",
    [
        "/static/../workshop/__init__.py",
        "/static/%2e%2e/settings.py",
        "/static/..%2f..%2fpyproject.toml",
        "/en/modules/..%2f..%2fetc/",
        "/en/quizzes/../../../etc/passwd",
        "/en/scenarios/%2e%2e/",
    ],
)
def test_path_traversal_finds_nothing(tiny_app, path):
    assert tiny_app.test_client().get(path).status_code == 404


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
segment = st.text(alphabet=string.ascii_letters + string.digits + "-_.%~", min_size=1, max_size=20)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def hostile_room(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("content"))
    app = create_app(
        {
            "CONTENT_DIR": str(root),
            "DIRECTORY_FILE": DIRECTORY_FILE,
            "DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "TESTING": True,
        }
    )
    room = Classroom(app, signed_in(app))
    room.next(2)  # a question is open: the most a random request could wrongly store into
    return room


def stored_rows(room) -> tuple[int, int, int]:
    with room.app.app_context():
        database = store.db()
        return tuple(
            database.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("answers", "pupil_questions", "sessions")
        )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=segment,
    lang=st.sampled_from(["en", "xx", "EN", "fr"]),
    body=json_value,
    form=st.dictionaries(st.sampled_from(["question", "choice", "text", "csrf"]), text, max_size=3),
    headers=st.dictionaries(
        st.sampled_from(["Content-Type", "Accept", "If-None-Match", "Cookie", "Accept-Language"]),
        st.text(alphabet=string.printable.strip(), max_size=30),
        max_size=3,
    ),
)
def test_random_requests_never_crash_and_never_store(hostile_room, code, lang, body, form, headers):
    client = hostile_room.app.test_client()
    before = stored_rows(hostile_room)
    requests = [
        ("GET", f"/{lang}/live/{code}/"),
        ("GET", f"/live/{code}/state.json"),
        ("GET", f"/j/{code}"),
        ("GET", f"/{lang}/join/?code={code}"),
        ("GET", f"/{lang}/scenarios/{code}/{code}/"),
        ("GET", f"/{lang}/quizzes/{code}/"),
        ("GET", f"/{lang}/modules/{code}/10-12/slides/"),
        ("GET", f"/static/{code}"),
    ]
    for method, url in requests:
        assert client.open(url, method=method, headers=headers).status_code < 500, url
    for url in (
        f"/{code}",
        f"/{lang}/{code}",
        f"/j/{code}/",
        f"/{lang}/live/{code}/{code}",
        f"/presenter/{code}",
    ):
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            response = client.open(url, method=method, json=body, headers=headers)
            assert response.status_code < 500, (method, url)
    for url in (
        f"/{lang}/live/{code}/answer",
        f"/{lang}/live/{hostile_room.code}/answer",
        f"/{lang}/live/{hostile_room.code}/ask",
        f"/{lang}/presenter/sessions/{hostile_room.code}/next",
    ):
        assert client.post(url, json=body, headers=headers).status_code in range(300, 500), url
        assert client.post(url, data=form, headers=headers).status_code in range(300, 500), url
    assert stored_rows(hostile_room) == before


@pytest.mark.parametrize("number", [2**63, 2**70, -1])
@pytest.mark.parametrize(
    ("action", "field"),
    [
        ("show-question", "question"),
        ("hide-from-list", "question"),
        ("show-in-list", "question"),
        ("delete-question", "question"),
        ("remove-device", "device"),
    ],
)
def test_a_number_no_question_or_device_can_have_is_a_404_not_an_error(room, action, field, number):
    room.pupil().post(f"/en/live/{room.code}/ask", data={"text": "Can I block someone?"})  # question 1

    def pressed(value: str) -> int:
        form = {"csrf": room.presenter.csrf, field: value, "confirmed": "1"}  # removing asks first
        return room.presenter.post(f"/en/presenter/sessions/{room.code}/{action}", data=form).status_code

    assert pressed(str(number)) == 404
    assert pressed("1") == 302  # a number that could exist


def report_command(app, *options: str):
    """`workshop report` on the app's data folder, as the presenter would type it."""
    env = {"WORKSHOP_DIRECTORY_FILE": DIRECTORY_FILE, "WORKSHOP_DATA_DIR": app.config["DATA_DIR"]}
    command = ["--content", app.config["CONTENT_DIR"], "report", *options]
    return CliRunner().invoke(main, command, env={**env, "WORKSHOP_LANGUAGES": '["en"]'})


def keep_counts(app, **row) -> None:
    """A row of the season report's kept counts, as another program or a damaged disk left it."""
    kept = {
        "held_at": time.time(),
        "module_id": "tiny",
        "band": "13-16",
        "with_check": 0,
        "pupils": 5,
        "languages": '{"en": 5}',
        "pupil_questions": 0,
        "shifts": "{}",
        **row,
    }
    with app.app_context():
        database = store.db()
        database.execute(
            f"INSERT INTO session_aggregates ({', '.join(kept)}) VALUES ({', '.join('?' * len(kept))})",
            list(kept.values()),
        )
        database.conn.commit()


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"])
def test_the_season_report_takes_the_first_and_last_days_a_date_can_name(tiny_app, presenter, query):
    keep_counts(tiny_app)
    page = presenter.get(f"/en/presenter/report/?{query}")
    assert page.status_code == 200 and "5" in page.get_data(as_text=True)
    assert presenter.get(f"/presenter/report.csv?{query}").status_code == 200
    printed = report_command(tiny_app, *[f"--{part}" for part in query.split("&")])
    assert printed.exit_code == 0 and "Pupils reached: 5" in printed.output, printed.output


@pytest.mark.parametrize(
    "damage",
    [{"languages": "not json"}, {"shifts": '{"a": {"before": {"abc": 1}, "after": {}}}'}, {"shifts": "[1]"}],
)
def test_counts_kept_that_cannot_be_read_give_a_plain_message(tiny_app, presenter, damage):
    keep_counts(tiny_app, **damage)
    for url in ("/en/presenter/report/", "/presenter/report.csv"):
        response = presenter.get(url)
        assert response.status_code == 409 and "cannot be read" in response.get_data(as_text=True)
    printed = report_command(tiny_app)
    assert printed.exit_code == 1 and "cannot be read" in printed.output
    assert "Traceback" not in printed.output


def test_a_language_no_locale_has_is_named_as_it_was_kept(tiny_app, presenter):
    keep_counts(tiny_app, languages='{"<script>": 5}')
    page = presenter.get("/en/presenter/report/")
    assert page.status_code == 200 and "&lt;script&gt;" in page.get_data(as_text=True)


def test_a_database_from_a_newer_version_is_refused_with_one_sentence(tiny_app):
    with tiny_app.app_context():
        store.db().execute("PRAGMA user_version = 99")
    printed = report_command(tiny_app)
    assert printed.exit_code == 1 and "newer version of the workshop" in printed.output
    assert "Traceback" not in printed.output


def test_the_download_page_and_its_status_are_limited_per_address(tiny_app):
    laptop, other = from_address(tiny_app, "192.168.1.60"), from_address(tiny_app, "192.168.1.61")
    statuses = [laptop.get("/download/status.json").status_code for _ in range(DOWNLOAD_CHECKS_PER_MINUTE)]
    assert statuses == [200] * DOWNLOAD_CHECKS_PER_MINUTE
    assert laptop.get("/download/status.json").status_code == 429
    assert laptop.get("/en/download/").status_code == 429
    assert other.get("/en/download/").status_code == 200


def test_the_download_page_does_not_walk_every_file_on_each_request(tiny_app, tiny_root, monkeypatch):
    """The fingerprint of what the copy is made from is worked out again only every
    FINGERPRINT_SECONDS: a changed file is not seen before then, because nothing was walked."""
    first = download.fingerprint(tiny_app)
    (tiny_root / "guide" / "facilitator.md").write_text("## Changed\n\nNew advice.\n", encoding="utf-8")
    assert [download.fingerprint(tiny_app) for _ in range(50)] == [first] * 50
    monkeypatch.setattr(download, "FINGERPRINT_SECONDS", 0)  # as once the time is up
    assert download.fingerprint(tiny_app) != first
